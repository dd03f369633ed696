import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonCaller } from './form-sign-in.ts';
import { CSRF_COOKIE, SESSION_COOKIE, demo, signIn, startSentry } from './sentry.ts';
import type { SentrySite } from './sentry.ts';
import { parseCookies } from './harness.ts';

const JANE = 'jane@example.com';
const TOKENS = '/api/0/api-tokens/';

let site: SentrySite;
let jane: string;
let csrf: string;

beforeEach(async () => {
  site = await startSentry();
  jane = await signIn(site, JANE, 'jane123');
  csrf = parseCookies(jane)[CSRF_COOKIE]!;
});
afterEach(() => site.close());

const call = jsonCaller(() => site.origin, () => jane);

/** What Sentry's settings page does: the session, the `sc` cookie echoed in X-CSRFToken, the site's own Origin. */
const create = (body: unknown, headers: Record<string, string> = { 'X-CSRFToken': csrf, Origin: site.origin }) =>
  call(TOKENS, { method: 'POST', body, headers });

async function created(name = 'ci'): Promise<{ id: string; token: string }> {
  const response = await create({ name, scopes: ['project:read'] });
  expect(response.status).toBe(201);
  return (await response.json()) as { id: string; token: string };
}

describe('sign-in', () => {
  it('the login page sets a readable CSRF cookie and carries the secret masked in the form; both sign in', async () => {
    const response = await fetch(`${site.origin}/auth/login/`);
    const [cookie] = response.headers.getSetCookie();
    expect(cookie).toMatch(new RegExp(`^${CSRF_COOKIE}=[A-Za-z0-9]{32}; Path=/; Max-Age=\\d+; SameSite=Lax$`));
    const secret = cookie!.split(';')[0]!.split('=')[1]!;
    const masked = /name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"/.exec(await response.text())?.[1];
    expect(masked).toBeDefined();
    for (const token of [masked!, secret]) {
      const post = await fetch(`${site.origin}/auth/login/`, {
        method: 'POST',
        redirect: 'manual',
        headers: { Cookie: `${CSRF_COOKIE}=${secret}` },
        body: new URLSearchParams({ csrfmiddlewaretoken: token, username: JANE, password: 'jane123' }),
      });
      expect(post.status).toBe(302);
    }
  });

  it('sets an HttpOnly session and rotates the CSRF cookie; a form without the token is refused', async () => {
    expect(jane).toMatch(new RegExp(`^${SESSION_COOKIE}=[\\w-]+; ${CSRF_COOKIE}=[\\w-]+$`));
    const forged = await fetch(`${site.origin}/auth/login/`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ username: JANE, password: 'jane123' }) });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('CSRF verification failed');
    await expect(signIn(site, JANE, 'wrong')).rejects.toThrow('failed: 200');
  });

  it('a signed-out browser is sent to the login page; the API answers 401 JSON', async () => {
    expect((await call('/', { cookie: '' })).headers.get('location')).toBe('/auth/login/');
    const me = await call('/api/0/users/me/', { cookie: '' });
    expect(me.status).toBe(401);
    expect(await me.json()).toEqual({ detail: 'Authentication credentials were not provided.' });
  });
});

describe('who am I', () => {
  it('/api/0/users/me/ names the session user', async () => {
    const me = (await (await call('/api/0/users/me/')).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ id: '1', name: 'Jane Doe', username: JANE, isSuperuser: false, hasPasswordAuth: true });
  });
});

describe('CSRF on the token endpoint', () => {
  it('refuses a session POST without the cookie, without the header, with a wrong one, or from another Origin', async () => {
    const reasons = [
      [{ 'X-CSRFToken': csrf, Origin: site.origin }, `${SESSION_COOKIE}=${parseCookies(jane)[SESSION_COOKIE]}`, 'CSRF Failed: CSRF cookie not set.'],
      [{ Origin: site.origin }, jane, 'CSRF Failed: CSRF token missing.'],
      [{ 'X-CSRFToken': 'nope', Origin: site.origin }, jane, 'CSRF Failed: CSRF token incorrect.'],
      [{ 'X-CSRFToken': csrf, Origin: 'http://evil.example' }, jane, 'CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins.'],
    ] as const;
    for (const [headers, cookie, reason] of reasons) {
      const response = await call(TOKENS, { method: 'POST', cookie, headers, body: { scopes: ['project:read'] } });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ detail: reason });
    }
    expect(site.tokens(JANE)).toEqual([]);
  });

  it('a CSRF cookie from before the sign-in no longer matches', async () => {
    const before = (await fetch(`${site.origin}/auth/login/`)).headers.getSetCookie()[0]!.split(';')[0]!.split('=')[1]!;
    const response = await create({ scopes: ['project:read'] }, { 'X-CSRFToken': before, Origin: site.origin });
    expect(response.status).toBe(403);
  });
});

describe('user auth tokens', () => {
  it('POST makes a token and shows its secret once; the list never shows it', async () => {
    const response = await create({ name: 'ci', scopes: ['project:read', 'event:read'] });
    expect(response.status).toBe(201);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: '1', name: 'ci', scopes: ['project:read', 'event:read'], expiresAt: null, application: null });
    expect(body.token).toMatch(/^sntryu_[0-9a-f]{64}$/);
    expect(body.tokenLastCharacters).toBe((body.token as string).slice(-4));

    const list = (await (await call(TOKENS)).json()) as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: '1', name: 'ci', dateCreated: expect.any(String) });
    expect(list[0]).not.toHaveProperty('token');
    expect(site.tokens(JANE).map((t) => t.token)).toEqual([body.token]);
  });

  it('validates scopes like the serializer: required, and each from SENTRY_SCOPES', async () => {
    const missing = await create({ name: 'x' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ scopes: ['This field is required.'] });
    const bad = await create({ scopes: ['repo'] });
    expect(await bad.json()).toEqual({ scopes: ['"repo" is not a valid choice.'] });
    expect(site.tokens(JANE)).toEqual([]);
  });

  it('takes no token for its own management: a Bearer is refused on the list', async () => {
    const { token } = await created();
    expect((await call(TOKENS, { cookie: '', headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('DELETE /api/0/api-tokens/{id}/ revokes; an unknown or foreign id is 404 "Invalid token ID"', async () => {
    const { id, token } = await created();
    const sam = await signIn(site, 'sam@example.com', 'sam123');
    const foreign = await call(`${TOKENS}${id}/`, { method: 'DELETE', cookie: sam, headers: { 'X-CSRFToken': parseCookies(sam)[CSRF_COOKIE]!, Origin: site.origin } });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ detail: 'Invalid token ID' });

    const headers = { 'X-CSRFToken': csrf, Origin: site.origin };
    expect((await call(`${TOKENS}${id}/`, { method: 'DELETE', headers })).status).toBe(204);
    expect(site.tokens(JANE)).toEqual([]);
    expect((await fetch(`${site.origin}/api/0/`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    expect((await call(`${TOKENS}${id}/`, { method: 'DELETE', headers })).status).toBe(404);
  });
});

describe('using a token', () => {
  it('the API index names the token user and its scopes; /users/me/ needs a scope a token never has', async () => {
    const { token } = await created();
    const index = await fetch(`${site.origin}/api/0/`, { headers: { Authorization: `Bearer ${token}` } });
    expect(await index.json()).toMatchObject({ version: '0', auth: { scopes: ['project:read'] }, user: { id: '1', username: JANE } });
    const me = await fetch(`${site.origin}/api/0/users/me/`, { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status).toBe(403);
  });

  it('an unknown token is 401 "Invalid token", even with a valid session beside it', async () => {
    const response = await call('/api/0/', { headers: { Authorization: 'Bearer sntryu_nope' } });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ detail: 'Invalid token' });
  });

  it('the demo verify uses the token against the site', async () => {
    const { token } = await created();
    expect(await demo.verify(site.origin, token)).toBe(`${JANE} (GET /api/0/: 200)`);
    await expect(demo.verify(site.origin, 'garbage')).rejects.toThrow('401');
  });
});

describe('the harness', () => {
  it('logs requests and injects faults', async () => {
    site.clearRequests();
    const fault = site.inject({ method: 'POST', path: TOKENS, status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' });
    expect((await create({ scopes: ['org:read'] })).status).toBe(502);
    expect((await create({ scopes: ['org:read'] })).status).toBe(201);
    expect(fault.hits).toBe(1);
    expect(site.requests().map((r) => [r.method, r.path])).toEqual([['POST', TOKENS], ['POST', TOKENS]]);
    expect(demo).toMatchObject({ id: 'recipe:sentry', name: 'Sentry', port: 4306, signInPath: '/auth/login/' });
  });
});
