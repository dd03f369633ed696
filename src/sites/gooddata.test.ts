import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ErrorCode, UserError } from '../core/errors.ts';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest, PageResponse } from '../core/page-request.ts';
import { captures, lost, useAdapterKit, withTimeoutMs } from '../../test/unit/adapter-test-kit.ts';
import { faultyClient } from '../../test/unit/faulty-client.ts';
import type { ClientFault } from '../../test/unit/faulty-client.ts';
import { nodePageClient } from '../../test/unit/node-page-client.ts';
import { signIn, startGoodData } from '../../test/sites/gooddata.ts';
import type { GoodDataSite } from '../../test/sites/gooddata.ts';
import type { Fault } from '../../test/sites/harness.ts';
import { gooddata } from './gooddata.ts';
import { mintInput, type SiteUser } from './types.ts';

const FIXTURE = new URL('../../../shared/fixtures/gooddata/api_tokens_recorded.yaml', import.meta.url);
const PASSWORDS = { demo: 'demo123', 'jane.doe': 'jane123', viewer: 'viewer123' } as const;
type UserId = keyof typeof PASSWORDS;

const DEMO: SiteUser = { id: 'demo', name: 'Demo User' };
const JANE: SiteUser = { id: 'jane.doe', name: 'Jane Doe' };
const VIEWER: SiteUser = { id: 'viewer', name: 'Viewer' };
const NAME = 'tokenmint-20240601-ab12';
const PROFILE = '/api/v1/profile';
const tokensPath = (userId: string) => `/api/v1/entities/users/${encodeURIComponent(userId)}/apiTokens`;
const tokenPath = (userId: string, id: string) => `${tokensPath(userId)}/${encodeURIComponent(id)}`;
const isCreate = (request: PageRequest) => request.method === 'POST';

// ---------------------------------------------------------------------------------------------------------------------
// The secrets check: every bearer token any answer carried, and every error the adapter produced in the current test.

/** A bearer token and the secret inside it (base64 of `userId:tokenId:secret`): neither may show. */
function secretForms(bearer: string): string[] {
  const inside = Buffer.from(bearer, 'base64').toString('utf8').split(':').slice(2).join(':');
  return inside.length >= 16 ? [bearer, inside] : [bearer];
}

const kit = useAdapterKit({
  secretsIn: (body) => captures(body, /"bearerToken"\s*:\s*"([^"]+)"/g),
  leakedIn: (text, bearer) => secretForms(bearer).filter((form) => text.includes(form)),
});
const { secrets, leaks, watched, failure, webPage, lostAnswers } = kit;

// ---------------------------------------------------------------------------------------------------------------------

describe('gooddata against the emulated site', () => {
  let site: GoodDataSite;

  beforeEach(async () => {
    site = await startGoodData();
  });

  afterEach(async () => {
    for (const user of Object.keys(PASSWORDS)) for (const token of site.tokens(user)) secrets.add(token.bearerToken);
    await site.close();
  });

  async function signedInAs(user: UserId): Promise<PageClient> {
    return watched(nodePageClient(site.origin, await signIn(site, user, PASSWORDS[user])));
  }

  const anonymous = () => watched(nodePageClient(site.origin));
  const sent = (method: string, path: string) => site.requests().filter((r) => r.method === method && r.path === path);
  const creates = () => sent('POST', tokensPath('demo'));
  const tokenIds = (user: UserId) => site.tokens(user).map((token) => token.id);

  describe('probe', () => {
    it('reads the signed-in user and their organization', async () => {
      for (const [user, name] of [['demo', 'Demo User'], ['jane.doe', 'Jane Doe']] as const) {
        expect(await gooddata.probe(await signedInAs(user))).toEqual({
          kind: 'signed-in',
          user: { id: user, name, org: 'Default Organization' },
        });
      }
      expect(sent('GET', PROFILE).map((r) => r.headers['x-requested-with'])).toEqual(['XMLHttpRequest', 'XMLHttpRequest']);
    });

    it('tells a viewer without the permission why they cannot mint', async () => {
      const probe = await gooddata.probe(await signedInAs('viewer'));
      if (probe.kind !== 'signed-in') throw new Error(`expected signed-in, got ${probe.kind}`);
      expect(probe.user).toMatchObject({ id: 'viewer', name: 'Viewer', org: 'Default Organization' });
      expect(probe.user.cannotMint).toMatchObject({ code: 'forbidden', next: expect.stringMatching(/admin/) });
      kit.reported.push(probe.user.cannotMint!);
    });

    it('is signed out when the session is gone (401 /appLogin)', async () => {
      expect(await gooddata.probe(anonymous())).toEqual({ kind: 'signed-out' });
      expect(kit.exchanges.map((e) => [e.response.status, e.response.body])).toEqual([[401, '/appLogin']]);
    });

    it.each<[string, Omit<Fault, 'path'>]>([
      ['a plain web page', { status: 200, contentType: 'text/html', body: '<!doctype html><title>Shop</title>' }],
      ['JSON without a userId', { status: 200, contentType: 'application/json', body: '{"id":7,"username":"demo","organizationId":"x"}' }],
      ['a 404', { status: 404, body: 'Not Found' }],
      ['a 401 with another body', { status: 401, contentType: 'application/json', body: '{"error":"unauthorized"}' }],
    ])('is not this site when the profile answers with %s', async (_, fault) => {
      const injected = site.inject({ method: 'GET', path: PROFILE, ...fault });
      expect(await gooddata.probe(await signedInAs('demo'))).toEqual({ kind: 'not-this-site' });
      expect(injected.hits).toBe(1);
    });

    it('is signed out, with a reason, for an account that is not a user of this organization', async () => {
      const spring = { timestamp: '2024-06-01T10:00:00.000+00:00', path: PROFILE, status: 404, error: 'Not Found', requestId: 'a1b2c3d4-7' };
      site.inject({ method: 'GET', path: PROFILE, status: 404, contentType: 'application/json', body: JSON.stringify(spring) });
      const probe = await gooddata.probe(await signedInAs('demo'));
      expect(probe).toEqual({
        kind: 'signed-out',
        reason: {
          code: 'signed-out',
          sentence: expect.stringContaining('not as a user of this GoodData organization'),
          next: expect.any(String),
          link: { label: 'Sign in', url: `${site.origin}/appLogin?redirectTo=%2F` },
        },
      });
    });

    it.each([
      { reason: 'contract_expired', status: 403 },
      { reason: 'license_expired', status: 403 },
      { detail: 'The contract of this organization has expired.', status: 403 },
    ])('is signed out, with a reason, for an expired tenant: %j', async (body) => {
      site.inject({ method: 'GET', path: PROFILE, status: 403, contentType: 'application/json', body: JSON.stringify(body) });
      const probe = await gooddata.probe(await signedInAs('demo'));
      if (probe.kind !== 'signed-out' || !probe.reason) throw new Error(`expected signed-out with a reason, got ${JSON.stringify(probe)}`);
      expect(probe.reason.sentence).toMatch(/contract or license has expired/);
      kit.reported.push(probe.reason);
    });
  });

  describe('mint', () => {
    const mintAs = async (user: UserId, siteUser: SiteUser, name = NAME) =>
      gooddata.mint(await signedInAs(user), siteUser, mintInput({ name }));

    it('returns the bearer token the site stored', async () => {
      const minted = await mintAs('demo', DEMO);
      expect(site.tokens('demo')).toHaveLength(1);
      expect(minted).toEqual({ id: NAME, name: NAME, secret: site.tokens('demo')[0]!.bearerToken });
      expect(secrets).toContain(minted.secret); // the secrets check knows the tokens these tests make
    });

    it('sends exactly {data: {id, type}} as JSON, marked as XMLHttpRequest', async () => {
      await mintAs('demo', DEMO);
      expect(creates()).toHaveLength(1);
      const [post] = creates();
      expect(JSON.parse(post!.body)).toStrictEqual({ data: { id: NAME, type: 'apiToken' } });
      expect(post!.headers).toMatchObject({
        'x-requested-with': 'XMLHttpRequest',
        'content-type': expect.stringMatching(/^application\/json\b/),
        accept: 'application/json',
      });
    });

    it('409: a conflict that names the token', async () => {
      const client = await signedInAs('demo');
      await gooddata.mint(client, DEMO, mintInput({ name: NAME }));
      const error = await failure(gooddata.mint(client, DEMO, mintInput({ name: NAME })), 'conflict');
      expect(error.user.sentence).toContain(`“${NAME}”`);
      expect(tokenIds('demo')).toEqual([NAME]);
    });

    it("400 problem+json: invalid, with the site's detail", async () => {
      const error = await failure(mintAs('demo', DEMO, 'has space'), 'invalid');
      const { detail } = JSON.parse(kit.exchanges.at(-1)!.response.body) as { detail: string };
      expect(detail).toMatch(/^Invalid id/);
      expect(error.user.sentence).toContain('“has space”');
      expect(error.user.sentence).toContain(detail.replace(/\.$/, ''));
      expect(site.tokens('demo')).toEqual([]);
    });

    it.each<[string, UserId, SiteUser]>([
      ['a viewer without the permission (403)', 'viewer', VIEWER],
      ["another user's id (404)", 'demo', JANE],
    ])('forbidden, with the admin as next step, for %s', async (_, user, target) => {
      const error = await failure(mintAs(user, target), 'forbidden');
      expect(error.user.next).toMatch(/admin/);
      expect([...site.tokens('viewer'), ...site.tokens('jane.doe')]).toEqual([]);
    });

    it('401: signed out, with the way back in', async () => {
      const error = await failure(gooddata.mint(anonymous(), DEMO, mintInput({ name: NAME })), 'signed-out');
      expect(error.user.link).toEqual({ label: 'Sign in', url: `${site.origin}/appLogin?redirectTo=%2F` });
      expect(creates()).toHaveLength(1);
    });

    it('403 plain-text CORS refusal: origin rejected', async () => {
      site.inject({ method: 'POST', path: tokensPath('demo'), status: 403, body: 'Invalid CORS request' });
      await failure(mintAs('demo', DEMO), 'origin-rejected');
      expect(site.tokens('demo')).toEqual([]);
    });

    describe('when the site made no token, the original error stands and nothing is repeated', () => {
      it('500 with a web page: server', async () => {
        site.inject({ method: 'POST', path: tokensPath('demo'), status: 500, contentType: 'text/html', body: '<!doctype html><h1>Oops</h1>' });
        await failure(mintAs('demo', DEMO), 'server');
        expect(site.tokens('demo')).toEqual([]);
        expect(creates()).toHaveLength(1);
      });

      it('no answer within the time limit: timeout', async () => {
        site.inject({ method: 'POST', path: tokensPath('demo'), hang: true });
        const client = withTimeoutMs(await signedInAs('demo'), 300);
        await failure(gooddata.mint(client, DEMO, mintInput({ name: NAME })), 'timeout');
        expect(site.tokens('demo')).toEqual([]);
        expect(creates()).toHaveLength(1);
      });

      it('connection reset: network', async () => {
        site.inject({ method: 'POST', path: tokensPath('demo'), reset: true });
        await failure(mintAs('demo', DEMO), 'network');
        expect(site.tokens('demo')).toEqual([]);
        expect(creates()).toHaveLength(1);
      });

      it.each(['network', 'timeout'] as const)('a %s failure before the site saw the request', async (code) => {
        const cause = lost(code);
        const client = faultyClient(await signedInAs('demo'), isCreate, { kind: 'drop', error: cause });
        const error = await failure(gooddata.mint(client, DEMO, mintInput({ name: NAME })), code);
        expect(error).toBe(cause);
        expect(site.tokens('demo')).toEqual([]);
        expect(creates()).toHaveLength(0);
        expect(sent('GET', tokenPath('demo', NAME))).toHaveLength(1); // it looked before giving up
      });

      // A proxy's sign-in page (200 + HTML) made nothing: the user must not be told to revoke a token that is not there.
      it.each([200, 201])('%i with a web page the site did not send: unexpected response, not orphaned', async (status) => {
        site.inject({ method: 'POST', path: tokensPath('demo'), status, contentType: 'text/html', body: webPage(status).body });
        await failure(mintAs('demo', DEMO), 'unexpected-response');
        expect(site.tokens('demo')).toEqual([]);
      });

      it('a lookup answered by a web page proves nothing: the failure stands, with the list to check', async () => {
        site.inject({ method: 'GET', path: tokenPath('demo', NAME), status: 200, contentType: 'text/html', body: webPage(200).body });
        const client = faultyClient(await signedInAs('demo'), isCreate, { kind: 'drop', error: lost('network') });
        const error = await failure(gooddata.mint(client, DEMO, mintInput({ name: NAME })), 'network');
        expect(error.user.next).toBe(`Check the GoodData token list for “${NAME}” before you try again.`);
      });
    });

    describe('when the site made the token but its answer was lost: orphaned, and never made twice', () => {
      it.each<[string, ClientFault]>([
        ...lostAnswers(201),
        ['the answer is cut off', { kind: 'rewrite', answer: (response) => ({ ...response, body: response.body.slice(0, -20) }) }],
      ])('%s', async (_, fault) => {
        const client = faultyClient(await signedInAs('demo'), isCreate, fault);
        const error = await failure(gooddata.mint(client, DEMO, mintInput({ name: NAME })), 'orphaned');
        expect(error.user.sentence).toContain(`“${NAME}”`);
        expect(error.user.next).toContain(`Revoke “${NAME}”`);
        expect(tokenIds('demo')).toEqual([NAME]);
        expect(creates()).toHaveLength(1);
      });

      it('keeps the failure, and says to check the list, when the lookup fails as well', async () => {
        const everything = () => true;
        const client = faultyClient(await signedInAs('demo'), everything, { kind: 'lose', error: lost('network') });
        const error = await failure(gooddata.mint(client, DEMO, mintInput({ name: NAME })), 'network');
        expect(error.user.next).toBe(`Check the GoodData token list for “${NAME}” before you try again.`);
        expect(creates()).toHaveLength(1);
        expect(sent('GET', tokenPath('demo', NAME))).toHaveLength(1);
      });
    });
  });

  describe('list', () => {
    it('an empty list', async () => {
      expect(await gooddata.list(await signedInAs('demo'), DEMO)).toEqual([]);
      expect(kit.exchanges.map((e) => [e.request.path, e.response.status])).toEqual([[`${tokensPath('demo')}?page=0&size=100&sort=id,asc`, 200]]);
    });

    it('pages until a short page, although every page offers links.next', async () => {
      site.addTokens('demo', 250);
      const tokens = await gooddata.list(await signedInAs('demo'), DEMO);
      const expected = site.tokens('demo').map((token) => ({ id: token.id, name: token.id }));
      expect(expected).toHaveLength(250);
      expect(tokens).toEqual(expected);
      const pages = kit.exchanges.map((e) => JSON.parse(e.response.body) as { data: unknown[]; links: { next?: string } });
      expect(pages.map((page) => page.data.length)).toEqual([100, 100, 50]);
      expect(pages.every((page) => page.links.next)).toBe(true);
    });

    it('stops when a server ignores `page` and repeats the first page, without duplicates', async () => {
      site.addTokens('demo', 150);
      const client = await signedInAs('demo');
      const firstPage = await client.request({
        method: 'GET',
        path: `${tokensPath('demo')}?page=0&size=100&sort=id,asc`,
        headers: { 'X-Requested-With': 'XMLHttpRequest' },
      });
      const stuck = faultyClient(client, (request) => /page=[1-9]/.test(request.path), { kind: 'rewrite', answer: () => firstPage });
      const tokens = await gooddata.list(stuck, DEMO);
      expect(tokens.map((token) => token.id)).toEqual(site.tokens('demo').slice(0, 100).map((token) => token.id));
      expect(stuck.hits).toBe(1);
    });

    it.each<[string, Omit<Fault, 'path'>, ErrorCode]>([
      ['401 mid-list', { status: 401, body: '/appLogin' }, 'signed-out'],
      ['a page that is a web page', { status: 200, contentType: 'text/html', body: webPage(200).body }, 'unexpected-response'],
    ])('%s', async (_, fault, code) => {
      site.addTokens('demo', 150);
      const injected = site.inject({ method: 'GET', path: /\/apiTokens\?(.*&)?page=1(&|$)/, ...fault });
      await failure(gooddata.list(await signedInAs('demo'), DEMO), code);
      expect(injected.hits).toBe(1);
    });
  });

  describe('revoke', () => {
    it('204 typed as JSON with an empty body: done, and the token is gone', async () => {
      site.addTokens('demo', 2);
      await gooddata.revoke(await signedInAs('demo'), DEMO, 'seeded-0000');
      expect(tokenIds('demo')).toEqual(['seeded-0001']);
      expect(kit.exchanges.map((e) => e.response)).toEqual([
        { status: 204, body: '', headers: expect.objectContaining({ 'content-type': 'application/vnd.gooddata.api+json' }) },
      ]);
    });

    it('an unknown id (404) is gone already: done', async () => {
      await expect(gooddata.revoke(await signedInAs('demo'), DEMO, 'never-made')).resolves.toBeUndefined();
      expect(kit.exchanges.map((e) => [e.request.method, e.response.status])).toEqual([['DELETE', 404]]);
    });

    it('401: signed out, and the token stays', async () => {
      site.addTokens('demo', 1);
      await failure(gooddata.revoke(anonymous(), DEMO, 'seeded-0000'), 'signed-out');
      expect(tokenIds('demo')).toEqual(['seeded-0000']);
    });
  });

  describe('verify', () => {
    it("a valid bearer token: its owner's id, asked without cookies", async () => {
      site.addTokens('jane.doe', 1);
      const bearer = site.tokens('jane.doe')[0]!.bearerToken;
      expect(await gooddata.verify(await signedInAs('demo'), bearer)).toBe('jane.doe');
      const [asked] = sent('GET', PROFILE);
      expect(asked?.headers.authorization).toBe(`Bearer ${bearer}`);
      expect(asked?.headers).not.toHaveProperty('cookie');
    });

    it.each(['revoked', 'garbage'])('a %s bearer token: null', async (kind) => {
      site.addTokens('demo', 1);
      const client = await signedInAs('demo');
      let bearer = Buffer.from('demo:nope:not-a-token').toString('base64');
      if (kind === 'revoked') {
        bearer = site.tokens('demo')[0]!.bearerToken;
        await gooddata.revoke(client, DEMO, 'seeded-0000');
      }
      expect(await gooddata.verify(client, bearer)).toBeNull();
      expect(sent('GET', PROFILE).map((r) => r.headers.authorization)).toEqual([`Bearer ${bearer}`]);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------------

interface Recorded {
  method: string;
  /** Pathname only: the recording listed with `size=500`, the adapter pages by 100. */
  path: string;
  headers: Record<string, string>;
  requestBody: unknown;
  response: PageResponse;
}

interface Interaction {
  request: { method: string; uri: string; body: unknown; headers: Record<string, string[]> };
  response: { status: { code: number }; headers: Record<string, string[]>; body: { string: unknown } };
}

async function recording(): Promise<Recorded[]> {
  const { interactions } = parse(await readFile(FIXTURE, 'utf8')) as { interactions: Interaction[] };
  const lower = (headers: Record<string, string[]>) =>
    Object.fromEntries(Object.entries(headers).map(([name, values]) => [name.toLowerCase(), values.join(', ')]));
  return interactions.map(({ request, response }) => {
    const body = response.body.string;
    return {
      method: request.method,
      path: new URL(request.uri).pathname,
      headers: lower(request.headers),
      requestBody: request.body,
      response: { status: response.status.code, headers: lower(response.headers), body: typeof body === 'string' ? body : JSON.stringify(body) },
    };
  });
}

/** A PageClient that answers each request with the next unused recorded answer to the same method and path. */
function replay(recorded: Recorded[]): PageClient & { unused(): Recorded[] } {
  const origin = 'http://localhost:3000';
  const left = [...recorded];
  return {
    origin,
    unused: () => [...left],
    async request(request) {
      const path = new URL(request.path, origin).pathname;
      const index = left.findIndex((r) => r.method === request.method && r.path === path);
      if (index < 0) throw new Error(`nothing recorded for ${request.method} ${path}`);
      const [match] = left.splice(index, 1) as [Recorded];
      expect(request.headers?.['X-Requested-With']).toBe(match.headers['x-requested-with']);
      if (match.requestBody !== null) expect(JSON.parse(request.body ?? '')).toStrictEqual(match.requestBody);
      return match.response;
    },
  };
}

describe('gooddata on the recorded traffic', () => {
  const USER: SiteUser = { id: 'demo', name: 'demo' };
  const ids = (tokens: { id: string }[]) => tokens.map((token) => token.id);

  it('lists, mints, lists, revokes and lists again on the recorded answers', async () => {
    const recorded = await recording();
    const client = replay(recorded);
    const site = watched(client);
    const bearer = (JSON.parse(recorded.find((r) => r.method === 'POST')!.response.body) as { data: { attributes: { bearerToken: string } } })
      .data.attributes.bearerToken;
    const deleted = recorded.find((r) => r.method === 'DELETE')!.response;
    expect(deleted).toMatchObject({ status: 204, body: '', headers: { 'content-type': 'application/vnd.gooddata.api+json' } });

    expect(ids(await gooddata.list(site, USER))).toEqual([]);
    expect(await gooddata.mint(site, USER, mintInput({ name: 'test_token' }))).toEqual({ id: 'test_token', name: 'test_token', secret: bearer });
    expect(ids(await gooddata.list(site, USER))).toEqual(['test_token']);
    await expect(gooddata.revoke(site, USER, 'test_token')).resolves.toBeUndefined();
    expect(ids(await gooddata.list(site, USER))).toEqual([]);
    // Only the lookup of one token is left: the adapter asks it only to settle an unclear create (next test).
    expect(client.unused().map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/entities/users/demo/apiTokens/test_token']);
  });

  it('settles a create whose answer was lost with the recorded lookup: orphaned', async () => {
    const client = faultyClient(watched(replay(await recording())), isCreate, { kind: 'lose', error: lost('network') });
    const error = await failure(gooddata.mint(client, USER, mintInput({ name: 'test_token' })), 'orphaned');
    expect(error.user.sentence).toContain('“test_token”');
    expect(kit.exchanges.map((e) => `${e.request.method} ${e.response.status}`)).toEqual(['POST 201', 'GET 200']);
  });
});

describe('the secrets check', () => {
  it('finds a bearer token, or the secret inside it, in what the user reads', () => {
    const inside = 'mlIFXh5ZBy+V3FamtxZb8lQ58ir0Kk/Y';
    const bearer = Buffer.from(`john.doe:mynewtoken:${inside}`).toString('base64');
    const says = (sentence: string, next = 'Try again.'): UserError => ({ code: 'internal', sentence, next });
    expect(leaks(says(`Bad token ${bearer}.`), [bearer])).toEqual([bearer]);
    expect(leaks(says('Bad token.', `Use ${inside}.`), [bearer])).toEqual([inside]);
    expect(leaks(says('Bad token.'), [bearer])).toEqual([]);
  });
});
