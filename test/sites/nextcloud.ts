// Emulated Nextcloud server: the login form, the PHP session with its request token, the app passwords of
// Personal settings → Security ("Devices & sessions"), and the OCS user endpoint an app password authenticates
// against. Facts from nextcloud/server:
//   apps/settings/lib/Controller/AuthSettingsController.php  POST /index.php/settings/personal/authtokens {name}
//       → {token, loginName, deviceToken: {id, name, …}}; DELETE …/authtokens/{id} → []; 404 for a token not yours;
//       create is #[PasswordConfirmationRequired] (30 min + 15 s since the sign-in or the last confirmation)
//   core/Controller/CSRFTokenController.php  GET /index.php/csrftoken → {token}; 403 without the strict same-site
//       cookie; the token is CsrfToken::getEncryptedValue (a one-time pad and the secret XOR it), new text each time
//   lib/private/User/Session.php  tryTokenLogin: `Authorization: Bearer <app password>`
//   lib/private/AppFramework/Middleware/Security/SecurityMiddleware.php  in order: not logged in 401 "Current user is
//       not logged in", password not confirmed 403, no strict cookie 412, CSRF failure 412 "CSRF check failed"
//   lib/private/Authentication/Token/PublicKeyTokenProvider.php  names longer than 128 are cut to 120 + "…"
//   OCS: GET /ocs/v2.php/cloud/user?format=json needs `OCS-APIRequest: true` with a cookie session; failure is
//       statuscode 997 with HTTP 401
// App passwords have no list endpoint: the settings page renders them as initial state.
//
// Users (the form asks for "Account name or email", as Nextcloud's does):
//   jane / jane123   "Jane Doe"
//   sam  / sam123    "Sam Keyholder"
import { randomBytes, randomInt } from 'node:crypto';
import type { DemoSite } from '../../scripts/demo.ts';
import { Router, escapeHtml, html, json, page, redirect, setCookie, signInThroughForm, startSite } from './harness.ts';
import type { Reply, Site, SiteRequest } from './harness.ts';
import { signInThroughPage } from './form-sign-in.ts';

interface User {
  id: string;
  password: string;
  displayName: string;
  email: string;
}

const USERS: readonly User[] = [
  { id: 'jane', password: 'jane123', displayName: 'Jane Doe', email: 'jane@example.com' },
  { id: 'sam', password: 'sam123', displayName: 'Sam Keyholder', email: 'sam@example.com' },
];

/** The PHP session cookie is named after the instance id. */
export const SESSION_COOKIE = 'ocfx7kq2d9ab';
const PASSPHRASE_COOKIE = 'oc_sessionPassphrase';
const SAME_SITE_LAX = 'nc_sameSiteCookielax';
const SAME_SITE_STRICT = 'nc_sameSiteCookiestrict';
/** How long a password confirmation (or the sign-in itself) counts for #[PasswordConfirmationRequired]: 30 min + 15 s. */
export const PASSWORD_CONFIRMATION_MS = (30 * 60 + 15) * 1000;
const HUMAN_READABLE = 'abcdefgijkmnopqrstwxyzABCDEFGHJKLMNPQRSTWXYZ23456789';

export interface NextcloudAppPassword {
  id: number;
  name: string;
  token: string;
  lastActivity: number;
}

export interface NextcloudSite extends Site {
  /** The user's app passwords that currently exist, oldest first. */
  appPasswords(user: string): NextcloudAppPassword[];
  /** Makes every session of `user` look as if its password was last confirmed more than 30 minutes ago. */
  expirePasswordConfirmation(user: string): void;
}

interface Session {
  /** The CSRF secret; pages and /csrftoken hand it out masked with a fresh one-time pad each time. */
  csrfSecret: Buffer;
  userId?: string;
  /** Epoch ms of the sign-in or of the last password confirmation. */
  confirmedAt?: number;
}

interface Ctx {
  req: SiteRequest;
  session?: Session;
  user?: User;
  /** Authenticated by an app password rather than the browser session. */
  byToken: boolean;
}

const notLoggedIn = () => json(401, { message: 'Current user is not logged in' });
const ocsMeta = (status: 'ok' | 'failure', statuscode: number, message: string) => ({ status, statuscode, message, totalitems: '', itemsperpage: '' });

/** CsrfToken::getEncryptedValue: `base64(pad):base64(secret XOR pad)`, a different text for the same secret each time. */
function maskedToken(secret: Buffer): string {
  const pad = randomBytes(secret.length);
  return `${pad.toString('base64')}:${Buffer.from(secret.map((byte, i) => byte ^ pad[i]!)).toString('base64')}`;
}

/** CsrfTokenManager::isTokenValid: the masked text unmasks to the session's secret. */
function isValidToken(given: string | null | undefined, secret: Buffer): boolean {
  const [pad, masked, extra] = (given ?? '').split(':');
  if (!pad || !masked || extra !== undefined) return false;
  const padBytes = Buffer.from(pad, 'base64');
  const maskedBytes = Buffer.from(masked, 'base64');
  if (padBytes.length !== secret.length || maskedBytes.length !== secret.length) return false;
  return Buffer.from(maskedBytes.map((byte, i) => byte ^ padBytes[i]!)).equals(secret);
}

/** Nextcloud's app password: five groups of five human-readable characters. */
function appPassword(): string {
  const group = () => Array.from({ length: 5 }, () => HUMAN_READABLE[randomInt(HUMAN_READABLE.length)]).join('');
  return Array.from({ length: 5 }, group).join('-');
}

/** The name as the token provider stores it. */
function storedName(name: string): string {
  return [...name].length > 128 ? `${[...name].slice(0, 120).join('')}…` : name;
}

/** A Nextcloud page: the request token sits in `<head data-requesttoken>`, where the web UI's scripts read it. */
function ncPage(title: string, requestToken: string, content: string): string {
  return page(title, content).replace('<head>', `<head data-requesttoken="${escapeHtml(requestToken)}">`);
}

function loginPage(requestToken: string, redirectUrl: string, error?: string): string {
  return ncPage(
    'Login – Nextcloud',
    requestToken,
    `<h1>Log in to Nextcloud</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <input type="hidden" name="requesttoken" value="${escapeHtml(requestToken)}">
  <input type="hidden" name="redirect_url" value="${escapeHtml(redirectUrl)}">
  <p><label for="user">Account name or email</label> <input id="user" name="user" autocomplete="username" required></p>
  <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

/** A redirect target must stay on this site. */
function relativeTarget(value: string | null): string {
  return value && /^\/(?![/\\])/.test(value) ? value : '/apps/dashboard/';
}

export async function startNextcloud(options: { port?: number } = {}): Promise<NextcloudSite> {
  const sessions = new Map<string, Session>();
  const passwordsByUser = new Map<string, NextcloudAppPassword[]>(USERS.map((user) => [user.id, []]));
  let nextId = 40;

  const passwordsOf = (userId: string) => passwordsByUser.get(userId)!;

  function appPasswordOwner(secret: string): User | undefined {
    return USERS.find((user) => passwordsOf(user.id).some((p) => p.token === secret));
  }

  /** The session of the request, started for a browser that has none (with the cookies Nextcloud sets then). */
  function sessionFor(req: SiteRequest): { id: string; session: Session; cookies: string[] } {
    const id = req.cookies[SESSION_COOKIE];
    const existing = id === undefined || req.cookies[PASSPHRASE_COOKIE] === undefined ? undefined : sessions.get(id);
    if (id !== undefined && existing) return { id, session: existing, cookies: [] };
    const created = randomBytes(16).toString('hex');
    const session: Session = { csrfSecret: randomBytes(32) };
    sessions.set(created, session);
    return { id: created, session, cookies: sessionCookies(req.url.origin, created) };
  }

  function sessionCookies(origin: string, id: string): string[] {
    return [
      setCookie(origin, SESSION_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'Lax' }),
      setCookie(origin, PASSPHRASE_COOKIE, randomBytes(24).toString('base64url'), { path: '/', httpOnly: true, sameSite: 'Lax' }),
      setCookie(origin, SAME_SITE_LAX, 'true', { path: '/', httpOnly: true, sameSite: 'Lax' }),
      setCookie(origin, SAME_SITE_STRICT, 'true', { path: '/', httpOnly: true, sameSite: 'Strict' }),
    ];
  }

  const withCookies = (reply: Reply, cookies: string[]): Reply =>
    cookies.length === 0 ? reply : { ...reply, headers: { ...reply.headers, 'set-cookie': cookies } };

  function signedInPage(req: SiteRequest, title: string, content: (user: User) => string): Reply {
    const { session, cookies } = sessionFor(req);
    const user = USERS.find((u) => u.id === session.userId);
    if (!user) return withCookies(redirect(`/login?redirect_url=${encodeURIComponent(req.url.pathname)}`), cookies);
    return withCookies(html(200, ncPage(title, maskedToken(session.csrfSecret), content(user))), cookies);
  }

  const web = new Router<SiteRequest>()
    .on('GET', '/', (req) => redirect(sessions.get(req.cookies[SESSION_COOKIE] ?? '')?.userId ? '/apps/dashboard/' : '/login'))
    .on('GET', '/apps/dashboard/', (req) =>
      signedInPage(req, 'Dashboard – Nextcloud', (user) => `<h1>Dashboard</h1>\n<p>Signed in as ${escapeHtml(user.displayName)} (${escapeHtml(user.id)}).</p>\n<p><a href="/settings/user/security">Security</a></p>`),
    )
    .on('GET', '/settings/user/security', (req) =>
      signedInPage(req, 'Security – Nextcloud', (user) => `<h1>Devices &amp; sessions</h1>\n<p>${passwordsOf(user.id).length} app password(s).</p>`),
    )
    .on('GET', '/login', (req) => {
      const { session, cookies } = sessionFor(req);
      const target = relativeTarget(req.url.searchParams.get('redirect_url'));
      if (session.userId) return redirect(target);
      return withCookies(html(200, loginPage(maskedToken(session.csrfSecret), target)), cookies);
    })
    .on('POST', '/login', (req) => {
      const { session } = sessionFor(req);
      const form = new URLSearchParams(req.body);
      const target = relativeTarget(form.get('redirect_url'));
      if (!isValidToken(form.get('requesttoken'), session.csrfSecret)) return redirect('/login?direct=1&csrf=1');
      const user = USERS.find((u) => u.id === form.get('user') || u.email === form.get('user'));
      if (!user || user.password !== form.get('password')) return html(403, loginPage(maskedToken(session.csrfSecret), target, 'Wrong login or password.'));
      // A sign-in starts a new session (new id, new request token) and counts as a fresh password confirmation.
      sessions.delete(req.cookies[SESSION_COOKIE] ?? '');
      const id = randomBytes(16).toString('hex');
      sessions.set(id, { csrfSecret: randomBytes(32), userId: user.id, confirmedAt: Date.now() });
      return redirect(target, { 'set-cookie': sessionCookies(req.url.origin, id) });
    })
    .on('GET', '/logout', (req) => {
      sessions.delete(req.cookies[SESSION_COOKIE] ?? '');
      return redirect('/login', { 'set-cookie': setCookie(req.url.origin, SESSION_COOKIE, '', { path: '/', maxAge: 0 }) });
    });

  const AUTH_TOKENS = '/settings/personal/authtokens';
  const app = new Router<Ctx>()
    .on('GET', '/csrftoken', ({ req, session }) => {
      if (req.cookies[SAME_SITE_STRICT] !== 'true' || !session) return json(403, []);
      return json(200, { token: maskedToken(session.csrfSecret) });
    })
    .on('POST', AUTH_TOKENS, ({ req, user }) => {
      if (!user) return notLoggedIn();
      let name = '';
      try {
        const body = JSON.parse(req.body) as { name?: unknown };
        if (typeof body.name === 'string') name = body.name;
      } catch {
        name = new URLSearchParams(req.body).get('name') ?? '';
      }
      const created: NextcloudAppPassword = { id: nextId++, name: storedName(name), token: appPassword(), lastActivity: Math.floor(Date.now() / 1000) };
      passwordsOf(user.id).push(created);
      return json(200, {
        token: created.token,
        loginName: user.id,
        deviceToken: { id: created.id, name: created.name, lastActivity: created.lastActivity, type: 1, scope: { filesystem: true }, canDelete: true, canRename: true },
      });
    })
    .on('DELETE', `${AUTH_TOKENS}/:id`, ({ user }, { id }) => {
      if (!user) return notLoggedIn();
      const list = passwordsOf(user.id);
      const index = list.findIndex((p) => String(p.id) === id);
      if (index < 0) return json(404, []);
      list.splice(index, 1);
      return json(200, []);
    });

  function ocsUser(ctx: Ctx): Reply {
    const { req, user } = ctx;
    // A cookie session counts for OCS only with the OCS-APIRequest header (Nextcloud's CSRF rule for OCS).
    const allowed = user && (ctx.byToken || req.headers['ocs-apirequest'] === 'true');
    if (!allowed) return json(401, { ocs: { meta: ocsMeta('failure', 997, 'Current user is not logged in'), data: [] } });
    return json(200, {
      ocs: {
        meta: ocsMeta('ok', 200, 'OK'),
        data: {
          enabled: true,
          id: user.id,
          lastLogin: Date.now(),
          backend: 'Database',
          subadmin: [],
          quota: { free: 10737418240, used: 0, total: 10737418240, relative: 0, quota: -3 },
          email: user.email,
          displayname: user.displayName,
          'display-name': user.displayName,
          phone: '',
          address: '',
          website: '',
          twitter: '',
          groups: ['users'],
          language: 'en',
          locale: '',
          backendCapabilities: { setDisplayName: true, setPassword: true },
        },
      },
    });
  }

  /** The request's user: an app password as Bearer, else the browser session. */
  function ctxFor(req: SiteRequest): Ctx | Reply {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      const user = appPasswordOwner(bearer);
      if (!user) return json(401, { ocs: { meta: ocsMeta('failure', 997, 'Current user is not logged in'), data: [] } });
      return { req, user, byToken: true };
    }
    const session = req.cookies[PASSPHRASE_COOKIE] === undefined ? undefined : sessions.get(req.cookies[SESSION_COOKIE] ?? '');
    const user = USERS.find((u) => u.id === session?.userId);
    return { req, byToken: false, ...(session && { session }), ...(user && { user }) };
  }

  /**
   * SecurityMiddleware's checks of a settings request, in its order: signed in, the password confirmed lately (for
   * create), the strict same-site cookie, then the request token in `requesttoken` (masked, any pad).
   */
  function refusal(ctx: Ctx, route: string): Reply | undefined {
    const { req, session } = ctx;
    if (!ctx.user || !session) return notLoggedIn();
    if (req.method === 'POST' && route === AUTH_TOKENS && Date.now() - (session.confirmedAt ?? 0) > PASSWORD_CONFIRMATION_MS) {
      return json(403, { message: 'Password confirmation is required' });
    }
    if (req.cookies[SAME_SITE_STRICT] !== 'true') return json(412, { message: 'Strict Cookie has not been found in request' });
    if (!isValidToken(req.headers.requesttoken, session.csrfSecret)) return json(412, { message: 'CSRF check failed' });
    return undefined;
  }

  const site = await startSite((req) => {
    const { pathname } = req.url;
    if (pathname === '/ocs/v2.php/cloud/user') {
      const ctx = ctxFor(req);
      return 'status' in ctx ? ctx : ocsUser(ctx);
    }
    // Routes answer under /index.php/… and, with pretty URLs, without it.
    const route = pathname.replace(/^\/index\.php(?=\/)/, '');
    if (route === '/csrftoken' || route.startsWith(AUTH_TOKENS)) {
      const ctx = ctxFor(req);
      if ('status' in ctx) return ctx;
      const refused = route === '/csrftoken' || ctx.byToken ? undefined : refusal(ctx, route);
      if (refused) return refused;
      return app.handle(req.method, route, ctx) ?? json(404, []);
    }
    return web.handle(req.method, route, req) ?? html(404, page('Not found – Nextcloud', '<h1>Page not found</h1>'));
  }, options);

  return {
    ...site,
    appPasswords(user) {
      const list = passwordsByUser.get(user);
      if (!list) throw new Error(`Nextcloud emulator: no user ${user}`);
      return list.map((p) => ({ ...p }));
    },
    expirePasswordConfirmation(user) {
      for (const session of sessions.values()) if (session.userId === user) session.confirmedAt = Date.now() - PASSWORD_CONFIRMATION_MS - 1;
    },
  };
}

/** Signs in over HTTP as the login form does (its session and request token first); returns the `Cookie` header. */
export function signIn(site: Pick<Site, 'origin'>, user: string, password: string): Promise<string> {
  return signInThroughPage(`${site.origin}/login`, `Nextcloud sign-in as ${user}`, ({ html: page }) => ({
    requesttoken: /data-requesttoken="([^"]+)"/.exec(page)?.[1] ?? '',
    user,
    password,
  }));
}

/** How `npm start` runs and demonstrates this site. */
export const demo: DemoSite = {
  id: 'recipe:nextcloud',
  name: 'Nextcloud',
  port: 4308,
  signInPath: '/login',
  logins: [
    { user: 'jane', password: 'jane123' },
    { user: 'sam', password: 'sam123' },
  ],
  start: (port) => startNextcloud({ port }),
  signIn: (tab, origin, login) => signInThroughForm(tab, 'Account name or email', login, `${origin}/apps/dashboard/`),
  async verify(origin, secret) {
    const response = await fetch(`${origin}/ocs/v2.php/cloud/user?format=json`, { headers: { Authorization: `Bearer ${secret}`, 'OCS-APIRequest': 'true' } });
    if (response.status !== 200) throw new Error(`GET /ocs/v2.php/cloud/user with the app password answered ${response.status}`);
    return `${((await response.json()) as { ocs: { data: { id: string } } }).ocs.data.id} (GET /ocs/v2.php/cloud/user: 200)`;
  },
};
