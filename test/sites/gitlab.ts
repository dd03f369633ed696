// Emulated GitLab (gitlab.com / self-managed, Rails): the sign-in form, the Rails session with its CSRF token in
// `<meta name="csrf-token">`, the personal access tokens page of User Settings → Access tokens, and the REST API v4
// parts a PAT is made, listed, revoked and used with. Facts from gitlab-org/gitlab:
//   app/controllers/user_settings/personal_access_tokens_controller.rb  POST /-/user_settings/personal_access_tokens
//       params personal_access_token[name, scopes[], expires_at] → 200 {new_token, active_access_tokens (sorted
//       expires_at asc, id desc), total}, or 422 {errors: […]}
//   lib/gitlab/auth/auth_finders.rb  the API takes the session only for GET/HEAD or with a valid CSRF token
//   lib/api/personal_access_tokens.rb  GET /api/v4/personal_access_tokens (own tokens), DELETE …/:id → 204
//   doc/api/rest/authentication.md  PRIVATE-TOKEN header or Authorization: Bearer; 401 {"message":"401 Unauthorized"}
//   doc/user/profile/personal_access_tokens.md  scopes; a token needs api, read_api or read_user to read /user
// Rails answers a bad authenticity token with 422 and masks the token afresh on every page
// (actionpack/lib/action_controller/metal/request_forgery_protection.rb); Devise answers a signed-out JSON request
// with 401.
//
// Users (the form asks for "Username or primary email", as GitLab's does):
//   jane.doe / jane12345   id 2  "Jane Doe"
//   sam      / sam12345    id 3  "Sam Keyholder"
import { randomBytes } from 'node:crypto';
import type { DemoSite } from '../../scripts/demo.ts';
import { Router, escapeHtml, html, json, page, redirect, setCookie, signInThroughForm, startSite } from './harness.ts';
import type { Reply, Site, SiteRequest } from './harness.ts';
import { signInThroughPage } from './form-sign-in.ts';

interface User {
  id: number;
  username: string;
  email: string;
  password: string;
  name: string;
}

const USERS: readonly User[] = [
  { id: 2, username: 'jane.doe', email: 'jane@example.com', password: 'jane12345', name: 'Jane Doe' },
  { id: 3, username: 'sam', email: 'sam@example.com', password: 'sam12345', name: 'Sam Keyholder' },
];

export const SESSION_COOKIE = '_gitlab_session';
export const SETTINGS_PAGE = '/-/user_settings/personal_access_tokens';
/** The scopes a personal access token may have (self-managed, no admin). */
export const SCOPES = [
  'api', 'read_api', 'read_user', 'create_runner', 'manage_runner', 'k8s_proxy',
  'read_repository', 'write_repository', 'read_registry', 'write_registry', 'ai_features',
] as const;
/** Scopes that let a token read `/api/v4/user`. */
const USER_READ_SCOPES = ['api', 'read_api', 'read_user'];
const CREATED = '2026-01-05T09:12:44.000Z';

export interface GitLabToken {
  id: number;
  name: string;
  token: string;
  scopes: string[];
  expiresAt: string | null;
  createdAt: string;
  revoked: boolean;
}

export interface GitLabSite extends Site {
  /** The user's tokens, revoked ones included, oldest first. */
  tokens(username: string): GitLabToken[];
}

interface Session {
  /** The session's real CSRF token; pages show it masked with a fresh one-time pad each time, as Rails does. */
  csrf: Buffer;
  userId?: number;
}

interface Ctx {
  req: SiteRequest;
  session?: Session;
  sessionId?: string;
  /** From the session (GET, or with a valid CSRF token) or from a token. */
  user?: User;
  token?: GitLabToken;
}

const message = (status: number, text: string): Reply => json(status, { message: text });
const unauthorized = () => message(401, '401 Unauthorized');

/** RequestForgeryProtection#masked_authenticity_token: url-safe base64 of a one-time pad and the token XOR it. */
function maskedToken(real: Buffer): string {
  const pad = randomBytes(real.length);
  return Buffer.concat([pad, Buffer.from(real.map((byte, i) => byte ^ pad[i]!))]).toString('base64url');
}

/** #valid_authenticity_token?: a masked token that unmasks to the session's, or the session's own token unmasked. */
function isValidToken(given: string | null | undefined, real: Buffer): boolean {
  const bytes = Buffer.from(given ?? '', 'base64url');
  if (bytes.length === real.length) return bytes.equals(real);
  if (bytes.length !== 2 * real.length) return false;
  const pad = bytes.subarray(0, real.length);
  return Buffer.from(bytes.subarray(real.length).map((byte, i) => byte ^ pad[i]!)).equals(real);
}

function findUser(login: string): User | undefined {
  const wanted = login.toLowerCase();
  return USERS.find((user) => user.username === wanted || user.email === wanted);
}

/** The `<head>` Rails renders on every page: the CSRF parameter and token for the page's scripts. */
function gitlabPage(title: string, csrf: string, content: string): string {
  return page(title, content).replace(
    '<meta charset="utf-8">',
    `<meta charset="utf-8">\n<meta name="csrf-param" content="authenticity_token">\n<meta name="csrf-token" content="${escapeHtml(csrf)}">`,
  );
}

function signInPage(csrf: string, error?: string): string {
  return gitlabPage(
    'Sign in · GitLab',
    csrf,
    `<h1>GitLab</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/users/sign_in">
  <input type="hidden" name="authenticity_token" value="${escapeHtml(csrf)}">
  <p><label for="user_login">Username or primary email</label> <input id="user_login" name="user[login]" autocomplete="username" required></p>
  <p><label for="user_password">Password</label> <input id="user_password" name="user[password]" type="password" autocomplete="current-password" required></p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

function userJson(origin: string, user: User): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: 'active',
    locked: false,
    avatar_url: `${origin}/uploads/-/system/user/avatar/${user.id}/avatar.png`,
    web_url: `${origin}/${user.username}`,
    created_at: CREATED,
    bio: '',
    public_email: null,
    email: user.email,
    two_factor_enabled: false,
    is_admin: false,
  };
}

function tokenJson(token: GitLabToken, userId: number): Record<string, unknown> {
  return {
    id: token.id,
    name: token.name,
    revoked: token.revoked,
    created_at: token.createdAt,
    description: null,
    scopes: token.scopes,
    user_id: userId,
    last_used_at: null,
    active: !token.revoked && (token.expiresAt === null || token.expiresAt >= new Date().toISOString().slice(0, 10)),
    expires_at: token.expiresAt,
  };
}

/** CreateService's checks over `personal_access_token[…]`: the new token's fields, or the messages of a 422. */
function parseTokenIn(req: SiteRequest): { name: string; scopes: string[]; expiresAt: string | null } | { errors: string[] } {
  let fields: Record<string, unknown> = {};
  if ((req.headers['content-type'] ?? '').startsWith('application/json')) {
    try {
      const body = JSON.parse(req.body) as { personal_access_token?: unknown };
      if (typeof body.personal_access_token === 'object' && body.personal_access_token !== null) {
        fields = body.personal_access_token as Record<string, unknown>;
      }
    } catch {
      return { errors: ['The request body is not valid JSON.'] };
    }
  } else {
    const form = new URLSearchParams(req.body);
    fields = {
      name: form.get('personal_access_token[name]') ?? undefined,
      scopes: form.getAll('personal_access_token[scopes][]'),
      expires_at: form.get('personal_access_token[expires_at]') ?? undefined,
    };
  }
  const errors: string[] = [];
  const name = typeof fields.name === 'string' ? fields.name.trim() : '';
  if (!name) errors.push("Name can't be blank");
  const scopes = Array.isArray(fields.scopes) ? fields.scopes.filter((s): s is string => typeof s === 'string') : [];
  if (scopes.length === 0) errors.push("Scopes can't be blank");
  const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) errors.push(`Scopes can only contain available scopes`);
  const expires = fields.expires_at;
  let expiresAt: string | null = null;
  if (expires !== undefined && expires !== null && expires !== '') {
    const today = new Date().toISOString().slice(0, 10);
    const limit = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    if (typeof expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(expires)) errors.push('Expiration date is invalid');
    else if (expires <= today) errors.push('Expiration date must be in the future');
    else if (expires > limit) errors.push('Expiration date must be before ' + limit);
    else expiresAt = expires;
  }
  return errors.length > 0 ? { errors } : { name, scopes: [...new Set(scopes)], expiresAt };
}

export async function startGitLab(options: { port?: number } = {}): Promise<GitLabSite> {
  const sessions = new Map<string, Session>();
  const tokensByUser = new Map<number, GitLabToken[]>(USERS.map((user) => [user.id, []]));
  let nextId = 10;

  const tokensOf = (user: User) => tokensByUser.get(user.id)!;
  const newCsrf = () => randomBytes(32);

  function tokenOwner(secret: string): [User, GitLabToken] | undefined {
    for (const user of USERS) {
      const token = tokensOf(user).find((t) => t.token === secret);
      if (token) return [user, token];
    }
    return undefined;
  }

  /** Rails' check: the X-CSRF-Token header or the authenticity_token field equals the session's token. */
  function verifiedRequest(req: SiteRequest, session: Session | undefined): boolean {
    if (req.method === 'GET' || req.method === 'HEAD') return true;
    const given = req.headers['x-csrf-token'] ?? new URLSearchParams(req.body).get('authenticity_token');
    return session !== undefined && isValidToken(given, session.csrf);
  }

  /** The session of the request, made (with its CSRF token) for a browser that has none yet, as Rails does. */
  function sessionFor(req: SiteRequest): { id: string; session: Session; fresh: boolean } {
    const id = req.cookies[SESSION_COOKIE];
    const existing = id === undefined ? undefined : sessions.get(id);
    if (id !== undefined && existing) return { id, session: existing, fresh: false };
    const created = { id: randomBytes(16).toString('hex'), session: { csrf: newCsrf() }, fresh: true };
    sessions.set(created.id, created.session);
    return created;
  }

  const sessionCookie = (origin: string, id: string) => setCookie(origin, SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'Lax' });

  /** An HTML page of the signed-in web UI, or the redirect Devise sends a signed-out browser. */
  function webPage(req: SiteRequest, render: (user: User, csrf: string) => string): Reply {
    const { id, session, fresh } = sessionFor(req);
    const user = USERS.find((u) => u.id === session.userId);
    const headers: Record<string, string> = fresh ? { 'set-cookie': sessionCookie(req.url.origin, id) } : {};
    if (!user) return redirect('/users/sign_in', headers);
    return { ...html(200, render(user, maskedToken(session.csrf))), headers: { 'content-type': 'text/html;charset=UTF-8', ...headers } };
  }

  const web = new Router<SiteRequest>()
    .on('GET', '/', (req) =>
      webPage(req, (user, csrf) =>
        gitlabPage('Projects · GitLab', csrf, `<h1>Projects</h1>\n<p>Signed in as ${escapeHtml(user.name)} (@${escapeHtml(user.username)}).</p>\n<p><a href="${SETTINGS_PAGE}">Access tokens</a></p>`),
      ),
    )
    .on('GET', SETTINGS_PAGE, (req) =>
      webPage(req, (user, csrf) => gitlabPage('Personal access tokens · User Settings · GitLab', csrf, `<h1>Personal access tokens</h1>\n<p>${tokensOf(user).filter((t) => !t.revoked).length} active token(s).</p>`)),
    )
    .on('GET', '/users/sign_in', (req) => {
      const { id, session, fresh } = sessionFor(req);
      if (session.userId !== undefined) return redirect('/');
      return { ...html(200, signInPage(maskedToken(session.csrf))), headers: { 'content-type': 'text/html;charset=UTF-8', ...(fresh && { 'set-cookie': sessionCookie(req.url.origin, id) }) } };
    })
    .on('POST', '/users/sign_in', (req) => {
      const { session } = sessionFor(req);
      if (!verifiedRequest(req, session)) return html(422, page('The change you requested was rejected (422)', '<h1>The change you requested was rejected.</h1>'));
      const form = new URLSearchParams(req.body);
      const user = findUser(form.get('user[login]') ?? '');
      if (!user || user.password !== form.get('user[password]')) return html(200, signInPage(maskedToken(session.csrf), 'Invalid login or password.'));
      // Devise renews the session id and the CSRF token on sign-in.
      sessions.delete(req.cookies[SESSION_COOKIE] ?? '');
      const id = randomBytes(16).toString('hex');
      sessions.set(id, { csrf: newCsrf(), userId: user.id });
      return redirect('/', { 'set-cookie': sessionCookie(req.url.origin, id) });
    })
    .on('POST', '/users/sign_out', (req) => {
      const id = req.cookies[SESSION_COOKIE] ?? '';
      if (!verifiedRequest(req, sessions.get(id))) return html(422, page('The change you requested was rejected (422)', '<h1>The change you requested was rejected.</h1>'));
      sessions.delete(id);
      return redirect('/users/sign_in', { 'set-cookie': setCookie(req.url.origin, SESSION_COOKIE, '', { path: '/', maxAge: 0 }) });
    })
    .on('POST', SETTINGS_PAGE, (req) => {
      const id = req.cookies[SESSION_COOKIE] ?? '';
      const session = sessions.get(id);
      const user = USERS.find((u) => u.id === session?.userId);
      if (!user) return json(401, { error: 'You need to sign in or sign up before continuing.' });
      if (!verifiedRequest(req, session)) return { status: 422, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '' };
      const parsed = parseTokenIn(req);
      if ('errors' in parsed) return json(422, { errors: parsed.errors });
      const token: GitLabToken = {
        id: nextId++,
        name: parsed.name,
        token: `glpat-${randomBytes(15).toString('base64url')}`,
        scopes: parsed.scopes,
        expiresAt: parsed.expiresAt,
        createdAt: new Date().toISOString(),
        revoked: false,
      };
      tokensOf(user).push(token);
      // Sorted as the controller asks its finder: expires_at ascending (no expiry last), then id descending; the new
      // token is not marked, so only its secret is known for sure.
      const active = tokensOf(user)
        .filter((t) => !t.revoked)
        .sort((a, b) => (a.expiresAt ?? '9999').localeCompare(b.expiresAt ?? '9999') || b.id - a.id);
      return json(200, {
        new_token: token.token,
        active_access_tokens: active.map((t) => ({ id: t.id, name: t.name, scopes: t.scopes, created_at: t.createdAt, expires_at: t.expiresAt, last_used_at: null, revoke_path: `${SETTINGS_PAGE}/${t.id}/revoke` })),
        total: active.length,
      });
    });

  const api = new Router<Ctx>()
    .on('GET', '/api/v4/user', ({ req, user, token }) => {
      if (!user) return unauthorized();
      if (token && !token.scopes.some((scope) => USER_READ_SCOPES.includes(scope))) {
        return json(403, {
          error: 'insufficient_scope',
          error_description: 'The request requires higher privileges than provided by the access token.',
          scope: USER_READ_SCOPES.join(' '),
        });
      }
      return json(200, userJson(req.url.origin, user));
    })
    .on('GET', '/api/v4/personal_access_tokens', ({ req, user }) => {
      if (!user) return unauthorized();
      const state = req.url.searchParams.get('state');
      const listed = tokensOf(user)
        .map((token) => tokenJson(token, user.id))
        .filter((token) => state === null || (state === 'active') === token.active);
      return json(200, listed);
    })
    .on('DELETE', '/api/v4/personal_access_tokens/:id', ({ user }, { id }) => {
      if (!user) return unauthorized();
      const token = tokensOf(user).find((t) => String(t.id) === id && !t.revoked);
      if (!token) return message(404, '404 Not found');
      token.revoked = true;
      return { status: 204 };
    });

  /** The API's user: a token (PRIVATE-TOKEN or Bearer), else the session for GET/HEAD or with a valid CSRF token. */
  function apiCtx(req: SiteRequest): Ctx | Reply {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const secret = req.headers['private-token'] ?? bearer;
    if (secret !== undefined) {
      const owner = tokenOwner(secret);
      if (!owner) return json(401, { error: 'invalid_token', error_description: 'Token is expired. You can either do re-authorization or token refresh.' });
      if (owner[1].revoked) return json(401, { error: 'invalid_token', error_description: 'Token was revoked. You have to re-authorize from the user.' });
      return { req, user: owner[0], token: owner[1] };
    }
    const session = sessions.get(req.cookies[SESSION_COOKIE] ?? '');
    const user = verifiedRequest(req, session) ? USERS.find((u) => u.id === session?.userId) : undefined;
    return { req, ...(user && { user }) };
  }

  const site = await startSite((req) => {
    if (!req.url.pathname.startsWith('/api/')) return web.handle(req.method, req.url.pathname, req) ?? html(404, page('Not Found', '<h1>404: Page not found</h1>'));
    const ctx = apiCtx(req);
    if ('status' in ctx) return ctx;
    return api.handle(req.method, req.url.pathname, ctx) ?? message(404, '404 Not Found');
  }, options);

  return {
    ...site,
    tokens(username) {
      const user = findUser(username);
      if (!user) throw new Error(`GitLab emulator: no user ${username}`);
      return tokensOf(user).map((token) => ({ ...token, scopes: [...token.scopes] }));
    },
  };
}

/** Signs in over HTTP as the form does (its session and authenticity token first); returns the `Cookie` header value. */
export function signIn(site: Pick<Site, 'origin'>, login: string, password: string): Promise<string> {
  return signInThroughPage(`${site.origin}/users/sign_in`, `GitLab sign-in as ${login}`, ({ html: page }) => ({
    authenticity_token: /<meta name="csrf-token" content="([^"]+)">/.exec(page)?.[1] ?? '',
    'user[login]': login,
    'user[password]': password,
  }));
}

/** How `npm start` runs and demonstrates this site. */
export const demo: DemoSite = {
  id: 'recipe:gitlab',
  name: 'GitLab',
  port: 4307,
  signInPath: '/users/sign_in',
  logins: [
    { user: 'jane.doe', password: 'jane12345' },
    { user: 'sam', password: 'sam12345' },
  ],
  start: (port) => startGitLab({ port }),
  signIn: (tab, origin, login) => signInThroughForm(tab, 'Username or primary email', login, `${origin}/`),
  async verify(origin, secret) {
    const response = await fetch(`${origin}/api/v4/user`, { headers: { 'PRIVATE-TOKEN': secret } });
    if (response.status !== 200) throw new Error(`GET /api/v4/user with the token answered ${response.status}`);
    return `${((await response.json()) as { username: string }).username} (GET /api/v4/user: 200)`;
  },
};
