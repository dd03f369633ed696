import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonCaller } from './form-sign-in.ts';
import { SESSION_COOKIE, SETTINGS_PAGE, demo, signIn, startGitLab } from './gitlab.ts';
import type { GitLabSite } from './gitlab.ts';

const JANE = 'jane.doe';

let site: GitLabSite;
let jane: string;

beforeEach(async () => {
  site = await startGitLab();
  jane = await signIn(site, JANE, 'jane12345');
});
afterEach(() => site.close());

const call = jsonCaller(() => site.origin, () => jane);

/** The CSRF token of the session, read from the settings page's `<meta name="csrf-token">` as GitLab's scripts do. */
async function pageToken(cookie = jane): Promise<string> {
  const response = await call(SETTINGS_PAGE, { cookie, headers: { Accept: 'text/html' } });
  expect(response.status).toBe(200);
  const token = /<meta name="csrf-token" content="([^"]+)">/.exec(await response.text())?.[1];
  expect(token).toMatch(/^[\w-]{86}$/);
  return token!;
}

const inFuture = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function create(fields: Record<string, unknown>, token?: string): Promise<Response> {
  return call(SETTINGS_PAGE, { method: 'POST', body: { personal_access_token: fields }, headers: token === undefined ? {} : { 'X-CSRF-Token': token } });
}

async function created(name = 'ci', scopes = ['read_api']): Promise<string> {
  const response = await create({ name, scopes, expires_at: inFuture(30) }, await pageToken());
  expect(response.status).toBe(200);
  return ((await response.json()) as { new_token: string }).new_token;
}

describe('sign-in', () => {
  it('a browser gets a session and a CSRF token before signing in; the form needs it', async () => {
    const page = await fetch(`${site.origin}/users/sign_in`);
    expect(page.headers.getSetCookie()[0]).toMatch(new RegExp(`^${SESSION_COOKIE}=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Lax$`));
    const text = await page.text();
    expect(text).toContain('<meta name="csrf-param" content="authenticity_token">');
    expect(text).toMatch(/name="authenticity_token" value="[\w-]{86}"/);
    const forged = await fetch(`${site.origin}/users/sign_in`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ 'user[login]': JANE, 'user[password]': 'jane12345' }) });
    expect(forged.status).toBe(422);
    await expect(signIn(site, JANE, 'wrong')).rejects.toThrow('failed: 200');
  });

  it('masks the CSRF token afresh on every page, each one valid; signing in renews the token', async () => {
    const [first, second] = [await pageToken(), await pageToken()];
    expect(first).not.toBe(second);
    for (const token of [first, second]) expect((await create({ name: 'masked', scopes: ['api'] }, token)).status).toBe(200);

    const page = await fetch(`${site.origin}/users/sign_in`);
    const before = /<meta name="csrf-token" content="([^"]+)">/.exec(await page.text())?.[1] ?? '';
    const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
    const signedIn = await fetch(`${site.origin}/users/sign_in`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Cookie: cookie },
      body: new URLSearchParams({ authenticity_token: before, 'user[login]': 'sam', 'user[password]': 'sam12345' }),
    });
    const session = signedIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const stale = await call(SETTINGS_PAGE, { method: 'POST', cookie: session, body: { personal_access_token: { name: 'x', scopes: ['api'] } }, headers: { 'X-CSRF-Token': before } });
    expect(stale.status).toBe(422);
    const fresh = await call(SETTINGS_PAGE, { method: 'POST', cookie: session, body: { personal_access_token: { name: 'x', scopes: ['api'] } }, headers: { 'X-CSRF-Token': await pageToken(session) } });
    expect(fresh.status).toBe(200);
  });

  it('takes the email address as the login too', async () => {
    expect(await signIn(site, 'sam@example.com', 'sam12345')).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
  });

  it('a signed-out browser is redirected to the sign-in page; the API answers 401 JSON', async () => {
    expect((await call(SETTINGS_PAGE, { cookie: '' })).headers.get('location')).toBe('/users/sign_in');
    const user = await call('/api/v4/user', { cookie: '' });
    expect(user.status).toBe(401);
    expect(await user.json()).toEqual({ message: '401 Unauthorized' });
  });
});

describe('the API with a session', () => {
  it('GET /api/v4/user names the session user', async () => {
    const user = (await (await call('/api/v4/user')).json()) as Record<string, unknown>;
    expect(user).toMatchObject({ id: 2, username: JANE, name: 'Jane Doe', state: 'active', web_url: `${site.origin}/${JANE}` });
  });

  it('takes the session for a DELETE only with the CSRF token', async () => {
    await created();
    const [token] = site.tokens(JANE);
    const bare = await call(`/api/v4/personal_access_tokens/${token!.id}`, { method: 'DELETE' });
    expect(bare.status).toBe(401);
    expect(site.tokens(JANE)[0]!.revoked).toBe(false);
    const withToken = await call(`/api/v4/personal_access_tokens/${token!.id}`, { method: 'DELETE', headers: { 'X-CSRF-Token': await pageToken() } });
    expect(withToken.status).toBe(204);
    expect(site.tokens(JANE)[0]!.revoked).toBe(true);
  });
});

describe('personal access tokens (web UI endpoint)', () => {
  it('POST returns the new token and the active list; the API lists it without the secret', async () => {
    const response = await create({ name: 'ci', scopes: ['read_api', 'read_repository'], expires_at: inFuture(10) }, await pageToken());
    const body = (await response.json()) as { new_token: string; active_access_tokens: { id: number; name: string }[]; total: number };
    expect(body.new_token).toMatch(/^glpat-[\w-]{20}$/);
    expect(body.total).toBe(1);
    expect(body.active_access_tokens[0]).toMatchObject({ name: 'ci', scopes: ['read_api', 'read_repository'], expires_at: inFuture(10) });
    // Listed as GitLab sorts them: the soonest expiry first, the newest first among equals; the new one unmarked.
    const token = await pageToken();
    for (const [name, days] of [['later', 20], ['sooner', 5], ['twin', 5]] as const) await create({ name, scopes: ['api'], expires_at: inFuture(days) }, token);
    const last = (await (await create({ name: 'none', scopes: ['api'] }, token)).json()) as typeof body;
    expect(last.active_access_tokens.map((t) => t.name)).toEqual(['twin', 'sooner', 'ci', 'later', 'none']);

    const list = (await (await call('/api/v4/personal_access_tokens?state=active')).json()) as Record<string, unknown>[];
    expect(list[0]).toEqual(expect.objectContaining({ id: 10, name: 'ci', revoked: false, active: true, user_id: 2, expires_at: inFuture(10) }));
    expect(JSON.stringify(list)).not.toContain(body.new_token);
  });

  it('without or with a wrong CSRF token: 422 and nothing made; signed out: 401', async () => {
    expect((await create({ name: 'x', scopes: ['api'] })).status).toBe(422);
    expect((await create({ name: 'x', scopes: ['api'] }, 'wrong')).status).toBe(422);
    const signedOut = await call(SETTINGS_PAGE, { method: 'POST', cookie: '', body: { personal_access_token: { name: 'x', scopes: ['api'] } } });
    expect(signedOut.status).toBe(401);
    expect(site.tokens(JANE)).toEqual([]);
  });

  it('answers validation failures with 422 {errors}', async () => {
    const token = await pageToken();
    const cases: [Record<string, unknown>, string][] = [
      [{ scopes: ['api'] }, "Name can't be blank"],
      [{ name: 'x', scopes: [] }, "Scopes can't be blank"],
      [{ name: 'x', scopes: ['sudo'] }, 'Scopes can only contain available scopes'],
      [{ name: 'x', scopes: ['api'], expires_at: '2020-01-01' }, 'Expiration date must be in the future'],
    ];
    for (const [fields, error] of cases) {
      const response = await create(fields, token);
      expect(response.status).toBe(422);
      expect(((await response.json()) as { errors: string[] }).errors).toContain(error);
    }
    expect(site.tokens(JANE)).toEqual([]);
  });
});

describe('using a token', () => {
  it('PRIVATE-TOKEN and Bearer both authenticate /api/v4/user', async () => {
    const secret = await created();
    for (const headers of [{ 'PRIVATE-TOKEN': secret }, { Authorization: `Bearer ${secret}` }] as Record<string, string>[]) {
      const response = await call('/api/v4/user', { cookie: '', headers });
      expect(((await response.json()) as { username: string }).username).toBe(JANE);
    }
  });

  it('a token without a user-reading scope gets 403 insufficient_scope', async () => {
    const secret = await created('repo-only', ['read_repository']);
    const response = await call('/api/v4/user', { cookie: '', headers: { 'PRIVATE-TOKEN': secret } });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('a revoked token is refused with 401; another user cannot revoke it', async () => {
    const secret = await created();
    const id = site.tokens(JANE)[0]!.id;
    const sam = await signIn(site, 'sam', 'sam12345');
    const foreign = await call(`/api/v4/personal_access_tokens/${id}`, { method: 'DELETE', cookie: sam, headers: { 'X-CSRF-Token': await pageToken(sam) } });
    expect(foreign.status).toBe(404);
    await call(`/api/v4/personal_access_tokens/${id}`, { method: 'DELETE', headers: { 'X-CSRF-Token': await pageToken() } });
    const response = await call('/api/v4/user', { cookie: '', headers: { 'PRIVATE-TOKEN': secret } });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_token' });
    expect(await (await call('/api/v4/personal_access_tokens?state=active')).json()).toEqual([]);
  });

  it('the demo verify uses the token against the site', async () => {
    expect(await demo.verify(site.origin, await created())).toBe(`${JANE} (GET /api/v4/user: 200)`);
    await expect(demo.verify(site.origin, 'glpat-nope')).rejects.toThrow('401');
  });
});

describe('the harness', () => {
  it('logs requests and injects faults', async () => {
    const token = await pageToken();
    site.clearRequests();
    const fault = site.inject({ method: 'POST', path: SETTINGS_PAGE, status: 500, contentType: 'text/html', body: '<h1>500</h1>' });
    expect((await create({ name: 'a', scopes: ['api'] }, token)).status).toBe(500);
    expect((await create({ name: 'a', scopes: ['api'] }, token)).status).toBe(200);
    expect(fault.hits).toBe(1);
    expect(site.requests().map((r) => [r.method, r.path])).toEqual([['POST', SETTINGS_PAGE], ['POST', SETTINGS_PAGE]]);
    expect(demo).toMatchObject({ id: 'recipe:gitlab', name: 'GitLab', port: 4307, signInPath: '/users/sign_in' });
  });
});
