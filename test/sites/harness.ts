// A small base for emulated sites: a real HTTP server on 127.0.0.1 with a request log, cookie helpers, a router,
// fault injection, and the two ways tests sign in (over HTTP, and through the site's form in a browser tab).
// Site specifics (users, endpoints, error formats) belong in the site's own file.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';

export interface SiteRequest {
  method: string;
  /** Absolute, on the site's own origin (not on whatever Host the client sent). */
  url: URL;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  cookies: Record<string, string>;
  body: string;
}

export interface Reply {
  status: number;
  /** An array value sends the header once per item (Set-Cookie, Vary). */
  headers?: Record<string, string | string[]>;
  body?: string;
}

export type Handler = (req: SiteRequest) => Reply | Promise<Reply>;

export interface LoggedRequest {
  method: string;
  /** Pathname with query. */
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Epoch milliseconds when the request body had been read. */
  at: number;
}

export interface Fault {
  method?: string;
  /** A string must equal the pathname; a RegExp is tested against the pathname with its query. */
  path: string | RegExp;
  /** With status or body the fault answers itself (status defaults to 500); without, the site answers. */
  status?: number;
  body?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Waits before answering, whoever answers. */
  delayMs?: number;
  /** How many requests the fault applies to: 1 by default, Infinity for all. */
  times?: number;
  /** Never answer; the socket stays open until the client gives up or the site closes. */
  hang?: boolean;
  /** Destroy the socket without an answer. */
  reset?: boolean;
}

export interface FaultHandle {
  /** How many requests the fault has applied to so far. */
  readonly hits: number;
  remove(): void;
}

export interface Site {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  requests(): LoggedRequest[];
  clearRequests(): void;
  inject(fault: Fault): FaultHandle;
  clearFaults(): void;
  /** Also ends hanging and delayed requests, so a test never waits on them. */
  close(): Promise<void>;
}

export function json(status: number, value: unknown, contentType = 'application/json'): Reply {
  return { status, headers: { 'content-type': contentType }, body: JSON.stringify(value) };
}

export function text(status: number, body: string, contentType = 'text/plain;charset=UTF-8'): Reply {
  return { status, headers: { 'content-type': contentType }, body };
}

export function html(status: number, body: string): Reply {
  return text(status, body, 'text/html;charset=UTF-8');
}

export function redirect(location: string, headers: Record<string, string | string[]> = {}): Reply {
  return { status: 302, headers: { ...headers, location } };
}

/** A bare HTML page with `content` in its main element; `script` (a desk's boot data, say) follows it. */
export function page(title: string, content: string, script = ''): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title></head>
<body>
<main>
${content}
</main>${script}
</body>
</html>`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const pair of header?.split(';') ?? []) {
    const eq = pair.indexOf('=');
    if (eq > 0) cookies[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return cookies;
}

/** The cookies an answer sets, as the `Cookie` header value that sends them back. */
export function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0]!)
    .join('; ');
}

/**
 * POSTs `body` as a script signs in: redirects are not followed, so the cookies of the answer itself are seen.
 * Returns them as a `Cookie` header value; an answer with another status than `expect` throws `<label> failed: <status>`.
 */
export async function postForCookies(
  url: string,
  body: URLSearchParams | string,
  { expect, label, headers = {} }: { expect: number; label: string; headers?: Record<string, string> },
): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual' });
  if (response.status !== expect) throw new Error(`${label} failed: ${response.status}`);
  return cookieHeader(response);
}

/**
 * Fills in a site's own sign-in form in a browser tab, as a person would: the user under `userLabel`, the password
 * under "Password", then "Sign in"; waits until the tab has landed where a signed-in user goes.
 */
export async function signInThroughForm(
  tab: Page,
  userLabel: string,
  { user, password }: { user: string; password: string },
  landing: Parameters<Page['waitForURL']>[0],
): Promise<void> {
  await tab.getByLabel(userLabel).fill(user);
  await tab.getByLabel('Password').fill(password);
  await tab.getByRole('button', { name: 'Sign in' }).click();
  await tab.waitForURL(landing);
}

export interface CookieOptions {
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
  path?: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge?: number;
}

/** A Set-Cookie value. `Secure` is added only for an https origin: browsers drop Secure cookies set over http. */
export function setCookie(origin: string, name: string, value: string, options: CookieOptions = {}): string {
  const parts = [`${name}=${value}`];
  if (options.path !== undefined) parts.push(`Path=${options.path}`);
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (origin.startsWith('https:')) parts.push('Secure');
  if (options.httpOnly) parts.push('HttpOnly');
  if (options.sameSite) parts.push(`SameSite=${options.sameSite}`);
  return parts.join('; ');
}

type ParamNames<P extends string> = P extends `${string}:${infer K}/${infer Rest}`
  ? K | ParamNames<Rest>
  : P extends `${string}:${infer K}`
    ? K
    : never;
/** `/users/:userId/tokens/:id` → `{ userId: string; id: string }` */
export type Params<P extends string> = { [K in ParamNames<P>]: string };

interface Route<C> {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: (ctx: C, params: Record<string, string>) => Reply | Promise<Reply>;
}

/** Routes on method + pathname; `:name` segments become decoded params. C is whatever the site hands its handlers. */
export class Router<C> {
  readonly #routes: Route<C>[] = [];

  on<P extends string>(method: string, path: P, handler: (ctx: C, params: Params<P>) => Reply | Promise<Reply>): this {
    const keys: string[] = [];
    const source = path
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/:(\w+)/g, (_, key: string) => {
        keys.push(key);
        return '([^/]+)';
      });
    this.#routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler: handler as Route<C>['handler'] });
    return this;
  }

  /** undefined when no route matches, so the site picks its own 404. */
  handle(method: string, pathname: string, ctx: C): Reply | Promise<Reply> | undefined {
    for (const route of this.#routes) {
      const match = route.method === method ? route.pattern.exec(pathname) : null;
      if (!match) continue;
      const params = Object.fromEntries(route.keys.map((key, i) => [key, decodeURIComponent(match[i + 1] ?? '')]));
      return route.handler(ctx, params);
    }
    return undefined;
  }
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
  hits: number;
}

export async function startSite(handler: Handler, options: { port?: number } = {}): Promise<Site> {
  const log: LoggedRequest[] = [];
  let faults: ActiveFault[] = [];
  const closing = new AbortController();
  let origin = '';

  function takeFault(method: string, url: URL): Fault | undefined {
    const active = faults.find(({ fault, remaining }) => {
      if (remaining <= 0 || (fault.method && fault.method.toUpperCase() !== method)) return false;
      return typeof fault.path === 'string' ? fault.path === url.pathname : fault.path.test(url.pathname + url.search);
    });
    if (!active) return undefined;
    active.remaining--;
    active.hits++;
    return active.fault;
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', origin);
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]),
    );
    log.push({ method, path: url.pathname + url.search, headers, body, at: Date.now() });

    const fault = takeFault(method, url);
    if (fault?.reset) return void req.socket.destroy();
    if (fault?.hang) return;
    if (fault?.delayMs) await sleep(fault.delayMs, undefined, { signal: closing.signal });
    const reply =
      fault && (fault.status !== undefined || fault.body !== undefined)
        ? {
            status: fault.status ?? 500,
            headers: { 'content-type': fault.contentType ?? 'text/plain', ...fault.headers },
            body: fault.body ?? '',
          }
        : await handler({ method, url, headers, cookies: parseCookies(headers.cookie), body });
    send(res, reply);
  }

  const server = createServer((req, res) => {
    serve(req, res).catch((error: unknown) => {
      // A closing site or a client that went away has nobody left to tell.
      if (closing.signal.aborted || res.headersSent || res.destroyed) return;
      send(res, text(500, error instanceof Error ? (error.stack ?? error.message) : String(error)));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    requests: () => [...log],
    clearRequests: () => void log.splice(0),
    inject(fault) {
      const active: ActiveFault = { fault, remaining: fault.times ?? 1, hits: 0 };
      faults.push(active);
      return {
        get hits() {
          return active.hits;
        },
        remove: () => void (faults = faults.filter((f) => f !== active)),
      };
    },
    clearFaults: () => void (faults = []),
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, reply: Reply): void {
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  // end() with the whole body lets Node set Content-Length itself (and send none for a 204).
  res.end(reply.body ?? '');
}
