// "Demo Forge": a small made-up web app that mints tokens the way a recipe describes (a who-am-I, then a POST with a
// name, scopes and an expiry, guarded by a CSRF token), for the recipe machinery's own tests. It is no real product:
// the built-in recipes have emulations of real apps of their own. Its CSRF token can be read the four ways a recipe
// can read one: a cookie, a <meta> and an <input> of a page, a JSON answer and a response header.
import { randomBytes } from 'node:crypto';
import type { DemoSite as Demo } from '../../scripts/demo.ts';
import {
  escapeHtml,
  html,
  json,
  page,
  postForCookies,
  redirect,
  Router,
  setCookie,
  signInThroughForm,
  startSite,
  type Site,
  type SiteRequest,
} from './harness.ts';

export interface DemoToken {
  id: number;
  name: string;
  secret: string;
  scopes: string[];
  expiresAt: string | null;
  createdAt: string;
}

export interface DemoSite extends Site {
  tokens(login: string): DemoToken[];
  /** What each create request sent as its body, parsed (JSON or form fields). */
  readonly createBodies: unknown[];
}

const USERS: Record<string, { password: string; fullName: string; id: number }> = {
  jane: { password: 'jane123', fullName: 'Jane Doe', id: 7 },
  sam: { password: 'sam123', fullName: 'Sam Roe', id: 8 },
};

export const DEMO_USERS = { jane: 'jane123', sam: 'sam123' } as const;

/** The recipe of this app, as a user would paste it; `origin` is the emulation's address. */
export function demoRecipe(origin: string, id = 'demo-forge'): Record<string, unknown> {
  return {
    format: 1,
    id,
    name: 'Demo Forge',
    origins: [origin],
    loginPath: '/user/login',
    headers: { Accept: 'application/json' },
    whoami: { path: '/api/v1/user', userId: '/login', userName: '/full_name', expect: ['/avatar_url'] },
    csrf: { from: 'cookie', cookie: '_csrf', header: 'X-Csrf-Token' },
    token: {
      name: { maxLength: 40, pattern: '[A-Za-z0-9._-]+', hint: 'Use letters, digits, dots, dashes and underscores.' },
      scopes: { choices: [{ id: 'read:repo', description: 'Read repositories' }, 'write:repo'], defaults: ['read:repo'], atLeastOne: true },
      expiry: { format: 'iso', minDays: 1, maxDays: 90, defaultDays: 30 },
    },
    create: {
      path: '/api/v1/users/{userId}/tokens',
      body: { name: '{name}', scopes: '{scopes}', expires_at: '{expiresAt}' },
      secret: '/sha1',
      id: '/id',
      name: '/name',
      okStatuses: [201],
    },
    list: { path: '/api/v1/users/{userId}/tokens', id: '/id', name: '/name', createdAt: '/created_at', expiresAt: '/expires_at', scopes: '/scopes' },
    revoke: { path: '/api/v1/users/{userId}/tokens/{tokenId}', okStatuses: [204] },
    auth: { header: 'Authorization', value: 'token {token}' },
    verify: { path: '/api/v1/user' },
  };
}

interface Session {
  login: string;
  csrf: string;
}

export async function startDemoForge(options: { port?: number } = {}): Promise<DemoSite> {
  const sessions = new Map<string, Session>();
  const tokens = new Map<string, DemoToken[]>();
  const createBodies: unknown[] = [];
  let nextId = 1;
  let origin = '';

  const sessionOf = (req: SiteRequest) => sessions.get(req.cookies.session ?? '');
  const byToken = (req: SiteRequest) => {
    const secret = /^token (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    for (const [login, list] of tokens) if (list.some((token) => token.secret === secret)) return login;
    return undefined;
  };
  const unauthorized = () => json(401, { message: 'token is required' });
  const csrfOk = (req: SiteRequest, session: Session) => req.headers['x-csrf-token'] === session.csrf;
  const listed = ({ id, name, scopes, expiresAt, createdAt }: DemoToken) => ({
    id,
    name,
    scopes,
    expires_at: expiresAt,
    created_at: createdAt,
  });

  function parseBody(req: SiteRequest): Record<string, unknown> | undefined {
    if ((req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(req.body);
      return { name: form.get('name'), scopes: form.getAll('scopes'), expires_at: form.get('expires_at') };
    }
    try {
      return JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  const router = new Router<SiteRequest>()
    .on('GET', '/user/login', () =>
      html(
        200,
        page(
          'Sign in · Demo Forge',
          `<form method="post" action="/user/login"><label>Username <input name="user"></label>
<label>Password <input name="password" type="password"></label><button>Sign in</button></form>`,
        ),
      ),
    )
    .on('POST', '/user/login', (req) => {
      const form = new URLSearchParams(req.body);
      const login = form.get('user') ?? '';
      if (USERS[login]?.password !== form.get('password')) return html(401, page('Sign in', '<p role="alert">Wrong password</p>'));
      const id = randomBytes(16).toString('hex');
      const csrf = randomBytes(16).toString('base64url');
      sessions.set(id, { login, csrf });
      return redirect('/', {
        'set-cookie': [
          setCookie(origin, 'session', id, { httpOnly: true, sameSite: 'Lax', path: '/' }),
          setCookie(origin, '_csrf', csrf, { sameSite: 'Lax', path: '/' }),
        ],
      });
    })
    .on('GET', '/', (req) => {
      const session = sessionOf(req);
      if (!session) return redirect('/user/login');
      return html(200, page('Demo Forge', `<h1>Signed in as ${escapeHtml(session.login)}</h1>`));
    })
    .on('GET', '/user/settings/applications', (req) => {
      const session = sessionOf(req);
      if (!session) return redirect('/user/login');
      return {
        status: 200,
        headers: { 'content-type': 'text/html;charset=UTF-8', 'x-csrf-token': session.csrf },
        body: `<!doctype html><html><head><meta name="_csrf" content="${escapeHtml(session.csrf)}"></head>
<body><form><input type="hidden" name="_csrf" value="${escapeHtml(session.csrf)}"></form></body></html>`,
      };
    })
    .on('GET', '/api/v1/csrf', (req) => {
      const session = sessionOf(req);
      return session ? json(200, { data: { token: session.csrf } }) : unauthorized();
    })
    .on('GET', '/api/v1/user', (req) => {
      const login = req.headers.authorization ? byToken(req) : sessionOf(req)?.login;
      const user = login === undefined ? undefined : USERS[login];
      if (!user || login === undefined) return unauthorized();
      return json(200, { id: user.id, login, full_name: user.fullName, avatar_url: `${origin}/avatars/${user.id}` });
    })
    .on('GET', '/api/v1/users/:login/tokens', (req, { login }) => {
      const session = sessionOf(req);
      if (!session) return unauthorized();
      if (session.login !== login) return json(403, { message: 'forbidden' });
      return json(200, (tokens.get(login) ?? []).map(listed));
    })
    .on('POST', '/api/v1/users/:login/tokens', (req, { login }) => {
      const session = sessionOf(req);
      if (!session) return unauthorized();
      if (!csrfOk(req, session)) return json(403, { message: 'Invalid CSRF token.' });
      if (session.login !== login) return json(403, { message: 'forbidden' });
      const body = parseBody(req);
      createBodies.push(body);
      const name = body?.name;
      if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,40}$/.test(name)) return json(422, { message: 'name is invalid' });
      const list = tokens.get(login) ?? [];
      if (list.some((token) => token.name === name)) return json(409, { message: 'access token name has been used already' });
      const scopes = Array.isArray(body?.scopes) ? body.scopes.filter((s): s is string => typeof s === 'string') : [];
      const expiresAt = typeof body?.expires_at === 'string' && body.expires_at ? body.expires_at : null;
      const token: DemoToken = {
        id: nextId++,
        name,
        secret: randomBytes(20).toString('hex'),
        scopes,
        expiresAt,
        createdAt: new Date().toISOString(),
      };
      tokens.set(login, [...list, token]);
      return json(201, { ...listed(token), sha1: token.secret, token_last_eight: token.secret.slice(-8) });
    })
    .on('DELETE', '/api/v1/users/:login/tokens/:id', (req, { login, id }) => {
      const session = sessionOf(req);
      if (!session) return unauthorized();
      if (!csrfOk(req, session)) return json(403, { message: 'Invalid CSRF token.' });
      const list = tokens.get(login) ?? [];
      if (session.login !== login || !list.some((token) => String(token.id) === id)) return json(404, { message: 'not found' });
      tokens.set(login, list.filter((token) => String(token.id) !== id));
      return { status: 204 };
    });

  const site = await startSite(
    (req) => router.handle(req.method, req.url.pathname, req) ?? json(404, { message: 'not found' }),
    options,
  );
  origin = site.origin;
  return { ...site, tokens: (login) => [...(tokens.get(login) ?? [])], createBodies };
}

/** Signs in over HTTP as a script would: the `Cookie` header value of the session (and the readable CSRF cookie). */
export function signIn(site: Site, user: keyof typeof DEMO_USERS): Promise<string> {
  return postForCookies(`${site.origin}/user/login`, new URLSearchParams({ user, password: DEMO_USERS[user] }), {
    expect: 302,
    label: 'Demo Forge sign-in',
  });
}

/** How the e2e kit signs in to Demo Forge through its form. Not listed for `npm start`: it is no product. */
export const demo: Demo = {
  id: 'recipe-demo',
  name: 'Demo Forge',
  port: 4399,
  signInPath: '/user/login',
  logins: [
    { user: 'jane', password: DEMO_USERS.jane },
    { user: 'sam', password: DEMO_USERS.sam },
  ],
  start: (port) => startDemoForge({ port }),
  signIn: (tab, origin, login) => signInThroughForm(tab, 'Username', login, `${origin}/`),
  async verify(origin, secret) {
    const response = await fetch(`${origin}/api/v1/user`, { headers: { Authorization: `token ${secret}` } });
    if (response.status !== 200) throw new Error(`GET /api/v1/user with the token answered ${response.status}`);
    return ((await response.json()) as { login: string }).login;
  },
};
