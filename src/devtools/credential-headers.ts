import { mask } from '../core/token.ts';

/** Request headers that carry a credential on the sites Tokenmint knows, and on most APIs. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'x-auth-token', 'x-api-key', 'private-token']);

/** A request as DevTools reports it (a HAR entry), as far as this needs it. */
export interface HarEntry {
  request: { method: string; url: string; headers: { name: string; value: string }[] };
}

/** One credential header seen in traffic: what the panel may show, and the values to look up, to be hashed at once. */
export interface SeenCredential {
  where: string;
  header: string;
  masked: string;
  /** The value, and the value after its scheme ("Bearer x", "token key:secret"): a kept secret may be either. */
  candidates: string[];
}

export function credentialsIn(entry: HarEntry): SeenCredential[] {
  const url = new URL(entry.request.url);
  // Host and path only: a query string may itself carry a credential.
  const where = `${entry.request.method} ${url.host}${url.pathname}`;
  return entry.request.headers
    .filter(({ name, value }) => CREDENTIAL_HEADERS.has(name.toLowerCase()) && value.trim() !== '')
    .map(({ name, value }) => {
      const bare = value.replace(/^(bearer|token|basic)\s+/i, '');
      return { where, header: name, masked: mask(bare), candidates: bare === value ? [value] : [value, bare] };
    });
}
