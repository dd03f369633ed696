import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PageClient } from '../../core/page-client.ts';
import type { PageRequest, PageResponse } from '../../core/page-request.ts';
import { captures, lost, useAdapterKit } from '../../../test/unit/adapter-test-kit.ts';
import { faultyClient } from '../../../test/unit/faulty-client.ts';
import { nodePageClient } from '../../../test/unit/node-page-client.ts';
import { json, startSite, type Reply, type Site as EmulatedSite } from '../../../test/sites/harness.ts';
import { demoRecipe, signIn, startDemoForge, type DemoSite } from '../../../test/sites/recipe-demo.ts';
import { mintInput, type Site, type SiteUser } from '../types.ts';
import { recipeSite } from './adapter.ts';
import type { Recipe } from './format.ts';
import { validateRecipe } from './validate.ts';

const kit = useAdapterKit({ secretsIn: (body) => captures(body, /"sha1":"([^"]+)"/g) });
const { secrets, watched, failure, webPage } = kit;

const JANE: SiteUser = { id: 'jane', name: 'Jane Doe' };
const NAME = 'ci-token';
const isCreate = (request: PageRequest) => request.method === 'POST' && request.path.endsWith('/tokens');

/** The demo recipe, changed by `change`, through the same validation as a pasted one. */
function recipeOf(origin: string, change: (recipe: Record<string, any>) => void = () => {}): Recipe {
  const recipe = demoRecipe(origin);
  change(recipe);
  const checked = validateRecipe(recipe);
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems));
  return checked.recipe;
}

let forge: DemoSite;
let adapter: Site;

beforeEach(async () => {
  forge = await startDemoForge();
  adapter = recipeSite(recipeOf(forge.origin));
});

afterEach(async () => {
  for (const login of ['jane', 'sam']) for (const token of forge.tokens(login)) secrets.add(token.secret);
  // Whatever a recipe filled in, every request it made stayed a path on the tab's own origin.
  for (const { request } of kit.exchanges) expect(new URL(request.path, forge.origin).origin).toBe(forge.origin);
  await forge.close();
});

async function signedIn(user: 'jane' | 'sam' = 'jane'): Promise<PageClient> {
  return watched(nodePageClient(forge.origin, await signIn(forge, user)));
}

describe('recognition', () => {
  it('finds the signed-in user where the who-am-I answers as the recipe expects', async () => {
    expect(await adapter.probe(await signedIn())).toEqual({ kind: 'signed-in', user: JANE });
    expect(kit.exchanges[0]!.request).toMatchObject({ method: 'GET', path: '/api/v1/user', headers: { Accept: 'application/json' } });
  });

  it('says signed out on a 401, and offers the recipe’s sign-in page', async () => {
    expect(await adapter.probe(watched(nodePageClient(forge.origin)))).toEqual({ kind: 'signed-out' });
    expect(adapter.loginUrl(forge.origin)).toBe(`${forge.origin}/user/login`);
  });

  describe('is not fooled by another app', () => {
    let other: EmulatedSite;
    let answer: () => Reply;
    beforeAll(async () => {
      other = await startSite(() => answer());
    });
    afterAll(() => other.close());

    it.each([
      ['a JSON user without the fields the recipe expects', () => json(200, { login: 'jane' })],
      ['a web page', () => ({ status: 200, headers: { 'content-type': 'text/html' }, body: '<!doctype html><p>hi' })],
      ['a 404', () => json(404, { message: 'no' })],
      ['a numberless, nameless user', () => json(200, { login: '', avatar_url: 'x' })],
    ])('%s', async (_, reply) => {
      answer = reply;
      expect(await adapter.probe(nodePageClient(other.origin))).toEqual({ kind: 'not-this-site' });
    });
  });
});

describe('the popup’s form', () => {
  it('offers the recipe’s scopes, expiry and name rule', async () => {
    expect(await adapter.form!(await signedIn(), JANE)).toEqual({
      scopes: {
        choices: [
          { id: 'read:repo', label: 'read:repo', description: 'Read repositories' },
          { id: 'write:repo', label: 'write:repo' },
        ],
        defaults: ['read:repo'],
        atLeastOne: true,
      },
      expiresInDays: { min: 1, max: 90, default: 30 },
    });
    expect(adapter.nameRule).toEqual({
      pattern: '^(?:[A-Za-z0-9._-]+)$',
      maxLength: 40,
      hint: 'Use letters, digits, dots, dashes and underscores.',
    });
  });

  it('has neither where the recipe has none, and a name rule that takes any name', () => {
    const bare = recipeSite(recipeOf(forge.origin, (recipe) => (recipe.token = { name: { maxLength: 10 } })));
    expect(bare.form).toBeUndefined();
    expect(bare.nameRule).toEqual({ pattern: '^(?:[\\s\\S]*)$', maxLength: 10, hint: 'Use a name that Demo Forge accepts.' });
  });
});

describe('mint', () => {
  it('creates the token with name, scopes and expiry, and returns what the site answered', async () => {
    const before = Date.now();
    const minted = await adapter.mint(await signedIn(), JANE, mintInput({ name: NAME, scopes: ['read:repo', 'write:repo'], expiresInDays: 7 }));
    const [token] = forge.tokens('jane');
    expect(minted).toEqual({ id: String(token!.id), name: NAME, secret: token!.secret });
    expect(token!.scopes).toEqual(['read:repo', 'write:repo']);
    const expires = Date.parse(token!.expiresAt!);
    expect(expires).toBeGreaterThanOrEqual(before + 7 * 86_400_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 7 * 86_400_000);
    const create = kit.exchanges.find(({ request }) => isCreate(request))!.request;
    expect(create.path).toBe('/api/v1/users/jane/tokens');
    expect(create.echoCookie).toEqual({ cookie: '_csrf', header: 'X-Csrf-Token' });
    expect(create.headers).toMatchObject({ Accept: 'application/json', 'Content-Type': 'application/json' });
  });

  it('leaves out an expiry the user did not pick', async () => {
    await adapter.mint(await signedIn('sam'), { id: 'sam', name: 'Sam Roe' }, mintInput({ name: 'no-expiry', expiresInDays: null }));
    expect(forge.createBodies.at(-1)).toEqual({ name: 'no-expiry', scopes: [] });
  });

  it('makes up a name where the recipe has no name rule, so the popup sent none', async () => {
    const nameless = recipeSite(recipeOf(forge.origin, (recipe) => delete recipe.token));
    expect(nameless.nameRule).toBeUndefined();
    const minted = await nameless.mint(await signedIn('sam'), { id: 'sam', name: 'Sam Roe' }, mintInput({}));
    expect(minted.name).toMatch(/^tokenmint-\d{8}-[a-z0-9]{4}$/);
  });

  it('puts user input into the body as JSON values, never as JSON syntax', async () => {
    const name = 'x", "scopes": ["admin"], "y": "';
    await failure(adapter.mint(await signedIn(), JANE, mintInput({ name })), 'invalid');
    expect(forge.createBodies.at(-1)).toEqual({ name, scopes: [] });
  });

  it('sends a form body with each scope as its own field', async () => {
    const form = recipeSite(recipeOf(forge.origin, (recipe) => (recipe.create.contentType = 'form')));
    await form.mint(await signedIn(), JANE, mintInput({ name: 'as-form', scopes: ['read:repo', 'write:repo'], expiresInDays: null }));
    const create = kit.exchanges.find(({ request }) => isCreate(request))!.request;
    expect(create.headers?.['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(create.body).toBe('name=as-form&scopes=read%3Arepo&scopes=write%3Arepo');
    expect(forge.tokens('jane').find((token) => token.name === 'as-form')?.scopes).toEqual(['read:repo', 'write:repo']);
  });

  it('says a name is taken', async () => {
    const client = await signedIn();
    await adapter.mint(client, JANE, mintInput({ name: 'twice' }));
    const error = await failure(adapter.mint(client, JANE, mintInput({ name: 'twice' })), 'conflict');
    expect(error.user.sentence).toBe('Demo Forge already has a token named “twice”.');
  });

  it('says the session is gone, with the way back in', async () => {
    const error = await failure(adapter.mint(watched(nodePageClient(forge.origin)), JANE, mintInput({ name: NAME })), 'signed-out');
    expect(error.user.link).toEqual({ label: 'Sign in', url: `${forge.origin}/user/login` });
  });

  it('says the CSRF check refused it when the token is missing', async () => {
    const cookie = (await signIn(forge, 'jane')).replace(/_csrf=[^;]*(; )?/, '');
    await failure(adapter.mint(watched(nodePageClient(forge.origin, cookie)), JANE, mintInput({ name: NAME })), 'csrf-refused');
  });

  describe.each([
    ['the <meta> of a page', { from: 'page', path: '/user/settings/applications', meta: '_csrf', header: 'X-Csrf-Token' }],
    ['the <input> of a page', { from: 'page', path: '/user/settings/applications', input: '_csrf', header: 'X-Csrf-Token' }],
    ['a JSON answer', { from: 'json', path: '/api/v1/csrf', pointer: '/data/token', header: 'X-Csrf-Token' }],
    ['a response header', { from: 'header', path: '/user/settings/applications', responseHeader: 'X-CSRF-Token', header: 'X-Csrf-Token' }],
  ])('with the CSRF token read from %s', (_, csrf) => {
    it('mints', async () => {
      const reading = recipeSite(recipeOf(forge.origin, (recipe) => (recipe.csrf = csrf)));
      const minted = await reading.mint(await signedIn(), JANE, mintInput({ name: `csrf-${csrf.from}` }));
      expect(forge.tokens('jane').map((token) => token.secret)).toContain(minted.secret);
    });

    it('says so when the site hands out none', async () => {
      const reading = recipeSite(recipeOf(forge.origin, (recipe) => (recipe.csrf = csrf)));
      const client = faultyClient(await signedIn(), (request) => request.path === csrf.path, {
        kind: 'rewrite',
        answer: (response) => ({ ...response, headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      const error = await failure(reading.mint(client, JANE, mintInput({ name: NAME })), 'csrf-refused');
      expect(error.user.sentence).toBe('Demo Forge did not hand out the anti-forgery (CSRF) token its recipe looks for.');
      expect(forge.tokens('jane')).toEqual([]);
    });
  });

  it('reads a page’s CSRF token with its character references decoded', async () => {
    const reading = recipeSite(recipeOf(forge.origin, (recipe) => (recipe.csrf = { from: 'page', path: '/p', meta: 'csrf', header: 'X-T' })));
    const sent: PageRequest[] = [];
    const page = '<meta content="a&amp;b&#x2F;c&#61;" name="csrf"><meta name="other" content="no">';
    const client = stubClient(forge.origin, sent, (request) =>
      request.path === '/p' ? { status: 200, headers: { 'content-type': 'text/html' }, body: page } : json201({ sha1: 'x'.repeat(40) }),
    );
    await reading.mint(client, JANE, mintInput({ name: NAME }));
    expect(sent[1]!.headers?.['X-T']).toBe('a&b/c=');
  });

  describe('a create whose answer is lost', () => {
    it('is reported as orphaned when the list shows the token was made', async () => {
      const client = faultyClient(await signedIn(), isCreate, { kind: 'rewrite', answer: () => webPage(201) });
      const error = await failure(adapter.mint(client, JANE, mintInput({ name: NAME })), 'orphaned');
      expect(error.user.sentence).toBe(`Demo Forge made the token “${NAME}”, but its secret never reached Tokenmint.`);
      expect(forge.tokens('jane')).toHaveLength(1);
    });

    it('keeps its own failure when the list shows nothing was made', async () => {
      const client = faultyClient(await signedIn(), isCreate, { kind: 'drop', error: lost('network') }, 1);
      await failure(adapter.mint(client, JANE, mintInput({ name: NAME })), 'network');
      expect(forge.tokens('jane')).toEqual([]);
    });

    it('asks the user to look at the list when the list cannot tell either', async () => {
      const client = faultyClient(await signedIn(), (request) => request.method !== 'GET' || request.path.endsWith('/tokens'), {
        kind: 'drop',
        error: lost('timeout'),
      });
      const error = await failure(adapter.mint(client, JANE, mintInput({ name: NAME })), 'timeout');
      expect(error.user.next).toBe(`Check the Demo Forge token list for “${NAME}” before you try again.`);
    });
  });

  describe('an answer that does not say which token is new (idFromList)', () => {
    const fromList = (origin: string) => recipeSite(recipeOf(origin, (recipe) => ((recipe.create.idFromList = true), delete recipe.create.id)));
    const listed = (...tokens: [number, string][]) => json200(tokens.map(([id, name]) => ({ id, name })));

    it('looks the id up in the list, as the one named like the new token', async () => {
      const minted = await fromList(forge.origin).mint(await signedIn(), JANE, mintInput({ name: NAME }));
      expect(minted.id).toBe(String(forge.tokens('jane')[0]!.id));
      expect(kit.exchanges.map(({ request }) => request.method)).toEqual(['GET', 'POST', 'GET']);
    });

    it('does not take an older token of the same name for the new one', async () => {
      const sent: PageRequest[] = [];
      let lists = 0;
      const client = stubClient(forge.origin, sent, (request) =>
        request.method === 'POST' ? json201({ sha1: 's'.repeat(40) }) : lists++ ? listed([4, NAME], [9, NAME], [5, 'other']) : listed([4, NAME]),
      );
      expect((await fromList(forge.origin).mint(client, JANE, mintInput({ name: NAME }))).id).toBe('9');
    });

    it.each<[string, () => PageResponse]>([
      ['the list fails', () => json200({ message: 'no list today' })],
      ['two new tokens share the name', () => listed([8, NAME], [9, NAME])],
    ])('lets the name stand in where %s', async (_, list) => {
      const client = stubClient(forge.origin, [], (request) => (request.method === 'POST' ? json201({ sha1: 's'.repeat(40) }) : list()));
      expect(await fromList(forge.origin).mint(client, JANE, mintInput({ name: NAME }))).toEqual({ id: NAME, name: NAME, secret: 's'.repeat(40) });
    });

    it('settles a lost answer without taking an older token of the same name for a made one', async () => {
      const client = stubClient(forge.origin, [], (request) => (request.method === 'POST' ? webPage(201) : listed([4, NAME])));
      // Not 'orphaned': the one token of that name was there before.
      await failure(fromList(forge.origin).mint(client, JANE, mintInput({ name: NAME })), 'unexpected-response');
    });
  });

  describe('a failure the recipe names (failures)', () => {
    const naming = (origin: string) =>
      recipeSite(
        recipeOf(origin, (recipe) => {
          recipe.failures = [
            { status: 403, contains: 'PASSWORD CONFIRMATION', next: 'sign-in' },
            { status: 409, next: 'reload' },
            { status: 423, next: 'retry-later' },
          ];
        }),
      );
    const answering = async (status: number, body: unknown) =>
      faultyClient(await signedIn(), isCreate, { kind: 'rewrite', answer: () => ({ status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });

    it('gets the recipe’s next step where status and text match, with Sign in for sign-in', async () => {
      const client = await answering(403, { message: 'Password confirmation is required' });
      const error = await failure(naming(forge.origin).mint(client, JANE, mintInput({ name: NAME })), 'forbidden');
      expect(error.user).toEqual({
        code: 'forbidden',
        sentence: 'Demo Forge refused the request (403). Demo Forge says: Password confirmation is required.',
        next: 'Sign in again (or confirm your password in Demo Forge), then retry.',
        link: { label: 'Sign in', url: `${forge.origin}/user/login` },
      });
    });

    it('keeps the general next step where the text does not match', async () => {
      const client = await answering(403, { message: 'You may not create tokens' });
      const error = await failure(naming(forge.origin).mint(client, JANE, mintInput({ name: NAME })), 'forbidden');
      expect(error.user.next).toBe('Ask a Demo Forge admin for access.');
      expect(error.user.link).toBeUndefined();
    });

    it('a rule of a status alone applies to any body', async () => {
      const error = await failure(naming(forge.origin).mint(await answering(409, {}), JANE, mintInput({ name: NAME })), 'conflict');
      expect(error.user.next).toBe('Reload the Demo Forge tab and try again.');
    });

    it('applies to every request of the recipe, a revoke too', async () => {
      const client = faultyClient(await signedIn(), (request) => request.method === 'DELETE', {
        kind: 'rewrite',
        answer: () => ({ status: 423, headers: { 'content-type': 'text/html' }, body: '<h1>Locked</h1>' }),
      });
      const error = await failure(naming(forge.origin).revoke(client, JANE, '1'), 'invalid');
      expect(error.user.next).toBe('Try again in a moment.');
    });

    it('does not change what a signed-out answer says', async () => {
      const client = await answering(401, { message: 'Password confirmation is required' });
      const error = await failure(naming(forge.origin).mint(client, JANE, mintInput({ name: NAME })), 'signed-out');
      expect(error.user.next).toBe('Sign in, then open Tokenmint again.');
    });
  });

  it('keeps a secret out of the error sentence when the site echoes it', async () => {
    const leaked = 'f'.repeat(40);
    secrets.add(leaked);
    const client = faultyClient(await signedIn(), isCreate, {
      kind: 'rewrite',
      answer: () => ({ status: 400, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: `token ${leaked} exists` }) }),
    });
    const error = await failure(adapter.mint(client, JANE, mintInput({ name: NAME })), 'invalid');
    expect(error.user.sentence).toBe('Demo Forge refused the request: token … exists.');
  });
});

describe('the panel', () => {
  it('lists the user’s tokens with their scopes and times', async () => {
    const client = await signedIn();
    await adapter.mint(client, JANE, mintInput({ name: 'one', scopes: ['read:repo'], expiresInDays: 30 }));
    await adapter.mint(client, JANE, mintInput({ name: 'two' }));
    const [one, two] = forge.tokens('jane');
    expect(await adapter.list(client, JANE)).toEqual([
      { id: String(one!.id), name: 'one', scopes: ['read:repo'], createdAt: one!.createdAt, expiresAt: one!.expiresAt },
      { id: String(two!.id), name: 'two', scopes: [], createdAt: two!.createdAt },
    ]);
  });

  it('lists nothing where the recipe has no list', async () => {
    const listless = recipeSite(recipeOf(forge.origin, (recipe) => delete recipe.list));
    expect(await listless.list(await signedIn(), JANE)).toEqual([]);
  });

  it('revokes a token, and takes one that is gone already as revoked', async () => {
    const client = await signedIn();
    const { id } = await adapter.mint(client, JANE, mintInput({ name: NAME }));
    await adapter.revoke(client, JANE, id);
    expect(forge.tokens('jane')).toEqual([]);
    await adapter.revoke(client, JANE, id);
    const sent = kit.exchanges.filter(({ request }) => request.method === 'DELETE');
    expect(sent.map(({ request, response }) => [request.path, response.status])).toEqual([
      [`/api/v1/users/jane/tokens/${id}`, 204],
      [`/api/v1/users/jane/tokens/${id}`, 404],
    ]);
  });

  it('verifies a token alone, without cookies, and tells a revoked one', async () => {
    const client = await signedIn();
    const { id, secret } = await adapter.mint(client, JANE, mintInput({ name: NAME }));
    expect(await adapter.verify(client, secret)).toBe('jane');
    expect(adapter.checkRequest(secret)).toEqual({
      method: 'GET',
      path: '/api/v1/user',
      headers: { Accept: 'application/json', Authorization: `token ${secret}` },
      credentials: 'omit',
    });
    await adapter.revoke(client, JANE, id);
    expect(await adapter.verify(client, secret)).toBeNull();
  });

  it('names the header a client sends, with a secret holding $ patterns left as it is', () => {
    expect(adapter.authHeader!('ab$&cd$1')).toEqual({ name: 'Authorization', value: 'token ab$&cd$1' });
    expect(adapter.envName).toBe('DEMO_FORGE_TOKEN');
    expect(adapter.id).toBe('recipe:demo-forge');
  });
});

describe('a recipe cannot leave the tab’s origin', () => {
  const ORIGIN = 'https://forge.example';

  it.each([
    ['//evil.example', '/api/v1/users/%2F%2Fevil.example/tokens'],
    ['a/../../admin', '/api/v1/users/a%2F..%2F..%2Fadmin/tokens'],
    ['https://evil.example/x', '/api/v1/users/https%3A%2F%2Fevil.example%2Fx/tokens'],
    ['?x=1#frag', '/api/v1/users/%3Fx%3D1%23frag/tokens'],
  ])('a user id %j stays one path segment', async (userId, path) => {
    const sent: PageRequest[] = [];
    await recipeSite(recipeOf(ORIGIN)).mint(stubClient(ORIGIN, sent, () => json201({ sha1: 's'.repeat(40) })), { id: userId, name: 'x' }, mintInput({ name: NAME }));
    expect(sent.map((request) => request.path)).toEqual([path]);
    expect(new URL(path, ORIGIN).origin).toBe(ORIGIN);
  });

  it.each(['..', '.', ''])('a user id %j is refused before anything is sent', async (userId) => {
    const sent: PageRequest[] = [];
    const error = await failure(
      recipeSite(recipeOf(ORIGIN)).mint(stubClient(ORIGIN, sent, () => json201({})), { id: userId, name: 'x' }, mintInput({ name: NAME })),
      'unexpected-response',
    );
    expect(error.user.sentence).toBe('Demo Forge sent an id that Tokenmint will not put into an address.');
    expect(sent).toEqual([]);
  });

  it.each(['//evil.example/api', 'https://evil.example/api', '/api/../../x', '/api/%2e%2e/x', '/a\\b'])(
    'a path %j that got past the options page is refused in the worker',
    async (path) => {
      // Saved recipes are checked in the options page; the worker enforces the path rules again on its own.
      const recipe = { ...recipeOf(ORIGIN), create: { ...recipeOf(ORIGIN).create, path } };
      const sent: PageRequest[] = [];
      await failure(recipeSite(recipe).mint(stubClient(ORIGIN, sent, () => json201({})), JANE, mintInput({ name: NAME })), 'internal');
      expect(sent).toEqual([]);
    },
  );

  it('the page client itself refuses a request off the origin', async () => {
    const response = nodePageClient(forge.origin).request({ method: 'GET', path: '//evil.example/' });
    await expect(response).rejects.toMatchObject({ user: { code: 'internal' } });
  });
});

function json201(body: unknown): PageResponse {
  return { status: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function json200(body: unknown): PageResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** A client that records each request and answers with `reply`. */
function stubClient(origin: string, sent: PageRequest[], reply: (request: PageRequest) => PageResponse): PageClient {
  return {
    origin,
    async request(request) {
      sent.push(request);
      return reply(request);
    },
  };
}
