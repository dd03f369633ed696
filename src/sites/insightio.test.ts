import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode, UserError } from '../core/errors.ts';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest } from '../core/page-request.ts';
import { captures, jsonFault, lost, useAdapterKit, withTimeoutMs } from '../../test/unit/adapter-test-kit.ts';
import { faultyClient } from '../../test/unit/faulty-client.ts';
import type { ClientFault } from '../../test/unit/faulty-client.ts';
import { nodePageClient } from '../../test/unit/node-page-client.ts';
import { signIn as signInGoodData, startGoodData } from '../../test/sites/gooddata.ts';
import { startSite, type Fault } from '../../test/sites/harness.ts';
import { signIn, startInsightIo } from '../../test/sites/insightio.ts';
import type { InsightIoSite } from '../../test/sites/insightio.ts';
import { insightio } from './insightio.ts';
import { mintInput, type SiteUser } from './types.ts';

const LOGINS = {
  jane: { email: 'jane@example.com', password: 'jane123', uid: 'userpass@jane@example.com', name: 'Jane Doe' },
  octo: { email: 'octo@example.com', password: 'octo123', uid: 'userpass@octo@example.com', name: 'Octo Cat' },
} as const;
type Login = keyof typeof LOGINS;

const JANE: SiteUser = { id: LOGINS.jane.uid, name: LOGINS.jane.name };
const PROFILE = '/api/user/profile';
const TOKEN = '/api/token';
const HOUR = 3_600_000;
const isCreate = (request: PageRequest) => request.path === TOKEN && request.method === 'POST';
const fingerprintOf = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 16);
const masked = (token: string) => `${token.slice(0, 4)}…${token.slice(-4)}`;

// ---------------------------------------------------------------------------------------------------------------------
// The secrets check: every token any answer carried or the site holds, against every error the adapter produced.

const kit = useAdapterKit({
  // Short test strings (`"short"`) are no secrets, and half of one would match any text.
  secretsIn: (body) => captures(body, /"(?:token|apiToken)"\s*:\s*"([^"]{32,})"/g),
  // A half of a token shows it too (masks show 4 characters only).
  leakedIn: (text, token) => (text.includes(token) || text.includes(token.slice(0, token.length / 2)) ? [token] : []),
});
const { secrets, leaks, watched, failure, webPage, lostAnswers } = kit;

// ---------------------------------------------------------------------------------------------------------------------

describe('insightio against the emulated site', () => {
  let site: InsightIoSite;

  beforeEach(async () => {
    site = await startInsightIo();
  });

  afterEach(async () => {
    for (const login of Object.values(LOGINS)) for (const token of site.tokens(login.uid)) secrets.add(token.apiToken);
    await site.close();
  });

  async function signedInAs(login: Login = 'jane'): Promise<PageClient> {
    const { email, password } = LOGINS[login];
    return watched(nodePageClient(site.origin, await signIn(site, email, password)));
  }

  const anonymous = () => watched(nodePageClient(site.origin));
  const sent = (method: string, path: string) => site.requests().filter((r) => r.method === method && r.path === path);
  const creates = () => sent('POST', TOKEN);
  const janeTokens = () => site.tokens(LOGINS.jane.uid).map((t) => t.apiToken);

  describe('probe', () => {
    it('reads the signed-in user from the profile, in one request that accepts JSON', async () => {
      for (const login of ['jane', 'octo'] as const) {
        expect(await insightio.probe(await signedInAs(login))).toEqual({
          kind: 'signed-in',
          user: { id: LOGINS[login].uid, name: LOGINS[login].name },
        });
      }
      expect(sent('GET', PROFILE).map((r) => r.headers.accept)).toEqual(['application/json', 'application/json']);
      expect(site.requests().filter((r) => r.path.startsWith('/api/'))).toHaveLength(2);
    });

    it('is signed out on 401 {"error": "Credentials required"}', async () => {
      expect(await insightio.probe(anonymous())).toEqual({ kind: 'signed-out' });
      expect(kit.exchanges.map((e) => [e.response.status, e.response.body])).toEqual([[401, '{"error":"Credentials required"}']]);
    });

    it('is signed out on 403 {"error": "Credentials required"} of older SecureSocial versions', async () => {
      site.inject({ path: PROFILE, ...jsonFault(403, { error: 'Credentials required' }) });
      expect(await insightio.probe(await signedInAs())).toEqual({ kind: 'signed-out' });
    });

    it('falls back to the uid when the profile has no name', async () => {
      const profile = { uid: 'ldap@jdoe', display: null, name: '', email: null, avatarUrl: null };
      site.inject({ path: PROFILE, ...jsonFault(200, profile) });
      expect(await insightio.probe(await signedInAs())).toEqual({ kind: 'signed-in', user: { id: 'ldap@jdoe', name: 'ldap@jdoe' } });
    });

    it.each<[string, Omit<Fault, 'path'>]>([
      ['a web page', { status: 200, contentType: 'text/html', body: '<!doctype html><title>Shop</title>' }],
      ['an SPA shell that has the uid text in it', { status: 200, contentType: 'text/html', body: '<!doctype html><script>{"uid":"a@b","display":"","avatarUrl":""}</script>' }],
      ['JSON of another product', jsonFault(200, { id: 7, username: 'jane', email: 'jane@example.com' })],
      ['a uid without a provider', jsonFault(200, { uid: 'jane', display: 'jane', avatarUrl: '' })],
      ['a uid that is not text', jsonFault(200, { uid: 42, display: 'jane', avatarUrl: '' })],
      ['a profile without display and avatarUrl', jsonFault(200, { uid: 'github@octocat', name: 'Octo' })],
      ['a JSON array', jsonFault(200, [{ uid: 'github@octocat', display: 'o', avatarUrl: '' }])],
      ['a 404', { status: 404, body: 'Not Found' }],
      ['a 401 with another body', jsonFault(401, { error: 'unauthorized' })],
      ['a 401 with more than the one field', jsonFault(401, { error: 'Credentials required', status: 401 })],
      ['a 403 with another error', jsonFault(403, { error: 'Not authorized' })],
      ['a redirect', { status: 302, headers: { location: '/login' } }],
      ['a server error', { status: 500, body: 'boom' }],
    ])('is not this site when the profile answers with %s', async (_, fault) => {
      const injected = site.inject({ method: 'GET', path: PROFILE, ...fault });
      expect(await insightio.probe(await signedInAs())).toEqual({ kind: 'not-this-site' });
      expect(injected.hits).toBe(1);
    });

    it('never claims GoodData, signed in or not', async () => {
      const gooddata = await startGoodData();
      try {
        const signedIn = nodePageClient(gooddata.origin, await signInGoodData(gooddata, 'demo', 'demo123'));
        expect(await insightio.probe(signedIn)).toEqual({ kind: 'not-this-site' });
        expect(await insightio.probe(nodePageClient(gooddata.origin))).toEqual({ kind: 'not-this-site' });
        expect(gooddata.requests().filter((r) => r.path === PROFILE)).toHaveLength(2);
      } finally {
        await gooddata.close();
      }
    });

    it('never claims a site that answers every path with the same JSON error', async () => {
      const other = await startSite(() => ({ status: 401, headers: { 'content-type': 'application/json' }, body: '{"error":"Unauthorized"}' }));
      try {
        expect(await insightio.probe(nodePageClient(other.origin))).toEqual({ kind: 'not-this-site' });
      } finally {
        await other.close();
      }
    });
  });

  describe('form and names', () => {
    it('has no form, no name rule: the popup shows just Generate token', () => {
      expect(insightio.form).toBeUndefined();
      expect(insightio.nameRule).toBeUndefined();
    });

    it('sends the credential in X-Auth-Token; signs in at /login', () => {
      expect(insightio.authHeader?.('abc')).toEqual({ name: 'X-Auth-Token', value: 'abc' });
      expect(insightio.loginUrl('https://code.example.com')).toBe('https://code.example.com/login');
    });
  });

  describe('mint', () => {
    it('returns the token the site stored, with a fingerprint for id and the masked token for name', async () => {
      const minted = await insightio.mint(await signedInAs(), JANE, mintInput({}));
      expect(janeTokens()).toEqual([minted.secret]);
      expect(minted).toEqual({ id: fingerprintOf(minted.secret), name: masked(minted.secret), secret: minted.secret });
      expect(minted.id).toMatch(/^[0-9a-f]{16}$/);
      expect(secrets).toContain(minted.secret);
    });

    it('POSTs /api/token with no body, with the session cookie, accepting JSON and XHR-marked (CSRF bypass)', async () => {
      await insightio.mint(await signedInAs(), JANE, mintInput({}));
      expect(creates()).toHaveLength(1);
      const [post] = creates();
      expect(post!.body).toBe('');
      expect(post!.headers).toMatchObject({ accept: 'application/json', 'x-requested-with': 'XMLHttpRequest', cookie: expect.stringMatching(/^id=/) });
      expect(post!.headers).not.toHaveProperty('content-type');
      expect(post!.headers).not.toHaveProperty('x-auth-token');
    });

    it('makes a new token each time (tokens are unlimited), each with its own id', async () => {
      const client = await signedInAs();
      const first = await insightio.mint(client, JANE, mintInput({}));
      const second = await insightio.mint(client, JANE, mintInput({}));
      expect(first.id).not.toBe(second.id);
      expect(janeTokens()).toEqual([first.secret, second.secret]);
    });

    it('falls back to GET /api/createApiToken on an older deployment', async () => {
      const old = await startInsightIo({ legacy: true });
      try {
        const client = nodePageClient(old.origin, await signIn(old, LOGINS.jane.email, LOGINS.jane.password));
        const minted = await insightio.mint(watched(client), JANE, mintInput({}));
        expect(old.tokens(LOGINS.jane.uid).map((t) => t.apiToken)).toEqual([minted.secret]);
        expect(old.requests().filter((r) => r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`)).toEqual([
          'POST /api/token',
          'GET /api/createApiToken',
        ]);
      } finally {
        for (const token of old.tokens(LOGINS.jane.uid)) secrets.add(token.apiToken);
        await old.close();
      }
    });

    it('401: signed out, with the way back in', async () => {
      const error = await failure(insightio.mint(anonymous(), JANE, mintInput({})), 'signed-out');
      expect(error.user.sentence).toBe('You are not signed in to Insight.io.');
      expect(error.user.link).toEqual({ label: 'Sign in', url: `${site.origin}/login` });
      expect(creates()).toHaveLength(1);
    });

    it("403 from Play's CSRF filter: the site's own refusal, said as a CSRF refusal", async () => {
      const client = await signedInAs();
      // The site's real answer, to a request without the bypass header.
      const refused = await client.request({ method: 'POST', path: TOKEN, headers: { Accept: 'application/json' } });
      expect(refused.status).toBe(403);
      site.inject({ method: 'POST', path: TOKEN, status: 403, contentType: 'text/html', body: refused.body });
      const error = await failure(insightio.mint(client, JANE, mintInput({})), 'csrf-refused');
      expect(error.user.sentence).toBe('Insight.io refused to make a token: its CSRF check did not accept the request.');
      expect(janeTokens()).toEqual([]);
    });

    it('403 CSRF refusal as JSON (Play’s JSON error handler)', async () => {
      site.inject({ method: 'POST', path: TOKEN, ...jsonFault(403, { error: { requestId: 3, message: 'CSRF token check failed' } }) });
      await failure(insightio.mint(await signedInAs(), JANE, mintInput({})), 'csrf-refused');
    });

    it('403 Not authorized: forbidden, with the site’s words and the administrator as next step', async () => {
      site.inject({ method: 'POST', path: TOKEN, ...jsonFault(403, { error: 'Not authorized' }) });
      const error = await failure(insightio.mint(await signedInAs(), JANE, mintInput({})), 'forbidden');
      expect(error.user.sentence).toBe('Your Insight.io account may not make a token (Insight.io says: Not authorized).');
      expect(error.user.next).toMatch(/administrator/);
    });

    it('404 on both the REST and the legacy path: not found, and nothing made', async () => {
      site.inject({ method: 'POST', path: TOKEN, status: 404, contentType: 'text/html', body: '<h1>Action Not Found</h1>' });
      const error = await failure(insightio.mint(await signedInAs(), JANE, mintInput({})), 'not-found');
      expect(error.user.sentence).toBe('Insight.io has no way to make a token at this address (404).');
      expect(sent('GET', '/api/createApiToken')).toHaveLength(1);
      expect(janeTokens()).toEqual([]);
    });

    it('409: a conflict with the site’s words', async () => {
      site.inject({ method: 'POST', path: TOKEN, ...jsonFault(409, { error: 'Token limit reached' }) });
      const error = await failure(insightio.mint(await signedInAs(), JANE, mintInput({})), 'conflict');
      expect(error.user.sentence).toBe('Insight.io refused to make a token because of a conflict: Token limit reached.');
    });

    it('400: invalid, with the site’s own message', async () => {
      site.inject({ method: 'POST', path: TOKEN, ...jsonFault(400, { error: 'Malformed json.' }) });
      const error = await failure(insightio.mint(await signedInAs(), JANE, mintInput({})), 'invalid');
      expect(error.user.sentence).toBe('Insight.io refused to make a token: Malformed json.');
    });

    it('429: rate limited, with the wait the site asks for', async () => {
      site.inject({ method: 'POST', path: TOKEN, status: 429, headers: { 'retry-after': '30' }, ...jsonFault(429, { error: 'Too many requests' }) });
      const error = await failure(insightio.mint(await signedInAs(), JANE, mintInput({})), 'rate-limited');
      expect(error.user.next).toBe('Wait 30 seconds and try again.');
      expect(creates()).toHaveLength(1);
    });

    it('never shows a token the site echoes in an error message', async () => {
      const client = await signedInAs();
      const echoed = (await insightio.mint(client, JANE, mintInput({}))).secret;
      site.inject({ method: 'POST', path: TOKEN, ...jsonFault(400, { error: `You already hold ${echoed}, use it` }) });
      const error = await failure(insightio.mint(client, JANE, mintInput({})), 'invalid');
      expect(error.user.sentence).toBe('Insight.io refused to make a token: You already hold …, use it.');
    });

    describe('when the site made no token, the original error stands and nothing is repeated', () => {
      it('500 with a web page: server, after a look at the list', async () => {
        site.addTokens(LOGINS.jane.uid, 2, HOUR); // older tokens are not mistaken for this one
        site.inject({ method: 'POST', path: TOKEN, status: 500, contentType: 'text/html', body: '<!doctype html><h1>Oops</h1>' });
        const error = await failure(insightio.mint(await signedInAs(), JANE, mintInput({})), 'server');
        expect(error.user.sentence).toBe('Insight.io had a server error (500).');
        expect(janeTokens()).toHaveLength(2);
        expect(creates()).toHaveLength(1);
        expect(sent('GET', TOKEN)).toHaveLength(1);
      });

      it('no answer within the time limit: timeout', async () => {
        site.inject({ method: 'POST', path: TOKEN, hang: true });
        const client = withTimeoutMs(await signedInAs(), 300);
        await failure(insightio.mint(client, JANE, mintInput({})), 'timeout');
        expect(janeTokens()).toEqual([]);
        expect(creates()).toHaveLength(1);
      });

      it('connection reset: network', async () => {
        site.inject({ method: 'POST', path: TOKEN, reset: true });
        await failure(insightio.mint(await signedInAs(), JANE, mintInput({})), 'network');
        expect(janeTokens()).toEqual([]);
        expect(creates()).toHaveLength(1);
      });

      it.each(['network', 'timeout'] as const)('a %s failure before the site saw the request', async (code) => {
        site.addTokens(LOGINS.jane.uid, 1, HOUR);
        const cause = lost(code);
        const client = faultyClient(await signedInAs(), isCreate, { kind: 'drop', error: cause });
        const error = await failure(insightio.mint(client, JANE, mintInput({})), code);
        expect(error).toBe(cause);
        expect(creates()).toHaveLength(0);
        expect(sent('GET', TOKEN)).toHaveLength(1); // it looked before giving up
      });

      it.each<[string, Omit<Fault, 'path'>]>([
        ['a proxy’s sign-in page with 200', { status: 200, contentType: 'text/html', body: webPage(200).body }],
        ['JSON that is cut off', { status: 200, contentType: 'application/json', body: '{"token": "abc' }],
        ['JSON without the token', jsonFault(200, { status: 'ok' })],
      ])('%s the site did not send: unexpected response, not orphaned', async (_, fault) => {
        site.inject({ method: 'POST', path: TOKEN, ...fault });
        const error = await failure(insightio.mint(await signedInAs(), JANE, mintInput({})), 'unexpected-response');
        expect(error.user.sentence).toMatch(/^Insight\.io (answered with a web page|sent an answer Tokenmint could not read)/);
        expect(janeTokens()).toEqual([]);
      });

      it('a list that cannot tell keeps the failure, with the list to check', async () => {
        site.inject({ method: 'GET', path: TOKEN, status: 200, contentType: 'text/html', body: webPage(200).body });
        const client = faultyClient(await signedInAs(), isCreate, { kind: 'drop', error: lost('network') });
        const error = await failure(insightio.mint(client, JANE, mintInput({})), 'network');
        expect(error.user.next).toBe('Check your Insight.io token list (Edit Profile → API Token) before you try again.');
      });
    });

    describe('when the site made the token but its answer was lost: orphaned, and never made twice', () => {
      it.each<[string, ClientFault]>([
        ...lostAnswers(200),
        ['the answer is cut off', { kind: 'rewrite', answer: (response) => ({ ...response, body: response.body.slice(0, -20) }) }],
        ['the answer lacks the token', { kind: 'rewrite', answer: (response) => ({ ...response, body: '{}' }) }],
      ])('%s', async (_, fault) => {
        site.addTokens(LOGINS.jane.uid, 1, HOUR);
        const client = faultyClient(await signedInAs(), isCreate, fault);
        const error = await failure(insightio.mint(client, JANE, mintInput({})), 'orphaned');
        expect(error.user.sentence).toBe('Insight.io made a new token, but it never reached Tokenmint.');
        expect(error.user.next).toMatch(/revoke it/);
        expect(janeTokens()).toHaveLength(2);
        expect(creates()).toHaveLength(1);
      });

      it('keeps the failure, and says to check the list, when the lookup fails as well', async () => {
        const client = faultyClient(await signedInAs(), () => true, { kind: 'lose', error: lost('network') });
        const error = await failure(insightio.mint(client, JANE, mintInput({})), 'network');
        expect(error.user.next).toMatch(/^Check your Insight.io token list/);
        expect(creates()).toHaveLength(1);
        expect(sent('GET', TOKEN)).toHaveLength(1);
      });
    });
  });

  describe('list', () => {
    it('an empty list, asked with the session cookie', async () => {
      expect(await insightio.list(await signedInAs(), JANE)).toEqual([]);
      expect(kit.exchanges.map((e) => [e.request.method, e.request.path, e.request.credentials, e.response.status])).toEqual([['GET', TOKEN, undefined, 200]]);
    });

    it('fingerprints for ids, masked tokens for names, the times as ISO text, and no secret anywhere', async () => {
      const seeded = site.addTokens(LOGINS.jane.uid, 3, HOUR);
      const tokens = await insightio.list(await signedInAs(), JANE);
      expect(tokens).toEqual(
        seeded.map((t) => ({
          id: fingerprintOf(t.apiToken),
          name: masked(t.apiToken),
          createdAt: new Date(t.created).toISOString(),
          lastUsedAt: new Date(t.lastUsed).toISOString(),
        })),
      );
      const text = JSON.stringify(tokens);
      for (const t of seeded) expect(text).not.toContain(t.apiToken.slice(4, -4));
    });

    it('skips entries that are not tokens and times it cannot read', async () => {
      const token = 'a'.repeat(256);
      const body = [null, 'x', { apiToken: 7 }, { apiToken: 'short' }, { uid: 'ldap@jdoe', apiToken: token, created: 8.64e15 + 1, lastUsed: 'yesterday' }];
      site.inject({ method: 'GET', path: TOKEN, ...jsonFault(200, body) });
      expect(await insightio.list(await signedInAs(), JANE)).toEqual([{ id: fingerprintOf(token), name: masked(token) }]);
    });

    it('falls back to GET /api/getApiTokens on an older deployment', async () => {
      const old = await startInsightIo({ legacy: true });
      try {
        const [seeded] = old.addTokens(LOGINS.jane.uid, 1);
        const client = nodePageClient(old.origin, await signIn(old, LOGINS.jane.email, LOGINS.jane.password));
        expect((await insightio.list(client, JANE)).map((t) => t.id)).toEqual([fingerprintOf(seeded!.apiToken)]);
      } finally {
        await old.close();
      }
    });

    it('a server that lists only to a token, not to the session: said so, with where to look instead', async () => {
      site.inject({ method: 'GET', path: TOKEN, ...jsonFault(401, { error: 'Credentials required' }) });
      const error = await failure(insightio.list(await signedInAs(), JANE), 'forbidden');
      expect(error.user.sentence).toBe('This Insight.io server shows the token list only to a token, not to your browser session.');
      expect(error.user.next).toMatch(/Edit Profile → API Token/);
    });

    it('signed out: signed-out', async () => {
      await failure(insightio.list(anonymous(), JANE), 'signed-out');
    });

    it.each<[string, Omit<Fault, 'path'>, ErrorCode]>([
      ['a web page', { status: 200, contentType: 'text/html', body: webPage(200).body }, 'unexpected-response'],
      ['malformed JSON', { status: 200, contentType: 'application/json', body: '[{"apiToken": ' }, 'unexpected-response'],
      ['an object instead of a list', jsonFault(200, { tokens: [] }), 'unexpected-response'],
      ['a 503 with a web page', { status: 503, contentType: 'text/html', body: '<html>down</html>' }, 'server'],
    ])('%s: %s', async (_, fault, code) => {
      site.inject({ method: 'GET', path: TOKEN, ...fault });
      await failure(insightio.list(await signedInAs(), JANE), code);
    });
  });

  describe('revoke', () => {
    it('finds the token by its fingerprint and revokes it with the token alone; the others stay', async () => {
      const [keep, drop] = site.addTokens(LOGINS.jane.uid, 2, HOUR);
      await insightio.revoke(await signedInAs(), JANE, fingerprintOf(drop!.apiToken));
      expect(janeTokens()).toEqual([keep!.apiToken]);
      const deletes = sent('DELETE', TOKEN);
      expect(deletes).toHaveLength(1);
      expect(deletes[0]!.headers['x-auth-token']).toBe(drop!.apiToken);
      expect(deletes[0]!.headers).not.toHaveProperty('cookie');
      // Confirmed: the token no longer authenticates.
      const check = kit.exchanges.at(-1)!;
      expect([check.request.path, check.request.headers?.['X-Auth-Token'], check.request.credentials, check.response.status]).toEqual([
        PROFILE,
        drop!.apiToken,
        'omit',
        401,
      ]);
    });

    it('a fingerprint that is not listed is gone already: done, nothing deleted', async () => {
      site.addTokens(LOGINS.jane.uid, 1);
      await expect(insightio.revoke(await signedInAs(), JANE, '0123456789abcdef')).resolves.toBeUndefined();
      expect(sent('DELETE', TOKEN)).toHaveLength(0);
      expect(janeTokens()).toHaveLength(1);
    });

    it('a revoke the site ignored once is sent again (it is safe to repeat)', async () => {
      const [token] = site.addTokens(LOGINS.jane.uid, 1);
      const ignored = site.inject({ method: 'DELETE', path: TOKEN, status: 200, body: '' });
      await insightio.revoke(await signedInAs(), JANE, fingerprintOf(token!.apiToken));
      expect(ignored.hits).toBe(1);
      expect(sent('DELETE', TOKEN)).toHaveLength(2);
      expect(janeTokens()).toEqual([]);
    });

    it('a token that still works after two revokes: said so, not claimed revoked', async () => {
      const [token] = site.addTokens(LOGINS.jane.uid, 1);
      site.inject({ method: 'DELETE', path: TOKEN, status: 200, body: '', times: Infinity });
      const error = await failure(insightio.revoke(await signedInAs(), JANE, fingerprintOf(token!.apiToken)), 'server');
      expect(error.user.sentence).toBe('Insight.io answered the revoke, but the token still works.');
      expect(sent('DELETE', TOKEN)).toHaveLength(2);
      expect(janeTokens()).toHaveLength(1);
    });

    it('a 500 on revoke with the token still working: server', async () => {
      const [token] = site.addTokens(LOGINS.jane.uid, 1);
      site.inject({ method: 'DELETE', path: TOKEN, status: 500, contentType: 'text/html', body: '<h1>Oops</h1>' });
      const error = await failure(insightio.revoke(await signedInAs(), JANE, fingerprintOf(token!.apiToken)), 'server');
      expect(error.user.sentence).toBe('Insight.io had a server error (500).');
    });

    it('falls back to GET /api/revokeApiToken on an older deployment', async () => {
      const old = await startInsightIo({ legacy: true });
      try {
        const [token] = old.addTokens(LOGINS.jane.uid, 1);
        const client = nodePageClient(old.origin, await signIn(old, LOGINS.jane.email, LOGINS.jane.password));
        await insightio.revoke(client, JANE, fingerprintOf(token!.apiToken));
        expect(old.tokens(LOGINS.jane.uid)).toEqual([]);
        expect(old.requests().filter((r) => r.path === '/api/revokeApiToken').map((r) => r.headers['x-auth-token'])).toEqual([token!.apiToken]);
      } finally {
        await old.close();
      }
    });

    it('signed out: signed-out, and the token stays', async () => {
      const [token] = site.addTokens(LOGINS.jane.uid, 1);
      await failure(insightio.revoke(anonymous(), JANE, fingerprintOf(token!.apiToken)), 'signed-out');
      expect(janeTokens()).toHaveLength(1);
    });
  });

  describe('verify', () => {
    it("a valid token: its owner's uid, asked with the token alone", async () => {
      const [token] = site.addTokens(LOGINS.octo.uid, 1);
      expect(await insightio.verify(await signedInAs('jane'), token!.apiToken)).toBe(LOGINS.octo.uid);
      const [asked] = sent('GET', PROFILE);
      expect(asked?.headers['x-auth-token']).toBe(token!.apiToken);
      expect(asked?.headers).not.toHaveProperty('cookie');
      expect(asked?.path).toBe(PROFILE); // never in the URL
    });

    it('a token that is not valid: null, although the session would have answered', async () => {
      expect(await insightio.verify(await signedInAs(), 'f'.repeat(256))).toBeNull();
    });

    it('a revoked token: null', async () => {
      const client = await signedInAs();
      const [token] = site.addTokens(LOGINS.jane.uid, 1);
      await insightio.revoke(client, JANE, fingerprintOf(token!.apiToken));
      expect(await insightio.verify(client, token!.apiToken)).toBeNull();
    });

    it.each<[string, Omit<Fault, 'path'>, ErrorCode]>([
      ['a 502 page', { status: 502, contentType: 'text/html', body: '<html>bad gateway</html>' }, 'server'],
      ['a web page with 200', { status: 200, contentType: 'text/html', body: webPage(200).body }, 'unexpected-response'],
      ['a profile of another shape', jsonFault(200, { id: 1 }), 'unexpected-response'],
    ])('%s: %s', async (_, fault, code) => {
      site.inject({ method: 'GET', path: PROFILE, ...fault });
      await failure(insightio.verify(await signedInAs(), 'f'.repeat(256)), code);
    });
  });
});

describe('the secrets check', () => {
  it('finds a token, or half of one, in what the user reads', () => {
    const token = 'ab12'.repeat(64);
    const says = (sentence: string): UserError => ({ code: 'internal', sentence, next: 'Try again.' });
    expect(leaks(says(`Bad token ${token}.`), [token])).toEqual([token]);
    expect(leaks(says(`Bad token ${token.slice(0, 130)}.`), [token])).toEqual([token]);
    expect(leaks(says(`Token ${masked(token)}.`), [token])).toEqual([]);
  });
});

