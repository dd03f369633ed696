// Emulated GoodData (Cloud / GoodData.CN ≥ 2.0): the login flow and the API-token endpoints of
// shared/contracts/gooddata.md, answering like the recorded traffic in shared/fixtures/gooddata.
//
// Users, all in organization `default` ("Default Organization"):
//   demo     / demo123    "Demo User"  SELF_CREATE_TOKEN
//   jane.doe / jane123    "Jane Doe"   MANAGE
//   viewer   / viewer123  "Viewer"     no permission: cannot create tokens, can still list and delete its own
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Router, escapeHtml, html, json, page, postForCookies, redirect, setCookie, signInThroughForm, startSite, text } from './harness.ts';
import type { DemoSite } from '../../scripts/demo.ts';
import type { Reply, Site, SiteRequest } from './harness.ts';

interface User {
  id: string;
  password: string;
  name: string;
  permissions: string[];
}

const USERS: readonly User[] = [
  { id: 'demo', password: 'demo123', name: 'Demo User', permissions: ['SELF_CREATE_TOKEN'] },
  { id: 'jane.doe', password: 'jane123', name: 'Jane Doe', permissions: ['MANAGE'] },
  { id: 'viewer', password: 'viewer123', name: 'Viewer', permissions: [] },
];
const ORGANIZATION = { id: 'default', name: 'Default Organization' };

const SESSION_COOKIE = 'SPRING_SEC_SECURITY_CONTEXT';
const CLIENT_COOKIE = 'SPRING_SEC_OAUTH2_AUTHZ_CLIENT';
const SESSION_MAX_AGE = 7 * 24 * 60 * 60;
const TOKEN_ID = /^(?!\.)[.A-Za-z0-9_-]{1,255}$/;
const VND_JSON = 'application/vnd.gooddata.api+json';
const DEFAULT_PAGE_SIZE = 20;

// Sent on every answer, as in the recording (Spring Security's defaults plus GoodData's trace id).
const COMMON_HEADERS = {
  'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
  expires: '0',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  vary: ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers'],
  'x-content-type-options': 'nosniff',
  'x-xss-protection': '0',
};

export interface GoodDataToken {
  id: string;
  bearerToken: string;
  createdAt: Date;
}

export interface GoodDataSite extends Site {
  /** The user's tokens that currently exist, oldest first. */
  tokens(userId: string): GoodDataToken[];
  /** Seeds `count` tokens (ids `seeded-0000`, …) without going through HTTP. */
  addTokens(userId: string, count: number): void;
}

interface Ctx {
  req: SiteRequest;
  traceId: string;
}

interface ApiCtx extends Ctx {
  user: User;
}

interface Session {
  userId: string;
  client: string;
}

const randomValue = (bytes: number) => randomBytes(bytes).toString('base64url');

function findUser(id: string): User | undefined {
  return USERS.find((user) => user.id === id);
}

function problem(ctx: Ctx, status: number, detail: string): Reply {
  const title = STATUS_CODES[status] ?? 'Error';
  return json(status, { title, status, detail, traceId: ctx.traceId }, 'application/problem+json');
}

/** Entity endpoints answer in whichever of the two JSON types the client accepts; the vnd type by default. */
function entity(ctx: Ctx, status: number, value: unknown): Reply {
  const accept = ctx.req.headers.accept ?? '';
  return json(status, value, accept.includes('application/json') ? 'application/json' : VND_JSON);
}

/** A redirect target must stay on this site: a relative path, not `//host` or `/\host`. */
function relativeTarget(value: string | null): string | undefined {
  const target = value ?? '/';
  return /^\/(?![/\\])/.test(target) ? target : undefined;
}

function loginPage(redirectTo: string, error?: string): string {
  return page(
    'Sign in · GoodData',
    `<h1>Sign in to GoodData</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/login">
  <input type="hidden" name="redirectTo" value="${escapeHtml(redirectTo)}">
  <p><label for="username">Username</label> <input id="username" name="username" autocomplete="username" required></p>
  <p><label for="password">Password</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

export async function startGoodData(options: { port?: number } = {}): Promise<GoodDataSite> {
  const sessions = new Map<string, Session>();
  const tokensByUser = new Map<string, GoodDataToken[]>(USERS.map((user) => [user.id, []]));

  function tokensOf(userId: string): GoodDataToken[] {
    const list = tokensByUser.get(userId);
    if (!list) throw new Error(`GoodData emulator: no user ${userId}`);
    return list;
  }

  function mint(userId: string, id: string): GoodDataToken {
    // As on the real server: standard base64 of `userId:tokenId:secret`, the secret 32 characters long.
    const secret = randomBytes(24).toString('base64');
    const token = { id, bearerToken: Buffer.from(`${userId}:${id}:${secret}`).toString('base64'), createdAt: new Date() };
    tokensOf(userId).push(token);
    return token;
  }

  function sessionUser(req: SiteRequest): User | undefined {
    const session = sessions.get(req.cookies[SESSION_COOKIE] ?? '');
    return session && session.client === req.cookies[CLIENT_COOKIE] ? findUser(session.userId) : undefined;
  }

  function bearerUser(authorization: string): User | undefined {
    const bearer = /^Bearer (\S+)$/i.exec(authorization)?.[1];
    const owner = [...tokensByUser].find(([, list]) => list.some((token) => token.bearerToken === bearer));
    return owner && findUser(owner[0]);
  }

  /** The signed-in user, or the answer the auth layer gives instead. Authorization wins over cookies. */
  function authenticate(req: SiteRequest): User | Reply {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      return (
        bearerUser(authorization) ?? {
          status: 401,
          headers: {
            'www-authenticate':
              'Bearer error="invalid_token", error_description="Invalid token", error_uri="https://tools.ietf.org/html/rfc6750#section-3.1"',
          },
        }
      );
    }
    const user = sessionUser(req);
    if (user) return user;
    // Only XHR-marked requests learn about the session; others are sent to the identity provider.
    return req.headers['x-requested-with'] === 'XMLHttpRequest'
      ? text(401, '/appLogin')
      : redirect(`/oauth2/authorization/${req.url.hostname}`);
  }

  function tokenLink(origin: string, userId: string, id: string): string {
    return `${origin}/api/v1/entities/users/${encodeURIComponent(userId)}/apiTokens/${encodeURIComponent(id)}`;
  }

  const pages = new Router<Ctx>()
    .on('GET', '/', ({ req }) => {
      const user = sessionUser(req);
      return html(
        200,
        page(
          'GoodData',
          user
            ? `<h1>GoodData</h1>\n<p>Signed in as ${escapeHtml(user.name)} (${escapeHtml(user.id)}) in ${ORGANIZATION.name}.</p>\n<p><a href="/logout">Sign out</a></p>`
            : `<h1>GoodData</h1>\n<p>You are not signed in.</p>\n<p><a href="/appLogin?redirectTo=%2F">Sign in</a></p>`,
        ),
      );
    })
    .on('GET', '/appLogin', ({ req }) => {
      const target = relativeTarget(req.url.searchParams.get('redirectTo'));
      if (target === undefined) return text(400, 'redirectTo must be a relative path');
      return sessionUser(req) ? redirect(target) : redirect(`/login?redirectTo=${encodeURIComponent(target)}`);
    })
    // Where a browser lands after an unauthenticated API call without X-Requested-With.
    .on('GET', '/oauth2/authorization/:host', () => redirect('/login?redirectTo=%2F'))
    .on('GET', '/login', ({ req }) => {
      const target = relativeTarget(req.url.searchParams.get('redirectTo'));
      return target === undefined ? text(400, 'redirectTo must be a relative path') : html(200, loginPage(target));
    })
    .on('POST', '/login', ({ req }) => {
      const form = new URLSearchParams(req.body);
      const target = relativeTarget(form.get('redirectTo'));
      if (target === undefined) return text(400, 'redirectTo must be a relative path');
      const user = findUser(form.get('username') ?? '');
      if (!user || user.password !== form.get('password')) {
        return html(401, loginPage(target, 'Invalid username or password.'));
      }
      const session = randomValue(32);
      const client = randomValue(32);
      sessions.set(session, { userId: user.id, client });
      const flags = { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: SESSION_MAX_AGE } as const;
      return redirect(target, {
        'set-cookie': [
          setCookie(req.url.origin, SESSION_COOKIE, session, flags),
          setCookie(req.url.origin, CLIENT_COOKIE, client, flags),
        ],
      });
    })
    .on('GET', '/logout', ({ req }) => {
      sessions.delete(req.cookies[SESSION_COOKIE] ?? '');
      const flags = { httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 0 } as const;
      return redirect('/', {
        'set-cookie': [
          setCookie(req.url.origin, SESSION_COOKIE, '', flags),
          setCookie(req.url.origin, CLIENT_COOKIE, '', flags),
        ],
      });
    })
    .on('POST', '/logout', () => text(405, 'Method Not Allowed'));

  const TOKENS = '/api/v1/entities/users/:userId/apiTokens';
  const api = new Router<ApiCtx>()
    .on('GET', '/api/v1/profile', ({ req, user }) => {
      const origin = req.url.origin;
      return json(200, {
        userId: user.id,
        name: user.name,
        organizationId: ORGANIZATION.id,
        organizationName: ORGANIZATION.name,
        permissions: user.permissions,
        links: {
          self: `${origin}/api/v1/profile`,
          user: `${origin}/api/v1/entities/users/${encodeURIComponent(user.id)}`,
          organization: `${origin}/api/v1/entities/admin/organizations/${ORGANIZATION.id}`,
        },
        entitlements: [],
        features: { static: { items: {}, context: {} } },
        telemetryConfig: { context: {}, services: {} },
      });
    })
    .on('POST', TOKENS, (ctx, { userId }) => {
      // GoodData hides other users' tokens behind 404.
      if (userId !== ctx.user.id) return problem(ctx, 404, `User ${userId} not found.`);
      if (!ctx.user.permissions.some((p) => p === 'MANAGE' || p === 'SELF_CREATE_TOKEN')) {
        return problem(ctx, 403, 'Permission SELF_CREATE_TOKEN is required to create API tokens.');
      }
      const parsed = parseTokenIn(ctx.req.body);
      if ('error' in parsed) return problem(ctx, 400, parsed.error);
      if (tokensOf(userId).some((token) => token.id === parsed.id)) {
        return problem(ctx, 409, `API token ${parsed.id} already exists.`);
      }
      const token = mint(userId, parsed.id);
      return entity(ctx, 201, {
        data: { id: token.id, type: 'apiToken', attributes: { bearerToken: token.bearerToken } },
        links: { self: tokenLink(ctx.req.url.origin, userId, token.id) },
      });
    })
    .on('GET', TOKENS, (ctx, { userId }) => {
      if (userId !== ctx.user.id) return problem(ctx, 404, `User ${userId} not found.`);
      const url = ctx.req.url;
      const pageNumber = Number(url.searchParams.get('page') ?? 0);
      const size = Number(url.searchParams.get('size') ?? DEFAULT_PAGE_SIZE);
      if (!Number.isInteger(pageNumber) || pageNumber < 0 || !Number.isInteger(size) || size < 1) {
        return problem(ctx, 400, 'page must be an integer ≥ 0 and size an integer ≥ 1.');
      }
      const sort = url.searchParams.get('sort');
      if (sort !== null && !/^id(,(asc|desc))?$/i.test(sort)) return problem(ctx, 400, `Cannot sort by ${sort}.`);
      const ids = tokensOf(userId).map((token) => token.id);
      if (sort) ids.sort();
      if (sort?.toLowerCase().endsWith(',desc')) ids.reverse();
      const link = (n: number) => {
        const query = new URLSearchParams({ page: String(n), size: String(size) });
        for (const [key, value] of url.searchParams) if (key !== 'page' && key !== 'size') query.append(key, value);
        return `${url.origin}${url.pathname}?${query}`;
      };
      const totalPages = Math.ceil(ids.length / size);
      return entity(ctx, 200, {
        data: ids.slice(pageNumber * size, (pageNumber + 1) * size).map((id) => ({
          id,
          type: 'apiToken',
          attributes: {},
          links: { self: tokenLink(url.origin, userId, id) },
        })),
        // The real server offers `next` even on the last, short or empty page.
        links: { self: link(pageNumber), next: link(pageNumber + 1) },
        ...(url.searchParams.get('metaInclude')?.split(',').includes('page') && {
          meta: { page: { number: pageNumber, size, totalElements: ids.length, totalPages } },
        }),
      });
    })
    .on('GET', `${TOKENS}/:id`, (ctx, { userId, id }) => {
      if (userId !== ctx.user.id || !tokensOf(userId).some((token) => token.id === id)) {
        return problem(ctx, 404, `API token ${id} not found.`);
      }
      return entity(ctx, 200, {
        data: { id, type: 'apiToken', attributes: {} },
        links: { self: tokenLink(ctx.req.url.origin, userId, id) },
      });
    })
    .on('DELETE', `${TOKENS}/:id`, (ctx, { userId, id }) => {
      const list = userId === ctx.user.id ? tokensOf(userId) : [];
      const index = list.findIndex((token) => token.id === id);
      if (index < 0) return problem(ctx, 404, `API token ${id} not found.`);
      list.splice(index, 1);
      // Empty, yet typed as JSON: clients must not parse it.
      return { status: 204, headers: { 'content-type': VND_JSON } };
    });

  function route(ctx: Ctx): Reply | Promise<Reply> {
    const { req } = ctx;
    const { pathname } = req.url;
    // The real sign-in form lives at the identity provider, on another origin. Here it is on the site itself, and
    // the browser posts it with `Origin: null` (the site sends `Referrer-Policy: no-referrer`): so only the API gets
    // Spring's CORS check, which runs there before anything else.
    if (!/^\/api(\/|$)/.test(pathname)) return pages.handle(req.method, pathname, ctx) ?? text(404, 'Not Found');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== req.url.origin) return text(403, 'Invalid CORS request');
    const auth = authenticate(req);
    if ('status' in auth) return auth;
    return (
      api.handle(req.method, pathname, { ...ctx, user: auth }) ??
      problem(ctx, 404, `No endpoint ${req.method} ${pathname}.`)
    );
  }

  const site = await startSite(async (req) => {
    const ctx = { req, traceId: randomBytes(8).toString('hex') };
    const reply = await route(ctx);
    return { ...reply, headers: { ...COMMON_HEADERS, 'x-gdc-trace-id': ctx.traceId, ...reply.headers } };
  }, options);

  return {
    ...site,
    tokens: (userId) => tokensOf(userId).map((token) => ({ ...token })),
    addTokens(userId, count) {
      const start = tokensOf(userId).length;
      for (let i = start; i < start + count; i++) mint(userId, `seeded-${String(i).padStart(4, '0')}`);
    },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates a JsonApiApiTokenIn document: `{ data: { id, type: 'apiToken' } }`, nothing else in data. */
function parseTokenIn(body: string): { id: string } | { error: string } {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch {
    return { error: 'The request body is not valid JSON.' };
  }
  const data = isRecord(document) ? document.data : undefined;
  if (!isRecord(data)) return { error: 'The request body must be {"data": {"id": …, "type": "apiToken"}}.' };
  if (data.type !== 'apiToken') return { error: 'data.type must be "apiToken".' };
  if ('attributes' in data) return { error: 'An API token has no attributes.' };
  if (typeof data.id !== 'string' || !TOKEN_ID.test(data.id)) {
    return { error: `Invalid id: it must match ${TOKEN_ID.source}.` };
  }
  return { id: data.id };
}

/** Signs in over HTTP like the login form does; returns the `Cookie` header value for later requests. */
export async function signIn(site: Pick<Site, 'origin'>, user: string, password: string): Promise<string> {
  return postForCookies(`${site.origin}/login`, new URLSearchParams({ username: user, password }), {
    expect: 302,
    label: `GoodData sign-in as ${user}`,
  });
}

/** How `npm start` runs and demonstrates this site. */
export const demo: DemoSite = {
  id: 'gooddata',
  name: 'GoodData',
  port: 4301,
  signInPath: '/appLogin?redirectTo=%2F',
  logins: [
    { user: 'demo', password: 'demo123' },
    { user: 'jane.doe', password: 'jane123', note: 'organization manager' },
    { user: 'viewer', password: 'viewer123', note: 'may not create tokens' },
  ],
  start: (port) => startGoodData({ port }),
  signIn: (tab, origin, login) => signInThroughForm(tab, 'Username', login, `${origin}/`),
  async verify(origin, secret) {
    const response = await fetch(`${origin}/api/v1/profile`, { headers: { Authorization: `Bearer ${secret}` } });
    if (response.status !== 200) throw new Error(`GET /api/v1/profile with the token answered ${response.status}`);
    return `${((await response.json()) as { userId: string }).userId} (GET /api/v1/profile: 200)`;
  },
};
