import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo, signIn, startFrappe } from './frappe.ts';
import type { FrappeSite } from './frappe.ts';
import { cookieHeader } from './harness.ts';

const WHO_AM_I = '/api/method/frappe.auth.get_logged_user';
const GENERATE = '/api/method/frappe.core.doctype.user.user.generate_keys';
const GENERATE_2026 = '/api/method/frappe.core.api.auth.generate_api_keys';
const JANE = 'jane@example.com';
const SAM = 'sam@example.com';
const VICTOR = 'victor@example.com';

let site: FrappeSite;
/** jane's Cookie header (a script login: no CSRF token until the desk is opened) */
let jane: string;

beforeEach(async () => {
  site = await startFrappe();
  jane = await signIn(site, JANE, 'jane123');
});
afterEach(() => site.close());

function call(
  path: string,
  options: { method?: string; cookie?: string; headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Response> {
  const { method = 'GET', cookie = jane, headers = {}, form } = options;
  return fetch(site.origin + path, {
    method,
    redirect: 'manual',
    headers: { Accept: 'application/json', ...(cookie && { Cookie: cookie }), ...headers },
    body: form && new URLSearchParams(form),
  });
}

/** Opens the desk for the session and returns the CSRF token it carries. */
async function deskToken(cookie = jane): Promise<string> {
  const response = await call('/app', { cookie, headers: { Accept: 'text/html' } });
  expect(response.status).toBe(200);
  const token = /frappe\.csrf_token = "([^"]+)"/.exec(await response.text())?.[1];
  expect(token).toMatch(/^[0-9a-f]{56}$/);
  return token!;
}

function generate(user: string, cookie = jane, token?: string, path = GENERATE): Promise<Response> {
  return call(path, { method: 'POST', cookie, form: { user }, headers: token ? { 'X-Frappe-CSRF-Token': token } : {} });
}

/** Checks Frappe's v1 error body and returns its first server message. */
async function expectFrappeError(response: Response, status: number, excType: string): Promise<string> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json');
  const body = (await response.json()) as { exc_type: string; _server_messages: string };
  expect(body.exc_type).toBe(excType);
  const [first] = (JSON.parse(body._server_messages) as string[]).map((item) => JSON.parse(item) as Record<string, unknown>);
  expect(first).toMatchObject({ message: expect.any(String), indicator: 'red', raise_exception: 1 });
  return first!.message as string;
}

describe('session and identity', () => {
  it('logs in with usr/pwd: the contract’s answer and cookies with their flags', async () => {
    const response = await fetch(`${site.origin}/api/method/login`, { method: 'POST', body: new URLSearchParams({ usr: SAM, pwd: 'sam123' }) });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ message: 'Logged In', home_page: '/app', full_name: 'Sam Keyholder' });
    const cookies = response.headers.getSetCookie();
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['sid', 'system_user', 'full_name', 'user_id', 'user_image']);
    expect(cookies[0]).toMatch(/^sid=[0-9a-f]{56}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookies.slice(1).every((c) => !c.includes('HttpOnly'))).toBe(true);
    expect(cookies).toContain('user_id=sam%40example.com; Path=/; SameSite=Lax');
    expect(cookies).toContain('system_user=yes; Path=/; SameSite=Lax');
  });

  it('answers bad credentials with 401 AuthenticationError and no session', async () => {
    const response = await fetch(`${site.origin}/api/method/login`, { method: 'POST', body: new URLSearchParams({ usr: JANE, pwd: 'nope' }) });
    await expectFrappeError(response, 401, 'AuthenticationError');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('says who is logged in; a Guest gets 403 PermissionError, not 401', async () => {
    const me = await call(WHO_AM_I);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ message: JANE });
    await expectFrappeError(await call(WHO_AM_I, { cookie: '' }), 403, 'PermissionError');
    await expectFrappeError(await call(WHO_AM_I, { cookie: 'sid=forged' }), 403, 'PermissionError');
  });

  it('marks a portal user system_user=no and sends them to /me', async () => {
    const response = await fetch(`${site.origin}/api/method/login`, { method: 'POST', body: new URLSearchParams({ usr: 'portal@example.com', pwd: 'portal123' }) });
    expect(await response.json()).toMatchObject({ message: 'No App', home_page: '/me' });
    expect(response.headers.getSetCookie()).toContain('system_user=no; Path=/; SameSite=Lax');
  });

  it('logs out by POST on v15 (GET too); on the 2026 line by POST only, and sets sid=Guest', async () => {
    site.setLine('2026');
    await expectFrappeError(await call('/api/method/logout'), 403, 'PermissionError');
    const out = await call('/api/method/logout', { method: 'POST' });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie()[0]).toMatch(/^sid=Guest; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(out.headers.getSetCookie()).toContain('user_id=Guest; Path=/; SameSite=Lax');
    expect((await call(WHO_AM_I)).status).toBe(403);

    site.setLine('v15');
    const sam = await signIn(site, SAM, 'sam123');
    expect((await call('/api/method/logout', { cookie: sam })).status).toBe(200);
    expect((await call(WHO_AM_I, { cookie: sam })).status).toBe(403);
  });
});

describe('login and desk pages', () => {
  const page = (path: string, init: RequestInit = {}) => fetch(site.origin + path, { redirect: 'manual', ...init });

  it('serves a labelled login form (Email, Password, Sign in)', async () => {
    const response = await page('/login?redirect-to=%2Fapp%2Fuser');
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await response.text();
    expect(body).toContain('<label for="login_email">Email</label>');
    expect(body).toMatch(/<input id="login_email" name="usr" type="text"/);
    expect(body).toContain('<label for="login_password">Password</label>');
    expect(body).toMatch(/<input id="login_password" name="pwd" type="password"/);
    expect(body).toContain('<button type="submit">Sign in</button>');
    expect(body).toContain('name="redirect-to" value="/app/user"');
  });

  it('signs in through the form, even posted with Origin: null, and redirects to redirect-to', async () => {
    const response = await page('/login', {
      method: 'POST',
      headers: { Origin: 'null', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ usr: JANE, pwd: 'jane123', 'redirect-to': '/app' }),
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/app');
    expect(await (await call(WHO_AM_I, { cookie: cookieHeader(response) })).json()).toEqual({ message: JANE });
  });

  it('keeps redirect-to on the site, and answers a wrong password with the form and 401', async () => {
    const away = await page('/login', { method: 'POST', body: new URLSearchParams({ usr: JANE, pwd: 'jane123', 'redirect-to': '//evil.example/' }) });
    expect(away.headers.get('location')).toBe('/app');
    const wrong = await page('/login', { method: 'POST', body: new URLSearchParams({ usr: JANE, pwd: 'x' }) });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('<p role="alert">Invalid login credentials</p>');
  });

  it('the desk redirects a Guest to the login page; /desk redirects to /app', async () => {
    const guest = await page('/app');
    expect(guest.status).toBe(302);
    expect(guest.headers.get('location')).toBe('/login?redirect-to=%2Fapp');
    expect((await page('/desk')).headers.get('location')).toBe('/app');
  });

  it('the desk carries frappe.csrf_token right after frappe.boot, the same for the whole session', async () => {
    const response = await call('/app', { headers: { Accept: 'text/html' } });
    const body = await response.text();
    expect(body).toMatch(/frappe\.boot = \{.*\};\n\tfrappe\.csrf_token = "[0-9a-f]{56}";/);
    expect(await deskToken()).toBe(await deskToken());
    expect(await deskToken(await signIn(site, SAM, 'sam123'))).not.toBe(await deskToken());
  });
});

describe('CSRF', () => {
  it('is skipped for a session that never opened the desk (a script login)', async () => {
    expect((await generate(JANE)).status).toBe(200);
  });

  it('once the desk is open: a POST without or with a wrong token is 400 CSRFTokenError, and nothing happens', async () => {
    await deskToken();
    expect(await expectFrappeError(await generate(JANE), 400, 'CSRFTokenError')).toBe('Invalid Request');
    await expectFrappeError(await generate(JANE, jane, 'wrong'), 400, 'CSRFTokenError');
    expect(site.generations(JANE)).toBe(0);
  });

  it('accepts the token as X-Frappe-CSRF-Token or as the csrf_token form field', async () => {
    const token = await deskToken();
    expect((await generate(JANE, jane, token)).status).toBe(200);
    const field = await call(GENERATE, { method: 'POST', form: { user: JANE, csrf_token: token } });
    expect(field.status).toBe(200);
    expect(site.generations(JANE)).toBe(2);
  });

  it('does not ask it of a GET, nor of a request authenticated by a key pair alone', async () => {
    await deskToken();
    expect((await call(WHO_AM_I)).status).toBe(200);
    const keys = site.keys(SAM)!;
    const byKey = await call('/api/method/logout', { method: 'POST', cookie: '', headers: { Authorization: `token ${keys.apiKey}:${keys.apiSecret}` } });
    expect(byKey.status).toBe(200);
  });
});

describe('generate_keys', () => {
  it('v15: POST returns the secret only; the key is created once and read from the User record', async () => {
    const token = await deskToken();
    const first = await generate(JANE, jane, token);
    const { message } = (await first.json()) as { message: Record<string, string> };
    expect(Object.keys(message)).toEqual(['api_secret']);
    expect(message.api_secret).toMatch(/^[0-9a-f]{15}$/);
    const keys = site.keys(JANE)!;
    expect(keys).toEqual({ apiKey: expect.stringMatching(/^[0-9a-f]{15}$/), apiSecret: message.api_secret });

    const record = await call(`/api/resource/User/${encodeURIComponent(JANE)}`);
    const { data } = (await record.json()) as { data: Record<string, unknown> };
    expect(data).toMatchObject({ name: JANE, doctype: 'User', full_name: 'Jane Doe', user_type: 'System User', api_key: keys.apiKey, api_secret: '*'.repeat(15) });
    expect(data.roles).toEqual([expect.objectContaining({ role: 'System Manager', doctype: 'Has Role', parent: JANE })]);

    await generate(JANE, jane, token);
    expect(site.keys(JANE)?.apiKey).toBe(keys.apiKey);
    expect(site.keys(JANE)?.apiSecret).not.toBe(keys.apiSecret);
  });

  it('2026 line: returns key and secret, on the classic path and on the new one', async () => {
    site.setLine('2026');
    const token = await deskToken();
    for (const path of [GENERATE, GENERATE_2026]) {
      const { message } = (await (await generate(JANE, jane, token, path)).json()) as { message: Record<string, string> };
      expect(message).toEqual({ api_key: site.keys(JANE)!.apiKey, api_secret: site.keys(JANE)!.apiSecret });
    }
    expect(site.generations(JANE)).toBe(2);
  });

  it('v15 has no generate_api_keys: 404 DoesNotExistError', async () => {
    await expectFrappeError(await generate(JANE, jane, await deskToken(), GENERATE_2026), 404, 'DoesNotExistError');
  });

  it('refuses GET with 403 PermissionError (POST only from v15)', async () => {
    await expectFrappeError(await call(`${GENERATE}?user=${encodeURIComponent(JANE)}`), 403, 'PermissionError');
    expect(site.generations(JANE)).toBe(0);
  });

  it('every call replaces the secret: the old one stops working at once', async () => {
    const old = site.keys(SAM)!;
    const sam = await signIn(site, SAM, 'sam123');
    const { message } = (await (await generate(SAM, sam, await deskToken(sam))).json()) as { message: { api_secret: string } };
    const asKey = (secret: string) => call(WHO_AM_I, { cookie: '', headers: { Authorization: `token ${old.apiKey}:${secret}` } });
    expect((await asKey(old.apiSecret)).status).toBe(403); // v15: runs as Guest
    expect(await (await asKey(message.api_secret)).json()).toEqual({ message: SAM });
  });

  it('a user without System Manager gets 403 PermissionError, even for their own account', async () => {
    const victor = await signIn(site, VICTOR, 'victor123');
    const message = await expectFrappeError(await generate(VICTOR, victor, await deskToken(victor)), 403, 'PermissionError');
    expect(message).toBe('This action is only allowed for System Manager');
    expect(site.keys(VICTOR)).toBeNull();
  });

  it('a Guest gets 403 PermissionError; an unknown user 404 DoesNotExistError', async () => {
    await expectFrappeError(await generate(JANE, ''), 403, 'PermissionError');
    await expectFrappeError(await generate('nobody@example.com'), 404, 'DoesNotExistError');
  });

  it('saves the User record: its modified timestamp moves on every call', async () => {
    const read = async () => ((await (await call(`/api/resource/User/${encodeURIComponent(JANE)}`)).json()) as { data: { modified: string } }).data.modified;
    const before = await read();
    await generate(JANE);
    const after = await read();
    await generate(JANE);
    expect(new Set([before, after, await read()]).size).toBe(3);
  });
});

describe('User record', () => {
  it('shows level-1 fields to System Managers only; others read their own record without them', async () => {
    const victor = await signIn(site, VICTOR, 'victor123');
    const own = (await (await call(`/api/resource/User/${encodeURIComponent(VICTOR)}`, { cookie: victor })).json()) as { data: Record<string, unknown> };
    expect(own.data).toMatchObject({ name: VICTOR, api_key: null, api_secret: null });
    await expectFrappeError(await call(`/api/resource/User/${encodeURIComponent(SAM)}`, { cookie: victor }), 403, 'PermissionError');
    const sam = (await (await call(`/api/resource/User/${encodeURIComponent(SAM)}`)).json()) as { data: Record<string, unknown> };
    expect(sam.data.api_key).toBe(site.keys(SAM)!.apiKey);
  });

  it('answers frappe.client.get_value for api_key', async () => {
    const query = new URLSearchParams({ doctype: 'User', fieldname: 'api_key', filters: SAM });
    expect(await (await call(`/api/method/frappe.client.get_value?${query}`)).json()).toEqual({ message: { api_key: site.keys(SAM)!.apiKey } });
  });

  it('answers unknown users and methods with 404 DoesNotExistError', async () => {
    await expectFrappeError(await call('/api/resource/User/nobody%40example.com'), 404, 'DoesNotExistError');
    await expectFrappeError(await call('/api/method/frappe.nothing.here'), 404, 'DoesNotExistError');
  });
});

describe('token authentication', () => {
  const asPair = (authorization: string, cookie = '') => call(WHO_AM_I, { cookie, headers: { Authorization: authorization } });

  it('accepts `token key:secret` and Basic base64(key:secret)', async () => {
    const { apiKey, apiSecret } = site.keys(SAM)!;
    expect(await (await asPair(`token ${apiKey}:${apiSecret}`)).json()).toEqual({ message: SAM });
    const basic = Buffer.from(`${apiKey}:${apiSecret}`).toString('base64');
    expect(await (await asPair(`Basic ${basic}`)).json()).toEqual({ message: SAM });
  });

  it('unknown key: 401; wrong secret: Guest (403) on v15, 401 on the 2026 line; bad Basic: 401', async () => {
    const { apiKey } = site.keys(SAM)!;
    await expectFrappeError(await asPair('token 0123456789abcde:0123456789abcde'), 401, 'AuthenticationError');
    await expectFrappeError(await asPair(`token ${apiKey}:0123456789abcde`), 403, 'PermissionError');
    site.setLine('2026');
    await expectFrappeError(await asPair(`token ${apiKey}:0123456789abcde`), 401, 'AuthenticationError');
    await expectFrappeError(await asPair('Basic !!!'), 401, 'InvalidAuthorizationToken');
  });

  it('a valid session wins: the key pair is not even looked at', async () => {
    const response = await asPair('token 0123456789abcde:0123456789abcde', jane);
    expect(await response.json()).toEqual({ message: JANE });
  });
});

describe('state and faults', () => {
  it('seeds Sam with a key pair, nobody else', () => {
    expect(site.keys(SAM)).toEqual({ apiKey: expect.stringMatching(/^[0-9a-f]{15}$/), apiSecret: expect.stringMatching(/^[0-9a-f]{15}$/) });
    expect(site.generations(SAM)).toBe(1);
    for (const user of [JANE, VICTOR, 'Administrator']) expect(site.keys(user)).toBeNull();
  });

  it('logs requests and injects faults through the harness', async () => {
    site.clearRequests();
    const fault = site.inject({ method: 'POST', path: GENERATE, status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' });
    expect((await generate(JANE)).status).toBe(502);
    expect(site.generations(JANE)).toBe(0);
    expect((await generate(JANE)).status).toBe(200);
    expect(fault.hits).toBe(1);
    expect(site.requests().map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', GENERATE, 'user=jane%40example.com'],
      ['POST', GENERATE, 'user=jane%40example.com'],
    ]);
  });

  it('describes itself for npm start', () => {
    expect(demo).toMatchObject({ id: 'frappe', name: 'Frappe', port: 4303, signInPath: '/login?redirect-to=%2Fapp' });
    expect(demo.logins[0].user).toBe(JANE);
  });

  it('the demo verify uses the pair against the site', async () => {
    const { apiKey, apiSecret } = site.keys(SAM)!;
    expect(await demo.verify(site.origin, `${apiKey}:${apiSecret}`)).toContain(SAM);
    await expect(demo.verify(site.origin, `${apiKey}:wrong`)).rejects.toThrow(/403/);
  });
});
