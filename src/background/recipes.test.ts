import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import type { PageClient } from '../core/page-client.ts';
import type { PageRequest } from '../core/page-request.ts';
import { DEFAULT_SETTINGS } from '../core/settings.ts';
import { isEnvelope } from '../core/messages.ts';
import { demoRecipe, signIn, startDemoForge, type DemoSite } from '../../test/sites/recipe-demo.ts';
import { html, startSite, type Site as EmulatedSite } from '../../test/sites/harness.ts';
import { fakeBrowser } from '../../test/unit/fake-browser.ts';
import { nodePageClient } from '../../test/unit/node-page-client.ts';

const BUILT_IN = { ...demoRecipe('https://forge.example.com', 'shipped'), name: 'Shipped Forge' };

const browser = vi.hoisted(() => ({ current: undefined as (ReturnType<typeof fakeBrowser> & { runtime: unknown }) | undefined }));
vi.mock('webextension-polyfill', () => ({
  default: new Proxy({}, { get: (_, key) => browser.current?.[key as 'storage'] }),
}));
// One built-in recipe, read the way the worker reads the packaged files.
vi.mock('../sites/recipes/index.ts', () => ({ builtInRecipeUrls: ['/assets/shipped.json'] }));
const { allRecipes, deleteRecipe, ownRecipeMatches, recipeNames, recipeSiteFor, recipeSitesFor, saveRecipe } = await import('./recipes.ts');
const { recognise } = await import('./recognise.ts');

let forge: DemoSite;
let plain: EmulatedSite;

beforeAll(async () => {
  [forge, plain] = await Promise.all([startDemoForge(), startSite(() => html(200, '<!doctype html><p>Hello'))]);
});
afterAll(() => Promise.all([forge.close(), plain.close()]));
beforeEach(() => {
  forge.clearRequests();
  plain.clearRequests();
  browser.current = {
    ...fakeBrowser(),
    runtime: { getURL: (path: string) => (path === '/assets/shipped.json' ? `data:application/json,${encodeURIComponent(JSON.stringify(BUILT_IN))}` : path) },
  };
});

const save = (recipe: unknown) => saveRecipe(JSON.stringify(recipe));

function counting(client: PageClient): PageClient & { sent: PageRequest[] } {
  const sent: PageRequest[] = [];
  return { origin: client.origin, sent, request: (request) => (sent.push(request), client.request(request)) };
}

describe('the recipe store', () => {
  test('lists the built-in recipes, then the user’s own', async () => {
    expect(await allRecipes()).toEqual([{ recipe: BUILT_IN, builtIn: true }]);
    const own = demoRecipe(forge.origin);
    expect(await save(own)).toEqual({ saved: { recipe: own, builtIn: false } });
    expect(await allRecipes()).toEqual([
      { recipe: BUILT_IN, builtIn: true },
      { recipe: own, builtIn: false },
    ]);
    expect(await recipeNames()).toEqual([
      { id: 'recipe:shipped', name: 'Shipped Forge' },
      { id: 'recipe:demo-forge', name: 'Demo Forge' },
    ]);
  });

  test('keeps recipes in storage.local, replaces one with the same id, and deletes', async () => {
    await save(demoRecipe(forge.origin));
    await save({ ...demoRecipe(forge.origin), name: 'Renamed Forge' });
    await save(demoRecipe('https://other.example', 'other'));
    expect((browser.current!.local.get('recipes') as { name: string }[]).map((recipe) => recipe.name)).toEqual(['Renamed Forge', 'Demo Forge']);
    await deleteRecipe('demo-forge');
    expect((await allRecipes()).map(({ recipe }) => recipe.id)).toEqual(['shipped', 'other']);
  });

  test('refuses the id of a built-in recipe, and never deletes one', async () => {
    expect(await save(demoRecipe('https://mine.example', 'shipped'))).toEqual({
      problems: [{ field: 'id', message: 'A built-in recipe has this id; choose another one.' }],
    });
    await deleteRecipe('shipped');
    expect((await allRecipes()).map(({ recipe }) => recipe.id)).toEqual(['shipped']);
  });
});

describe('which recipes apply to an origin', () => {
  test('only those whose patterns match it, built-in ones included', async () => {
    await save(demoRecipe(forge.origin));
    expect((await recipeSitesFor(forge.origin)).map((site) => site.id)).toEqual(['recipe:demo-forge']);
    expect((await recipeSitesFor('https://forge.example.com')).map((site) => site.id)).toEqual(['recipe:shipped']);
    expect(await recipeSitesFor('https://elsewhere.example')).toEqual([]);
    expect(await ownRecipeMatches(forge.origin)).toBe(true);
    expect(await ownRecipeMatches('https://forge.example.com')).toBe(false);
  });

  test('by id: on a matching origin, or one the user’s override assigns to it', async () => {
    await save(demoRecipe(forge.origin));
    const site = await recipeSiteFor(forge.origin, 'recipe:demo-forge', false);
    expect(site?.name).toBe('Demo Forge');
    // The same adapter while the recipe is unchanged.
    expect(await recipeSiteFor(forge.origin, 'recipe:demo-forge', false)).toBe(site);
    expect(await recipeSiteFor('https://elsewhere.example', 'recipe:demo-forge', false)).toBeUndefined();
    expect((await recipeSiteFor('https://elsewhere.example', 'recipe:demo-forge', true))?.id).toBe('recipe:demo-forge');
    expect(await recipeSiteFor(forge.origin, 'gooddata', true)).toBeUndefined();
    expect(await recipeSiteFor(forge.origin, 'recipe:missing', true)).toBeUndefined();
  });

  test('a changed recipe gives a new adapter', async () => {
    await save(demoRecipe(forge.origin));
    const before = await recipeSiteFor(forge.origin, 'recipe:demo-forge', false);
    await save({ ...demoRecipe(forge.origin), name: 'Renamed Forge' });
    const after = await recipeSiteFor(forge.origin, 'recipe:demo-forge', false);
    expect(after).not.toBe(before);
    expect(after?.name).toBe('Renamed Forge');
  });
});

describe('recognition with recipes', () => {
  test('a recipe recognises its site, after every built-in adapter declined', async () => {
    await save(demoRecipe(forge.origin));
    const found = await recognise(nodePageClient(forge.origin, await signIn(forge, 'jane')));
    expect(found?.site.id).toBe('recipe:demo-forge');
    expect(found?.probe).toEqual({ kind: 'signed-in', user: { id: 'jane', name: 'Jane Doe' } });
  });

  test('a recipe never probes an origin its patterns do not match', async () => {
    await save({ ...demoRecipe(forge.origin), whoami: { path: '/only/the/recipe/asks/this', userId: '/login' } });
    expect(await recognise(nodePageClient(plain.origin))).toBeNull();
    expect(plain.requests().map((request) => request.path)).not.toContain('/only/the/recipe/asks/this');
    expect(plain.requests().length).toBeGreaterThan(0);
  });

  test('an override assigns an origin to a recipe whose patterns do not name it', async () => {
    await save({ ...demoRecipe('https://forge.example.org') });
    await browser.current!.storage.local.set({
      settings: { ...DEFAULT_SETTINGS, overrides: [{ origin: forge.origin, siteId: 'recipe:demo-forge', cdsApiBase: '' }] },
    });
    const client = counting(nodePageClient(forge.origin, await signIn(forge, 'sam')));
    const found = await recognise(client);
    expect(found?.site.id).toBe('recipe:demo-forge');
    expect(client.sent.map((request) => request.path)).toEqual(['/api/v1/user']);
  });

  test('an origin remembered as unknown is asked again once the user adds a recipe for it', async () => {
    const client = counting(nodePageClient(forge.origin, await signIn(forge, 'jane')));
    const start = Date.now();
    expect(await recognise(client, start)).toBeNull();
    const probes = client.sent.length;
    expect(await recognise(client, start + 1000)).toBeNull();
    expect(client.sent).toHaveLength(probes);
    await save(demoRecipe(forge.origin));
    expect((await recognise(client, start + 2000))?.site.id).toBe('recipe:demo-forge');
  });
});

describe('the message kinds', () => {
  test.each([
    ['recipes-get', {}, true],
    ['recipe-save', { text: '{}' }, true],
    ['recipe-save', { text: '' }, false],
    ['recipe-save', { text: 'x'.repeat(100_001) }, false],
    ['recipe-save', { text: {} }, false],
    ['recipe-delete', { id: 'demo' }, true],
    ['recipe-delete', { id: 'a'.repeat(41) }, false],
    ['recipe-test', { text: '{}', extra: 1 }, false],
  ])('%s %j → %s', (kind, payload, accepted) => {
    expect(isEnvelope({ kind, payload })).toBe(accepted);
  });
});
