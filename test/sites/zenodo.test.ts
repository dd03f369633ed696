import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demo as demoSite, signIn, startZenodo } from './zenodo.ts';
import type { ZenodoSite } from './zenodo.ts';

const SETTINGS = '/account/settings/applications/';
const NEW_TOKEN = `${SETTINGS}tokens/new/`;
const tokenPage = (id: number | string) => `${SETTINGS}tokens/${id}/`;
const DEMO = 'demo@example.org';
const JANE = 'jane@example.org';

let site: ZenodoSite;
/** demo's Cookie header */
let demo: string;

beforeEach(async () => {
  site = await startZenodo();
  demo = await signIn(site, DEMO, 'demo123');
});
afterEach(() => site.close());

/** A page request as a browser tab makes it, never following redirects; demo's session unless told otherwise. */
function get(path: string, cookie = demo, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(site.origin + path, { redirect: 'manual', headers: { ...(cookie && { Cookie: cookie }), ...headers } });
}

function post(path: string, form: [string, string][], cookie = demo): Promise<Response> {
  return fetch(site.origin + path, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...(cookie && { Cookie: cookie }), 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}

/** The csrf_token of a page's form. */
async function csrfOf(path: string, cookie = demo): Promise<string> {
  const body = await (await get(path, cookie)).text();
  const value = /<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">/.exec(body)?.[1];
  if (!value) throw new Error(`no csrf_token on ${path}`);
  return value;
}

async function create(name: string, scopes: string[] = [], cookie = demo): Promise<Response> {
  const csrf = await csrfOf(NEW_TOKEN, cookie);
  return post(NEW_TOKEN, [['name', name], ...scopes.map((s): [string, string] => ['scopes', s]), ['csrf_token', csrf]], cookie);
}

const codeOf = (body: string) => /<code class="word-break-all">([^<]*)<\/code>/.exec(body)?.[1];

describe('sign-in', () => {
  it('serves a login form with labelled Email and Password fields and a Sign in button', async () => {
    const response = await get('/login/?next=%2Faccount%2Fsettings%2Fapplications%2F', '');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const body = await response.text();
    expect(body).toContain('<label for="email">Email</label> <input id="email" name="email" type="email"');
    expect(body).toContain('<label for="password">Password</label> <input id="password" name="password" type="password"');
    expect(body).toContain('<button type="submit" class="ui primary button">Sign in</button>');
    expect(body).toContain('action="/login/?next=%2Faccount%2Fsettings%2Fapplications%2F"');
  });

  it('signs in with an HttpOnly, SameSite=Lax, 5-day session cookie and redirects to next', async () => {
    const response = await post('/login/?next=%2Faccount%2Fsettings%2Fapplications%2F', [['email', JANE], ['password', 'jane123']], '');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(SETTINGS);
    expect(response.headers.getSetCookie()).toEqual([expect.stringMatching(/^session=[\w-]{40,}; Path=\/; Max-Age=432000; HttpOnly; SameSite=Lax$/)]);
  });

  it('answers a wrong password with the form again, an alert and no cookie', async () => {
    const response = await post('/login/?next=%2F', [['email', DEMO], ['password', 'wrong']], '');
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(await response.text()).toContain('role="alert"><p>Invalid email or password.</p>');
  });

  it('takes a form posted with Origin: null, and never redirects off the site', async () => {
    const response = await fetch(`${site.origin}/login/?next=%2F%2Fevil.example%2F`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: 'null', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: DEMO, password: 'demo123' }).toString(),
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/');
  });

  it('logs out on /logout/: the session no longer opens the settings', async () => {
    expect((await get(SETTINGS)).status).toBe(200);
    const out = await get('/logout/');
    expect(out.headers.getSetCookie()).toEqual([expect.stringContaining('Max-Age=0')]);
    expect((await get(SETTINGS)).status).toBe(302);
  });

  it('describes itself for npm start', () => {
    expect(demoSite).toMatchObject({ id: 'zenodo', name: 'Zenodo', port: 4304, signInPath: '/login/?next=%2Faccount%2Fsettings%2Fapplications%2F' });
    expect(demoSite.logins[0]).toEqual({ user: DEMO, password: 'demo123' });
  });
});

describe('settings pages without a session', () => {
  it.each([
    ['GET', SETTINGS],
    ['GET', NEW_TOKEN],
    ['POST', NEW_TOKEN],
    ['GET', tokenPage(41)],
    ['POST', tokenPage(41)],
  ])('%s %s → 302 to /login/?next=<path>', async (method, path) => {
    const response = method === 'GET' ? await get(path, '') : await post(path, [['delete', '']], '');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`/login/?next=${encodeURIComponent(path)}`);
  });

  it('a settings URL without its trailing slash is redirected to it (308)', async () => {
    const response = await get('/account/settings/applications/tokens/new');
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe(NEW_TOKEN);
  });
});

describe('new-token form', () => {
  it('has the name input, the three scopes in order, and a dot-separated base64url csrf_token', async () => {
    const response = await get(NEW_TOKEN);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('<input id="name" name="name" type="text" value="" maxlength="40" required autofocus>');
    const scopes = [...body.matchAll(/<input id="scopes-([^"]+)" name="scopes" value="([^"]+)" type="checkbox">/g)];
    expect(scopes.map((m) => [m[1], m[2]])).toEqual([
      ['deposit:actions', 'deposit:actions'],
      ['deposit:write', 'deposit:write'],
      ['user:email', 'user:email'],
    ]);
    expect(body).toContain('<label for="scopes-deposit:write">deposit:write <small class="block">');
    expect(body).not.toMatch(/tokens:generate|webhooks:event/);
    expect(await csrfOf(NEW_TOKEN)).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });
});

describe('create', () => {
  it('302s to the token page, which shows the 60-character secret once, then a warning', async () => {
    const response = await create('my-token', ['deposit:write', 'deposit:actions']);
    expect(response.status).toBe(302);
    const location = response.headers.get('location') ?? '';
    expect(location).toMatch(/^\/account\/settings\/applications\/tokens\/(\d+)\/$/);
    const [token] = site.tokens(DEMO);
    expect(token).toMatchObject({ name: 'my-token', scopes: ['deposit:write', 'deposit:actions'] });
    expect(token?.accessToken).toMatch(/^[A-Za-z0-9]{60}$/);
    expect(location).toBe(tokenPage(token!.id));

    const first = await (await get(location)).text();
    expect(codeOf(first)).toBe(token?.accessToken);
    expect(first).toContain('<h2 class="ui tiny header inline-block m-0">my-token</h2>');
    expect(first).toContain('<input id="scopes-deposit:write" name="scopes" value="deposit:write" type="checkbox" checked>');
    expect(first).toContain('<input id="scopes-user:email" name="scopes" value="user:email" type="checkbox">');
    expect(first).toContain('<button type="submit" name="delete"');

    const later = await (await get(location)).text();
    expect(codeOf(later)).toBeUndefined();
    expect(later).not.toContain(token!.accessToken);
    expect(later).toContain('<p class="ui warning message">');
  });

  it('the shown-once flag is not tied to the id: any token page read first clears it', async () => {
    const older = site.addToken(DEMO, 'older');
    const response = await create('newer');
    expect(codeOf(await (await get(tokenPage(older.id))).text())).toBe(older.accessToken);
    expect(codeOf(await (await get(response.headers.get('location') ?? '')).text())).toBeUndefined();
  });

  it.each([
    ['a missing csrf_token', () => [['name', 'x']] as [string, string][]],
    ['a tampered csrf_token', (csrf: string) => [['name', 'x'], ['csrf_token', `${csrf.slice(0, -2)}AA`]] as [string, string][]],
    ['an internal scope', (csrf: string) => [['name', 'x'], ['scopes', 'tokens:generate'], ['csrf_token', csrf]] as [string, string][]],
    ['an unknown scope', (csrf: string) => [['name', 'x'], ['scopes', 'deposit:read'], ['csrf_token', csrf]] as [string, string][]],
  ])('%s: the form again, 200, with no error label', async (_, fields) => {
    const response = await post(NEW_TOKEN, fields(await csrfOf(NEW_TOKEN)));
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toContain('<input id="csrf_token" name="csrf_token"');
    expect(body).not.toContain('red basic label');
    expect(site.tokens(DEMO)).toEqual([]);
  });

  it("refuses another session's csrf_token, and every token after expireCsrfTokens()", async () => {
    const jane = await signIn(site, JANE, 'jane123');
    const janes = await csrfOf(NEW_TOKEN, jane);
    expect((await post(NEW_TOKEN, [['name', 'x'], ['csrf_token', janes]])).status).toBe(200);
    const mine = await csrfOf(NEW_TOKEN);
    site.expireCsrfTokens();
    expect((await post(NEW_TOKEN, [['name', 'x'], ['csrf_token', mine]])).status).toBe(200);
    expect((await create('fresh-form')).status).toBe(302);
    expect(site.tokens(DEMO).map((t) => t.name)).toEqual(['fresh-form']);
  });

  it.each([
    ['empty', '', 'This field is required.'],
    ['whitespace only', '   ', 'This field is required.'],
    ['41 characters', 'x'.repeat(41), 'Field cannot be longer than 40 characters.'],
  ])('a name that is %s: the form again with the red label after a stray -->', async (_, name, message) => {
    const response = await create(name);
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toMatch(new RegExp(`-->\\s*<div class="ui pointing red basic label"><p>${message}</p></div>`));
    expect(site.tokens(DEMO)).toEqual([]);
  });

  it('takes 40 characters, repeated names, and no scopes', async () => {
    expect((await create('y'.repeat(40))).status).toBe(302);
    expect((await create('same')).status).toBe(302);
    expect((await create('same')).status).toBe(302);
    expect(site.tokens(DEMO).map((t) => [t.name, t.scopes])).toEqual([
      ['y'.repeat(40), []],
      ['same', []],
      ['same', []],
    ]);
  });
});

describe('token list', () => {
  it('links each personal token, with its scopes before the br; other panels use other paths', async () => {
    const a = site.addToken(DEMO, 'a & <b>', ['deposit:actions', 'deposit:write']);
    const b = site.addToken(DEMO, 'no-scope-token');
    site.addToken(JANE, 'not-mine');
    const body = await (await get(SETTINGS)).text();
    expect(body).toContain(
      `<a href="${tokenPage(a.id)}">a &amp; &lt;b&gt;</a> &mdash;\n      <small class="text-muted">deposit:actions, deposit:write</small><br/><small class="text-muted"></small>`,
    );
    expect(body).toContain(`<a href="${tokenPage(b.id)}">no-scope-token</a><br/><small class="text-muted"></small>`);
    expect(body).not.toContain('not-mine');
    expect(body).toContain(`href="${SETTINGS}tokens/7/view/"`);
    expect(body).toContain(`href="${SETTINGS}tokens/7/revoke/"`);
    expect(body).toContain(`href="${SETTINGS}clients/3/"`);
    expect(body).toContain(`href="${NEW_TOKEN}"`);
  });

  it('an empty list is a sentence, not a ul', async () => {
    const body = await (await get(SETTINGS)).text();
    expect(body).toContain('You have not created any personal access tokens.');
    expect(body).not.toContain('no-style-list no-border');
  });
});

describe('token page: delete and rename', () => {
  it('delete (any value, no CSRF check) → 302 to the list; the token is gone and its page 404', async () => {
    const token = site.addToken(DEMO, 'doomed');
    const response = await post(tokenPage(token.id), [['delete', '']]);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(SETTINGS);
    expect(site.tokens(DEMO)).toEqual([]);
    expect((await get(tokenPage(token.id))).status).toBe(404);
    expect((await post(tokenPage(token.id), [['delete', '']])).status).toBe(404);
  });

  it("another user's token id, or an unknown one, is a 404 HTML page", async () => {
    const janes = site.addToken(JANE, 'janes');
    for (const response of [await get(tokenPage(janes.id)), await post(tokenPage(janes.id), [['delete', '']]), await get(tokenPage(999))]) {
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    }
    expect(site.tokens(JANE)).toHaveLength(1);
  });

  it("/view/ and /revoke/ are 404 for a personal token's id", async () => {
    const token = site.addToken(DEMO, 'pat');
    expect((await get(`${tokenPage(token.id)}view/`)).status).toBe(404);
    expect((await get(`${tokenPage(token.id)}revoke/`)).status).toBe(404);
  });

  it('rename with save: 200, the page again, the name changed and the stored scopes kept', async () => {
    const token = site.addToken(DEMO, 'before', ['deposit:write']);
    const csrf = await csrfOf(tokenPage(token.id));
    const response = await post(tokenPage(token.id), [['name', 'after'], ['scopes', 'user:email'], ['csrf_token', csrf], ['save', '']]);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('value="after"');
    expect(site.tokens(DEMO).map((t) => [t.name, t.scopes])).toEqual([['after', ['deposit:write']]]);
  });
});

describe('/api/me', () => {
  const me = (headers: Record<string, string>, query = '') =>
    fetch(`${site.origin}/api/me${query}`, { headers: { Accept: 'application/json', ...headers } });

  it('answers a personal token as Bearer, without cookies, with the account', async () => {
    const token = site.addToken(JANE, 'api');
    const response = await me({ Authorization: `Bearer ${token.accessToken}` });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ id: 2, email: JANE, confirmed_at: expect.any(String), last_login_at: expect.any(String), roles: [] });
    expect((await me({}, `?access_token=${token.accessToken}`)).status).toBe(200);
  });

  it('answers the session cookie alone, and a bad token beside it (the session wins)', async () => {
    expect(((await (await me({ Cookie: demo })).json()) as { email: string }).email).toBe(DEMO);
    expect((await me({ Cookie: demo, Authorization: 'Bearer nope' })).status).toBe(200);
  });

  it.each([
    ['no credential', {}],
    ['a bad token', { Authorization: 'Bearer AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIjKlMnOpQrStUvWx' }],
  ])('answers %s with 401 {status, message}', async (_, headers) => {
    const response = await me(headers);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ status: 401, message: expect.stringContaining('could not verify') });
  });

  it('a deleted token no longer works', async () => {
    const token = site.addToken(DEMO, 'short-lived');
    await post(tokenPage(token.id), [['delete', '']]);
    expect((await me({ Authorization: `Bearer ${token.accessToken}` })).status).toBe(401);
  });

  it('the depositions list needs auth as well (the fallback check)', async () => {
    const token = site.addToken(DEMO, 'api');
    const list = (headers: Record<string, string>) => fetch(`${site.origin}/api/deposit/depositions?size=1`, { headers });
    expect((await list({ Authorization: `Bearer ${token.accessToken}` })).status).toBe(200);
    expect((await list({ Authorization: 'Bearer nope' })).status).toBe(401);
  });
});

describe('fault injection and request log', () => {
  it('an injected answer replaces the site once, and the request is logged with its form body', async () => {
    const fault = site.inject({ method: 'POST', path: NEW_TOKEN, status: 429, headers: { 'retry-after': '30' } });
    site.clearRequests();
    const refused = await create('limited');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(site.tokens(DEMO)).toEqual([]);
    expect((await create('limited')).status).toBe(302);
    expect(fault.hits).toBe(1);
    const posts = site.requests().filter((r) => r.method === 'POST');
    expect(posts.map((r) => new URLSearchParams(r.body).get('name'))).toEqual(['limited', 'limited']);
  });
});
