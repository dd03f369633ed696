import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode, UserError } from '../core/errors.ts';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest } from '../core/page-request.ts';
import { captures, jsonFault, lost, useAdapterKit, withTimeoutMs } from '../../test/unit/adapter-test-kit.ts';
import { faultyClient } from '../../test/unit/faulty-client.ts';
import type { ClientFault } from '../../test/unit/faulty-client.ts';
import { nodePageClient } from '../../test/unit/node-page-client.ts';
import { signIn, signInWithToken, startCds } from '../../test/sites/cds.ts';
import type { CdsSite } from '../../test/sites/cds.ts';
import { signIn as signInGoodData, startGoodData } from '../../test/sites/gooddata.ts';
import { html, json, startSite, type Fault, type Reply, type Site } from '../../test/sites/harness.ts';
import { SCOPES, cds, cdsAt, createBody, jsonWithBigInts, regenerate } from './cds.ts';
import { mintInput, type MintInput, type SiteUser } from './types.ts';

const PASSWORDS = { jdoe: 'jdoe123', maint: 'maint123', admin: 'admin123' } as const;
type Username = keyof typeof PASSWORDS;

const JDOE: SiteUser = { id: 'jdoe', name: 'Jane Doe', org: 'acme' };
const MAINT: SiteUser = { id: 'maint', name: 'Max Maintainer', org: 'acme' };
const ADMIN: SiteUser = { id: 'admin', name: 'Ada Admin', org: 'acme' };
const NAME = 'tokenmint-20261122-ab12';
const NS_PER_DAY = 86_400_000_000_000n;
const ME = '/cdsapi/auth/me';
const consumersPath = (username: string) => `/cdsapi/user/${username}/auth/consumer`;
const isCreate = (request: PageRequest) => request.method === 'POST' && request.path === consumersPath('jdoe');
const input = (given: Partial<MintInput> = {}) => mintInput({ name: NAME, scopes: ['Project'], expiresInDays: 15, ...given });

// ---------------------------------------------------------------------------------------------------------------------
// The secrets check: every sign-in token and session JWT any answer carried, and every error the adapter produced.

const kit = useAdapterKit({ secretsIn: (body) => captures(body, /"token"\s*:\s*"([^"]+)"/g) });
const { secrets, leaks, watched, failure, webPage, lostAnswers } = kit;

/** CDS's error body: every answer carries the id of its request. */
const cdsFault = (status: number, body: Record<string, unknown>): Omit<Fault, 'path'> => jsonFault(status, { request_id: 'r-1', ...body });

// ---------------------------------------------------------------------------------------------------------------------

describe('cds against the emulated site', () => {
  let site: CdsSite;

  beforeEach(async () => {
    site = await startCds();
  });

  afterEach(async () => {
    for (const user of Object.keys(PASSWORDS)) for (const token of site.tokens(user)) secrets.add(token.signinToken);
    await site.close();
  });

  /** A client with the user's session; the request log starts after the sign-in. */
  async function signedInAs(user: Username): Promise<PageClient> {
    const client = watched(nodePageClient(site.origin, await signIn(site, user, PASSWORDS[user])));
    site.clearRequests();
    return client;
  }

  const anonymous = () => watched(nodePageClient(site.origin));
  const sent = (method: string, path: string) => site.requests().filter((r) => r.method === method && r.path === path);
  const creates = () => sent('POST', consumersPath('jdoe'));
  const names = (user: Username) => site.tokens(user).map((token) => token.name);

  describe('probe', () => {
    it('reads the signed-in user from /auth/me in one request', async () => {
      for (const [user, expected] of [['jdoe', JDOE], ['admin', ADMIN]] as const) {
        site.clearRequests();
        expect(await cds.probe(await signedInAs(user))).toEqual({ kind: 'signed-in', user: expected });
        expect(site.requests().map((r) => `${r.method} ${r.path}`)).toEqual([`GET ${ME}`]);
      }
    });

    it('is signed out on CDS’s own 401, confirmed by /mon/version', async () => {
      expect(await cds.probe(anonymous())).toEqual({ kind: 'signed-out' });
      expect(site.requests().map((r) => r.path)).toEqual([ME, '/cdsapi/mon/version']);
    });

    it('tells a session opened with a token lacking AccessToken why it cannot mint', async () => {
      const token = site.addToken('jdoe', 'reader', { scopes: ['User'] });
      const client = watched(nodePageClient(site.origin, await signInWithToken(site, token.signinToken)));
      const probe = await cds.probe(client);
      if (probe.kind !== 'signed-in') throw new Error(`expected signed-in, got ${probe.kind}`);
      expect(probe.user).toMatchObject({ id: 'jdoe', name: 'Jane Doe' });
      expect(probe.user.cannotMint).toMatchObject({ code: 'forbidden', sentence: expect.stringContaining('AccessToken') });
      kit.reported.push(probe.user.cannotMint!);
    });

    it.each<[string, Omit<Fault, 'path'>]>([
      ['the app page (HTML 200)', { status: 200, contentType: 'text/html', body: '<!doctype html><cds-root></cds-root>' }],
      ['JSON without a ring', { status: 200, contentType: 'application/json', body: '{"user":{"username":"jdoe"},"consumer":{"type":"local"}}' }],
      ['JSON without a consumer', { status: 200, contentType: 'application/json', body: '{"user":{"username":"jdoe","ring":"USER"}}' }],
      ['a plain 404', { status: 404, body: 'Not Found' }],
      ['a 401 of another shape', { status: 401, contentType: 'application/json', body: '{"message":"Unauthorized"}' }],
    ])('is not this site when /auth/me answers with %s', async (_, fault) => {
      const injected = site.inject({ method: 'GET', path: ME, ...fault });
      expect(await cds.probe(await signedInAs('jdoe'))).toEqual({ kind: 'not-this-site' });
      expect(injected.hits).toBe(1);
    });

    it('is not this site when a 401 id 10 is not backed by /mon/version', async () => {
      site.inject({ method: 'GET', path: '/cdsapi/mon/version', status: 200, contentType: 'text/html', body: '<!doctype html><p>hi</p>' });
      expect(await cds.probe(anonymous())).toEqual({ kind: 'not-this-site' });
    });

    describe('on other sites', () => {
      const others: Site[] = [];
      afterEach(async () => {
        await Promise.all(others.splice(0).map((other) => other.close()));
      });

      it('never claims GoodData, signed in or out', async () => {
        const gooddata = await startGoodData();
        others.push(gooddata);
        const cookie = await signInGoodData(gooddata, 'demo', 'demo123');
        expect(await cds.probe(nodePageClient(gooddata.origin, cookie))).toEqual({ kind: 'not-this-site' });
        expect(await cds.probe(nodePageClient(gooddata.origin))).toEqual({ kind: 'not-this-site' });
      });

      it.each<[string, Reply]>([
        ['a web page everywhere', html(200, '<!doctype html><title>App</title>')],
        ['an empty JSON object everywhere', json(200, {})],
        ['a JSON 401 everywhere', json(401, { message: 'Unauthorized' })],
        ['CDS’s 401 body everywhere, but no version endpoint', json(401, { id: 10, message: 'not authenticated' })],
      ])('never claims %s, in at most 2 requests', async (_, reply) => {
        const decoy = await startSite(() => reply);
        others.push(decoy);
        expect(await cds.probe(nodePageClient(decoy.origin))).toEqual({ kind: 'not-this-site' });
        expect(decoy.requests().length).toBeLessThanOrEqual(2);
      });
    });
  });

  describe('form', () => {
    it('offers the scopes of /auth/scope (Project ticked), the user’s own groups, a description and 1–365 days', async () => {
      const form = await cds.form!(await signedInAs('jdoe'), JDOE);
      expect(form.scopes).toEqual({ choices: SCOPES, defaults: ['Project'], atLeastOne: true });
      expect(form.groups).toEqual({
        choices: [
          { id: '12', label: 'team-a', description: 'You are an admin of this group.' },
          { id: '13', label: 'team-b' },
        ],
      });
      expect(form.description).toEqual({ maxLength: 255 });
      expect(form.expiresInDays).toEqual({ min: 1, max: 365, default: 15 });
      expect(sent('GET', '/cdsapi/user/jdoe/group')).toHaveLength(1);
    });

    it('offers a maintainer only their own groups, although /group lists them all', async () => {
      const form = await cds.form!(await signedInAs('maint'), MAINT);
      expect(form.groups?.choices.map((c) => c.label)).toEqual(['team-a']);
      expect(sent('GET', '/cdsapi/group')).toHaveLength(0);
    });

    it('offers an admin every group', async () => {
      const form = await cds.form!(await signedInAs('admin'), ADMIN);
      expect(form.groups?.choices.map((c) => c.label)).toEqual(['shared.infra', 'team-a', 'team-b', 'ops']);
    });

    it('falls back to the known scopes when /auth/scope fails, and keeps newer ones it lists', async () => {
      site.inject({ path: '/cdsapi/auth/scope', status: 500, contentType: 'text/html', body: '<h1>oops</h1>' });
      expect((await cds.form!(await signedInAs('jdoe'), JDOE)).scopes?.choices).toEqual(SCOPES);
      site.inject({ path: '/cdsapi/auth/scope', status: 200, contentType: 'application/json', body: '[{"scope":"Run","endpoints":[]},{"scope":"Future","endpoints":[]},{"scope":"bad scope"}]' });
      const form = await cds.form!(await signedInAs('jdoe'), JDOE);
      expect(form.scopes).toEqual({ choices: [SCOPES.find((s) => s.id === 'Run'), { id: 'Future', label: 'Future' }], defaults: [], atLeastOne: true });
    });

    it('asks an origin for its scopes once: the next form uses them without a request (a failed read is asked again)', async () => {
      const client = await signedInAs('jdoe');
      const adapter = cdsAt('/cdsapi');
      site.inject({ path: '/cdsapi/auth/scope', status: 502, contentType: 'text/html', body: '<h1>Bad gateway</h1>' });
      expect((await adapter.form!(client, JDOE)).scopes?.choices).toEqual(SCOPES);
      site.inject({ path: '/cdsapi/auth/scope', status: 200, contentType: 'application/json', body: '[{"scope":"Run","endpoints":[]}]' });
      expect((await adapter.form!(client, JDOE)).scopes?.choices.map((c) => c.id)).toEqual(['Run']);
      expect((await adapter.form!(client, JDOE)).scopes?.choices.map((c) => c.id)).toEqual(['Run']);
      expect(sent('GET', '/cdsapi/auth/scope')).toHaveLength(2);
      expect(sent('GET', '/cdsapi/user/jdoe/group')).toHaveLength(3);
    });

    it('signed out: the error with the way back in', async () => {
      const error = await failure(cds.form!(anonymous(), JDOE), 'signed-out');
      expect(error.user.link).toEqual({ label: 'Sign in', url: `${site.origin}/auth/signin` });
    });
  });

  describe('mint', () => {
    it('returns the sign-in token CDS stored, with the consumer id', async () => {
      const minted = await cds.mint(await signedInAs('jdoe'), JDOE, input());
      const [token] = site.tokens('jdoe');
      expect(minted).toEqual({ id: token!.id, name: NAME, secret: token!.signinToken });
      expect(secrets).toContain(minted.secret);
    });

    it('sends name, description, scopes, groups and 365 days as an exact nanosecond integer, with the XSRF header', async () => {
      const client = await signedInAs('jdoe');
      await cds.mint(client, JDOE, input({ description: 'for CI', scopes: ['Project', 'Run'], groups: ['12'], expiresInDays: 365 }));
      const [post] = creates();
      const duration = 365n * NS_PER_DAY;
      expect(duration > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      expect(post!.body).toContain(`"duration":${duration}`);
      expect(site.tokens('jdoe')[0]).toMatchObject({ name: NAME, description: 'for CI', durationNs: duration, groupIds: [12], scopes: [{ scope: 'Project' }, { scope: 'Run' }] });
      const body = JSON.parse(post!.body);
      expect(body).toEqual({
        name: NAME,
        description: 'for CI',
        validity_periods: [{ issued_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/), duration: expect.any(Number) }],
        auth_consumer_user: { group_ids: [12], scope_details: [{ scope: 'Project' }, { scope: 'Run' }] },
      });
      const xsrf = /xsrf_token=([^;]+)/.exec(post!.headers.cookie ?? '')?.[1];
      expect(xsrf).toBeTruthy();
      expect(post!.headers).toMatchObject({ 'x-xsrf-token': xsrf, 'content-type': 'application/json', accept: 'application/json' });
    });

    it('leaves the validity to the instance when no expiry is asked for', async () => {
      await cds.mint(await signedInAs('jdoe'), JDOE, input({ expiresInDays: null }));
      expect(JSON.parse(creates()[0]!.body)).not.toHaveProperty('validity_periods');
      expect(site.tokens('jdoe')[0]!.durationNs).toBe(30n * NS_PER_DAY);
    });

    it.each<[string, Partial<MintInput>, RegExp]>([
      ['0 days (which would never expire)', { expiresInDays: 0 }, /1 to 365 days/],
      ['366 days', { expiresInDays: 366 }, /1 to 365 days/],
      ['1.5 days', { expiresInDays: 1.5 }, /1 to 365 days/],
      ['no scope', { scopes: [] }, /at least one scope/],
      ['a group that is not a number', { groups: ['team-a'] }, /group/],
      ['a 256-character description', { description: 'd'.repeat(256) }, /255 characters/],
    ])('refuses %s before sending anything', async (_, given, sentence) => {
      const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input(given)), 'invalid');
      expect(error.user.sentence).toMatch(sentence);
      expect(site.requests()).toEqual([]);
    });

    it('recovers from a stale XSRF token with one read and one retry', async () => {
      const client = await signedInAs('jdoe');
      // Another tab's read rotated the token between the list and the create.
      site.inject({ method: 'POST', path: consumersPath('jdoe'), ...cdsFault(403, { id: 11, message: 'forbidden' }) });
      const minted = await cds.mint(client, JDOE, input());
      expect(site.requests().map((r) => `${r.method} ${r.path}`)).toEqual([
        `GET ${consumersPath('jdoe')}`,
        `POST ${consumersPath('jdoe')}`,
        `GET ${ME}`,
        `POST ${consumersPath('jdoe')}`,
      ]);
      expect(site.tokens('jdoe').map((t) => t.signinToken)).toEqual([minted.secret]);
    });

    it('a second XSRF refusal is one clear sentence, and nothing is made', async () => {
      site.inject({ method: 'POST', path: consumersPath('jdoe'), ...cdsFault(403, { id: 11, message: 'forbidden' }), times: 2 });
      const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input()), 'csrf-refused');
      expect(error.user.sentence).toBe('CDS refused to make a token for jdoe (403), even after renewing its security cookie (xsrf_token).');
      expect(creates()).toHaveLength(2);
      expect(sent('GET', ME)).toHaveLength(1);
      expect(site.tokens('jdoe')).toEqual([]);
    });

    it('a token for someone else than the tab’s user is refused before the create', async () => {
      const error = await failure(cds.mint(await signedInAs('jdoe'), MAINT, input()), 'forbidden');
      expect(error.user.sentence).toBe('CDS refused the request (403).');
      expect(sent('POST', consumersPath('maint'))).toHaveLength(0);
      expect(site.tokens('maint')).toEqual([]);
    });

    it("400: invalid, with CDS's own `from`", async () => {
      const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input({ scopes: ['Worker'] })), 'invalid');
      expect(error.user.sentence).toBe(`CDS refused the token “${NAME}”: invalid given scope Worker.`);
      expect(site.tokens('jdoe')).toEqual([]);
    });

    it('400 without `from`: a group the session may not use', async () => {
      site.inject({ method: 'POST', path: consumersPath('jdoe'), ...cdsFault(400, { id: 74, message: 'wrong request' }) });
      const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input({ groups: ['13'] })), 'invalid');
      expect(error.user.sentence).toContain('one of the chosen groups is not allowed');
    });

    it('401: signed out, with the Sign in link', async () => {
      const error = await failure(cds.mint(anonymous(), JDOE, input()), 'signed-out');
      expect(error.user).toEqual({
        code: 'signed-out',
        sentence: 'You are not signed in to CDS.',
        next: 'Sign in, then open Tokenmint again.',
        link: { label: 'Sign in', url: `${site.origin}/auth/signin` },
      });
    });

    it('404 id 136: CDS does not know the user', async () => {
      site.inject({ method: 'POST', path: consumersPath('jdoe'), ...cdsFault(404, { id: 136, message: 'User not found' }) });
      const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input()), 'not-found');
      expect(error.user.sentence).toBe('CDS does not know the user jdoe.');
    });

    it('404 that is not CDS’s: the API is not under /cdsapi here', async () => {
      site.inject({ method: 'GET', path: consumersPath('jdoe'), status: 404, contentType: 'text/html', body: '<h1>Not Found</h1>' });
      const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input()), 'not-found');
      expect(error.user.sentence).toContain('under /cdsapi');
      expect(creates()).toHaveLength(0);
    });

    it('409: a conflict', async () => {
      site.inject({ method: 'POST', path: consumersPath('jdoe'), ...cdsFault(409, { id: 4, message: 'already exists' }) });
      const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input()), 'conflict');
      expect(error.user.sentence).toContain('already exists');
    });

    it('429: rate limited, with the wait the site asks for', async () => {
      site.inject({ method: 'POST', path: consumersPath('jdoe'), status: 429, headers: { 'retry-after': '7' } });
      const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input()), 'rate-limited');
      expect(error.user.next).toBe('Wait 7 seconds and try again.');
    });

    it('503 id 60: maintenance mode, without a lookup', async () => {
      site.setMaintenance(true);
      const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input()), 'server');
      expect(error.user.sentence).toBe('CDS is in maintenance mode and accepts no changes right now.');
      expect(sent('GET', consumersPath('jdoe'))).toHaveLength(1);
    });

    describe('when CDS made no token, the original error stands and nothing is repeated', () => {
      it('500 with a web page: server error, after a look at the list', async () => {
        site.inject({ method: 'POST', path: consumersPath('jdoe'), status: 500, contentType: 'text/html', body: '<!doctype html><h1>Oops</h1>' });
        const error = await failure(cds.mint(await signedInAs('jdoe'), JDOE, input()), 'server');
        expect(error.user.sentence).toBe('CDS had a server error (500).');
        expect(creates()).toHaveLength(1);
        expect(sent('GET', consumersPath('jdoe'))).toHaveLength(2);
        expect(site.tokens('jdoe')).toEqual([]);
      });

      it('no answer within the time limit: timeout', async () => {
        site.inject({ method: 'POST', path: consumersPath('jdoe'), hang: true });
        await failure(cds.mint(withTimeoutMs(await signedInAs('jdoe'), 300), JDOE, input()), 'timeout');
        expect(site.tokens('jdoe')).toEqual([]);
        expect(creates()).toHaveLength(1);
      });

      it('connection reset: network', async () => {
        site.inject({ method: 'POST', path: consumersPath('jdoe'), reset: true });
        await failure(cds.mint(await signedInAs('jdoe'), JDOE, input()), 'network');
        expect(creates()).toHaveLength(1);
      });

      it('a token of the same name made earlier is not taken for this one', async () => {
        site.addToken('jdoe', NAME);
        const cause = lost('network');
        const client = faultyClient(await signedInAs('jdoe'), isCreate, { kind: 'drop', error: cause });
        expect(await failure(cds.mint(client, JDOE, input()), 'network')).toBe(cause);
        expect(names('jdoe')).toEqual([NAME]);
        expect(creates()).toHaveLength(0);
      });

      it.each([200, 201])('%i with a web page CDS did not send: unexpected response, not orphaned', async (status) => {
        site.inject({ method: 'POST', path: consumersPath('jdoe'), status, contentType: 'text/html', body: webPage(status).body });
        await failure(cds.mint(await signedInAs('jdoe'), JDOE, input()), 'unexpected-response');
        expect(site.tokens('jdoe')).toEqual([]);
      });

      it('a lookup that fails as well: the failure stands, with the list to check', async () => {
        // The list before the create gets through; every answer after it is lost.
        let seen = 0;
        const client = faultyClient(await signedInAs('jdoe'), () => seen++ > 0, { kind: 'lose', error: lost('network') });
        const error = await failure(cds.mint(client, JDOE, input()), 'network');
        expect(error.user.next).toBe(`Check the CDS token list for “${NAME}” before you try again.`);
        expect(creates()).toHaveLength(1);
        expect(sent('GET', consumersPath('jdoe'))).toHaveLength(2);
      });
    });

    describe('when CDS made the token but its answer was lost: orphaned, and never made twice', () => {
      it.each<[string, ClientFault]>([
        ...lostAnswers(201),
        ['the answer is cut off', { kind: 'rewrite', answer: (response) => ({ ...response, body: response.body.slice(0, -40) }) }],
        ['the answer lacks the token', { kind: 'rewrite', answer: (response) => ({ ...response, body: JSON.stringify({ ...JSON.parse(response.body), token: undefined }) }) }],
      ])('%s', async (_, fault) => {
        const client = faultyClient(await signedInAs('jdoe'), isCreate, fault);
        const error = await failure(cds.mint(client, JDOE, input()), 'orphaned');
        expect(error.user.sentence).toBe(`CDS made the token “${NAME}”, but its sign-in token never reached Tokenmint.`);
        expect(error.user.next).toContain(`Revoke “${NAME}”`);
        expect(names('jdoe')).toEqual([NAME]);
        expect(creates()).toHaveLength(1);
      });
    });

    it('keeps a secret whose answer lacks the consumer id, finding the id in the list', async () => {
      const client = faultyClient(await signedInAs('jdoe'), isCreate, {
        kind: 'rewrite',
        answer: (response) => ({ ...response, body: JSON.stringify({ token: JSON.parse(response.body).token }) }),
      });
      const minted = await cds.mint(client, JDOE, input());
      expect(minted).toEqual({ id: site.tokens('jdoe')[0]!.id, name: NAME, secret: site.tokens('jdoe')[0]!.signinToken });
    });
  });

  describe('list', () => {
    it('lists builtin tokens only, with dates and scopes', async () => {
      const seeded = site.addToken('jdoe', 'ci', { scopes: ['Project', 'Run'], days: 10 });
      site.addToken('maint', 'not-mine');
      const [token, ...rest] = await cds.list(await signedInAs('jdoe'), JDOE);
      expect(rest).toEqual([]);
      expect(token).toEqual({ id: seeded.id, name: 'ci', createdAt: expect.any(String), expiresAt: expect.any(String), scopes: ['Project', 'Run'] });
      const lifetime = Date.parse(token!.expiresAt!) - Date.parse(token!.createdAt!);
      expect(Math.abs(lifetime - 10 * 86_400_000)).toBeLessThan(1000);
      const listed = JSON.parse(kit.exchanges[0]!.response.body) as { type: string }[];
      expect(listed.map((c) => c.type)).toEqual(['local', 'builtin']);
    });

    it('a token that never expires has no expiry; a used one has its last use; a regenerated one its newest period', async () => {
      const forever = site.addToken('jdoe', 'forever', { days: 0 });
      const client = await signedInAs('jdoe');
      expect(await cds.verify(client, forever.signinToken)).toBe('jdoe');
      const regenerated = site.addToken('jdoe', 'again', { days: 300 });
      await regenerate(client, JDOE, regenerated.id, 2);
      const tokens = await cds.list(client, JDOE);
      expect(tokens[0]).toMatchObject({ name: 'forever', lastUsedAt: expect.any(String) });
      expect(tokens[0]).not.toHaveProperty('expiresAt');
      const days = (Date.parse(tokens[1]!.expiresAt!) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(1.9);
      expect(days).toBeLessThan(2.1);
    });

    it.each<[string, Omit<Fault, 'path'>, ErrorCode]>([
      ['401', cdsFault(401, { id: 10, message: 'not authenticated' }), 'signed-out'],
      ['a web page', { status: 200, contentType: 'text/html', body: webPage(200).body }, 'unexpected-response'],
      ['malformed JSON', { status: 200, contentType: 'application/json', body: '[{"id":' }, 'unexpected-response'],
      ['a 502 web page', { status: 502, contentType: 'text/html', body: webPage(502).body }, 'server'],
    ])('%s', async (_, fault, code) => {
      site.inject({ method: 'GET', path: consumersPath('jdoe'), ...fault });
      await failure(cds.list(await signedInAs('jdoe'), JDOE), code);
    });
  });

  describe('revoke', () => {
    it('200 null: done, and the token and its sessions are gone', async () => {
      const token = site.addToken('jdoe', 'ci', { scopes: ['User'] });
      const client = await signedInAs('jdoe');
      expect(await cds.verify(client, token.signinToken)).toBe('jdoe');
      await cds.revoke(client, JDOE, token.id);
      expect(site.tokens('jdoe')).toEqual([]);
      expect(await cds.verify(client, token.signinToken)).toBeNull();
      // No read had issued the XSRF cookie yet: refused once, then sent with it.
      const deletes = sent('DELETE', `${consumersPath('jdoe')}/${token.id}`);
      expect(deletes.map((r) => r.headers['x-xsrf-token'] !== undefined)).toEqual([false, true]);
    });

    it('an unknown id (403, not 404) that the list does not hold is gone already: done', async () => {
      await expect(cds.revoke(await signedInAs('jdoe'), JDOE, 'never-made')).resolves.toBeUndefined();
      expect(site.requests().map((r) => `${r.method} ${r.path.replace(consumersPath('jdoe'), '…')}`)).toEqual([
        'DELETE …/never-made',
        `GET ${ME}`,
        'DELETE …/never-made',
        'GET …',
      ]);
    });

    it('a login consumer cannot be revoked: forbidden, naming it', async () => {
      const client = await signedInAs('jdoe');
      const me = JSON.parse((await client.request({ method: 'GET', path: ME })).body) as { consumer: { id: string } };
      const error = await failure(cds.revoke(client, JDOE, me.consumer.id), 'forbidden');
      expect(error.user.sentence).toBe('“local” is a way to sign in to CDS, not a token, so it cannot be revoked here.');
    });

    it('a listed token CDS keeps refusing: forbidden, naming it', async () => {
      const token = site.addToken('jdoe', 'ci');
      site.inject({ method: 'DELETE', path: `${consumersPath('jdoe')}/${token.id}`, ...cdsFault(403, { id: 11, message: 'forbidden' }), times: 2 });
      const error = await failure(cds.revoke(await signedInAs('jdoe'), JDOE, token.id), 'forbidden');
      expect(error.user.sentence).toContain('CDS refused to revoke “ci” (403)');
      expect(names('jdoe')).toEqual(['ci']);
    });

    it('a stale XSRF token: one read, one retry, done', async () => {
      const token = site.addToken('jdoe', 'ci');
      const client = await signedInAs('jdoe');
      await cds.list(client, JDOE);
      site.dropXsrf('jdoe');
      await cds.revoke(client, JDOE, token.id);
      expect(site.tokens('jdoe')).toEqual([]);
    });

    it('an admin revokes another user’s token', async () => {
      const token = site.addToken('jdoe', 'ci');
      await cds.revoke(await signedInAs('admin'), JDOE, token.id);
      expect(site.tokens('jdoe')).toEqual([]);
    });

    it('401: signed out, and the token stays', async () => {
      const token = site.addToken('jdoe', 'ci');
      await failure(cds.revoke(anonymous(), JDOE, token.id), 'signed-out');
      expect(names('jdoe')).toEqual(['ci']);
    });
  });

  describe('verify', () => {
    it('signs in with the token alone, returns its user, and ends the session it opened', async () => {
      const token = site.addToken('maint', 'ci');
      const client = nodePageClient(site.origin, await signIn(site, 'jdoe', 'jdoe123'));
      const cookie = client.cookie;
      expect(site.sessions('maint')).toBe(0);
      expect(await cds.verify(watched(client), token.signinToken)).toBe('maint');
      const [signin] = sent('POST', '/cdsapi/auth/consumer/builtin/signin');
      expect(JSON.parse(signin!.body)).toEqual({ token: token.signinToken });
      expect(signin!.headers).not.toHaveProperty('cookie');
      expect(signin!.headers).not.toHaveProperty('x-xsrf-token');
      // The answer's jwt_token cookie did not replace the user's own session.
      expect(client.cookie).toBe(cookie);
      expect(site.sessions('maint')).toBe(0);
      const [signout] = sent('POST', '/cdsapi/auth/consumer/signout');
      expect(signout!.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      expect(signout!.headers).not.toHaveProperty('cookie');
    });

    it.each(['revoked', 'garbage'])('a %s token: null', async (kind) => {
      const client = await signedInAs('jdoe');
      let secret = 'eyJhbGciOiJSUzUxMiJ9.e30.not-a-signature';
      if (kind === 'revoked') {
        const token = site.addToken('jdoe', 'ci');
        secret = token.signinToken;
        await cds.revoke(client, JDOE, token.id);
      }
      expect(await cds.verify(client, secret)).toBeNull();
    });

    it('a server error is an error, not a verdict', async () => {
      site.inject({ method: 'POST', path: '/cdsapi/auth/consumer/builtin/signin', status: 500, contentType: 'text/html', body: '<h1>oops</h1>' });
      const token = site.addToken('jdoe', 'ci');
      await failure(cds.verify(await signedInAs('jdoe'), token.signinToken), 'server');
    });
  });

  describe('regenerate', () => {
    it('returns a new sign-in token; the old one stops working at once', async () => {
      const token = site.addToken('jdoe', 'ci');
      const client = await signedInAs('jdoe');
      const fresh = await regenerate(client, JDOE, token.id, 30);
      expect(fresh).toBe(site.tokens('jdoe')[0]!.signinToken);
      expect(fresh).not.toBe(token.signinToken);
      const [post] = sent('POST', `${consumersPath('jdoe')}/${token.id}/regen`);
      expect(JSON.parse(post!.body)).toEqual({ revoke_sessions: true, overlap_duration: '0s', new_duration: 30 });
      expect(site.tokens('jdoe')[0]!.durationNs).toBe(30n * NS_PER_DAY);
      expect(await cds.verify(client, token.signinToken)).toBeNull();
      expect(await cds.verify(client, fresh)).toBe('jdoe');
    });

    it('keeps the old token through an overlap when asked', async () => {
      const token = site.addToken('jdoe', 'ci');
      const client = await signedInAs('jdoe');
      await regenerate(client, JDOE, token.id, 7, { overlap: '1h', revokeSessions: false });
      expect(await cds.verify(client, token.signinToken)).toBe('jdoe');
    });

    it('recovers from a stale XSRF token', async () => {
      const token = site.addToken('jdoe', 'ci');
      const client = await signedInAs('jdoe');
      await cds.list(client, JDOE);
      site.dropXsrf('jdoe');
      expect(await regenerate(client, JDOE, token.id, 5)).toBe(site.tokens('jdoe')[0]!.signinToken);
    });

    it.each([0, 366, 2.5])('refuses %s days before sending anything', async (days) => {
      await failure(regenerate(await signedInAs('jdoe'), JDOE, 'x', days), 'invalid');
      expect(site.requests()).toEqual([]);
    });

    it("400: CDS's reason", async () => {
      const token = site.addToken('jdoe', 'ci');
      const error = await failure(regenerate(await signedInAs('jdoe'), JDOE, token.id, 1, { overlap: '25h' }), 'invalid');
      expect(error.user.sentence).toBe('CDS refused to regenerate the token: invalid duration.');
    });

    it('an unknown or foreign token: forbidden', async () => {
      const error = await failure(regenerate(await signedInAs('jdoe'), JDOE, 'never-made', 5), 'forbidden');
      expect(error.user.sentence).toContain('CDS refused to regenerate the token (403)');
    });

    it.each<[string, ClientFault, ErrorCode]>([
      ['a lost answer', { kind: 'lose', error: lost('network') }, 'network'],
      ['an answer without the token', { kind: 'rewrite', answer: (r) => ({ ...r, body: '{"consumer":{}}' }) }, 'unexpected-response'],
      ['a 502 web page', { kind: 'rewrite', answer: () => webPage(502) }, 'server'],
    ])('%s: says the old token may be gone, and is not repeated', async (_, fault, code) => {
      const token = site.addToken('jdoe', 'ci');
      const inner = await signedInAs('jdoe');
      await cds.probe(inner); // issues the XSRF cookie, so the one regenerate goes through
      const client = faultyClient(inner, (r) => r.path.endsWith('/regen'), fault);
      const error = await failure(regenerate(client, JDOE, token.id, 5), code);
      expect(error.user.next).toBe('CDS may have replaced the sign-in token anyway: regenerate it again to get one that works.');
      expect(sent('POST', `${consumersPath('jdoe')}/${token.id}/regen`)).toHaveLength(1);
    });
  });

  describe('another API base', () => {
    it('sends every request under it, and signs in beside it', async () => {
      const ui = cdsAt('/ui/cdsapi');
      expect(ui.loginUrl('https://cds.example.com')).toBe('https://cds.example.com/ui/auth/signin');
      expect(cds.loginUrl('https://cds.example.com')).toBe('https://cds.example.com/auth/signin');
      // The emulated site serves its app page there, which is not CDS's API.
      expect(await ui.probe(await signedInAs('jdoe'))).toEqual({ kind: 'not-this-site' });
      expect(site.requests().at(-1)?.path).toBe('/ui/cdsapi/auth/me');
    });
  });
});

describe('request bodies', () => {
  it('writes a bigint as an exact integer, and never mistakes a string for one', () => {
    expect(jsonWithBigInts({ d: 31_536_000_000_000_000n, s: 'bigint-x:5', n: 1 })).toBe('{"d":31536000000000000,"s":"bigint-x:5","n":1}');
  });

  it('builds the create body for 1 and 365 days exactly', () => {
    const at = new Date('2026-11-22T10:00:00.000Z');
    expect(createBody(input({ expiresInDays: 1, groups: ['12', '12'] }), at)).toBe(
      `{"name":"${NAME}","description":"","validity_periods":[{"issued_at":"2026-11-22T10:00:00.000Z","duration":86400000000000}],"auth_consumer_user":{"group_ids":[12],"scope_details":[{"scope":"Project"}]}}`,
    );
    expect(createBody(input({ expiresInDays: 365 }), at)).toContain('"duration":31536000000000000}');
  });
});

describe('the secrets check', () => {
  it('finds a known secret in what the user reads', () => {
    const says = (sentence: string, next = 'Try again.'): UserError => ({ code: 'internal', sentence, next });
    expect(leaks(says('Bad token abc.def.ghi.'), ['abc.def.ghi'])).toEqual(['abc.def.ghi']);
    expect(leaks(says('Bad token.'), ['abc.def.ghi'])).toEqual([]);
  });
});
