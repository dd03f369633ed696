import { responseOf, withTimeout, type PageClient } from '../../src/core/page-client.ts';
import type { PageOutcome, PageRequest } from '../../src/core/page-request.ts';

export interface NodePageClient extends PageClient {
  /** The jar as a Cookie header value; assigning replaces the jar. */
  cookie: string;
}

/**
 * The Node twin of the in-tab client: fetch with a cookie jar that takes the site's Set-Cookie answers, the site's
 * own Origin on unsafe methods (as a same-origin request from the site's page carries), and `echoCookie` read from
 * the jar. Adapters run unchanged on it against the emulated sites.
 */
export function nodePageClient(origin: string, cookie = ''): NodePageClient {
  const jar = parseCookieHeader(cookie);
  return {
    origin,
    get cookie() {
      return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    },
    set cookie(header: string) {
      jar.clear();
      for (const [name, value] of parseCookieHeader(header)) jar.set(name, value);
    },
    async request(request: PageRequest) {
      const sent = withTimeout(request);
      return responseOf(origin, await fetchOutcome(jar, origin, sent), sent.timeoutMs);
    },
  };
}

function parseCookieHeader(header: string): Map<string, string> {
  const jar = new Map<string, string>();
  for (const pair of header.split(/;\s*/)) {
    const at = pair.indexOf('=');
    if (at > 0) jar.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return jar;
}

/** Keeps what a browser would: a cookie set with an empty value, Max-Age=0 or a past Expires is deleted. */
function takeSetCookies(jar: Map<string, string>, headers: Headers): void {
  for (const line of headers.getSetCookie()) {
    const [pair = '', ...attributes] = line.split(/;\s*/);
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const name = pair.slice(0, at);
    const value = pair.slice(at + 1);
    const expired = attributes.some((attribute) => {
      const [key = '', setting = ''] = attribute.split('=');
      if (key.toLowerCase() === 'max-age') return Number(setting) <= 0;
      if (key.toLowerCase() === 'expires') return Date.parse(setting) <= Date.now();
      return false;
    });
    if (expired || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}

async function fetchOutcome(
  jar: Map<string, string>,
  origin: string,
  request: PageRequest & { timeoutMs: number },
): Promise<PageOutcome> {
  const url = new URL(request.path, origin);
  if (url.origin !== origin) return { ok: false, failure: 'off-origin' };
  const headers = new Headers(request.headers);
  const withCookies = request.credentials !== 'omit';
  if (withCookies && jar.size > 0) headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '));
  if (request.echoCookie) {
    const value = jar.get(request.echoCookie.cookie);
    if (value !== undefined) headers.set(request.echoCookie.header, decodeURIComponent(value));
  }
  if (request.method !== 'GET') headers.set('origin', origin);
  const signal = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await fetch(url, { method: request.method, headers, body: request.body ?? null, redirect: 'manual', signal });
    const body = await response.text();
    if (withCookies) takeSetCookies(jar, response.headers);
    return { ok: true, response: { status: response.status, headers: Object.fromEntries(response.headers), body } };
  } catch {
    return { ok: false, failure: signal.aborted ? 'timeout' : 'network' };
  }
}
