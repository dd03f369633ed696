// Emulated Frappe Framework site (shared/contracts/frappe.md): session login, the desk page with its CSRF token,
// API key generation, the User record and token authentication, answering with Frappe's v1 error bodies.
//
// Users (the login form asks for "Email", as Frappe's does; Administrator signs in by name):
//   Administrator      / admin123   "Administrator"  Administrator + System Manager
//   jane@example.com   / jane123    "Jane Doe"       System Manager, no API key yet
//   sam@example.com    / sam123     "Sam Keyholder"  System Manager, already has a key pair (seeded at start)
//   victor@example.com / victor123  "Victor Viewer"  Sales User only: may not generate keys
//   portal@example.com / portal123  "Pat Portal"     Website User (system_user: no)
//
// Two lines, switchable at run time (`setLine`): `v15` answers generate_keys with the secret only; `2026` with key
// and secret, also serves `frappe.core.api.auth.generate_api_keys`, answers a wrong secret with 401 (v15 runs it as
// Guest: 403), takes logout by POST only, and sets `user_lang`.
// The sign-in form posts to `/login`, a stand-in for Frappe's own page script that calls /api/method/login.
import { randomBytes } from 'node:crypto';
import type { DemoSite } from '../../scripts/demo.ts';
import { Router, escapeHtml, html, json, page, postForCookies, redirect, setCookie, signInThroughForm, startSite } from './harness.ts';
import type { Reply, Site, SiteRequest } from './harness.ts';

export type FrappeLine = 'v15' | '2026';

export interface FrappeKeys {
  apiKey: string;
  apiSecret: string;
}

export interface FrappeSite extends Site {
  readonly line: FrappeLine;
  /** Switches the version behaviour (the shape of generate_keys' answer among others). */
  setLine(line: FrappeLine): void;
  /** The user's current key pair, or null when they have none. */
  keys(user: string): FrappeKeys | null;
  /** Gives the user a fresh pair (a new secret; the key is kept if there is one), as generate_keys does. */
  seedKeys(user: string): FrappeKeys;
  /** How many times the user's keys were generated, over HTTP or seeded. */
  generations(user: string): number;
}

interface User {
  name: string;
  password: string;
  fullName: string;
  roles: string[];
  userType: 'System User' | 'Website User';
}

const USERS: readonly User[] = [
  { name: 'Administrator', password: 'admin123', fullName: 'Administrator', roles: ['Administrator', 'System Manager'], userType: 'System User' },
  { name: 'jane@example.com', password: 'jane123', fullName: 'Jane Doe', roles: ['System Manager'], userType: 'System User' },
  { name: 'sam@example.com', password: 'sam123', fullName: 'Sam Keyholder', roles: ['System Manager', 'Accounts User'], userType: 'System User' },
  { name: 'victor@example.com', password: 'victor123', fullName: 'Victor Viewer', roles: ['Sales User'], userType: 'System User' },
  { name: 'portal@example.com', password: 'portal123', fullName: 'Pat Portal', roles: ['Customer'], userType: 'Website User' },
];
const SEEDED_WITH_KEYS = ['sam@example.com'];

const SYSTEM_MANAGER = 'System Manager';
const CLASSIC_GENERATE = 'frappe.core.doctype.user.user.generate_keys';
const NEW_GENERATE = 'frappe.core.api.auth.generate_api_keys';
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);
const CREATED = '2026-01-05 09:12:44.000000';

interface Session {
  user: string;
  /** Made when the desk page is first rendered for the session; until then Frappe skips the CSRF check. */
  csrf?: string;
}

interface KeyRecord {
  keys: FrappeKeys | null;
  modified: string;
  generations: number;
}

interface Ctx {
  req: SiteRequest;
  /** The request's user: from the session cookie, else from an API key pair; 'Guest' for nobody. */
  user: string;
  session?: Session;
  sid?: string;
}

const hex = (length: number) => randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);

function findUser(name: string): User | undefined {
  return USERS.find((user) => user.name.toLowerCase() === name.toLowerCase());
}

function isSystemManager(name: string): boolean {
  return findUser(name)?.roles.includes(SYSTEM_MANAGER) ?? false;
}

/** A v1 error body: `_server_messages` is a JSON string of JSON strings (contract §8). */
export function frappeError(status: number, excType: string, message?: string, title = 'Message'): Reply {
  const body: { exc_type: string; _server_messages?: string } = { exc_type: excType };
  if (message !== undefined) {
    body._server_messages = JSON.stringify([
      JSON.stringify({ message, title, indicator: 'red', raise_exception: 1 }),
    ]);
  }
  return json(status, body);
}

const notPermitted = (message = 'Not permitted') => frappeError(403, 'PermissionError', message, 'Not Permitted');

/** A redirect target must stay on this site. */
function relativeTarget(value: string | null): string {
  const target = value ?? '/app';
  return /^\/(?![/\\])/.test(target) ? target : '/app';
}

function loginPage(target: string, error?: string): string {
  return page(
    'Login · Frappe',
    `<h1>Login to Frappe</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <input type="hidden" name="redirect-to" value="${escapeHtml(target)}">
  <p><label for="login_email">Email</label> <input id="login_email" name="usr" type="text" autocomplete="username" placeholder="jane@example.com" required></p>
  <p><label for="login_password">Password</label> <input id="login_password" name="pwd" type="password" autocomplete="current-password" required></p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

/** The desk shell: `frappe.boot` then the CSRF token, as frappe/www/app.html renders them. */
function deskPage(user: User, csrf: string): string {
  const boot = { user: { name: user.name, full_name: user.fullName, roles: user.roles }, sysdefaults: {} };
  return page(
    'Frappe',
    `<h1>Frappe desk</h1>\n<p>Signed in as ${escapeHtml(user.fullName)} (${escapeHtml(user.name)}).</p>\n<p><a href="/logout">Log out</a></p>`,
    `\n<script>\n\twindow.frappe = window.frappe || {};\n\tfrappe.boot = ${JSON.stringify(boot)};\n\tfrappe.csrf_token = "${csrf}";\n</script>`,
  );
}

/** Form fields, a JSON object, or the query: where Frappe's `form_dict` finds method arguments. */
function args(req: SiteRequest): URLSearchParams {
  const found = new URLSearchParams(req.url.search);
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('application/json')) {
    try {
      const parsed = JSON.parse(req.body) as unknown;
      if (typeof parsed === 'object' && parsed !== null) {
        for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') found.set(key, value);
      }
    } catch {
      // not JSON: no arguments from the body
    }
  } else {
    for (const [key, value] of new URLSearchParams(req.body)) found.set(key, value);
  }
  return found;
}

export async function startFrappe(options: { port?: number; line?: FrappeLine } = {}): Promise<FrappeSite> {
  let line: FrappeLine = options.line ?? 'v15';
  const sessions = new Map<string, Session>();
  let clock = 0;
  const records = new Map<string, KeyRecord>(USERS.map((user) => [user.name, { keys: null, modified: CREATED, generations: 0 }]));

  function recordOf(name: string): KeyRecord {
    const record = records.get(findUser(name)?.name ?? '');
    if (!record) throw new Error(`Frappe emulator: no user ${name}`);
    return record;
  }

  /** Microseconds that always move forward, so two saves in one millisecond still differ. */
  function timestamp(): string {
    clock = Math.max(clock + 1, Date.now() * 1000);
    const date = new Date(Math.floor(clock / 1000));
    const micros = String(clock % 1_000_000).padStart(6, '0');
    return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)}.${micros}`;
  }

  /** generate_keys: a new secret every time, a key only when there is none; the user is saved. */
  function generateKeys(name: string): FrappeKeys {
    const record = recordOf(name);
    const keys = { apiKey: record.keys?.apiKey ?? hex(15), apiSecret: hex(15) };
    record.keys = keys;
    record.modified = timestamp();
    record.generations++;
    return { ...keys };
  }

  for (const name of SEEDED_WITH_KEYS) generateKeys(name);

  /** Token auth (contract §7): `token key:secret` or Basic; 'Guest' for a wrong secret on v15; a Reply to refuse. */
  function keyUser(authorization: string): string | Reply {
    let pair: string | undefined = /^token\s+(.+)$/i.exec(authorization)?.[1];
    if (pair === undefined) {
      const basic = /^basic\s+(.+)$/i.exec(authorization)?.[1];
      if (basic === undefined) return 'Guest';
      const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(basic) ? Buffer.from(basic, 'base64').toString('utf8') : '';
      if (!decoded.includes(':')) return frappeError(401, 'InvalidAuthorizationToken', 'Invalid authorization token');
      pair = decoded;
    }
    const at = pair.indexOf(':');
    const key = at < 0 ? pair : pair.slice(0, at);
    const secret = at < 0 ? '' : pair.slice(at + 1);
    const owner = [...records].find(([, record]) => record.keys?.apiKey === key);
    if (!owner) return frappeError(401, 'AuthenticationError', 'Invalid API key');
    if (owner[1].keys?.apiSecret === secret) return owner[0];
    return line === '2026' ? frappeError(401, 'AuthenticationError', 'Invalid API secret') : 'Guest';
  }

  function sessionOf(req: SiteRequest): { sid: string; session: Session } | undefined {
    const sid = req.cookies.sid;
    const session = sid === undefined ? undefined : sessions.get(sid);
    return sid !== undefined && session ? { sid, session } : undefined;
  }

  /** Cookies Frappe's CookieManager sets for a user (contract §3). */
  function userCookies(origin: string, sid: string, user: User | undefined): string[] {
    const flags = { path: '/', sameSite: 'Lax' } as const;
    const cookies = [
      setCookie(origin, 'sid', sid, { ...flags, httpOnly: true }),
      setCookie(origin, 'system_user', user ? (user.userType === 'System User' ? 'yes' : 'no') : '', { ...flags, ...(user ? {} : { maxAge: 0 }) }),
      setCookie(origin, 'full_name', user ? encodeURIComponent(user.fullName) : '', { ...flags, ...(user ? {} : { maxAge: 0 }) }),
      setCookie(origin, 'user_id', user ? encodeURIComponent(user.name) : 'Guest', flags),
      setCookie(origin, 'user_image', '', { ...flags, ...(user ? {} : { maxAge: 0 }) }),
    ];
    if (line === '2026') cookies.push(setCookie(origin, 'user_lang', user ? 'en' : '', { ...flags, ...(user ? {} : { maxAge: 0 }) }));
    return cookies;
  }

  function login(req: SiteRequest, name: string, password: string): { user: User; cookies: string[] } | undefined {
    const user = findUser(name);
    if (!user || user.password !== password) return undefined;
    const sid = randomBytes(28).toString('hex').slice(0, 56);
    sessions.set(sid, { user: user.name });
    return { user, cookies: userCookies(req.url.origin, sid, user) };
  }

  function logout(ctx: Ctx): Reply {
    if (ctx.sid) sessions.delete(ctx.sid);
    return { ...json(200, {}), headers: { 'content-type': 'application/json', 'set-cookie': userCookies(ctx.req.url.origin, 'Guest', undefined) } };
  }

  /** What a caller may see of a User record: level-1 fields (api key and secret) only for System Managers. */
  function userDoc(name: string, reader: string): unknown {
    const user = findUser(name)!;
    const record = recordOf(name);
    const levelOne = isSystemManager(reader) || reader === 'Administrator';
    const [first = '', ...rest] = user.fullName.split(' ');
    return {
      name: user.name,
      owner: 'Administrator',
      creation: CREATED,
      modified: record.modified,
      modified_by: 'Administrator',
      docstatus: 0,
      idx: 0,
      enabled: 1,
      email: user.name === 'Administrator' ? 'admin@example.com' : user.name,
      first_name: first,
      last_name: rest.join(' ') || null,
      full_name: user.fullName,
      user_type: user.userType,
      api_key: levelOne ? (record.keys?.apiKey ?? null) : null,
      api_secret: levelOne && record.keys ? '*'.repeat(record.keys.apiSecret.length) : null,
      roles: user.roles.map((role, index) => ({
        name: hex(10),
        owner: 'Administrator',
        creation: CREATED,
        modified: CREATED,
        docstatus: 0,
        idx: index + 1,
        role,
        parent: user.name,
        parentfield: 'roles',
        parenttype: 'User',
        doctype: 'Has Role',
      })),
      doctype: 'User',
    };
  }

  function generateMethod(ctx: Ctx): Reply {
    // v15 and later: whitelisted for POST only; a GET is refused like any permission problem.
    if (ctx.req.method !== 'POST') return notPermitted();
    if (ctx.user === 'Guest') return notPermitted();
    if (!isSystemManager(ctx.user)) {
      return notPermitted(`This action is only allowed for ${SYSTEM_MANAGER}`);
    }
    const target = args(ctx.req).get('user') ?? '';
    if (!findUser(target)) return frappeError(404, 'DoesNotExistError', `User ${target} not found`);
    const keys = generateKeys(target);
    return json(200, { message: line === '2026' ? { api_key: keys.apiKey, api_secret: keys.apiSecret } : { api_secret: keys.apiSecret } });
  }

  const pages = new Router<Ctx>()
    .on('GET', '/', (ctx) =>
      html(
        200,
        page(
          'Frappe',
          ctx.user === 'Guest'
            ? '<h1>Frappe</h1>\n<p>You are not logged in.</p>\n<p><a href="/login?redirect-to=%2Fapp">Login</a></p>'
            : `<h1>Frappe</h1>\n<p>Logged in as ${escapeHtml(ctx.user)}.</p>\n<p><a href="/app">Open the desk</a></p>`,
        ),
      ),
    )
    .on('GET', '/login', ({ req, user }) => {
      const target = relativeTarget(req.url.searchParams.get('redirect-to'));
      return user === 'Guest' ? html(200, loginPage(target)) : redirect(target);
    })
    .on('POST', '/login', ({ req }) => {
      const form = new URLSearchParams(req.body);
      const target = relativeTarget(form.get('redirect-to'));
      const done = login(req, form.get('usr') ?? '', form.get('pwd') ?? '');
      if (!done) return html(401, loginPage(target, 'Invalid login credentials'));
      return redirect(done.user.userType === 'System User' ? target : '/me', { 'set-cookie': done.cookies });
    })
    .on('GET', '/logout', (ctx) => {
      const reply = logout(ctx);
      return redirect('/', { 'set-cookie': reply.headers?.['set-cookie'] ?? [] });
    })
    .on('GET', '/me', ({ user }) => html(200, page('My Account', `<h1>My Account</h1>\n<p>${escapeHtml(user)}</p>`)))
    // Before v14 the desk lived at /desk; now it only redirects.
    .on('GET', '/desk', () => redirect('/app'));

  const api = new Router<Ctx>()
    .on('POST', '/api/method/login', ({ req }) => {
      const given = args(req);
      const done = login(req, given.get('usr') ?? '', given.get('pwd') ?? '');
      if (!done) return frappeError(401, 'AuthenticationError', 'Invalid login credentials');
      return {
        ...json(200, {
          message: done.user.userType === 'System User' ? 'Logged In' : 'No App',
          home_page: done.user.userType === 'System User' ? '/app' : '/me',
          full_name: done.user.fullName,
        }),
        headers: { 'content-type': 'application/json', 'set-cookie': done.cookies },
      };
    })
    .on('POST', '/api/method/logout', logout)
    .on('GET', '/api/method/logout', (ctx) => (line === '2026' ? notPermitted() : logout(ctx)))
    .on('GET', '/api/method/frappe.auth.get_logged_user', ({ user }) =>
      user === 'Guest' ? notPermitted() : json(200, { message: user }),
    )
    .on('GET', `/api/method/${CLASSIC_GENERATE}`, generateMethod)
    .on('POST', `/api/method/${CLASSIC_GENERATE}`, generateMethod)
    .on('GET', `/api/method/${NEW_GENERATE}`, (ctx) => (line === '2026' ? generateMethod(ctx) : unknownMethod(NEW_GENERATE)))
    .on('POST', `/api/method/${NEW_GENERATE}`, (ctx) => (line === '2026' ? generateMethod(ctx) : unknownMethod(NEW_GENERATE)))
    .on('GET', '/api/method/frappe.client.get_value', ({ req, user }) => {
      const query = req.url.searchParams;
      if (user === 'Guest') return notPermitted();
      if (query.get('doctype') !== 'User') return frappeError(404, 'DoesNotExistError', `DocType ${query.get('doctype')} not found`);
      const target = query.get('filters') ?? '';
      if (!findUser(target)) return json(200, { message: null });
      if (target !== user && !isSystemManager(user)) return notPermitted('No permission for User');
      const doc = userDoc(target, user) as { [field: string]: unknown };
      const fields = (query.get('fieldname') ?? 'name').split(',');
      return json(200, { message: Object.fromEntries(fields.map((field) => [field, doc[field] ?? null])) });
    })
    .on('GET', '/api/resource/User/:name', ({ user }, { name }) => {
      if (user === 'Guest') return notPermitted('No permission for User');
      const target = findUser(name);
      // Frappe checks read permission before existence for other people's records.
      if (!isSystemManager(user) && target?.name !== user) return notPermitted(`No permission for User ${name}`);
      if (!target) return frappeError(404, 'DoesNotExistError', `User ${name} not found`);
      return json(200, { data: userDoc(target.name, user) });
    });

  function unknownMethod(method: string): Reply {
    return frappeError(404, 'DoesNotExistError', `Failed to get method for command ${method}`);
  }

  /** Who makes the request: a valid session wins, and then any key pair is not even looked at (contract §7). */
  function authenticate(req: SiteRequest): Ctx | Reply {
    const found = sessionOf(req);
    if (found) return { req, user: found.session.user, session: found.session, sid: found.sid };
    const authorization = req.headers.authorization;
    if (authorization !== undefined && /^\/api(\/|$)/.test(req.url.pathname)) {
      const user = keyUser(authorization);
      if (typeof user !== 'string') return user;
      return { req, user };
    }
    return { req, user: 'Guest' };
  }

  /** HTTPRequest.validate_csrf_token: unsafe methods of a session that has a token must carry it. */
  function csrfRefusal(ctx: Ctx): Reply | undefined {
    const expected = ctx.session?.csrf;
    if (!expected || !UNSAFE_METHODS.has(ctx.req.method)) return undefined;
    const given = ctx.req.headers['x-frappe-csrf-token'] ?? args(ctx.req).get('csrf_token');
    return given === expected ? undefined : frappeError(400, 'CSRFTokenError', 'Invalid Request', 'Message');
  }

  function route(req: SiteRequest): Reply | Promise<Reply> {
    const ctx = authenticate(req);
    if ('status' in ctx) return ctx;
    const { pathname } = req.url;
    if (pathname === '/app' || pathname.startsWith('/app/')) {
      if (ctx.user === 'Guest') return redirect(`/login?redirect-to=${encodeURIComponent(pathname)}`);
      const user = findUser(ctx.user)!;
      if (user.userType !== 'System User') return html(403, page('Not Permitted', '<h1>Not Permitted</h1>'));
      if (ctx.session) ctx.session.csrf ??= hex(56);
      return html(200, deskPage(user, ctx.session?.csrf ?? 'None'));
    }
    if (!/^\/api(\/|$)/.test(pathname)) {
      return pages.handle(req.method, pathname, ctx) ?? html(404, page('Not Found', '<h1>Page not found</h1>'));
    }
    const refused = csrfRefusal(ctx);
    if (refused) return refused;
    return (
      api.handle(req.method, pathname, ctx) ??
      (pathname.startsWith('/api/method/')
        ? unknownMethod(pathname.slice('/api/method/'.length))
        : frappeError(404, 'DoesNotExistError', `Not found: ${pathname}`))
    );
  }

  const site = await startSite(route, options);

  return {
    ...site,
    get line() {
      return line;
    },
    setLine(next) {
      line = next;
    },
    keys(user) {
      const keys = recordOf(user).keys;
      return keys ? { ...keys } : null;
    },
    seedKeys: generateKeys,
    generations: (user) => recordOf(user).generations,
  };
}

/** Signs in over HTTP as a script would (POST /api/method/login); returns the `Cookie` header value. */
export async function signIn(site: Pick<Site, 'origin'>, user: string, password: string): Promise<string> {
  return postForCookies(`${site.origin}/api/method/login`, new URLSearchParams({ usr: user, pwd: password }), {
    expect: 200,
    label: `Frappe sign-in as ${user}`,
    headers: { Accept: 'application/json' },
  });
}

export const demo: DemoSite = {
  id: 'frappe',
  name: 'Frappe',
  port: 4303,
  signInPath: '/login?redirect-to=%2Fapp',
  logins: [
    { user: 'jane@example.com', password: 'jane123', note: 'System Manager, no API key yet' },
    { user: 'sam@example.com', password: 'sam123', note: 'System Manager with a key pair: generating replaces its secret' },
    { user: 'victor@example.com', password: 'victor123', note: 'no System Manager role: may not generate keys' },
    { user: 'Administrator', password: 'admin123' },
  ],
  start: (port) => startFrappe({ port }),
  signIn: (tab, origin, login) => signInThroughForm(tab, 'Email', login, `${origin}/app`),
  async verify(origin, secret) {
    const response = await fetch(`${origin}/api/method/frappe.auth.get_logged_user`, {
      headers: { Authorization: `token ${secret}`, Accept: 'application/json' },
    });
    if (response.status !== 200) throw new Error(`GET get_logged_user with the key pair answered ${response.status}`);
    return `${((await response.json()) as { message: string }).message} (GET /api/method/frappe.auth.get_logged_user: 200)`;
  },
};
