import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo, parseExactJson, signIn, signInWithToken, startCds, stringifyExact } from './cds.ts';
import type { CdsSite } from './cds.ts';

const API = '/cdsapi';
const CONSUMERS = `${API}/user/jdoe/auth/consumer`;
const NS_PER_DAY = 86_400_000_000_000n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let site: CdsSite;
/** jdoe's Cookie header: `jwt_token`, then `xsrf_token` once a read has issued it. */
let jdoe: string;

beforeEach(async () => {
  site = await startCds();
  jdoe = await signIn(site, 'jdoe', 'jdoe123');
});
afterEach(() => site.close());

interface CallOptions {
  method?: string;
  body?: unknown;
  cookie?: string;
  headers?: Record<string, string>;
}

function call(path: string, { method = 'GET', body, cookie = '', headers = {} }: CallOptions = {}): Promise<Response> {
  return fetch(site.origin + path, {
    method,
    redirect: 'manual',
    headers: {
      Accept: 'application/json',
      ...(cookie && { Cookie: cookie }),
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
  });
}

function cookieValue(setCookies: string[], name: string): string | undefined {
  return setCookies.find((line) => line.startsWith(`${name}=`))?.split(';')[0]!.slice(name.length + 1);
}

/** A read that issues the XSRF cookie; returns the full cookie header and the token to echo. */
async function withXsrf(cookie: string): Promise<{ cookie: string; xsrf: string }> {
  const response = await call(`${API}/auth/me`, { cookie });
  expect(response.status).toBe(200);
  const xsrf = cookieValue(response.headers.getSetCookie(), 'xsrf_token');
  if (!xsrf) throw new Error('no xsrf_token cookie');
  return { cookie: `${cookie}; xsrf_token=${xsrf}`, xsrf };
}

/** A cookie-authenticated write as the official UI sends it. */
async function uiWrite(path: string, method: string, body?: unknown, who = jdoe): Promise<Response> {
  const { cookie, xsrf } = await withXsrf(who);
  return call(path, { method, body, cookie, headers: { 'X-XSRF-TOKEN': xsrf } });
}

const createBody = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  description: 'made in a test',
  auth_consumer_user: { group_ids: [], scope_details: [{ scope: 'Project' }] },
  ...extra,
});

async function expectCdsError(response: Response, status: number, id: number, from?: string | RegExp): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json');
  const body = (await response.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ id, message: expect.any(String), request_id: response.headers.get('request-id') });
  if (from === undefined) expect(body).not.toHaveProperty('from');
  else expect(body.from).toMatch(from);
}

async function signinWith(token: string): Promise<Response> {
  return call(`${API}/auth/consumer/builtin/signin`, { method: 'POST', body: { token } });
}

describe('exact JSON integers', () => {
  it('reads integer literals as bigints, leaves fractions, exponents and strings alone', () => {
    expect(parseExactJson('{"d":31536000000000000,"f":1.5,"e":1e3,"s":"31536000000000000","n":-7,"a":[0]}')).toEqual({
      d: 31_536_000_000_000_000n,
      f: 1.5,
      e: 1000,
      s: '31536000000000000',
      n: -7n,
      a: [0n],
    });
    expect(parseExactJson('"with \\" quote 12"')).toBe('with " quote 12');
    expect(() => parseExactJson('{"d":01}')).toThrow(SyntaxError);
  });

  it('writes bigints as exact literals', () => {
    expect(stringifyExact({ d: 31_536_000_000_000_000n, s: 'x' })).toBe('{"d":31536000000000000,"s":"x"}');
  });
});

describe('unauthenticated endpoints', () => {
  it('/mon/version, /auth/driver and /auth/scope answer without a session, each with a Request-ID', async () => {
    const version = await call(`${API}/mon/version`);
    expect(version.status).toBe(200);
    expect(version.headers.get('request-id')).toMatch(UUID);
    expect(await version.json()).toEqual({
      version: expect.any(String),
      git_hash: expect.any(String),
      build_time: expect.any(String),
      os: 'linux',
      architecture: 'amd64',
    });
    expect(await (await call(`${API}/auth/driver`)).json()).toEqual({
      is_first_connection: false,
      manifests: [{ type: 'local', signup_disabled: false, support_mfa: false }],
    });
    const scopes = (await (await call(`${API}/auth/scope`)).json()) as { scope: string; endpoints: { route: string; methods: string[] }[] }[];
    expect(scopes.map((s) => s.scope).sort()).toEqual(
      ['User', 'AccessToken', 'Action', 'Admin', 'Group', 'Template', 'Project', 'Run', 'RunExecution', 'Hooks', 'WorkerModel', 'Hatchery', 'Service'].sort(),
    );
    const run = scopes.find((s) => s.scope === 'Run')!;
    expect(run.endpoints[0]!.route).toBe('/project/<project-key>/workflows/<workflow-name>/runs');
  });

  it('refuses /mon/metrics at the proxy and answers unknown API routes with 404 id 38', async () => {
    expect((await call(`${API}/mon/metrics/all`)).status).toBe(403);
    await expectCdsError(await call(`${API}/nothing/here`), 404, 38, '/nothing/here not found');
  });

  it('serves the app for any other page, as the UI does for its routes', async () => {
    const response = await call('/project/ABC');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toContain('<cds-root>');
  });
});

describe('sign-in page and session cookie', () => {
  it('serves a labelled form', async () => {
    const body = await (await call('/auth/signin')).text();
    expect(body).toContain('<label for="username">Username</label>');
    expect(body).toContain('<label for="password">Password</label>');
    expect(body).toMatch(/<input id="password" name="password" type="password"/);
    expect(body).toContain('<button type="submit">Sign in</button>');
  });

  it('sets an HttpOnly, SameSite=Strict jwt_token for 30 days, and no XSRF cookie yet', async () => {
    const response = await fetch(`${site.origin}/auth/signin`, {
      method: 'POST',
      // Browsers post the form with Origin: null under Referrer-Policy: no-referrer: that must not matter.
      headers: { Origin: 'null', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=maint&password=maint123',
      redirect: 'manual',
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/');
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^jwt_token=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=(2591999|2592000); HttpOnly; SameSite=Strict$/);
  });

  it('answers a wrong password with the form again and 401', async () => {
    const response = await call('/auth/signin', { method: 'POST', body: 'username=jdoe&password=nope', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.text()).toContain('<p role="alert">Wrong username or password.</p>');
  });

  it('shows who is signed in, and signs out', async () => {
    expect(await (await call('/', { cookie: jdoe })).text()).toContain('Signed in as Jane Doe (jdoe)');
    expect((await call('/auth/signout', { cookie: jdoe })).status).toBe(302);
    expect(await (await call('/', { cookie: jdoe })).text()).toContain('href="/auth/signin"');
    await expectCdsError(await call(`${API}/auth/me`, { cookie: jdoe }), 401, 10);
  });
});

describe('current user', () => {
  it('401 id 10 without a session or with an unknown one', async () => {
    await expectCdsError(await call(`${API}/auth/me`), 401, 10);
    await expectCdsError(await call(`${API}/auth/me`, { cookie: 'jwt_token=forged' }), 401, 10);
  });

  it('/auth/me holds the user, the login consumer, the session and the driver', async () => {
    const body = await (await call(`${API}/auth/me`, { cookie: jdoe })).json();
    expect(body).toEqual({
      user: { id: expect.stringMatching(UUID), created: expect.any(String), username: 'jdoe', fullname: 'Jane Doe', ring: 'USER', groups: null, organization: 'acme' },
      consumer: { id: expect.stringMatching(UUID), name: 'local', type: 'local', disabled: false, auth_consumer_user: { user_id: body.user.id } },
      session: { id: expect.stringMatching(UUID), consumer_id: body.consumer.id, created: expect.any(String), expire_at: expect.any(String), mfa: false },
      driver_manifest: { type: 'local', signup_disabled: false, support_mfa: false },
    });
  });

  it('/user/me is the user object alone', async () => {
    expect(await (await call(`${API}/user/me`, { cookie: jdoe })).json()).toMatchObject({ username: 'jdoe', ring: 'USER' });
  });
});

describe('XSRF', () => {
  it('a read issues a readable, SameSite=Strict session cookie and keeps it while it is sent back', async () => {
    const first = await call(`${API}/auth/me`, { cookie: jdoe });
    const [line] = first.headers.getSetCookie();
    expect(line).toMatch(/^xsrf_token=[0-9a-f]{32}; Path=\/; SameSite=Strict$/);
    const xsrf = cookieValue([line!], 'xsrf_token');
    const again = await call(`${API}/auth/me`, { cookie: `${jdoe}; xsrf_token=${xsrf}` });
    expect(cookieValue(again.headers.getSetCookie(), 'xsrf_token')).toBe(xsrf);
  });

  it('a read with jwt_token but without xsrf_token rotates it, which breaks the old one', async () => {
    const { cookie, xsrf } = await withXsrf(jdoe);
    const rotated = await call(`${API}/auth/me`, { cookie: jdoe });
    expect(cookieValue(rotated.headers.getSetCookie(), 'xsrf_token')).not.toBe(xsrf);
    await expectCdsError(await call(CONSUMERS, { method: 'POST', body: createBody('x'), cookie, headers: { 'X-XSRF-TOKEN': xsrf } }), 403, 11);
    expect(site.tokens('jdoe')).toEqual([]);
  });

  it('a cookie write needs the header: missing or wrong is 403 id 11', async () => {
    const { cookie } = await withXsrf(jdoe);
    await expectCdsError(await call(CONSUMERS, { method: 'POST', body: createBody('x'), cookie }), 403, 11);
    await expectCdsError(await call(CONSUMERS, { method: 'POST', body: createBody('x'), cookie, headers: { 'X-XSRF-TOKEN': 'nope' } }), 403, 11);
    expect(site.tokens('jdoe')).toEqual([]);
  });

  it('after the server drops its token, a write is refused until a read issues a new one', async () => {
    const { cookie, xsrf } = await withXsrf(jdoe);
    site.dropXsrf('jdoe');
    await expectCdsError(await call(CONSUMERS, { method: 'POST', body: createBody('x'), cookie, headers: { 'X-XSRF-TOKEN': xsrf } }), 403, 11);
    const renewed = await call(`${API}/auth/me`, { cookie });
    const fresh = cookieValue(renewed.headers.getSetCookie(), 'xsrf_token')!;
    expect(fresh).not.toBe(xsrf);
    const created = await call(CONSUMERS, { method: 'POST', body: createBody('x'), cookie: `${jdoe}; xsrf_token=${fresh}`, headers: { 'X-XSRF-TOKEN': fresh } });
    expect(created.status).toBe(201);
  });
});

describe('groups', () => {
  it('/user/{username}/group lists the user’s groups; `me` is not a username there', async () => {
    expect(await (await call(`${API}/user/jdoe/group`, { cookie: jdoe })).json()).toEqual([
      { id: 12, name: 'team-a', admin: true, organization: 'acme' },
      { id: 13, name: 'team-b', admin: false, organization: 'acme' },
    ]);
    await expectCdsError(await call(`${API}/user/me/group`, { cookie: jdoe }), 404, 136);
  });

  it('/group lists a USER’s own groups, and every group for a MAINTAINER, without the default one on request', async () => {
    const names = async (cookie: string, query = '') =>
      ((await (await call(`${API}/group${query}`, { cookie })).json()) as { name: string }[]).map((g) => g.name);
    expect(await names(jdoe)).toEqual(['team-a', 'team-b']);
    const maint = await signIn(site, 'maint', 'maint123');
    expect(await names(maint)).toEqual(['shared.infra', 'team-a', 'team-b', 'ops']);
    expect(await names(maint, '?withoutDefault=true')).toEqual(['team-a', 'team-b', 'ops']);
  });
});

describe('create', () => {
  it('keeps a duration beyond 2^53 nanoseconds exact, and answers the sign-in token with the consumer', async () => {
    const duration = 365n * NS_PER_DAY;
    const raw = `{"name":"ci-bot","description":"token for CI","validity_periods":[{"issued_at":"2026-07-01T12:00:00Z","duration":${duration}}],"auth_consumer_user":{"group_ids":[12],"scope_details":[{"scope":"Project"},{"scope":"Run","endpoints":[{"route":"/project/<project-key>/workflows/<workflow-name>/runs","methods":["POST"]}]}]}}`;
    const response = await uiWrite(CONSUMERS, 'POST', raw);
    expect(response.status).toBe(201);
    const text = await response.text();
    expect(text).toContain(`"duration":${duration}`);
    const body = JSON.parse(text);
    expect(body.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(body.consumer).toMatchObject({
      name: 'ci-bot',
      type: 'builtin',
      description: 'token for CI',
      disabled: false,
      auth_consumer_user: { group_ids: [12], groups: [{ id: 12, name: 'team-a' }], scope_details: [{ scope: 'Project' }, { scope: 'Run' }] },
    });
    const [token] = site.tokens('jdoe');
    expect(token).toMatchObject({ name: 'ci-bot', signinToken: body.token, durationNs: duration, groupIds: [12] });
    // The server takes "now", not the issued_at it was sent.
    expect(Date.now() - Date.parse(body.consumer.validity_periods[0].issued_at)).toBeLessThan(60_000);
  });

  it('`me` names the signed-in user; without validity_periods the token lasts the default 30 days', async () => {
    expect((await uiWrite(`${API}/user/me/auth/consumer`, 'POST', createBody('via-me'))).status).toBe(201);
    expect(site.tokens('jdoe').map((t) => [t.name, t.durationNs])).toEqual([['via-me', 30n * NS_PER_DAY]]);
  });

  it.each<[string, unknown, number, number, string | RegExp | undefined]>([
    ['an empty name', createBody(''), 400, 74, 'invalid given name'],
    ['no scope', createBody('x', { auth_consumer_user: { scope_details: [] } }), 400, 74, /scope/],
    ['an unknown scope', createBody('x', { auth_consumer_user: { scope_details: [{ scope: 'Worker' }] } }), 400, 74, /Worker/],
    ['a duplicated scope', createBody('x', { auth_consumer_user: { scope_details: [{ scope: 'Run' }, { scope: 'Run' }] } }), 400, 74, /duplicated/],
    ['an unknown route', createBody('x', { auth_consumer_user: { scope_details: [{ scope: 'Run', endpoints: [{ route: '/nope', methods: ['GET'] }] }] } }), 400, 74, /route/],
    ['an unknown group', createBody('x', { auth_consumer_user: { group_ids: [99], scope_details: [{ scope: 'Run' }] } }), 400, 74, undefined],
    ['a duration that is a string', createBody('x', { validity_periods: [{ duration: '86400000000000' }] }), 400, 74, undefined],
    ['a duration with a fraction', createBody('x', { validity_periods: [{ duration: 1.5 }] }), 400, 74, undefined],
    ['an issued_at that is not RFC 3339', createBody('x', { validity_periods: [{ issued_at: '1 July', duration: 1 }] }), 400, 74, undefined],
    ['a body that is not JSON', 'name=x', 400, 74, undefined],
    ['a 256-character name (the database refuses)', createBody('x'.repeat(256)), 500, 1, undefined],
    ['a 256-character description', createBody('x', { description: 'd'.repeat(256) }), 500, 1, undefined],
  ])('refuses %s', async (_, body, status, id, from) => {
    await expectCdsError(await uiWrite(CONSUMERS, 'POST', body), status, id, from);
    expect(site.tokens('jdoe')).toEqual([]);
  });

  it('names are not unique, and a zero duration never expires', async () => {
    for (let i = 0; i < 2; i++) expect((await uiWrite(CONSUMERS, 'POST', createBody('same', { validity_periods: [{ duration: 0 }] }))).status).toBe(201);
    expect(site.tokens('jdoe').map((t) => [t.name, t.durationNs])).toEqual([['same', 0n], ['same', 0n]]);
  });

  it('only the owner may create, admins included: 403 id 11', async () => {
    const admin = await signIn(site, 'admin', 'admin123');
    await expectCdsError(await uiWrite(CONSUMERS, 'POST', createBody('x'), admin), 403, 11);
    expect(site.tokens('jdoe')).toEqual([]);
  });

  it('an unknown username is 404 id 136', async () => {
    await expectCdsError(await uiWrite(`${API}/user/ghost/auth/consumer`, 'POST', createBody('x')), 404, 136);
  });

  it('blocks USER writes in maintenance mode with 503 id 60, not a maintainer’s', async () => {
    site.setMaintenance(true);
    await expectCdsError(await uiWrite(CONSUMERS, 'POST', createBody('x')), 503, 60);
    const maint = await signIn(site, 'maint', 'maint123');
    expect((await uiWrite(`${API}/user/maint/auth/consumer`, 'POST', createBody('x'), maint)).status).toBe(201);
  });
});

describe('list', () => {
  it('lists every consumer of the user, the login method first, with builtin details', async () => {
    site.addToken('jdoe', 'seeded');
    const response = await call(CONSUMERS, { cookie: jdoe });
    expect(response.status).toBe(200);
    const list = (await response.json()) as Record<string, unknown>[];
    expect(list.map((c) => [c.name, c.type])).toEqual([['local', 'local'], ['seeded', 'builtin']]);
    expect(list[1]).toMatchObject({
      disabled: false,
      warnings: [],
      validity_periods: [{ issued_at: expect.any(String), duration: 30 * 86_400_000_000_000 }],
      auth_consumer_user: { group_ids: [], invalid_group_ids: [], scope_details: [{ scope: 'Project' }], groups: [] },
    });
    expect(list[1]).not.toHaveProperty('last_authentication');
  });

  it("lets a maintainer list another user's consumers, not a USER", async () => {
    site.addToken('maint', 'theirs');
    expect((await call(`${API}/user/maint/auth/consumer`, { cookie: await signIn(site, 'admin', 'admin123') })).status).toBe(200);
    await expectCdsError(await call(`${API}/user/maint/auth/consumer`, { cookie: jdoe }), 403, 11);
  });
});

describe('builtin sign-in', () => {
  it('trades a sign-in token for a 1-hour session, sets the session cookie too, and records the use', async () => {
    const token = site.addToken('jdoe', 'ci');
    const response = await signinWith(token.signinToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-api-pub-signing-key')).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(response.headers.getSetCookie()[0]).toMatch(/^jwt_token=[\w.-]+; Path=\/; Max-Age=(3599|3600); HttpOnly; SameSite=Strict$/);
    const body = await response.json();
    expect(body).toEqual({
      api_url: `${site.origin}/cdsapi`,
      token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      user: { id: expect.any(String), username: 'jdoe', fullname: 'Jane Doe', ring: 'USER', created: expect.any(String), groups: null },
      service: {},
    });
    const list = (await (await call(CONSUMERS, { cookie: jdoe })).json()) as Record<string, unknown>[];
    expect(list.find((c) => c.id === token.id)?.last_authentication).toEqual(expect.any(String));

    // The session acts by Bearer, needs no XSRF, and only has the token's scopes.
    const bearer = { Authorization: `Bearer ${body.token}` };
    await expectCdsError(await call(`${API}/auth/me`, { headers: bearer }), 401, 10);
    const full = site.addToken('jdoe', 'full', { scopes: ['User', 'AccessToken'] });
    const fullSession = (await (await signinWith(full.signinToken)).json()).token as string;
    const created = await call(`${API}/user/me/auth/consumer`, { method: 'POST', body: createBody('child'), headers: { Authorization: `Bearer ${fullSession}` } });
    await expectCdsError(created, 400, 74, /scope not allowed/);
  });

  it('uses the Bearer header only when no jwt_token cookie is present', async () => {
    const session = (await (await signinWith(site.addToken('jdoe', 'ci', { scopes: ['User'] }).signinToken)).json()).token as string;
    expect((await call(`${API}/auth/me`, { headers: { Authorization: `Bearer ${session}` } })).status).toBe(200);
    await expectCdsError(await call(`${API}/auth/me`, { cookie: 'jwt_token=forged', headers: { Authorization: `Bearer ${session}` } }), 401, 10);
  });

  it.each([
    ['a garbage token', { token: 'not-a-token' }],
    ['no token field', {}],
  ])('refuses %s with 403 id 11', async (_, body) => {
    await expectCdsError(await call(`${API}/auth/consumer/builtin/signin`, { method: 'POST', body }), 403, 11, 'invalid signin token');
  });

  it('refuses an expired token', async () => {
    expect((await uiWrite(CONSUMERS, 'POST', createBody('short', { validity_periods: [{ duration: 1 }] }))).status).toBe(201);
    await expectCdsError(await signinWith(site.tokens('jdoe')[0]!.signinToken), 403, 11, 'invalid signin token');
  });

  it('a token session signs out with Bearer and no XSRF', async () => {
    const session = (await (await signinWith(site.addToken('jdoe', 'ci').signinToken)).json()).token as string;
    expect(site.sessions('jdoe')).toBe(2);
    const response = await call(`${API}/auth/consumer/signout`, { method: 'POST', headers: { Authorization: `Bearer ${session}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('null');
    expect(site.sessions('jdoe')).toBe(1);
  });

  it('signInWithToken gives the cookie session of a token', async () => {
    const cookie = await signInWithToken(site, site.addToken('jdoe', 'ci', { scopes: ['User'] }).signinToken);
    const me = await (await call(`${API}/auth/me`, { cookie })).json();
    expect(me.consumer).toMatchObject({ name: 'ci', type: 'builtin', auth_consumer_user: { scope_details: [{ scope: 'User' }] } });
  });
});

describe('delete', () => {
  it('200 null; the consumer, its sessions and its children are gone at once', async () => {
    const token = site.addToken('jdoe', 'parent', { scopes: ['User', 'AccessToken'] });
    const session = (await (await signinWith(token.signinToken)).json()).token as string;
    const child = await call(`${API}/user/me/auth/consumer`, {
      method: 'POST',
      body: createBody('child', { auth_consumer_user: { scope_details: [{ scope: 'User' }] } }),
      headers: { Authorization: `Bearer ${session}` },
    });
    expect(child.status).toBe(201);
    expect(site.tokens('jdoe').map((t) => t.name)).toEqual(['parent', 'child']);

    const response = await uiWrite(`${CONSUMERS}/${token.id}`, 'DELETE');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('null');
    expect(site.tokens('jdoe')).toEqual([]);
    await expectCdsError(await call(`${API}/auth/me`, { headers: { Authorization: `Bearer ${session}` } }), 401, 10);
  });

  it('unknown ids, login consumers and other users’ tokens are all 403 id 11, never 404', async () => {
    await expectCdsError(await uiWrite(`${CONSUMERS}/00000000-0000-0000-0000-000000000000`, 'DELETE'), 403, 11);
    const me = await (await call(`${API}/auth/me`, { cookie: jdoe })).json();
    await expectCdsError(await uiWrite(`${CONSUMERS}/${me.consumer.id}`, 'DELETE'), 403, 11);
    const theirs = site.addToken('maint', 'theirs');
    await expectCdsError(await uiWrite(`${API}/user/maint/auth/consumer/${theirs.id}`, 'DELETE'), 403, 11);
    expect(site.tokens('maint')).toHaveLength(1);
    const admin = await signIn(site, 'admin', 'admin123');
    expect((await uiWrite(`${API}/user/maint/auth/consumer/${theirs.id}`, 'DELETE', undefined, admin)).status).toBe(200);
    expect(site.tokens('maint')).toEqual([]);
  });
});

describe('regenerate', () => {
  const regen = (id: string, body: unknown) => uiWrite(`${CONSUMERS}/${id}/regen`, 'POST', body);

  it('gives a new sign-in token; the old one ends after the overlap, and its period is shortened', async () => {
    const token = site.addToken('jdoe', 'ci', { days: 10 });
    const response = await regen(token.id, { revoke_sessions: false, overlap_duration: '0s', new_duration: 7 });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.token).not.toBe(token.signinToken);
    expect(body.consumer.auth_consumer_user).not.toHaveProperty('groups');
    expect(body.consumer.validity_periods).toHaveLength(2);
    expect(body.consumer.validity_periods[0].duration).toBe(7 * 86_400_000_000_000);
    expect(body.consumer.validity_periods[1].duration).toBeLessThan(60_000_000_000);
    expect((await signinWith(token.signinToken)).status).toBe(403);
    expect((await signinWith(body.token)).status).toBe(200);
  });

  it('keeps the old token through the overlap, uses 30 days without new_duration, and can end sessions', async () => {
    const token = site.addToken('jdoe', 'ci', { scopes: ['User'] });
    const session = (await (await signinWith(token.signinToken)).json()).token as string;
    const bearer = { Authorization: `Bearer ${session}` };
    expect((await call(`${API}/auth/me`, { headers: bearer })).status).toBe(200);
    const body = await (await regen(token.id, { overlap_duration: '1h', revoke_sessions: true })).json();
    expect(body.consumer.validity_periods[0].duration).toBe(30 * 86_400_000_000_000);
    expect((await signinWith(token.signinToken)).status).toBe(200);
    await expectCdsError(await call(`${API}/auth/me`, { headers: bearer }), 401, 10);
  });

  it.each([
    ['an unparseable overlap', { overlap_duration: 'soon' }],
    ['an overlap longer than the new duration', { overlap_duration: '25h', new_duration: 1 }],
  ])('refuses %s with 400 invalid duration', async (_, body) => {
    await expectCdsError(await regen(site.addToken('jdoe', 'ci').id, body), 400, 74, 'invalid duration');
  });

  it('refuses an unknown id with 403 id 11', async () => {
    await expectCdsError(await regen('00000000-0000-0000-0000-000000000000', {}), 403, 11);
  });
});

describe('fault injection', () => {
  it('answers with the injected status once, then the site answers', async () => {
    const fault = site.inject({ method: 'POST', path: CONSUMERS, status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' });
    expect((await uiWrite(CONSUMERS, 'POST', createBody('x'))).status).toBe(502);
    expect(site.tokens('jdoe')).toEqual([]);
    expect((await uiWrite(CONSUMERS, 'POST', createBody('x'))).status).toBe(201);
    expect(fault.hits).toBe(1);
  });
});

describe('demo', () => {
  it('describes the site for npm start, and verifies a sign-in token on its own', async () => {
    expect(demo).toMatchObject({ id: 'cds', name: 'CDS', port: 4302, signInPath: '/auth/signin' });
    for (const login of demo.logins) expect(await signIn(site, login.user, login.password)).toMatch(/^jwt_token=/);
    const other = await demo.start(0);
    try {
      const { signinToken } = (other as CdsSite).addToken('jdoe', 'demo');
      expect(await demo.verify(other.origin, signinToken)).toBe('jdoe (POST /cdsapi/auth/consumer/builtin/signin: 200)');
      await expect(demo.verify(other.origin, 'garbage')).rejects.toThrow('answered 403');
    } finally {
      await other.close();
    }
  });
});
