import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NEVER, demo as demoSite, signIn, startInsightIo } from './insightio.ts';
import type { InsightIoSite } from './insightio.ts';

const JANE = 'userpass@jane@example.com';
const OCTO = 'userpass@octo@example.com';
const PROFILE = '/api/user/profile';
const TOKEN = '/api/token';
const HEX_256 = /^[0-9a-f]{256}$/;

let site: InsightIoSite;
/** jane's Cookie header */
let jane: string;

beforeEach(async () => {
  site = await startInsightIo();
  jane = await signIn(site, 'jane@example.com', 'jane123');
});
afterEach(() => site.close());

/** An API call as the extension makes it: JSON, XHR-marked, with jane's session unless told otherwise. */
function api(
  path: string,
  options: { method?: string; cookie?: string; token?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const { method = 'GET', cookie = jane, token, headers = {}, body } = options;
  return fetch(site.origin + path, {
    method,
    redirect: 'manual',
    headers: {
      Accept: 'application/json',
      'X-Requested-With': 'XMLHttpRequest',
      ...(cookie && { Cookie: cookie }),
      ...(token !== undefined && { 'X-Auth-Token': token }),
      ...headers,
    },
    body,
  });
}

async function mintToken(cookie = jane): Promise<string> {
  const response = await api(TOKEN, { method: 'POST', cookie });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string };
  expect(Object.keys(body)).toEqual(['token']);
  return body.token;
}

const credentialsRequired = async (response: Response) => {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(await response.json()).toEqual({ error: 'Credentials required' });
};

describe('login pages', () => {
  const page = (path: string, init: RequestInit = {}) => fetch(site.origin + path, { redirect: 'manual', ...init });
  const login = (form: Record<string, string>) => page('/login', { method: 'POST', body: new URLSearchParams(form) });

  it('serves a labelled login form that asks for the e-mail address', async () => {
    const response = await page('/login');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await response.text();
    expect(body).toContain('<form method="post" action="/login">');
    expect(body).toContain('<label for="username">Email</label>');
    expect(body).toMatch(/<input id="username" name="username" type="email"/);
    expect(body).toContain('<label for="password">Password</label>');
    expect(body).toMatch(/<input id="password" name="password" type="password"/);
    expect(body).toContain('<button type="submit">Sign in</button>');
  });

  it('signs in with an HttpOnly session cookie `id` for the browser session, and 303 to /', async () => {
    const response = await login({ username: 'octo@example.com', password: 'octo123' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^id=[\w-]{40,}; Path=\/; HttpOnly$/)]);
  });

  it('answers a wrong password with the form again, an alert and 400, and no cookie', async () => {
    const response = await login({ username: 'jane@example.com', password: 'wrong' });
    expect(response.status).toBe(400);
    expect(response.headers.getSetCookie()).toEqual([]);
    const body = await response.text();
    expect(body).toContain('<p role="alert">Wrong email or password.</p>');
    expect(body).toContain('<button type="submit">Sign in</button>');
  });

  it('shows who is signed in on the home page, and a Sign in link otherwise', async () => {
    expect(await (await page('/', { headers: { Cookie: jane } })).text()).toContain('Signed in as Jane Doe (userpass@jane@example.com).');
    expect(await (await page('/')).text()).toContain('<a href="/login">Sign in</a>');
  });

  it('signs out on /logout: the cookie is deleted and the session ends', async () => {
    const response = await page('/logout', { headers: { Cookie: jane } });
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^id=; Path=\/; Max-Age=0; HttpOnly$/)]);
    await credentialsRequired(await api(PROFILE));
  });

  it('answers pages it does not have with Play’s 404 page', async () => {
    const response = await page('/nowhere');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Action Not Found');
  });
});

describe('authentication', () => {
  it('answers the profile to the session cookie', async () => {
    const response = await api(PROFILE);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      uid: JANE,
      display: 'jane',
      name: 'Jane Doe',
      email: 'jane@example.com',
      avatarUrl: 'https://avatars.example.com/u/jane',
    });
  });

  it('answers the profile to X-Auth-Token and to ?token= alone, without cookies', async () => {
    const token = await mintToken();
    expect(await (await api(PROFILE, { cookie: '', token })).json()).toMatchObject({ uid: JANE });
    expect(await (await api(`${PROFILE}?token=${token}`, { cookie: '' })).json()).toMatchObject({ uid: JANE });
  });

  it('without credentials: 401 JSON to a client that accepts JSON, 303 to /login for a browser', async () => {
    await credentialsRequired(await api(PROFILE, { cookie: '' }));
    await credentialsRequired(await api(PROFILE, { cookie: '', token: 'f'.repeat(256) }));
    const browser = await fetch(site.origin + PROFILE, { redirect: 'manual', headers: { Accept: 'text/html' } });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toBe('/login');
  });

  it('lets a token that is not valid fall through to the session cookie, as SecureSocial tries both', async () => {
    const response = await api(PROFILE, { token: 'f'.repeat(256) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ uid: JANE });
  });

  it('sends Play’s security headers', async () => {
    const response = await api(PROFILE);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('tokens', () => {
  it('creates a 256-hex token from the session that works on its own until it is revoked', async () => {
    const token = await mintToken();
    expect(token).toMatch(HEX_256);
    expect(site.tokens(JANE)).toEqual([{ apiToken: token, created: expect.any(Number), lastUsed: expect.any(Number) }]);
    expect((await api(PROFILE, { cookie: '', token })).status).toBe(200);

    const revoked = await api(TOKEN, { method: 'DELETE', cookie: '', token });
    expect(revoked.status).toBe(200);
    expect(await revoked.text()).toBe('');
    expect(site.tokens(JANE)).toEqual([]);
    await credentialsRequired(await api(PROFILE, { cookie: '', token }));
  });

  it('lists full token values with uid, created and lastUsed, to a token and to the session cookie', async () => {
    const first = await mintToken();
    const second = await mintToken();
    const byToken = await api(TOKEN, { cookie: '', token: first });
    expect(byToken.status).toBe(200);
    const listed = (await byToken.json()) as { uid: string; apiToken: string; created: number; lastUsed: number }[];
    expect(listed).toEqual([
      { uid: JANE, apiToken: first, created: expect.any(Number), lastUsed: expect.any(Number) },
      { uid: JANE, apiToken: second, created: expect.any(Number), lastUsed: expect.any(Number) },
    ]);
    expect(listed[0]!.lastUsed).toBeGreaterThanOrEqual(listed[0]!.created);
    expect(await (await api(TOKEN)).json()).toEqual([
      expect.objectContaining({ apiToken: first }),
      expect.objectContaining({ apiToken: second }),
    ]);
  });

  it('records when a token was last used', async () => {
    const [token] = site.addTokens(JANE, 1, 60_000);
    const before = site.tokens(JANE)[0]!;
    expect(before.lastUsed).toBe(before.created);
    await api(PROFILE, { cookie: '', token: token!.apiToken });
    expect(site.tokens(JANE)[0]!.lastUsed).toBeGreaterThan(before.created + 50_000);
  });

  it('keeps each user’s tokens apart', async () => {
    const octo = await signIn(site, 'octo@example.com', 'octo123');
    const janes = await mintToken();
    await mintToken(octo);
    const listed = (await (await api(TOKEN, { cookie: octo })).json()) as { uid: string; apiToken: string }[];
    expect(listed.map((t) => t.uid)).toEqual([OCTO]);
    expect(listed.map((t) => t.apiToken)).not.toContain(janes);
  });

  it('answers DELETE with 200 whether or not the token was valid, and revokes nothing else', async () => {
    const keep = await mintToken();
    for (const token of ['f'.repeat(256), undefined]) {
      const response = await api(TOKEN, { method: 'DELETE', cookie: '', ...(token && { token }) });
      expect(response.status).toBe(200);
    }
    expect(site.tokens(JANE).map((t) => t.apiToken)).toEqual([keep]);
  });

  it('refuses an unsafe cookie request without a CSRF bypass header (Play’s CSRF filter)', async () => {
    const refused = await fetch(site.origin + TOKEN, { method: 'POST', headers: { Accept: 'application/json', Cookie: jane } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await refused.text()).toContain('No CSRF token found in headers');
    expect(site.tokens(JANE)).toEqual([]);

    const nocheck = await fetch(site.origin + TOKEN, { method: 'POST', headers: { Accept: 'application/json', Cookie: jane, 'Csrf-Token': 'nocheck' } });
    expect(nocheck.status).toBe(200);
    // No cookie, no CSRF: a token alone may create and revoke.
    const { token } = (await nocheck.json()) as { token: string };
    const byToken = await fetch(site.origin + TOKEN, { method: 'POST', headers: { Accept: 'application/json', 'X-Auth-Token': token } });
    expect(byToken.status).toBe(200);
    expect(site.tokens(JANE)).toHaveLength(2);
  });

  it('answers a create without credentials with 401 and makes nothing', async () => {
    await credentialsRequired(await api(TOKEN, { method: 'POST', cookie: '' }));
    expect(site.tokens(JANE)).toEqual([]);
  });

  it('has no revoke by id and no legacy paths: Play’s 404 page', async () => {
    const token = await mintToken();
    for (const [method, path] of [['DELETE', `${TOKEN}/${token}`], ['GET', '/api/createApiToken'], ['GET', '/api/getApiTokens']] as const) {
      const response = await api(path, { method });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
    expect(site.tokens(JANE)).toHaveLength(1);
  });
});

describe('credential login (contract §4)', () => {
  const authenticate = (provider: string, form: Record<string, string>) =>
    fetch(`${site.origin}/api/authenticate/${provider}`, { method: 'POST', headers: { Accept: 'application/json' }, body: new URLSearchParams(form) });

  it('answers a token that never expires, which then works', async () => {
    const response = await authenticate('userpass', { username: 'octo@example.com', password: 'octo123' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { token: string; expiresOn: string };
    expect(body).toEqual({ token: expect.stringMatching(HEX_256), expiresOn: NEVER });
    expect(Number.isNaN(new Date(body.expiresOn).getTime())).toBe(true); // the quirk of contract §5
    expect(await (await api(PROFILE, { cookie: '', token: body.token })).json()).toMatchObject({ uid: OCTO });
  });

  it('400 Invalid credentials for a wrong password; 404 with an empty body for an unknown provider', async () => {
    const wrong = await authenticate('userpass', { username: 'octo@example.com', password: 'nope' });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ error: 'Invalid credentials' });
    const unknown = await authenticate('myspace', {});
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('');
  });
});

describe('an older deployment (legacy: true)', () => {
  let old: InsightIoSite;
  let cookie: string;
  beforeEach(async () => {
    old = await startInsightIo({ legacy: true });
    cookie = await signIn(old, 'jane@example.com', 'jane123');
  });
  afterEach(() => old.close());
  const call = (path: string, init: { method?: string; headers?: Record<string, string> } = {}) =>
    fetch(old.origin + path, { method: init.method ?? 'GET', redirect: 'manual', headers: { Accept: 'application/json', ...init.headers } });

  it('creates, lists and revokes on the RPC-style paths', async () => {
    const created = await call('/api/createApiToken', { headers: { Cookie: cookie } });
    const { token } = (await created.json()) as { token: string };
    expect(token).toMatch(HEX_256);
    const listed = await call('/api/getApiTokens', { headers: { 'X-Auth-Token': token } });
    expect(await listed.json()).toEqual([expect.objectContaining({ uid: JANE, apiToken: token })]);
    expect((await call('/api/revokeApiToken', { headers: { 'X-Auth-Token': token } })).status).toBe(200);
    expect(old.tokens(JANE)).toEqual([]);
  });

  it('has no /api/token', async () => {
    for (const method of ['POST', 'GET', 'DELETE']) {
      expect((await call(TOKEN, { method, headers: { Cookie: cookie, 'X-Requested-With': 'XMLHttpRequest' } })).status).toBe(404);
    }
    expect(old.tokens(JANE)).toEqual([]);
  });
});

describe('fault injection, request log and inspection', () => {
  it('answers with an injected fault once, then as itself', async () => {
    const fault = site.inject({ method: 'POST', path: TOKEN, status: 500, contentType: 'text/html', body: '<h1>Oops</h1>' });
    expect((await api(TOKEN, { method: 'POST' })).status).toBe(500);
    expect(site.tokens(JANE)).toEqual([]);
    expect((await api(TOKEN, { method: 'POST' })).status).toBe(200);
    expect(fault.hits).toBe(1);
  });

  it('logs requests with their headers', async () => {
    site.clearRequests();
    await api(PROFILE, { token: 'abc' });
    expect(site.requests()).toEqual([expect.objectContaining({ method: 'GET', path: PROFILE, headers: expect.objectContaining({ 'x-auth-token': 'abc' }) })]);
  });

  it('seeds tokens of a given age and hands out copies', async () => {
    const seeded = site.addTokens(OCTO, 2, 3_600_000);
    expect(seeded.map((t) => t.apiToken)).toEqual(site.tokens(OCTO).map((t) => t.apiToken));
    expect(Date.now() - seeded[0]!.created).toBeGreaterThanOrEqual(3_600_000);
    site.tokens(OCTO)[0]!.apiToken = 'changed';
    expect(site.tokens(OCTO)[0]!.apiToken).toMatch(HEX_256);
    expect(() => site.tokens('nobody')).toThrow(/no user nobody/);
  });
});

describe('demo', () => {
  it('describes the site for npm start, and verifies a token against it', async () => {
    expect(demoSite).toMatchObject({ id: 'insightio', name: 'Insight.io', port: 4305, signInPath: '/login' });
    const token = await mintToken();
    expect(await demoSite.verify(site.origin, token)).toBe(`${JANE} (GET /api/user/profile: 200)`);
    await expect(demoSite.verify(site.origin, 'f'.repeat(256))).rejects.toThrow(/answered 401/);
    for (const login of demoSite.logins) await expect(signIn(site, login.user, login.password)).resolves.toMatch(/^id=/);
  });
});
