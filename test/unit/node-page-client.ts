import { responseOf, withTimeout, type PageClient } from '../../src/core/page-client.ts';
import type { PageOutcome, PageRequest } from '../../src/core/page-request.ts';

/**
 * The Node twin of the in-tab client: fetch with a cookie jar and the site's own Origin on unsafe methods, as a
 * same-origin request from the site's page carries. Adapters run unchanged on it against the emulated sites.
 */
export function nodePageClient(origin: string, cookie = ''): PageClient & { cookie: string } {
  const client = {
    origin,
    cookie,
    async request(request: PageRequest) {
      const sent = withTimeout(request);
      return responseOf(origin, await fetchOutcome(client.cookie, origin, sent), sent.timeoutMs);
    },
  };
  return client;
}

async function fetchOutcome(cookie: string, origin: string, request: PageRequest & { timeoutMs: number }): Promise<PageOutcome> {
  const url = new URL(request.path, origin);
  if (url.origin !== origin) return { ok: false, failure: 'off-origin' };
  const headers = new Headers(request.headers);
  if (request.credentials !== 'omit' && cookie) headers.set('cookie', cookie);
  if (request.method !== 'GET') headers.set('origin', origin);
  const signal = AbortSignal.timeout(request.timeoutMs);
  try {
    const response = await fetch(url, { method: request.method, headers, body: request.body ?? null, redirect: 'manual', signal });
    const body = await response.text();
    return { ok: true, response: { status: response.status, headers: Object.fromEntries(response.headers), body } };
  } catch {
    return { ok: false, failure: signal.aborted ? 'timeout' : 'network' };
  }
}
