// Signing in to an emulated site over HTTP as its login form does, for sites whose form needs what its own page
// handed out first (a CSRF cookie, a session with a request token), and a JSON caller for conformance tests.
import { cookieHeader } from './harness.ts';

/**
 * GETs the login page at `url`, then POSTs `fields` (built from the page's cookies and HTML) back to it with those
 * cookies, redirects not followed. Returns the cookies the answer sets as a `Cookie` header value; throws
 * `<label> failed: <status>` unless it is a redirect that sets a cookie (a sign-in that starts a session).
 */
export async function signInThroughPage(
  url: string,
  label: string,
  fields: (page: { cookie: string; html: string }) => Record<string, string>,
): Promise<string> {
  const form = await fetch(url);
  const cookie = cookieHeader(form);
  const response = await fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookie },
    body: new URLSearchParams(fields({ cookie, html: await form.text() })),
  });
  const cookies = cookieHeader(response);
  if (response.status !== 302 || !cookies) throw new Error(`${label} failed: ${response.status}`);
  return cookies;
}

export interface CallOptions {
  method?: string;
  /** The Cookie header; '' sends none. */
  cookie?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

/** A fetch on `origin` that asks for JSON, sends `body` as JSON and does not follow redirects; `cookie()` by default. */
export function jsonCaller(origin: () => string, cookie: () => string) {
  return (path: string, options: CallOptions = {}): Promise<Response> => {
    const { method = 'GET', cookie: sent = cookie(), headers = {}, body } = options;
    return fetch(origin() + path, {
      method,
      redirect: 'manual',
      headers: {
        Accept: 'application/json',
        ...(sent && { Cookie: sent }),
        ...(body !== undefined && { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
}
