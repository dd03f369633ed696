import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonCaller } from './form-sign-in.ts';
import { SESSION_COOKIE, demo, signIn, startNextcloud } from './nextcloud.ts';
import type { NextcloudSite } from './nextcloud.ts';

const AUTH_TOKENS = '/index.php/settings/personal/authtokens';
const OCS_USER = '/ocs/v2.php/cloud/user?format=json';

let site: NextcloudSite;
let jane: string;

beforeEach(async () => {
  site = await startNextcloud();
  jane = await signIn(site, 'jane', 'jane123');
});
afterEach(() => site.close());

const call = jsonCaller(() => site.origin, () => jane);

/** The session's request token, as Nextcloud's scripts fetch it afresh. */
async function requestToken(cookie = jane): Promise<string> {
  const response = await call('/index.php/csrftoken', { cookie });
  expect(response.status).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

async function create(name: string, cookie = jane): Promise<Response> {
  return call(AUTH_TOKENS, { method: 'POST', cookie, body: { name }, headers: { requesttoken: await requestToken(cookie) } });
}

async function created(name = 'cli'): Promise<{ token: string; loginName: string; deviceToken: { id: number; name: string } }> {
  const response = await create(name);
  expect(response.status).toBe(200);
  return (await response.json()) as { token: string; loginName: string; deviceToken: { id: number; name: string } };
}

describe('sign-in', () => {
  it('the login page starts a session and carries its request token; a post without it is sent back', async () => {
    const page = await fetch(`${site.origin}/login`);
    const cookies = page.headers.getSetCookie().map((c) => c.split('=')[0]);
    expect(cookies).toEqual([SESSION_COOKIE, 'oc_sessionPassphrase', 'nc_sameSiteCookielax', 'nc_sameSiteCookiestrict']);
    expect(page.headers.getSetCookie()[3]).toContain('SameSite=Strict');
    const text = await page.text();
    const token = /data-requesttoken="([^"]+)"/.exec(text)?.[1];
    expect(text).toContain(`name="requesttoken" value="${token}"`);
    const forged = await fetch(`${site.origin}/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ user: 'jane', password: 'jane123' }) });
    expect(forged.headers.get('location')).toBe('/login?direct=1&csrf=1');
    await expect(signIn(site, 'jane', 'wrong')).rejects.toThrow('failed: 403');
  });

  it('a signed-out browser is sent to the login page; OCS answers 401 with statuscode 997', async () => {
    expect((await call('/apps/dashboard/', { cookie: '' })).headers.get('location')).toBe('/login?redirect_url=%2Fapps%2Fdashboard%2F');
    const ocs = await call(OCS_USER, { cookie: '', headers: { 'OCS-APIRequest': 'true' } });
    expect(ocs.status).toBe(401);
    expect(await ocs.json()).toMatchObject({ ocs: { meta: { status: 'failure', statuscode: 997, message: 'Current user is not logged in' }, data: [] } });
  });
});

describe('who am I (OCS)', () => {
  it('names the session user, with the OCS-APIRequest header only', async () => {
    const response = await call(OCS_USER, { headers: { 'OCS-APIRequest': 'true' } });
    expect(await response.json()).toMatchObject({ ocs: { meta: { statuscode: 200 }, data: { id: 'jane', displayname: 'Jane Doe', 'display-name': 'Jane Doe' } } });
    expect((await call(OCS_USER)).status).toBe(401);
  });
});

describe('request token', () => {
  it('GET /index.php/csrftoken (and /csrftoken) masks the session secret afresh each time; any masking is accepted', async () => {
    const first = await requestToken();
    expect(first).toMatch(/^[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    const second = ((await (await call('/csrftoken')).json()) as { token: string }).token;
    expect(second).not.toBe(first);
    for (const token of [first, second]) {
      expect((await call(AUTH_TOKENS, { method: 'POST', body: { name: 'x' }, headers: { requesttoken: token } })).status).toBe(200);
    }
  });

  it('403 without the strict same-site cookie; a POST without it is 412 before any token check', async () => {
    const lax = jane.split('; ').filter((c) => !c.startsWith('nc_sameSiteCookiestrict')).join('; ');
    expect((await call('/index.php/csrftoken', { cookie: lax })).status).toBe(403);
    const post = await call(AUTH_TOKENS, { method: 'POST', cookie: lax, body: { name: 'x' }, headers: { requesttoken: await requestToken() } });
    expect(post.status).toBe(412);
    expect(await post.json()).toEqual({ message: 'Strict Cookie has not been found in request' });
  });

  it('a session POST without it, with a wrong one or with another session’s is 412 "CSRF check failed"', async () => {
    const sam = await signIn(site, 'sam', 'sam123');
    const samsToken = await requestToken(sam);
    for (const headers of [{}, { requesttoken: 'nope' }, { requesttoken: samsToken }] as Record<string, string>[]) {
      const response = await call(AUTH_TOKENS, { method: 'POST', body: { name: 'x' }, headers });
      expect(response.status).toBe(412);
      expect(await response.json()).toEqual({ message: 'CSRF check failed' });
    }
    expect(site.appPasswords('jane')).toEqual([]);
  });
});

describe('app passwords', () => {
  it('POST makes one: the password, the login name and the device token', async () => {
    const body = await created('cli');
    expect(body.token).toMatch(/^([a-zA-Z2-9]{5}-){4}[a-zA-Z2-9]{5}$/);
    expect(body.loginName).toBe('jane');
    expect(body.deviceToken).toMatchObject({ id: 40, name: 'cli', type: 1, scope: { filesystem: true }, canDelete: true, canRename: true });
    expect(JSON.stringify(body.deviceToken)).not.toContain(body.token);
    expect(site.appPasswords('jane').map((p) => p.token)).toEqual([body.token]);
  });

  it('cuts a name longer than 128 characters to 120 and an ellipsis', async () => {
    expect((await created('n'.repeat(129))).deviceToken.name).toBe(`${'n'.repeat(120)}…`);
    expect((await created('n'.repeat(128))).deviceToken.name).toBe('n'.repeat(128));
  });

  it('needs a password confirmed in the last 30 minutes (a fresh sign-in counts), checked before the request token', async () => {
    site.expirePasswordConfirmation('jane');
    const response = await create('late');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Password confirmation is required' });
    expect((await call(AUTH_TOKENS, { method: 'POST', body: { name: 'x' } })).status).toBe(403);
    const fresh = await signIn(site, 'jane', 'jane123');
    expect((await create('again', fresh)).status).toBe(200);
  });

  it('signed out: 401 "Current user is not logged in"', async () => {
    const response = await call(AUTH_TOKENS, { method: 'POST', cookie: '', body: { name: 'x' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Current user is not logged in' });
  });

  it('DELETE revokes with the request token; another user’s id or an unknown one is 404', async () => {
    const { token, deviceToken } = await created();
    const sam = await signIn(site, 'sam', 'sam123');
    const foreign = await call(`${AUTH_TOKENS}/${deviceToken.id}`, { method: 'DELETE', cookie: sam, headers: { requesttoken: await requestToken(sam) } });
    expect(foreign.status).toBe(404);
    expect((await call(`${AUTH_TOKENS}/${deviceToken.id}`, { method: 'DELETE' })).status).toBe(412);
    const done = await call(`${AUTH_TOKENS}/${deviceToken.id}`, { method: 'DELETE', headers: { requesttoken: await requestToken() } });
    expect(done.status).toBe(200);
    expect(await done.json()).toEqual([]);
    expect(site.appPasswords('jane')).toEqual([]);
    expect((await call(OCS_USER, { cookie: '', headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
  });
});

describe('using an app password', () => {
  it('Bearer authenticates OCS without a cookie or the OCS header; a wrong one is 401 997', async () => {
    const { token } = await created();
    const response = await call(OCS_USER, { cookie: '', headers: { Authorization: `Bearer ${token}` } });
    expect(await response.json()).toMatchObject({ ocs: { data: { id: 'jane' } } });
    const wrong = await call(OCS_USER, { headers: { Authorization: 'Bearer AAAAA-BBBBB-CCCCC-DDDDD-EEEEE' } });
    expect(wrong.status).toBe(401);
  });

  it('the demo verify uses the app password against the site', async () => {
    expect(await demo.verify(site.origin, (await created()).token)).toBe('jane (GET /ocs/v2.php/cloud/user: 200)');
    await expect(demo.verify(site.origin, 'nope')).rejects.toThrow('401');
  });
});

describe('the harness', () => {
  it('logs requests and injects faults', async () => {
    const token = await requestToken();
    site.clearRequests();
    const fault = site.inject({ method: 'POST', path: AUTH_TOKENS, status: 503, contentType: 'text/html', body: '<h1>Maintenance</h1>' });
    const post = () => call(AUTH_TOKENS, { method: 'POST', body: { name: 'x' }, headers: { requesttoken: token } });
    expect((await post()).status).toBe(503);
    expect((await post()).status).toBe(200);
    expect(fault.hits).toBe(1);
    expect(site.requests().map((r) => [r.method, r.path])).toEqual([['POST', AUTH_TOKENS], ['POST', AUTH_TOKENS]]);
    expect(demo).toMatchObject({ id: 'recipe:nextcloud', name: 'Nextcloud', port: 4308, signInPath: '/login' });
  });
});
