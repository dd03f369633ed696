/**
 * One HTTP request as it is run inside the site's tab. `runInPage` is injected with `scripting.executeScript`, so it
 * must stay self-contained (no imports, no closures): Chromium serialises its source text.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface PageRequest {
  method: HttpMethod;
  /** Absolute path on the tab's origin, e.g. `/api/v1/profile?x=1`. Never a full URL: requests stay on the origin. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Copies a readable cookie of the site into a request header, as the site's own UI does for its XSRF defence
   * (CDS: cookie `xsrf_token` → header `X-XSRF-TOKEN`). Read in the tab, so the value never leaves it otherwise.
   */
  echoCookie?: { cookie: string; header: string };
  /** `omit` sends no cookies: used to prove a token works on its own. */
  credentials?: 'include' | 'omit';
  timeoutMs?: number;
}

export interface PageResponse {
  /** 0 for a redirect, which is not followed (`redirect: 'manual'` makes it opaque). */
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
}

export type PageFailure = 'navigated' | 'network' | 'timeout' | 'off-origin';

export type PageOutcome = { ok: true; response: PageResponse } | { ok: false; failure: PageFailure };

export async function runInPage(
  origin: string,
  request: PageRequest & { timeoutMs: number },
): Promise<PageOutcome> {
  // The tab may have moved to another site since the job started; its cookies must not be used for this one.
  if (location.origin !== origin) return { ok: false, failure: 'navigated' };
  const url = new URL(request.path, origin);
  if (url.origin !== origin) return { ok: false, failure: 'off-origin' };
  const headers: Record<string, string> = { ...request.headers };
  if (request.echoCookie) {
    const prefix = `${request.echoCookie.cookie}=`;
    const found = document.cookie.split('; ').find((pair) => pair.startsWith(prefix));
    if (found) headers[request.echoCookie.header] = decodeURIComponent(found.slice(prefix.length));
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs);
  try {
    const response = await fetch(url, {
      method: request.method,
      headers,
      body: request.body,
      credentials: request.credentials ?? 'include',
      redirect: 'manual',
      cache: 'no-store',
      signal: controller.signal,
    });
    const body = await response.text();
    const answered: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      answered[name] = value;
    });
    return { ok: true, response: { status: response.status, headers: answered, body } };
  } catch {
    return { ok: false, failure: controller.signal.aborted ? 'timeout' : 'network' };
  } finally {
    clearTimeout(timer);
  }
}
