// Emulated Sentry (sentry.io / self-hosted, Django + Django REST framework): the sign-in form, the session and CSRF
// cookies, `/api/0/users/me/`, the user auth tokens of Settings → Account → Personal Tokens, and the API index that a
// token authenticates against. Facts from getsentry/sentry:
//   src/sentry/conf/server.py            SESSION_COOKIE_NAME "sentrysid", CSRF_COOKIE_NAME "sc"
//   src/sentry/api/endpoints/api_tokens.py        GET/POST /api/0/api-tokens/: session only (SessionNoAuthTokenAuthentication),
//                                                 body {name?, scopes (required, from SENTRY_SCOPES)}, 201 with the token
//   src/sentry/api/endpoints/api_token_details.py DELETE /api/0/api-tokens/{id}/ → 204; 404 "Invalid token ID"
//   src/sentry/api/serializers/models/apitoken.py the token's JSON (the secret only when it is created)
//   src/sentry/api/permissions.py                 ScopedPermission: a session must be signed in; a token needs a scope
//   src/sentry/api/bases/user.py                  /users/me/ is the signed-in user
// CSRF is Django's (django/middleware/csrf.py): an unsafe request with a session must send the `sc` cookie's secret,
// as it is or masked, in `X-CSRFToken` and come from the site's own Origin; forms carry it masked afresh each time;
// DRF answers a failure with 403 {"detail": "CSRF Failed: …"}.
//
// Users (the form asks for "Account", as Sentry's does):
//   jane@example.com / jane123   id "1"  "Jane Doe"
//   sam@example.com  / sam123    id "2"  "Sam Keyholder"
import { randomBytes, randomInt } from 'node:crypto';
import type { DemoSite } from '../../scripts/demo.ts';
import { Router, escapeHtml, html, json, page, parseCookies, redirect, setCookie, signInThroughForm, startSite } from './harness.ts';
import type { Reply, Site, SiteRequest } from './harness.ts';
import { signInThroughPage } from './form-sign-in.ts';

interface User {
  id: string;
  email: string;
  password: string;
  name: string;
}

const USERS: readonly User[] = [
  { id: '1', email: 'jane@example.com', password: 'jane123', name: 'Jane Doe' },
  { id: '2', email: 'sam@example.com', password: 'sam123', name: 'Sam Keyholder' },
];

export const SESSION_COOKIE = 'sentrysid';
export const CSRF_COOKIE = 'sc';
const CSRF_MAX_AGE = 365 * 24 * 60 * 60;
const JOINED = '2026-01-05T09:12:44.000000Z';

/** SENTRY_SCOPES: every scope a user auth token may hold. */
export const SCOPES = [
  'org:read', 'org:write', 'org:admin', 'org:integrations',
  'member:read', 'member:write', 'member:admin', 'member:invite',
  'team:read', 'team:write', 'team:admin',
  'project:read', 'project:write', 'project:admin', 'project:releases',
  'event:read', 'event:write', 'event:admin',
  'alerts:read', 'alerts:write',
] as const;

export interface SentryToken {
  id: string;
  name: string | null;
  token: string;
  scopes: string[];
  dateCreated: string;
}

export interface SentrySite extends Site {
  /** The user's tokens that currently exist, oldest first. */
  tokens(email: string): SentryToken[];
}

interface Ctx {
  req: SiteRequest;
  user?: User;
  /** How the user was authenticated: the session cookie, or a token (which carries scopes). */
  via?: 'session' | SentryToken;
}

const detail = (status: number, text: string): Reply => json(status, { detail: text });
const notSignedIn = () => detail(401, 'Authentication credentials were not provided.');

/** Django's CSRF alphabet: secrets are 32 of these, masked tokens 64. */
const CSRF_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const csrfChars = (length: number) => Array.from({ length }, () => CSRF_CHARS[randomInt(CSRF_CHARS.length)]).join('');
const newSecret = () => csrfChars(32);

/** django.middleware.csrf._mask_cipher_secret: a 32-character mask, then the secret shifted by it. */
function maskSecret(secret: string): string {
  const mask = csrfChars(32);
  const shifted = [...secret].map((c, i) => CSRF_CHARS[(CSRF_CHARS.indexOf(c) + CSRF_CHARS.indexOf(mask[i]!)) % CSRF_CHARS.length]);
  return mask + shifted.join('');
}

/** _does_token_match: the token is the secret itself (32) or a masking of it (64). */
function tokenMatches(token: string, secret: string): boolean {
  if (token.length === 32) return token === secret;
  if (token.length !== 64 || [...token].some((c) => !CSRF_CHARS.includes(c))) return false;
  const n = CSRF_CHARS.length;
  const unmasked = [...token.slice(32)].map((c, i) => CSRF_CHARS[(CSRF_CHARS.indexOf(c) - CSRF_CHARS.indexOf(token[i]!) + n) % n]);
  return unmasked.join('') === secret;
}

function findUser(email: string): User | undefined {
  return USERS.find((user) => user.email.toLowerCase() === email.toLowerCase());
}

/** A redirect target must stay on this site. */
function relativeTarget(value: string | null): string {
  return value && /^\/(?![/\\])/.test(value) ? value : '/';
}

function loginPage(csrf: string, next: string, error?: string): string {
  return page(
    'Login | Sentry',
    `<h1>Sign in to continue</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/auth/login/">
  <input type="hidden" name="csrfmiddlewaretoken" value="${escapeHtml(csrf)}">
  <input type="hidden" name="op" value="login">
  <input type="hidden" name="next" value="${escapeHtml(next)}">
  <p><label for="id_username">Account</label> <input id="id_username" name="username" autocomplete="username" placeholder="username or email" required></p>
  <p><label for="id_password">Password</label> <input id="id_password" name="password" type="password" autocomplete="current-password" required></p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

/** What the token serializer shows; the secret only right after creation. */
function serialize(token: SentryToken, withSecret: boolean): Record<string, unknown> {
  return {
    id: token.id,
    scopes: token.scopes,
    name: token.name,
    application: null,
    expiresAt: null,
    dateCreated: token.dateCreated,
    state: null,
    ...(withSecret && { token: token.token, refreshToken: null }),
    tokenLastCharacters: token.token.slice(-4),
  };
}

function userJson(user: User): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    username: user.email,
    email: user.email,
    avatarUrl: `https://gravatar.com/avatar/${user.id}`,
    isActive: true,
    hasPasswordAuth: true,
    isManaged: false,
    dateJoined: JOINED,
    lastLogin: JOINED,
    has2fa: false,
    lastActive: JOINED,
    isSuperuser: false,
    isStaff: false,
    experiments: {},
    emails: [{ id: user.id, email: user.email, is_verified: true }],
    avatar: { avatarType: 'letter_avatar', avatarUuid: null },
  };
}

/** DRF's validation of `{name?, scopes}`: field → messages, as the 400 answer lists them. */
function parseTokenIn(body: string): { name: string | null; scopes: string[] } | { errors: Record<string, string[]> } {
  let input: unknown;
  try {
    input = JSON.parse(body);
  } catch {
    return { errors: { detail: ['JSON parse error'] } };
  }
  const data = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const errors: Record<string, string[]> = {};
  const { name, scopes } = data;
  if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > 255)) {
    errors.name = ['Ensure this field has no more than 255 characters.'];
  }
  if (scopes === undefined) errors.scopes = ['This field is required.'];
  else if (!Array.isArray(scopes)) errors.scopes = [`Expected a list of items but got type "${typeof scopes}".`];
  else {
    const bad = scopes.find((scope) => !(SCOPES as readonly unknown[]).includes(scope));
    if (bad !== undefined) errors.scopes = [`"${String(bad)}" is not a valid choice.`];
  }
  if (Object.keys(errors).length > 0) return { errors };
  return { name: typeof name === 'string' ? name : null, scopes: [...new Set(scopes as string[])] };
}

export async function startSentry(options: { port?: number } = {}): Promise<SentrySite> {
  const sessions = new Map<string, string>();
  const tokensByUser = new Map<string, SentryToken[]>(USERS.map((user) => [user.id, []]));
  let nextId = 1;

  const tokensOf = (user: User) => tokensByUser.get(user.id)!;

  function tokenOwner(secret: string): [User, SentryToken] | undefined {
    for (const user of USERS) {
      const token = tokensOf(user).find((t) => t.token === secret);
      if (token) return [user, token];
    }
    return undefined;
  }

  /** Django's CsrfViewMiddleware for an unsafe request: the failure reason, or undefined when it passes. */
  function csrfFailure(req: SiteRequest): string | undefined {
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== req.url.origin) return `Origin checking failed - ${origin} does not match any trusted origins.`;
    const cookie = req.cookies[CSRF_COOKIE];
    if (!cookie) return 'CSRF cookie not set.';
    const header = req.headers['x-csrftoken'];
    if (!header) return 'CSRF token missing.';
    return tokenMatches(header, cookie) ? undefined : 'CSRF token incorrect.';
  }

  /** Django sets the CSRF cookie whenever a page uses the token and the browser has none yet. */
  function csrfCookieFor(req: SiteRequest): { value: string; setCookie?: string } {
    const existing = req.cookies[CSRF_COOKIE];
    if (existing) return { value: existing };
    const value = newSecret();
    return { value, setCookie: setCookie(req.url.origin, CSRF_COOKIE, value, { path: '/', sameSite: 'Lax', maxAge: CSRF_MAX_AGE }) };
  }

  const pages = new Router<Ctx>()
    .on('GET', '/', ({ user }) => {
      if (!user) return redirect('/auth/login/');
      return html(200, page('Sentry', `<h1>Sentry</h1>\n<p>Signed in as ${escapeHtml(user.name)} (${escapeHtml(user.email)}).</p>\n<p><a href="/settings/account/api/auth-tokens/">Personal Tokens</a></p>`));
    })
    .on('GET', '/settings/account/api/auth-tokens/', ({ req, user }) => {
      if (!user) return redirect(`/auth/login/?next=${encodeURIComponent(req.url.pathname)}`);
      return html(200, page('Personal Tokens | Sentry', `<h1>Personal Tokens</h1>\n<p>${tokensOf(user).length} token(s).</p>`));
    })
    .on('GET', '/auth/login/', ({ req, user }) => {
      const next = relativeTarget(req.url.searchParams.get('next'));
      if (user) return redirect(next);
      const csrf = csrfCookieFor(req);
      return { ...html(200, loginPage(maskSecret(csrf.value), next)), headers: { 'content-type': 'text/html;charset=UTF-8', ...(csrf.setCookie && { 'set-cookie': csrf.setCookie }) } };
    })
    .on('POST', '/auth/login/', ({ req }) => {
      const form = new URLSearchParams(req.body);
      const next = relativeTarget(form.get('next'));
      const cookie = req.cookies[CSRF_COOKIE];
      // Django's own CSRF failure page for a form post.
      if (!cookie || !tokenMatches(form.get('csrfmiddlewaretoken') ?? '', cookie)) {
        return html(403, page('403 Forbidden', '<h1>Forbidden (403)</h1>\n<p>CSRF verification failed. Request aborted.</p>'));
      }
      const user = findUser(form.get('username') ?? '');
      if (!user || user.password !== form.get('password')) {
        return html(200, loginPage(cookie, next, 'Please enter a correct username and password. Note that both fields may be case-sensitive.'));
      }
      const session = randomBytes(32).toString('base64url');
      sessions.set(session, user.id);
      // Signing in rotates the CSRF secret, so a token seen before the sign-in is no use after it.
      const rotated = newSecret();
      return redirect(next, {
        'set-cookie': [
          setCookie(req.url.origin, SESSION_COOKIE, session, { path: '/', httpOnly: true, sameSite: 'Lax' }),
          setCookie(req.url.origin, CSRF_COOKIE, rotated, { path: '/', sameSite: 'Lax', maxAge: CSRF_MAX_AGE }),
        ],
      });
    })
    .on('GET', '/auth/logout/', ({ req }) => {
      sessions.delete(req.cookies[SESSION_COOKIE] ?? '');
      return redirect('/auth/login/', { 'set-cookie': setCookie(req.url.origin, SESSION_COOKIE, '', { path: '/', maxAge: 0 }) });
    });

  const TOKENS = '/api/0/api-tokens/';
  const api = new Router<Ctx>()
    // The API index: who the credentials are, and a token's scopes. No permission needed, so a token may ask.
    .on('GET', '/api/0/', ({ user, via }) =>
      json(200, {
        version: '0',
        auth: via && via !== 'session' ? { scopes: via.scopes } : null,
        user: user ? userJson(user) : null,
      }),
    )
    .on('GET', '/api/0/users/me/', ({ user, via }) => {
      if (!user) return notSignedIn();
      // UserPermission keeps the default empty scope map: a token may not read a user.
      if (via !== 'session') return detail(403, 'You do not have permission to perform this action.');
      return json(200, userJson(user));
    })
    .on('GET', TOKENS, ({ user, via }) => {
      if (!user || via !== 'session') return notSignedIn();
      return json(200, tokensOf(user).map((token) => serialize(token, false)));
    })
    .on('POST', TOKENS, ({ req, user, via }) => {
      if (!user || via !== 'session') return notSignedIn();
      const parsed = parseTokenIn(req.body);
      if ('errors' in parsed) return json(400, parsed.errors);
      const token: SentryToken = {
        id: String(nextId++),
        name: parsed.name,
        token: `sntryu_${randomBytes(32).toString('hex')}`,
        scopes: parsed.scopes,
        dateCreated: new Date().toISOString(),
      };
      tokensOf(user).push(token);
      return json(201, serialize(token, true));
    })
    .on('DELETE', `${TOKENS}:id/`, ({ user }, { id }) => {
      if (!user) return notSignedIn();
      const list = tokensOf(user);
      const index = list.findIndex((token) => token.id === id);
      if (index < 0) return detail(404, 'Invalid token ID');
      list.splice(index, 1);
      return { status: 204 };
    });

  /** The request's user: a Bearer token wins over the session; an unknown token is refused outright. */
  function authenticate(req: SiteRequest): Ctx | Reply {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const bearer = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
      const owner = bearer === undefined ? undefined : tokenOwner(bearer);
      if (!owner) return detail(401, 'Invalid token');
      return { req, user: owner[0], via: owner[1] };
    }
    const userId = sessions.get(req.cookies[SESSION_COOKIE] ?? '');
    const user = USERS.find((u) => u.id === userId);
    return user ? { req, user, via: 'session' } : { req };
  }

  const site = await startSite((req) => {
    const auth = authenticate(req);
    if ('status' in auth) return auth;
    if (!req.url.pathname.startsWith('/api/')) return pages.handle(req.method, req.url.pathname, auth) ?? html(404, page('Not Found', '<h1>Page Not Found</h1>'));
    if (auth.via === 'session' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const failure = csrfFailure(req);
      if (failure) return detail(403, `CSRF Failed: ${failure}`);
    }
    return api.handle(req.method, req.url.pathname, auth) ?? detail(404, 'The requested resource does not exist');
  }, options);

  return {
    ...site,
    tokens(email) {
      const user = findUser(email);
      if (!user) throw new Error(`Sentry emulator: no user ${email}`);
      return tokensOf(user).map((token) => ({ ...token, scopes: [...token.scopes] }));
    },
  };
}

/** Signs in over HTTP as the login form does; returns the `Cookie` header: the session and the rotated CSRF cookie. */
export function signIn(site: Pick<Site, 'origin'>, email: string, password: string): Promise<string> {
  return signInThroughPage(`${site.origin}/auth/login/`, `Sentry sign-in as ${email}`, ({ cookie }) => ({
    csrfmiddlewaretoken: parseCookies(cookie)[CSRF_COOKIE] ?? '',
    op: 'login',
    username: email,
    password,
  }));
}

/** How `npm start` runs and demonstrates this site. */
export const demo: DemoSite = {
  id: 'recipe:sentry',
  name: 'Sentry',
  port: 4306,
  signInPath: '/auth/login/',
  logins: [
    { user: 'jane@example.com', password: 'jane123' },
    { user: 'sam@example.com', password: 'sam123' },
  ],
  start: (port) => startSentry({ port }),
  signIn: (tab, origin, login) => signInThroughForm(tab, 'Account', login, `${origin}/`),
  async verify(origin, secret) {
    const response = await fetch(`${origin}/api/0/`, { headers: { Authorization: `Bearer ${secret}` } });
    const body = (await response.json()) as { user: { username: string } | null };
    if (response.status !== 200 || !body.user) throw new Error(`GET /api/0/ with the token answered ${response.status}`);
    return `${body.user.username} (GET /api/0/: 200)`;
  },
};
