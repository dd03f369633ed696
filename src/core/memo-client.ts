import type { PageClient } from './page-client.ts';
import type { PageResponse } from './page-request.ts';

/**
 * A client that asks each identical GET once: for one read-only pass over a site (what the popup shows), where the
 * probe and the form want the same who-am-I or user record moments apart. Writes always go out.
 */
export function memoGets(client: PageClient): PageClient {
  const asked = new Map<string, Promise<PageResponse>>();
  return {
    origin: client.origin,
    request(request) {
      if (request.method !== 'GET') return client.request(request);
      const key = JSON.stringify([request.path, request.headers, request.echoCookie, request.credentials, request.timeoutMs]);
      let answer = asked.get(key);
      if (!answer) asked.set(key, (answer = client.request(request)));
      return answer;
    },
  };
}
