// Emulated Insight.io (Play Framework + SecureSocial): the sign-in page and the API-token endpoints of
// shared/contracts/insightio.md.
//
// Users (username/password provider; the login form asks for the e-mail address):
//   jane@example.com / jane123   uid userpass@jane@example.com   "Jane Doe"
//   octo@example.com / octo123   uid userpass@octo@example.com   "Octo Cat"
// The contract knows no permissions: every user may mint, list and revoke their own tokens.
//
// Choices where the contract leaves room (each one plausible for the real server):
// - the session cookie is SecureSocial's default `id` (HttpOnly, Path=/, no Max-Age: a browser-session cookie);
// - the API accepts the session cookie as well as `X-Auth-Token` (or `?token=`) everywhere, listing included, as
//   SecureSocial's SecuredAction tries every authenticator; a token that is not valid falls through to the cookie;
// - no credentials: 401 `{"error":"Credentials required"}` to a client that accepts JSON, else 303 to /login;
// - Play's CSRF filter guards /api requests with unsafe methods that carry cookies: without `X-Requested-With` or
//   `Csrf-Token: nocheck` they get 403 "No CSRF token found in headers" (an HTML page);
// - `legacy: true` starts an older deployment that only has /api/createApiToken, /api/getApiTokens and
//   /api/revokeApiToken; the REST paths on /api/token are then 404.
import { randomBytes } from 'node:crypto';
import { Router, escapeHtml, html, json, page, postForCookies, redirect, setCookie, signInThroughForm, startSite } from './harness.ts';
import type { Reply, Site, SiteRequest } from './harness.ts';
import type { DemoSite } from '../../scripts/demo.ts';

interface User {
  uid: string;
  email: string;
  password: string;
  display: string;
  name: string;
}

const USERS: readonly User[] = [
  { uid: 'userpass@jane@example.com', email: 'jane@example.com', password: 'jane123', display: 'jane', name: 'Jane Doe' },
  { uid: 'userpass@octo@example.com', email: 'octo@example.com', password: 'octo123', display: 'octo', name: 'Octo Cat' },
];

export const SESSION_COOKIE = 'id';
/** The largest time a Java millisecond clock holds: "never expires" (contract §5). */
export const NEVER = '292278994-08-17T07:12:55.807Z';
const JSON_TYPE = 'application/json';

// Play's SecurityHeadersFilter defaults.
const COMMON_HEADERS = {
  'x-frame-options': 'DENY',
  'x-xss-protection': '1; mode=block',
  'x-content-type-options': 'nosniff',
  'x-permitted-cross-domain-policies': 'master-only',
  'referrer-policy': 'origin-when-cross-origin, strict-origin-when-cross-origin',
};

export interface InsightIoToken {
  apiToken: string;
  /** Epoch milliseconds. */
  created: number;
  lastUsed: number;
}

export interface InsightIoSite extends Site {
  /** The user's tokens that currently exist, oldest first (copies). */
  tokens(uid: string): InsightIoToken[];
  /** Seeds tokens without going through HTTP, created `ageMs` ago (default: now); returns them. */
  addTokens(uid: string, count: number, ageMs?: number): InsightIoToken[];
}

interface Ctx {
  req: SiteRequest;
}

interface ApiCtx extends Ctx {
  user: User;
}

const unknownAction = (req: SiteRequest): Reply =>
  html(
    404,
    `<!DOCTYPE html><html><head><title>Action Not Found</title></head><body><h1>Action Not Found</h1><p>For request '${escapeHtml(`${req.method} ${req.url.pathname}`)}'</p></body></html>`,
  );

function loginPage(error?: string): string {
  return page(
    'Sign in · Insight.io',
    `<h1>Sign in to Insight.io</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <p><label for="username">Email</label> <input id="username" name="username" type="email" autocomplete="username" required></p>
  <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

function credentialsRequired(req: SiteRequest): Reply {
  // SecureSocial's notAuthenticatedResult: JSON for API clients, the login page for browsers.
  return (req.headers.accept ?? '').includes(JSON_TYPE) ? json(401, { error: 'Credentials required' }) : redirect303('/login');
}

function redirect303(location: string, headers: Record<string, string | string[]> = {}): Reply {
  return { ...redirect(location, headers), status: 303 };
}

function isUnsafe(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method);
}

/** Play's CSRF filter: unsafe requests that carry cookies need a bypass header (or a token, which no page here has). */
function csrfRefusal(req: SiteRequest): Reply | undefined {
  if (!isUnsafe(req.method) || req.headers.cookie === undefined) return undefined;
  if (req.headers['x-requested-with'] !== undefined || req.headers['csrf-token'] === 'nocheck') return undefined;
  return html(403, '<!DOCTYPE html><html><head><title>Forbidden</title></head><body><h1>Forbidden</h1><p>No CSRF token found in headers</p></body></html>');
}

export async function startInsightIo(options: { port?: number; legacy?: boolean } = {}): Promise<InsightIoSite> {
  const sessions = new Map<string, string>();
  const tokensByUser = new Map<string, InsightIoToken[]>(USERS.map((user) => [user.uid, []]));

  function tokensOf(uid: string): InsightIoToken[] {
    const list = tokensByUser.get(uid);
    if (!list) throw new Error(`Insight.io emulator: no user ${uid}`);
    return list;
  }

  function mint(uid: string, created = Date.now()): InsightIoToken {
    // 256 lowercase hex characters, as the contract says.
    const token = { apiToken: randomBytes(128).toString('hex'), created, lastUsed: created };
    tokensOf(uid).push(token);
    return token;
  }

  function findToken(value: string): { user: User; token: InsightIoToken } | undefined {
    for (const user of USERS) {
      const token = tokensOf(user.uid).find((t) => t.apiToken === value);
      if (token) return { user, token };
    }
    return undefined;
  }

  function sessionUser(req: SiteRequest): User | undefined {
    const uid = sessions.get(req.cookies[SESSION_COOKIE] ?? '');
    return USERS.find((user) => user.uid === uid);
  }

  /** SecureSocial tries the header authenticator, then the cookie one: a bad token falls through to the session. */
  function authenticate(req: SiteRequest): User | undefined {
    const value = req.headers['x-auth-token'] ?? req.url.searchParams.get('token') ?? undefined;
    const found = value === undefined ? undefined : findToken(value);
    if (found) {
      found.token.lastUsed = Date.now();
      return found.user;
    }
    return sessionUser(req);
  }

  /** Revokes the token in the header, whoever sends it; says nothing either way. */
  function revokeHeaderToken(req: SiteRequest): Reply {
    const found = findToken(req.headers['x-auth-token'] ?? '');
    if (found) {
      const list = tokensOf(found.user.uid);
      list.splice(list.indexOf(found.token), 1);
    }
    return { status: 200 };
  }

  const profile = ({ user }: ApiCtx): Reply =>
    json(200, {
      uid: user.uid,
      display: user.display,
      name: user.name,
      email: user.email,
      avatarUrl: `https://avatars.example.com/u/${user.display}`,
    });
  const create = ({ user }: ApiCtx): Reply => json(200, { token: mint(user.uid).apiToken });
  const list = ({ user }: ApiCtx): Reply => json(200, tokensOf(user.uid).map((token) => ({ uid: user.uid, ...token })));

  const pages = new Router<Ctx>()
    .on('GET', '/', ({ req }) => {
      const user = sessionUser(req);
      return html(
        200,
        page(
          'Insight.io',
          user
            ? `<h1>Insight.io</h1>\n<p>Signed in as ${escapeHtml(user.name)} (${escapeHtml(user.uid)}).</p>\n<p><a href="/logout">Sign out</a></p>`
            : `<h1>Insight.io</h1>\n<p>You are not signed in.</p>\n<p><a href="/login">Sign in</a></p>`,
        ),
      );
    })
    .on('GET', '/login', () => html(200, loginPage()))
    .on('POST', '/login', ({ req }) => {
      const form = new URLSearchParams(req.body);
      const user = USERS.find((u) => u.email === form.get('username'));
      if (!user || user.password !== form.get('password')) return html(400, loginPage('Wrong email or password.'));
      const session = randomBytes(32).toString('base64url');
      sessions.set(session, user.uid);
      return redirect303('/', { 'set-cookie': setCookie(req.url.origin, SESSION_COOKIE, session, { httpOnly: true, path: '/' }) });
    })
    .on('GET', '/logout', ({ req }) => {
      sessions.delete(req.cookies[SESSION_COOKIE] ?? '');
      return redirect303('/', { 'set-cookie': setCookie(req.url.origin, SESSION_COOKIE, '', { httpOnly: true, path: '/', maxAge: 0 }) });
    });

  // Calls that need no user: the credential logins of contract §4 and the revoke, which acts on the header token.
  const open = new Router<Ctx>()
    .on('POST', '/api/authenticate/:provider', ({ req }, { provider }) => {
      if (provider !== 'userpass') return { status: 404 };
      const form = new URLSearchParams(req.body);
      const user = USERS.find((u) => u.email === form.get('username'));
      if (!user || user.password !== form.get('password')) return json(400, { error: 'Invalid credentials' });
      return json(200, { token: mint(user.uid).apiToken, expiresOn: NEVER });
    });
  if (options.legacy) open.on('GET', '/api/revokeApiToken', ({ req }) => revokeHeaderToken(req));
  else open.on('DELETE', '/api/token', ({ req }) => revokeHeaderToken(req));

  // Exact paths only, so a Map says both whether a route exists and what answers it.
  const api = new Map<string, (ctx: ApiCtx) => Reply>([['GET /api/user/profile', profile]]);
  if (options.legacy) api.set('GET /api/createApiToken', create).set('GET /api/getApiTokens', list);
  else api.set('POST /api/token', create).set('GET /api/token', list);

  /** undefined for a route this deployment does not have: Play's "Action Not Found". */
  function apiRoute(req: SiteRequest): Reply | Promise<Reply> | undefined {
    const free = open.handle(req.method, req.url.pathname, { req });
    if (free) return free;
    const handler = api.get(`${req.method} ${req.url.pathname}`);
    if (!handler) return undefined;
    const user = authenticate(req);
    return user ? handler({ req, user }) : credentialsRequired(req);
  }

  function route(req: SiteRequest): Reply | Promise<Reply> {
    if (!/^\/api(\/|$)/.test(req.url.pathname)) return pages.handle(req.method, req.url.pathname, { req }) ?? unknownAction(req);
    const refused = csrfRefusal(req);
    if (refused) return refused;
    return apiRoute(req) ?? unknownAction(req);
  }

  const site = await startSite(async (req) => {
    const reply = await route(req);
    return { ...reply, headers: { ...COMMON_HEADERS, ...reply.headers } };
  }, options);

  return {
    ...site,
    tokens: (uid) => tokensOf(uid).map((token) => ({ ...token })),
    addTokens(uid, count, ageMs = 0) {
      return Array.from({ length: count }, () => ({ ...mint(uid, Date.now() - ageMs) }));
    },
  };
}

/** Signs in over HTTP like the login form does; returns the `Cookie` header value for later requests. */
export async function signIn(site: Pick<Site, 'origin'>, email: string, password: string): Promise<string> {
  return postForCookies(`${site.origin}/login`, new URLSearchParams({ username: email, password }), {
    expect: 303,
    label: `Insight.io sign-in as ${email}`,
  });
}

export const demo: DemoSite = {
  id: 'insightio',
  name: 'Insight.io',
  port: 4305,
  signInPath: '/login',
  logins: [
    { user: 'jane@example.com', password: 'jane123' },
    { user: 'octo@example.com', password: 'octo123' },
  ],
  start: (port) => startInsightIo({ port }),
  signIn: (tab, origin, login) => signInThroughForm(tab, 'Email', login, `${origin}/`),
  async verify(origin, secret) {
    const response = await fetch(`${origin}/api/user/profile`, { headers: { 'X-Auth-Token': secret, Accept: 'application/json' } });
    if (response.status !== 200) throw new Error(`GET /api/user/profile with the token answered ${response.status}`);
    return `${((await response.json()) as { uid: string }).uid} (GET /api/user/profile: 200)`;
  },
};
