import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { signIn, startGoodData } from './gooddata.ts';
import type { GoodDataSite } from './gooddata.ts';

const FIXTURE = new URL('../../../shared/fixtures/gooddata/api_tokens_recorded.yaml', import.meta.url);
const RECORDED_ORIGIN = 'http://localhost:3000';
const TOKENS = '/api/v1/entities/users/demo/apiTokens';
const PROFILE = '/api/v1/profile';

interface Interaction {
  request: { method: string; uri: string; body: unknown; headers: Record<string, string[]> };
  response: { status: { code: number }; headers: Record<string, string[]>; body: { string: unknown } };
}

let site: GoodDataSite;
/** demo's Cookie header */
let demo: string;

beforeEach(async () => {
  site = await startGoodData();
  demo = await signIn(site, 'demo', 'demo123');
});
afterEach(() => site.close());

/** An API call as the extension makes it: XHR-marked, JSON, with demo's session unless told otherwise. */
function api(
  path: string,
  options: { method?: string; body?: unknown; cookie?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  const { method = 'GET', body, cookie = demo, headers = {}, signal } = options;
  return fetch(site.origin + path, {
    method,
    redirect: 'manual',
    headers: {
      'X-Requested-With': 'XMLHttpRequest',
      Accept: 'application/json',
      ...(cookie && { Cookie: cookie }),
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
    signal,
  });
}

function create(id: string, cookie = demo, path = TOKENS): Promise<Response> {
  return api(path, { method: 'POST', body: { data: { id, type: 'apiToken' } }, cookie });
}

async function expectProblem(response: Response, status: number): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = await response.json();
  expect(body).toEqual({ title: expect.any(String), status, detail: expect.any(String), traceId: expect.any(String) });
  expect(body.traceId).toBe(response.headers.get('x-gdc-trace-id'));
}

function decodeBearer(token: string): string {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  // Standard base64 with padding: re-encoding gives the token back.
  expect(Buffer.from(decoded).toString('base64')).toBe(token);
  return decoded;
}

describe('recorded traffic', () => {
  it('answers every recorded interaction with the same status, headers and body', async () => {
    const { interactions } = parse(await readFile(FIXTURE, 'utf8')) as { interactions: Interaction[] };
    expect(interactions.map((i) => i.request.method)).toEqual(['GET', 'POST', 'GET', 'GET', 'DELETE', 'GET']);
    const rehost = (text: string) => text.replaceAll(RECORDED_ORIGIN, site.origin);

    for (const [index, { request, response }] of interactions.entries()) {
      const label = `#${index} ${request.method} ${request.uri}`;
      const answer = await fetch(rehost(request.uri), {
        method: request.method,
        redirect: 'manual',
        headers: {
          ...Object.fromEntries(Object.entries(request.headers).map(([name, values]) => [name, values.join(', ')])),
          Cookie: demo,
        },
        body: request.body === null ? undefined : JSON.stringify(request.body),
      });
      expect(answer.status, label).toBe(response.status.code);
      for (const [name, values] of Object.entries(response.headers)) {
        if (/^(date|x-gdc-trace-id|content-length)$/i.test(name)) continue;
        expect(answer.headers.get(name), `${label}: ${name}`).toBe(values.join(', '));
      }
      expect(answer.headers.get('x-gdc-trace-id'), label).toMatch(/^\w+$/);

      const text = await answer.text();
      const recorded = response.body.string;
      if (recorded === '') {
        expect(text, label).toBe('');
        continue;
      }
      const recordedText = JSON.stringify(recorded);
      // Byte for byte the recorded length, but for our host being longer or shorter than localhost:3000.
      const hosts = recordedText.split(RECORDED_ORIGIN).length - 1;
      const length = Number(response.headers['Content-Length']?.[0]) + hosts * (site.origin.length - RECORDED_ORIGIN.length);
      expect(Number(answer.headers.get('content-length')), label).toBe(length);

      // Same keys, types, ids and (rehosted) links; only the bearer token's secret is random.
      const expected = JSON.parse(rehost(recordedText));
      const bearer = expected.data?.attributes?.bearerToken;
      if (bearer !== undefined) {
        expect(decodeBearer(bearer)).toMatch(/^demo:test_token:.{32}$/);
        expected.data.attributes.bearerToken = expect.any(String);
      }
      const body = JSON.parse(text);
      expect(body, label).toEqual(expected);
      if (bearer !== undefined) expect(decodeBearer(body.data.attributes.bearerToken)).toMatch(/^demo:test_token:.{32}$/);
    }
    expect(site.tokens('demo')).toEqual([]);
  });
});

describe('session', () => {
  it.each([PROFILE, TOKENS, `${TOKENS}/anything`])('%s without a session: 401 /appLogin for XHR', async (path) => {
    const response = await api(path, { cookie: '' });
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('/appLogin');
    expect(response.headers.get('location')).toBeNull();
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it.each([PROFILE, TOKENS])('%s without a session: 302 to the identity provider without XHR', async (path) => {
    const response = await fetch(site.origin + path, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/oauth2/authorization/127.0.0.1');
  });

  it('treats unknown or mismatched session cookies as no session', async () => {
    const [context] = demo.split('; ');
    expect((await api(PROFILE, { cookie: 'SPRING_SEC_SECURITY_CONTEXT=forged' })).status).toBe(401);
    expect((await api(PROFILE, { cookie: `${context}; SPRING_SEC_OAUTH2_AUTHZ_CLIENT=other` })).status).toBe(401);
  });

  it('returns the profile of the signed-in user', async () => {
    const response = await api(PROFILE);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      userId: 'demo',
      name: 'Demo User',
      organizationId: 'default',
      organizationName: 'Default Organization',
      permissions: ['SELF_CREATE_TOKEN'],
      links: {
        self: `${site.origin}/api/v1/profile`,
        user: `${site.origin}/api/v1/entities/users/demo`,
        organization: `${site.origin}/api/v1/entities/admin/organizations/default`,
      },
      entitlements: [],
      features: { static: { items: {}, context: {} } },
      telemetryConfig: { context: {}, services: {} },
    });
  });
});

describe('login pages', () => {
  const page = (path: string, init: RequestInit = {}) => fetch(site.origin + path, { redirect: 'manual', ...init });
  const login = (form: Record<string, string>) => page('/login', { method: 'POST', body: new URLSearchParams(form) });

  it('/appLogin sends a signed-out user to the login form, a signed-in one straight to redirectTo', async () => {
    const out = await page('/appLogin?redirectTo=%2Fdashboards%3Fx%3D1');
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe('/login?redirectTo=%2Fdashboards%3Fx%3D1');
    const signedIn = await page('/appLogin?redirectTo=%2Fx', { headers: { Cookie: demo } });
    expect(signedIn.headers.get('location')).toBe('/x');
  });

  it.each(['https://evil.example/', '//evil.example/', 'relative'])('/appLogin refuses redirectTo=%s', async (target) => {
    expect((await page(`/appLogin?redirectTo=${encodeURIComponent(target)}`)).status).toBe(400);
  });

  it('serves a labelled login form', async () => {
    const response = await page('/login?redirectTo=%2Fx');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await response.text();
    expect(body).toContain('<label for="username">Username</label>');
    expect(body).toMatch(/<input id="username" name="username"/);
    expect(body).toContain('<label for="password">Password</label>');
    expect(body).toMatch(/<input id="password" name="password" type="password"/);
    expect(body).toContain('<button type="submit">Sign in</button>');
    expect(body).toContain('name="redirectTo" value="/x"');
  });

  it('signs in with HttpOnly, SameSite=Lax, 7-day cookies and redirects', async () => {
    const response = await login({ username: 'jane.doe', password: 'jane123', redirectTo: '/x' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/x');
    const cookies = response.headers.getSetCookie();
    expect(cookies.map((cookie) => cookie.split('=')[0])).toEqual([
      'SPRING_SEC_SECURITY_CONTEXT',
      'SPRING_SEC_OAUTH2_AUTHZ_CLIENT',
    ]);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^\w+=[\w-]{20,}; Path=\/; Max-Age=604800; HttpOnly; SameSite=Lax$/);
    }
  });

  it('answers a wrong password with the form again and 401', async () => {
    const response = await login({ username: 'demo', password: 'wrong' });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([]);
    const body = await response.text();
    expect(body).toContain('<p role="alert">Invalid username or password.</p>');
    expect(body).toContain('<button type="submit">Sign in</button>');
  });

  it('shows who is signed in on the home page', async () => {
    expect(await (await page('/', { headers: { Cookie: demo } })).text()).toContain('Signed in as Demo User (demo)');
    expect(await (await page('/')).text()).toContain('href="/appLogin?redirectTo=%2F"');
  });

  it('signs out on GET /logout; POST /logout is 405', async () => {
    expect((await page('/logout', { method: 'POST', headers: { Cookie: demo } })).status).toBe(405);
    expect((await api(PROFILE)).status).toBe(200);
    const response = await page('/logout', { headers: { Cookie: demo } });
    expect(response.status).toBe(302);
    expect(response.headers.getSetCookie().every((cookie) => cookie.includes('Max-Age=0'))).toBe(true);
    expect((await api(PROFILE)).status).toBe(401);
  });
});

describe('CORS', () => {
  it.each([PROFILE, TOKENS])('refuses a foreign Origin on %s with 403', async (path) => {
    const response = await api(path, { headers: { Origin: 'chrome-extension://abcdefghijklmnop' } });
    expect(response.status).toBe(403);
    expect(await response.text()).toBe('Invalid CORS request');
  });

  it('lets the sign-in form through, which browsers post with Origin: null', async () => {
    const response = await fetch(`${site.origin}/login`, {
      method: 'POST',
      headers: { Origin: 'null', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=demo&password=demo123',
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
  });

  it('accepts its own Origin', async () => {
    expect((await create('same-origin')).status).toBe(201);
    const response = await api(TOKENS, { headers: { Origin: site.origin } });
    expect(response.status).toBe(200);
    expect((await response.json()).data).toHaveLength(1);
  });
});

describe('tokens', () => {
  it('creates a token whose bearer authenticates the profile, until it is deleted', async () => {
    const response = await create('ext-1');
    expect(response.status).toBe(201);
    const { bearerToken } = (await response.json()).data.attributes;
    expect(decodeBearer(bearerToken)).toMatch(/^demo:ext-1:[A-Za-z0-9+/]{32}$/);
    expect(site.tokens('demo')).toEqual([{ id: 'ext-1', bearerToken, createdAt: expect.any(Date) }]);

    const byBearer = await api(PROFILE, { cookie: '', headers: { Authorization: `Bearer ${bearerToken}` } });
    expect(byBearer.status).toBe(200);
    expect((await byBearer.json()).userId).toBe('demo');

    expect((await api(`${TOKENS}/ext-1`, { method: 'DELETE' })).status).toBe(204);
    const revoked = await api(PROFILE, { cookie: '', headers: { Authorization: `Bearer ${bearerToken}` } });
    expect(revoked.status).toBe(401);
  });

  it('answers a bad bearer with 401 and WWW-Authenticate, even beside a valid session', async () => {
    const response = await api(PROFILE, { headers: { Authorization: 'Bearer not-a-token' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", /);
  });

  it('answers a duplicate id with 409 problem+json', async () => {
    expect((await create('twice')).status).toBe(201);
    await expectProblem(await create('twice'), 409);
    expect(site.tokens('demo')).toHaveLength(1);
  });

  it.each([
    ['a leading dot', { data: { id: '.hidden', type: 'apiToken' } }],
    ['a space', { data: { id: 'has space', type: 'apiToken' } }],
    ['a colon', { data: { id: 'a:b', type: 'apiToken' } }],
    ['an empty id', { data: { id: '', type: 'apiToken' } }],
    ['256 characters', { data: { id: 'x'.repeat(256), type: 'apiToken' } }],
    ['a missing id', { data: { type: 'apiToken' } }],
    ['another type', { data: { id: 'ok', type: 'token' } }],
    ['attributes', { data: { id: 'ok', type: 'apiToken', attributes: { name: 'x' } } }],
    ['no data', { id: 'ok', type: 'apiToken' }],
    ['a body that is not JSON', 'id=ok'],
  ])('refuses a create with %s: 400 problem+json', async (_, body) => {
    await expectProblem(await api(TOKENS, { method: 'POST', body }), 400);
    expect(site.tokens('demo')).toEqual([]);
  });

  it('accepts every character the id rule allows, up to 255', async () => {
    expect((await create('a.B_c-9')).status).toBe(201);
    expect((await create('x'.repeat(255))).status).toBe(201);
  });

  it('lets a viewer list and delete its tokens but not create any', async () => {
    const viewer = await signIn(site, 'viewer', 'viewer123');
    await expectProblem(await create('nope', viewer, '/api/v1/entities/users/viewer/apiTokens'), 403);
    site.addTokens('viewer', 2);
    const list = await api('/api/v1/entities/users/viewer/apiTokens', { cookie: viewer });
    expect((await list.json()).data.map((token: { id: string }) => token.id)).toEqual(['seeded-0000', 'seeded-0001']);
    const deleted = await api('/api/v1/entities/users/viewer/apiTokens/seeded-0000', { method: 'DELETE', cookie: viewer });
    expect(deleted.status).toBe(204);
    expect(site.tokens('viewer').map((token) => token.id)).toEqual(['seeded-0001']);
  });

  it("hides another user's tokens behind 404, even from an admin", async () => {
    const jane = await signIn(site, 'jane.doe', 'jane123');
    site.addTokens('demo', 1);
    await expectProblem(await create('mine', jane), 404);
    await expectProblem(await api(`${TOKENS}/seeded-0000`, { method: 'DELETE', cookie: jane }), 404);
    expect((await create('mine', jane, '/api/v1/entities/users/jane.doe/apiTokens')).status).toBe(201);
    expect(site.tokens('demo')).toHaveLength(1);
  });

  it('answers an unknown id with 404 problem+json on get and delete', async () => {
    await expectProblem(await api(`${TOKENS}/missing`), 404);
    await expectProblem(await api(`${TOKENS}/missing`, { method: 'DELETE' }), 404);
  });

  it('follows the Accept header for the content type', async () => {
    const response = await api(TOKENS, { headers: { Accept: 'application/vnd.gooddata.api+json' } });
    expect(response.headers.get('content-type')).toBe('application/vnd.gooddata.api+json');
  });
});

describe('paging', () => {
  type ListBody = { data: { id: string }[]; links: { self: string; next?: string }; meta?: unknown };
  const list = async (query: string) => (await (await api(`${TOKENS}?${query}`)).json()) as ListBody;

  it('pages 250 tokens by 100 as 100, 100, 50 and then empty, with links.next on every page', async () => {
    site.addTokens('demo', 250);
    for (const [page, length] of [100, 100, 50, 0].entries()) {
      const body = await list(`page=${page}&size=100`);
      expect(body.data).toHaveLength(length);
      expect(body.links).toEqual({
        self: `${site.origin}${TOKENS}?page=${page}&size=100`,
        next: `${site.origin}${TOKENS}?page=${page + 1}&size=100`,
      });
      expect(body.meta).toBeUndefined();
    }
    expect((await list('page=2&size=100')).data.at(-1)?.id).toBe('seeded-0249');
  });

  it('uses 20 per page by default, sorts on request and reports meta.page only when asked', async () => {
    site.addTokens('demo', 25);
    expect((await list('')).data).toHaveLength(20);
    expect((await list('sort=id,desc')).data[0]?.id).toBe('seeded-0024');
    expect((await list('page=1&size=10&metaInclude=page')).meta).toEqual({
      page: { number: 1, size: 10, totalElements: 25, totalPages: 3 },
    });
  });

  it('refuses a negative page with 400 problem+json', async () => {
    await expectProblem(await api(`${TOKENS}?page=-1`), 400);
  });
});

describe('fault injection and request log', () => {
  it('logs each request with method, path and query, lower-cased headers and body', async () => {
    site.clearRequests();
    await create('logged');
    await api(`${TOKENS}?page=0&size=100`);
    const [post, get] = site.requests();
    expect(post).toMatchObject({
      method: 'POST',
      path: TOKENS,
      headers: { 'x-requested-with': 'XMLHttpRequest', 'content-type': 'application/json', cookie: demo },
      body: JSON.stringify({ data: { id: 'logged', type: 'apiToken' } }),
    });
    expect(get).toMatchObject({ method: 'GET', path: `${TOKENS}?page=0&size=100`, body: '' });
    expect(get?.at).toBeGreaterThanOrEqual(post?.at ?? Infinity);
    site.clearRequests();
    expect(site.requests()).toEqual([]);
  });

  it('answers with the injected status and body once, then the real site answers', async () => {
    const fault = site.inject({ method: 'POST', path: TOKENS, status: 502, body: '<h1>Bad gateway</h1>', contentType: 'text/html' });
    const failed = await create('after-fault');
    expect(failed.status).toBe(502);
    expect(failed.headers.get('content-type')).toBe('text/html');
    expect(await failed.text()).toBe('<h1>Bad gateway</h1>');
    expect(site.tokens('demo')).toEqual([]);
    expect((await create('after-fault')).status).toBe(201);
    expect(fault.hits).toBe(1);
  });

  it('applies a fault `times` times, or until removed with Infinity', async () => {
    site.inject({ path: PROFILE, status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(PROFILE)).status);
    expect(statuses).toEqual([503, 503, 200]);

    const forever = site.inject({ path: PROFILE, status: 500, times: Infinity });
    for (let i = 0; i < 5; i++) expect((await api(PROFILE)).status).toBe(500);
    forever.remove();
    expect((await api(PROFILE)).status).toBe(200);
    expect(forever.hits).toBe(5);
  });

  it('matches a method and a RegExp on the path with its query; clearFaults removes all', async () => {
    site.addTokens('demo', 1);
    site.inject({ method: 'DELETE', path: /\/apiTokens\/seeded/, status: 500, times: Infinity });
    site.inject({ path: /[?&]page=1\b/, status: 418, times: Infinity });
    expect((await api(`${TOKENS}/seeded-0000`)).status).toBe(200);
    expect((await api(`${TOKENS}/seeded-0000`, { method: 'DELETE' })).status).toBe(500);
    expect((await api(`${TOKENS}?page=1`)).status).toBe(418);
    expect((await api(`${TOKENS}?page=0`)).status).toBe(200);
    site.clearFaults();
    expect((await api(`${TOKENS}/seeded-0000`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`${TOKENS}?page=1`)).status).toBe(200);
  });

  it('delays, then lets the real site answer', async () => {
    site.inject({ method: 'POST', path: TOKENS, delayMs: 300 });
    const started = performance.now();
    const response = await create('slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.status).toBe(201);
    expect(site.tokens('demo').map((token) => token.id)).toEqual(['slow']);
  });

  it('hangs until the client aborts', async () => {
    site.inject({ path: PROFILE, hang: true });
    await expect(api(PROFILE, { signal: AbortSignal.timeout(200) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(site.requests().at(-1)?.path).toBe(PROFILE);
    expect((await api(PROFILE)).status).toBe(200);
  });

  it('ends hanging requests on close', async () => {
    const other = await startGoodData();
    other.inject({ path: PROFILE, hang: true });
    const pending = fetch(other.origin + PROFILE);
    await vi.waitFor(() => expect(other.requests()).toHaveLength(1));
    await other.close();
    await expect(pending).rejects.toThrow(TypeError);
  });

  it('resets the connection', async () => {
    site.inject({ path: PROFILE, reset: true });
    await expect(api(PROFILE)).rejects.toThrow(TypeError);
    expect((await api(PROFILE)).status).toBe(200);
  });
});
