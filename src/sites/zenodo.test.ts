import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SiteError } from '../core/errors.ts';
import type { ErrorCode, UserError } from '../core/errors.ts';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest, PageResponse } from '../core/page-request.ts';
import { captures, lost, useAdapterKit, withTimeoutMs } from '../../test/unit/adapter-test-kit.ts';
import { faultyClient } from '../../test/unit/faulty-client.ts';
import { nodePageClient } from '../../test/unit/node-page-client.ts';
import { signIn as signInGoodData, startGoodData } from '../../test/sites/gooddata.ts';
import { html, json, startSite } from '../../test/sites/harness.ts';
import type { Fault, Reply } from '../../test/sites/harness.ts';
import { signIn, startZenodo } from '../../test/sites/zenodo.ts';
import type { ZenodoSite } from '../../test/sites/zenodo.ts';
import { mintInput, type SiteUser } from './types.ts';
import { decodeEntities, nameErrors, readSecret, readTokenForm, readTokenList, zenodo } from './zenodo.ts';

const PASSWORDS = { 'demo@example.org': 'demo123', 'jane@example.org': 'jane123' } as const;
type Email = keyof typeof PASSWORDS;
const DEMO_EMAIL = 'demo@example.org';
const DEMO: SiteUser = { id: '1', name: DEMO_EMAIL };

const SETTINGS = '/account/settings/applications/';
const NEW_TOKEN = `${SETTINGS}tokens/new/`;
const tokenPage = (id: number | string) => `${SETTINGS}tokens/${id}/`;
const TOKEN_PAGE = /^\/account\/settings\/applications\/tokens\/\d+\/$/;
const NAME = 'tokenmint-20240601-ab12';
const isCreate = (request: PageRequest) => request.method === 'POST' && request.path === NEW_TOKEN;

// ---------------------------------------------------------------------------------------------------------------------
// The secrets check: every access token an answer carried or the site holds, and every error the adapter produced.

const kit = useAdapterKit({
  secretsIn: (body) => captures(body, /<code[^>]*>\s*([A-Za-z0-9]{60})\s*<\/code>/g),
  // Zenodo's own answers are web pages too: the stray one is a proxy's error page, not a sign-in form.
  webPage: { contentType: 'text/html; charset=utf-8', body: '<!doctype html><html><title>Proxy</title><p>Something went wrong.</p></html>' },
});
const { secrets, leaks, watched, failure, webPage, lostAnswers } = kit;

/** A redirect as the browser's in-tab fetch reports it (`redirect: 'manual'`): opaque, status 0, no Location. */
const opaque = (): PageResponse => ({ status: 0, headers: {}, body: '' });

// ---------------------------------------------------------------------------------------------------------------------

describe('zenodo against the emulated site', () => {
  let site: ZenodoSite;

  beforeEach(async () => {
    site = await startZenodo();
  });

  afterEach(async () => {
    for (const email of Object.keys(PASSWORDS)) for (const token of site.tokens(email)) secrets.add(token.accessToken);
    await site.close();
  });

  async function signedInAs(email: Email = DEMO_EMAIL): Promise<PageClient> {
    return watched(nodePageClient(site.origin, await signIn(site, email, PASSWORDS[email])));
  }

  const anonymous = () => watched(nodePageClient(site.origin));
  const sent = (method: string, path: string | RegExp) =>
    site.requests().filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  const creates = () => sent('POST', NEW_TOKEN);
  const names = () => site.tokens(DEMO_EMAIL).map((token) => token.name);
  const mintAs = async (input: Partial<Parameters<typeof mintInput>[0]> = {}) =>
    zenodo.mint(await signedInAs(), DEMO, mintInput({ name: NAME, ...input }));

  /** Runs `after` (as another tab of the same session would) right after the create's answer has arrived. */
  function afterCreate(inner: PageClient, after: (response: PageResponse) => Promise<unknown>, then?: SiteError): PageClient {
    return {
      origin: inner.origin,
      async request(request) {
        const response = await inner.request(request);
        if (!isCreate(request)) return response;
        await after(response);
        if (then) throw then;
        return response;
      },
    };
  }

  /** Another tab reads the new token's page: the shown-once flag is gone before the adapter gets there. */
  const otherTabReads = (client: PageClient) => (response: PageResponse) =>
    client.request({ method: 'GET', path: new URL(response.headers.location ?? '/', site.origin).pathname });

  describe('probe', () => {
    it('reads the signed-in user from /api/me, in one request', async () => {
      expect(await zenodo.probe(await signedInAs('jane@example.org'))).toEqual({
        kind: 'signed-in',
        user: { id: '2', name: 'jane@example.org' },
      });
      expect(kit.exchanges.map((e) => [e.request.path, e.response.status])).toEqual([['/api/me', 200]]);
    });

    it('is signed out on a 401 from /api/me confirmed by the settings redirect to /login', async () => {
      expect(await zenodo.probe(anonymous())).toEqual({ kind: 'signed-out' });
      expect(kit.exchanges.map((e) => [e.request.path, e.response.status])).toEqual([
        ['/api/me', 401],
        [NEW_TOKEN, 302],
      ]);
    });

    it('is signed out when the browser reports the redirect as opaque', async () => {
      const client = faultyClient(anonymous(), (r) => r.path === NEW_TOKEN, { kind: 'rewrite', answer: opaque });
      expect(await zenodo.probe(client)).toEqual({ kind: 'signed-out' });
    });

    it('where /api/me is missing (404), the new-token form shows the session', async () => {
      site.inject({ path: '/api/me', status: 404, contentType: 'text/html', body: '<h1>Not found</h1>', times: Infinity });
      expect(await zenodo.probe(await signedInAs())).toEqual({ kind: 'signed-in', user: { id: 'me', name: 'your Zenodo account' } });
      expect(await zenodo.probe(anonymous())).toEqual({ kind: 'signed-out' }); // Node sees the Location: /login/
    });

    it.each<[string, Omit<Fault, 'path'>]>([
      ['a web page', { status: 200, contentType: 'text/html', body: '<!doctype html><title>Shop</title>' }],
      ['JSON without the account fields', { status: 200, contentType: 'application/json', body: '{"id":1,"email":"a@b.c"}' }],
      ['JSON with a non-numeric id', { status: 200, contentType: 'application/json', body: '{"id":"x","email":"a@b.c","roles":[]}' }],
      ['malformed JSON', { status: 200, contentType: 'application/json', body: '{"id":1,' }],
      ['a 500', { status: 500, body: 'oops' }],
      ['a 401 in another shape', { status: 401, contentType: 'application/json', body: '{"error":"unauthorized"}' }],
    ])('is not this site when /api/me answers with %s', async (_, fault) => {
      const injected = site.inject({ method: 'GET', path: '/api/me', ...fault });
      expect(await zenodo.probe(await signedInAs())).toEqual({ kind: 'not-this-site' });
      expect(injected.hits).toBe(1);
    });

    it('is not this site when the settings page, after a 401, is not redirected nor a token form', async () => {
      site.inject({ path: NEW_TOKEN, status: 404, contentType: 'text/html', body: '<h1>Not found</h1>' });
      expect(await zenodo.probe(anonymous())).toEqual({ kind: 'not-this-site' });
    });

    it('does not take an opaque redirect after a 404 for a Zenodo on an unknown host', async () => {
      site.inject({ path: '/api/me', status: 404, body: 'Not Found' });
      const client = faultyClient(anonymous(), (r) => r.path === NEW_TOKEN, { kind: 'rewrite', answer: opaque });
      expect(await zenodo.probe(client)).toEqual({ kind: 'not-this-site' });
    });

    it('never claims GoodData, signed in or out', async () => {
      const gooddata = await startGoodData();
      try {
        const signedIn = nodePageClient(gooddata.origin, await signInGoodData(gooddata, 'demo', 'demo123'));
        expect(await zenodo.probe(signedIn)).toEqual({ kind: 'not-this-site' });
        expect(await zenodo.probe(nodePageClient(gooddata.origin))).toEqual({ kind: 'not-this-site' });
      } finally {
        await gooddata.close();
      }
    });

    it.each<[string, (path: string) => Reply]>([
      ['a single-page app that serves its index everywhere', () => html(200, '<!doctype html><div id="app"></div>')],
      ['an API whose every path is 401 JSON {status, message}', () => json(401, { status: 401, message: 'Unauthorized' })],
      ['a site that sends strangers to its login', (path) => (path.startsWith('/login') ? html(200, '<form></form>') : { status: 302, headers: { location: '/login?next=/' } })],
      ['a 401 API beside a login redirect elsewhere', (path) => (path.startsWith('/api/') ? json(401, { status: 401, message: 'no' }) : { status: 302, headers: { location: '/signin' } })],
    ])('never claims %s', async (_, answer) => {
      const other = await startSite((req) => answer(req.url.pathname));
      try {
        expect(await zenodo.probe(nodePageClient(other.origin))).toEqual({ kind: 'not-this-site' });
        expect(other.requests().length).toBeLessThanOrEqual(2);
      } finally {
        await other.close();
      }
    });
  });

  describe('form', () => {
    it('offers the scopes on the form, in its order, with deposit:write and deposit:actions ticked', async () => {
      expect(await zenodo.form!(await signedInAs(), DEMO)).toEqual({
        scopes: {
          choices: [
            { id: 'deposit:actions', label: 'deposit:actions', description: 'Allow publishing of uploads.' },
            { id: 'deposit:write', label: 'deposit:write', description: 'Allow upload (but not publishing).' },
            { id: 'user:email', label: 'user:email', description: 'Allow read-only access to the user’s email address.' },
          ],
          defaults: ['deposit:write', 'deposit:actions'],
          atLeastOne: false,
        },
      });
    });

    it("uses the contract's list when the form shows no scope checkboxes", async () => {
      const body = '<form><input name="name" maxlength="40"><input type="hidden" name="csrf_token" value="a.b.c"></form>';
      site.inject({ path: NEW_TOKEN, status: 200, contentType: 'text/html', body });
      const form = await zenodo.form!(await signedInAs(), DEMO);
      expect(form.scopes?.choices.map((c) => c.id)).toEqual(['deposit:actions', 'deposit:write', 'user:email']);
    });

    it('signed out: the Sign in link to the login page', async () => {
      const error = await failure(zenodo.form!(anonymous(), DEMO), 'signed-out');
      expect(error.user.link).toEqual({ label: 'Sign in', url: `${site.origin}/login/?next=%2Faccount%2Fsettings%2Fapplications%2F` });
      expect(error.user.sentence).toBe('You are not signed in to Zenodo.');
    });
  });

  describe('mint', () => {
    it('returns the access token the site stored, read from the page it shows once', async () => {
      const minted = await mintAs({ scopes: ['deposit:write', 'deposit:actions'] });
      const [token] = site.tokens(DEMO_EMAIL);
      expect(minted).toEqual({ id: String(token!.id), name: NAME, secret: token!.accessToken });
      expect(token?.scopes).toEqual(['deposit:write', 'deposit:actions']);
      expect(kit.exchanges.map((e) => `${e.request.method} ${e.request.path} ${e.response.status}`)).toEqual([
        `GET ${SETTINGS} 200`,
        `GET ${NEW_TOKEN} 200`,
        `POST ${NEW_TOKEN} 302`,
        `GET ${tokenPage(token!.id)} 200`,
      ]);
    });

    it('posts name, one scopes pair per scope and the csrf_token of the form, form-encoded', async () => {
      await mintAs({ scopes: ['user:email', 'deposit:write'] });
      const formPage = kit.exchanges.find((e) => e.request.path === NEW_TOKEN && e.request.method === 'GET')!.response.body;
      const csrf = readTokenForm(formPage)!.csrf;
      const [post] = creates();
      expect(post!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect([...new URLSearchParams(post!.body)]).toEqual([
        ['name', NAME],
        ['scopes', 'user:email'],
        ['scopes', 'deposit:write'],
        ['csrf_token', csrf],
      ]);
    });

    it('a token without scopes: no scopes pair at all', async () => {
      await mintAs({ scopes: [] });
      expect([...new URLSearchParams(creates()[0]!.body).keys()]).toEqual(['name', 'csrf_token']);
      expect(site.tokens(DEMO_EMAIL)[0]?.scopes).toEqual([]);
    });

    it('finds the new id in the list when the redirect is opaque, as in the browser, never an older namesake', async () => {
      const older = site.addToken(DEMO_EMAIL, NAME);
      const client = faultyClient(await signedInAs(), isCreate, { kind: 'rewrite', answer: opaque });
      const minted = await zenodo.mint(client, DEMO, mintInput({ name: NAME }));
      const newer = site.tokens(DEMO_EMAIL).find((t) => t.id !== older.id)!;
      expect(minted).toEqual({ id: String(newer.id), name: NAME, secret: newer.accessToken });
      expect(sent('GET', SETTINGS)).toHaveLength(2); // before and after the create
      expect(sent('GET', TOKEN_PAGE).map((r) => r.path)).toEqual([tokenPage(newer.id)]);
    });

    it.each([
      ['41 characters', 'x'.repeat(41), /at most 40 characters/],
      ['empty', '', /Enter a name/],
      ['spaces only', '   ', /not a space/],
    ])('a name of %s is refused before anything is sent', async (_, name, words) => {
      const error = await failure(mintAs({ name }), 'invalid');
      expect(error.user.sentence).toMatch(words);
      expect(kit.exchanges).toEqual([]);
    });

    it('takes a name of exactly 40 characters', async () => {
      expect((await mintAs({ name: 'n'.repeat(40) })).name).toBe('n'.repeat(40));
    });

    it('a scope the form does not offer is refused before the create', async () => {
      const error = await failure(mintAs({ scopes: ['deposit:write', 'tokens:generate'] }), 'invalid');
      expect(error.user.sentence).toContain('“tokens:generate”');
      expect(creates()).toEqual([]);
    });

    it('a CSRF failure (the form comes back) is retried once with a fresh form', async () => {
      const inner = await signedInAs();
      let formReads = 0;
      const client: PageClient = {
        origin: inner.origin,
        async request(request) {
          const response = await inner.request(request);
          // The first form's csrf_token stops matching, as after the one-hour limit.
          if (request.method === 'GET' && request.path === NEW_TOKEN && ++formReads === 1) site.expireCsrfTokens();
          return response;
        },
      };
      const minted = await zenodo.mint(client, DEMO, mintInput({ name: NAME, scopes: ['deposit:write'] }));
      expect(minted.secret).toBe(site.tokens(DEMO_EMAIL)[0]?.accessToken);
      const [first, second] = creates().map((r) => new URLSearchParams(r.body).get('csrf_token'));
      expect(creates()).toHaveLength(2);
      expect(first).not.toBe(second);
      expect(names()).toEqual([NAME]);
    });

    it('a CSRF failure twice is reported in one sentence, and nothing is made', async () => {
      const inner = await signedInAs();
      const client: PageClient = {
        origin: inner.origin,
        async request(request) {
          const response = await inner.request(request);
          if (request.method === 'GET' && request.path === NEW_TOKEN) site.expireCsrfTokens();
          return response;
        },
      };
      const error = await failure(zenodo.mint(client, DEMO, mintInput({ name: NAME })), 'csrf-refused');
      expect(error.user.sentence).toBe('Zenodo refused the new token twice because its security check (CSRF) failed.');
      expect(creates()).toHaveLength(2);
      expect(sent('GET', NEW_TOKEN)).toHaveLength(2);
      expect(names()).toEqual([]);
    });

    it('a 400 page from an intermediary is a CSRF refusal too: one retry, then made', async () => {
      site.inject({ method: 'POST', path: NEW_TOKEN, status: 400, contentType: 'text/html', body: '<h1>Bad Request</h1><p>The CSRF token is missing.</p>' });
      const minted = await mintAs();
      expect(minted.secret).toBe(site.tokens(DEMO_EMAIL)[0]?.accessToken);
      expect(creates()).toHaveLength(2);
    });

    it("the site's own name error (the red label) is the sentence", async () => {
      const refused = await fetch(site.origin + NEW_TOKEN, {
        method: 'POST',
        headers: { Cookie: await signIn(site, DEMO_EMAIL, 'demo123') },
        body: new URLSearchParams({ name: 'x'.repeat(41) }),
      });
      site.inject({ method: 'POST', path: NEW_TOKEN, status: 200, contentType: 'text/html', body: await refused.text() });
      site.clearRequests();
      const error = await failure(mintAs(), 'invalid');
      expect(error.user.sentence).toBe(`Zenodo refused the token name “${NAME}”: Field cannot be longer than 40 characters.`);
      expect(creates()).toHaveLength(1);
    });

    it('not signed in: the Sign in link, and no create', async () => {
      const error = await failure(zenodo.mint(anonymous(), DEMO, mintInput({ name: NAME })), 'signed-out');
      expect(error.user.link?.label).toBe('Sign in');
      expect(creates()).toEqual([]);
    });

    it('a session that ends between the form and the create: signed out', async () => {
      site.inject({ method: 'POST', path: NEW_TOKEN, status: 302, headers: { location: `/login/?next=${encodeURIComponent(NEW_TOKEN)}` } });
      await failure(mintAs(), 'signed-out');
      expect(names()).toEqual([]);
    });

    it.each<[string, Omit<Fault, 'path'>, ErrorCode, RegExp]>([
      ['403: no permission', { status: 403, contentType: 'text/html', body: '<h1>Forbidden</h1>' }, 'forbidden', /does not let this account/],
      ['404: no such page', { status: 404, contentType: 'text/html', body: '<h1>Not found</h1>' }, 'not-found', /\(404\)/],
      ['409: a conflict', { status: 409, contentType: 'text/html', body: '<h1>Conflict</h1>' }, 'conflict', /as a conflict \(409\)/],
      ['400 JSON with a message', { status: 400, contentType: 'application/json', body: '{"status":400,"message":"Name is reserved."}' }, 'invalid', /: Name is reserved\.$/],
      ['429 with Retry-After', { status: 429, headers: { 'retry-after': '30' } }, 'rate-limited', /limiting requests/],
    ])('%s', async (_, fault, code, words) => {
      site.inject({ method: 'POST', path: NEW_TOKEN, ...fault });
      const error = await failure(mintAs(), code);
      expect(error.user.sentence).toMatch(words);
      expect(creates()).toHaveLength(1);
      expect(names()).toEqual([]);
    });

    it('429 says how long to wait', async () => {
      site.inject({ method: 'POST', path: NEW_TOKEN, status: 429, headers: { 'retry-after': '30' } });
      expect((await failure(mintAs(), 'rate-limited')).user.next).toBe('Wait 30 seconds and try again.');
    });

    describe('when the site made no token, the original error stands and nothing is repeated', () => {
      it('500 with a web page: server', async () => {
        site.inject({ method: 'POST', path: NEW_TOKEN, status: 500, contentType: 'text/html', body: '<!doctype html><h1>Internal Server Error</h1>' });
        const error = await failure(mintAs(), 'server');
        expect(error.user.sentence).toBe('Zenodo had a server error (500).');
        expect(creates()).toHaveLength(1);
        expect(sent('GET', SETTINGS)).toHaveLength(2); // it looked before giving up
      });

      it('no answer within the time limit: timeout', async () => {
        site.inject({ method: 'POST', path: NEW_TOKEN, hang: true });
        const client = withTimeoutMs(await signedInAs(), 300);
        await failure(zenodo.mint(client, DEMO, mintInput({ name: NAME })), 'timeout');
        expect(creates()).toHaveLength(1);
        expect(names()).toEqual([]);
      });

      it('connection reset: network', async () => {
        site.inject({ method: 'POST', path: NEW_TOKEN, reset: true });
        await failure(mintAs(), 'network');
        expect(creates()).toHaveLength(1);
      });

      it.each(['network', 'timeout'] as const)('a %s failure before the site saw the request', async (code) => {
        const cause = lost(code);
        const client = faultyClient(await signedInAs(), isCreate, { kind: 'drop', error: cause });
        expect(await failure(zenodo.mint(client, DEMO, mintInput({ name: NAME })), code)).toBe(cause);
        expect(creates()).toEqual([]);
      });

      it('a 200 web page the site did not send: unexpected response', async () => {
        site.inject({ method: 'POST', path: NEW_TOKEN, status: 200, contentType: 'text/html', body: webPage(200).body });
        const error = await failure(mintAs(), 'unexpected-response');
        expect(error.user.sentence).toContain('web page instead of data');
        expect(names()).toEqual([]);
      });
    });

    describe('when the site made the token but its answer was lost: the shown-once page still has the secret', () => {
      it.each(lostAnswers(200, 'the redirect'))('%s', async (_, fault) => {
        const client = faultyClient(await signedInAs(), isCreate, fault);
        const minted = await zenodo.mint(client, DEMO, mintInput({ name: NAME }));
        expect(minted.secret).toBe(site.tokens(DEMO_EMAIL)[0]?.accessToken);
        expect(creates()).toHaveLength(1);
        expect(names()).toEqual([NAME]);
      });
    });

    describe('when the token exists but its secret is gone: orphaned, and never made twice', () => {
      it('another tab read the token page before the adapter (a clear create)', async () => {
        const inner = await signedInAs();
        const error = await failure(zenodo.mint(afterCreate(inner, otherTabReads(inner)), DEMO, mintInput({ name: NAME })), 'orphaned');
        expect(error.user.sentence).toBe(`Zenodo made the token “${NAME}”, but its secret never reached Tokenmint.`);
        expect(error.user.next).toContain(`Delete “${NAME}”`);
        expect(names()).toEqual([NAME]);
        expect(creates()).toHaveLength(1);
      });

      it('the answer was lost and another tab read the token page meanwhile', async () => {
        const inner = await signedInAs();
        const client = afterCreate(inner, otherTabReads(inner), lost('network'));
        await failure(zenodo.mint(client, DEMO, mintInput({ name: NAME })), 'orphaned');
        expect(creates()).toHaveLength(1);
      });

      it('the token page holds no 60-character secret', async () => {
        const client = faultyClient(await signedInAs(), (r) => TOKEN_PAGE.test(r.path), {
          kind: 'rewrite',
          answer: (response) => ({ ...response, body: response.body.replace(/(<code[^>]*>)[A-Za-z0-9]{60}/, '$1short-garbage') }),
        });
        await failure(zenodo.mint(client, DEMO, mintInput({ name: NAME })), 'orphaned');
        expect(sent('GET', TOKEN_PAGE)).toHaveLength(1); // never read twice: the first read cleared the flag
      });

      it('the token page read fails', async () => {
        const client = faultyClient(await signedInAs(), (r) => TOKEN_PAGE.test(r.path), { kind: 'lose', error: lost('network') });
        await failure(zenodo.mint(client, DEMO, mintInput({ name: NAME })), 'orphaned');
      });

      it('keeps the failure, and says to check the list, when the lookup fails as well', async () => {
        const inner = await signedInAs();
        let created = false;
        const client: PageClient = {
          origin: inner.origin,
          async request(request) {
            if (created) throw lost('network');
            const response = await inner.request(request);
            if (isCreate(request)) {
              created = true;
              throw lost('network');
            }
            return response;
          },
        };
        const error = await failure(zenodo.mint(client, DEMO, mintInput({ name: NAME })), 'network');
        expect(error.user.next).toBe(`Check the Zenodo token list for “${NAME}” before you try again.`);
        expect(creates()).toHaveLength(1);
      });
    });
  });

  describe('list', () => {
    it('an empty list', async () => {
      expect(await zenodo.list(await signedInAs(), DEMO)).toEqual([]);
      expect(kit.exchanges.map((e) => [e.request.path, e.response.status])).toEqual([[SETTINGS, 200]]);
    });

    it("the user's personal tokens with their scopes; names decoded; authorized applications left out", async () => {
      const a = site.addToken(DEMO_EMAIL, 'a & <b> "c"', ['deposit:actions', 'deposit:write']);
      const b = site.addToken(DEMO_EMAIL, 'no-scope-token');
      const c = site.addToken(DEMO_EMAIL, 'no-scope-token');
      site.addToken('jane@example.org', 'janes');
      expect(await zenodo.list(await signedInAs(), DEMO)).toEqual([
        { id: String(a.id), name: 'a & <b> "c"', scopes: ['deposit:actions', 'deposit:write'] },
        { id: String(b.id), name: 'no-scope-token' },
        { id: String(c.id), name: 'no-scope-token' },
      ]);
    });

    it.each<[string, Omit<Fault, 'path'>, ErrorCode]>([
      ['a page that is not the applications page', { status: 200, contentType: 'text/html', body: webPage(200).body }, 'unexpected-response'],
      ['a 502 web page', { status: 502, contentType: 'text/html', body: webPage(502).body }, 'server'],
    ])('%s', async (_, fault, code) => {
      site.inject({ method: 'GET', path: SETTINGS, ...fault });
      await failure(zenodo.list(await signedInAs(), DEMO), code);
    });

    it('signed out', async () => {
      await failure(zenodo.list(anonymous(), DEMO), 'signed-out');
    });
  });

  describe('revoke', () => {
    it("posts the page's csrf_token with a delete key, and checks the list", async () => {
      const doomed = site.addToken(DEMO_EMAIL, 'doomed');
      const kept = site.addToken(DEMO_EMAIL, 'kept');
      await zenodo.revoke(await signedInAs(), DEMO, String(doomed.id));
      expect(site.tokens(DEMO_EMAIL).map((t) => t.id)).toEqual([kept.id]);
      expect(kit.exchanges.map((e) => `${e.request.method} ${e.request.path} ${e.response.status}`)).toEqual([
        `GET ${tokenPage(doomed.id)} 200`,
        `POST ${tokenPage(doomed.id)} 302`,
        `GET ${SETTINGS} 200`,
      ]);
      const csrf = readTokenForm(kit.exchanges[0]!.response.body)!.csrf;
      expect([...new URLSearchParams(sent('POST', tokenPage(doomed.id))[0]!.body)]).toEqual([['csrf_token', csrf], ['delete', '']]);
    });

    it('works with an opaque redirect, as in the browser', async () => {
      const doomed = site.addToken(DEMO_EMAIL, 'doomed');
      const client = faultyClient(await signedInAs(), (r) => r.method === 'POST', { kind: 'rewrite', answer: opaque });
      await zenodo.revoke(client, DEMO, String(doomed.id));
      expect(site.tokens(DEMO_EMAIL)).toEqual([]);
    });

    it("an unknown id, or another user's (404), is gone already: done", async () => {
      const janes = site.addToken('jane@example.org', 'janes');
      await expect(zenodo.revoke(await signedInAs(), DEMO, String(janes.id))).resolves.toBeUndefined();
      await expect(zenodo.revoke(await signedInAs(), DEMO, '999')).resolves.toBeUndefined();
      expect(site.tokens('jane@example.org')).toHaveLength(1);
      expect(sent('POST', /tokens/)).toEqual([]);
    });

    it('a page shown again instead of the delete: one more try, then done', async () => {
      const doomed = site.addToken(DEMO_EMAIL, 'doomed');
      site.inject({ method: 'POST', path: tokenPage(doomed.id), status: 200, contentType: 'text/html', body: '<!doctype html><p>Try again</p>' });
      await zenodo.revoke(await signedInAs(), DEMO, String(doomed.id));
      expect(site.tokens(DEMO_EMAIL)).toEqual([]);
      expect(sent('POST', tokenPage(doomed.id))).toHaveLength(2);
    });

    it('a site that never deletes: one plain sentence after two tries', async () => {
      const stuck = site.addToken(DEMO_EMAIL, 'stuck');
      site.inject({ method: 'POST', path: tokenPage(stuck.id), status: 200, contentType: 'text/html', body: '<p>no</p>', times: Infinity });
      const error = await failure(zenodo.revoke(await signedInAs(), DEMO, String(stuck.id)), 'unexpected-response');
      expect(error.user.sentence).toBe('Zenodo did not delete the token.');
      expect(sent('POST', tokenPage(stuck.id))).toHaveLength(2);
    });

    it('signed out: the token stays', async () => {
      const token = site.addToken(DEMO_EMAIL, 'stays');
      await failure(zenodo.revoke(anonymous(), DEMO, String(token.id)), 'signed-out');
      expect(site.tokens(DEMO_EMAIL)).toHaveLength(1);
    });

    it('500 on the delete: server', async () => {
      const token = site.addToken(DEMO_EMAIL, 'stays');
      site.inject({ method: 'POST', path: tokenPage(token.id), status: 500, contentType: 'text/html', body: '<h1>Oops</h1>' });
      await failure(zenodo.revoke(await signedInAs(), DEMO, String(token.id)), 'server');
    });
  });

  describe('verify', () => {
    it("a valid token: its owner's id, asked with Bearer and without cookies", async () => {
      const token = site.addToken('jane@example.org', 'api');
      expect(await zenodo.verify(await signedInAs(), token.accessToken)).toBe('2');
      const [asked] = sent('GET', '/api/me');
      expect(asked?.headers.authorization).toBe(`Bearer ${token.accessToken}`);
      expect(asked?.headers).not.toHaveProperty('cookie');
    });

    it.each(['revoked', 'garbage'])('a %s token: null', async (kind) => {
      const client = await signedInAs();
      let secret = 'A'.repeat(60);
      if (kind === 'revoked') {
        const token = site.addToken(DEMO_EMAIL, 'old');
        secret = token.accessToken;
        await zenodo.revoke(client, DEMO, String(token.id));
      }
      expect(await zenodo.verify(client, secret)).toBeNull();
    });

    it('where /api/me is missing (404): the depositions list decides', async () => {
      site.inject({ path: '/api/me', status: 404, times: Infinity });
      const token = site.addToken(DEMO_EMAIL, 'api');
      const client = await signedInAs();
      expect(await zenodo.verify(client, token.accessToken)).toBe('me');
      expect(await zenodo.verify(client, 'B'.repeat(60))).toBeNull();
      expect(sent('GET', '/api/deposit/depositions?size=1').every((r) => r.headers.cookie === undefined)).toBe(true);
    });

    it.each<[string, Omit<Fault, 'path'>, ErrorCode]>([
      ['HTML instead of JSON', { status: 200, contentType: 'text/html', body: '<!doctype html><p>hi</p>' }, 'unexpected-response'],
      ['malformed JSON', { status: 200, contentType: 'application/json', body: '{"id":' }, 'unexpected-response'],
      ['JSON without an id', { status: 200, contentType: 'application/json', body: '{"email":"x@y.z"}' }, 'unexpected-response'],
      ['a 503 web page', { status: 503, contentType: 'text/html', body: '<h1>Down</h1>' }, 'server'],
    ])('%s', async (_, fault, code) => {
      site.inject({ path: '/api/me', ...fault });
      await failure(zenodo.verify(await signedInAs(), 'C'.repeat(60)), code);
    });
  });

  it('sends the token as a Bearer header', () => {
    expect(zenodo.authHeader!('abc')).toEqual({ name: 'Authorization', value: 'Bearer abc' });
  });
});

// ---------------------------------------------------------------------------------------------------------------------

describe('HTML reading without a DOM', () => {
  const ORIGIN = 'https://zenodo.org';

  it('reads a form whatever the attribute order, quotes, case and spacing', () => {
    const body = `<FORM method=post>
      <input
        value="" type='text' NAME=name maxlength=40>
      <INPUT type="checkbox" value='deposit:write' name = "scopes" id="scopes-deposit:write">
      <label FOR='scopes-deposit:write'>deposit:write <small class="block">Upload &amp; keep</small></label>
      <input name=scopes type=checkbox value=user:email>
      <input value="a.b-c.d_e" name="csrf_token" type="hidden" id="csrf_token">
    </FORM>`;
    expect(readTokenForm(body)).toEqual({
      csrf: 'a.b-c.d_e',
      scopes: [
        { id: 'deposit:write', label: 'deposit:write', description: 'Upload & keep' },
        { id: 'user:email', label: 'user:email' },
      ],
      hasDelete: false,
    });
  });

  it('a value with ">" inside quotes does not end the tag', () => {
    expect(readTokenForm('<input name="name" value="a>b"><input name="csrf_token" data-x="1>2" value="t.o.k">')?.csrf).toBe('t.o.k');
  });

  it('ignores markup inside comments and scripts', () => {
    const body = `<!-- <input name="csrf_token" value="commented"> --><script>const x = '<input name="csrf_token" value="scripted">';</script>
      <input name="name"><input name="csrf_token" value="real">`;
    expect(readTokenForm(body)?.csrf).toBe('real');
    expect(readTokenForm('<input name="name"><!-- <input name="csrf_token" value="x"> -->')).toBeNull();
  });

  it('tells the token page (delete button) from the new-token form', () => {
    const page = '<input name="name"><input name="csrf_token" value="x"><button type="submit" name="delete">Delete</button>';
    expect(readTokenForm(page)?.hasDelete).toBe(true);
  });

  it("reads the red label's messages past the stray -->, and not a commented-out one", () => {
    const body = `<div class="field"><input name="name">
      --><div class="ui pointing red basic label"><p>Field cannot be longer than 40 characters.</p></div></div>
      <!-- <div class="ui pointing red basic label"><p>NAME ERROR</p></div> -->`;
    expect(nameErrors(body)).toEqual(['Field cannot be longer than 40 characters.']);
    expect(nameErrors('<div class="ui segment"><p>Just text</p></div>')).toEqual([]);
  });

  it('reads the secret from code.word-break-all first, then any code (older markup), 60 alphanumerics only', () => {
    const secret = 'Ab1'.repeat(20);
    expect(readSecret(`<code>not-it</code><code class="x word-break-all">\n  ${secret}\n</code>`)).toBe(secret);
    expect(readSecret(`<p><b>Access token</b></p><code>${secret}</code>`)).toBe(secret);
    expect(readSecret(`<code class="word-break-all">${secret}x</code>`)).toBeNull();
    expect(readSecret(`<code class="word-break-all">${secret.slice(0, 59)}!</code>`)).toBeNull();
    expect(readSecret('<p class="ui warning message">If you lost or forgot this token…</p>')).toBeNull();
  });

  it('lists personal tokens only, keyed by id, with scopes only before the br', () => {
    const body = `
      <a class="ui button" href="/account/settings/applications/tokens/new/">New token</a>
      <ul><li class="ui segment"><a href='https://zenodo.org/account/settings/applications/tokens/42/'>my&#x2d;token &amp; co</a> &mdash;
        <small class="text-muted">deposit:actions,deposit:write </small><br/><small class="text-muted">later</small></li>
      <li><a href="/account/settings/applications/tokens/43/">bare</a><br><small class="text-muted">after br</small></li>
      <li><a href="/account/settings/applications/tokens/42/">duplicate link</a></li></ul>
      <a href="/account/settings/applications/tokens/7/view/">App</a>
      <a href="/account/settings/applications/tokens/7/revoke/">Revoke</a>
      <a href="/account/settings/applications/clients/3/">Client</a>
      <a href="https://evil.example/account/settings/applications/tokens/9/">elsewhere</a>`;
    expect(readTokenList(body, ORIGIN)).toEqual([
      { id: '42', name: 'my-token & co', scopes: ['deposit:actions', 'deposit:write'] },
      { id: '43', name: 'bare' },
    ]);
  });

  it('an empty list is a sentence; a page without the New token link is not the list', () => {
    expect(readTokenList(`<a href="/account/settings/applications/tokens/new/">New</a><p>None yet.</p>`, ORIGIN)).toEqual([]);
    expect(readTokenList('<p>Sign in</p>', ORIGIN)).toBeNull();
  });

  it('decodes named, decimal and hex entities, and leaves unknown ones', () => {
    expect(decodeEntities('&lt;a&gt; &amp;amp; &quot;&#39;&#x1F600; &bogus; &#0;')).toBe('<a> &amp; "\'😀 &bogus; &#0;');
  });
});

describe('the secrets check', () => {
  it('finds a known secret in what the user reads', () => {
    const secret = 'Z'.repeat(60);
    const says = (sentence: string): UserError => ({ code: 'internal', sentence, next: 'Try again.' });
    expect(leaks(says(`Bad token ${secret}.`), [secret])).toEqual([secret]);
    expect(leaks(says('Bad token.'), [secret])).toEqual([]);
  });
});
