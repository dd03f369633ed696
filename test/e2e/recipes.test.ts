import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { demo, demoRecipe, startDemoForge, type DemoSite } from '../sites/recipe-demo.ts';
import { expectNoLeak, generate, useE2e } from './kit.ts';
import { expectRecipePopup, openPanel, revokeInPanel, tickedScopes } from './recipe-kit.ts';

/**
 * Site recipes, as a user meets them: a recipe pasted in the options page (and tried against the open tab) mints on
 * its site through the popup, and the panel lists and revokes its tokens; a recipe with problems is refused with a
 * message per field, pasted or filled in as a form.
 */

const dist = resolve(process.env.TOKENMINT_DIST ?? 'dist-test');
const optionsPath = (JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as { options_ui: { page: string } }).options_ui.page;
const PATH_RULE = 'Use a path on the site that starts with /: no //, no scheme, no . or .. segments, no \\, # or spaces.';

// Each test adds its own recipe for its own site; a fresh site keeps one test's tokens from the next.
const e2e = useE2e<DemoSite>(() => startDemoForge(), demo, { sitePerTest: true });

async function openOptions(): Promise<Page> {
  const options = await e2e.ext.context.newPage();
  await options.goto(`chrome-extension://${e2e.ext.id}/${optionsPath}`);
  await expect.poll(() => options.getByRole('heading', { name: 'Site recipes' }).count()).toBe(1);
  return options;
}

const recipes = (options: Page) => options.getByRole('list', { name: 'Recipes' });
const status = (options: Page) => options.getByRole('region', { name: 'Site recipes' }).getByRole('status');

describe('a pasted recipe', () => {
  test('is tried on the open tab, added, mints through the popup, and the panel lists and revokes its token', async () => {
    const { ext, site } = e2e;
    const tab = await e2e.signedInTab();
    const options = await openOptions();
    await options.getByRole('textbox', { name: 'Recipe (JSON)' }).fill(JSON.stringify(demoRecipe(site.origin), null, 2));

    await options.getByRole('button', { name: 'Test on an open tab' }).click();
    await expect.poll(() => status(options).textContent()).toBe(`Found Jane Doe (jane) signed in on ${site.origin}.`);
    // A dry run sends the who-am-I and nothing else.
    expect(site.requests().filter((request) => request.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/user']);

    await options.getByRole('button', { name: 'Add recipe' }).click();
    await expect.poll(() => status(options).textContent()).toBe('Added the Demo Forge recipe.');
    await expect.poll(() => recipes(options).getByRole('listitem').filter({ hasText: 'Demo Forge' }).count()).toBe(1);

    const popup = await e2e.popupFor(tab);
    await expectRecipePopup(popup, 'Demo Forge', 'Jane Doe');
    expect(await tickedScopes(popup, ['read:repo', 'write:repo'])).toEqual(['read:repo']);
    await popup.getByRole('checkbox', { name: 'write:repo', exact: true }).check();
    await popup.getByRole('spinbutton', { name: 'Expires in days' }).fill('7');
    const secret = await generate(popup, 'e2e-recipe');

    const [token] = site.tokens('jane');
    expect([token?.name, token?.secret, token?.scopes]).toEqual(['e2e-recipe', secret, ['read:repo', 'write:repo']]);
    const days = (Date.parse(token!.expiresAt!) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);
    // Made from inside the tab, as the site's own page would: its session, the CSRF cookie echoed, its Origin.
    const create = site.requests().find((request) => request.method === 'POST' && request.path === '/api/v1/users/jane/tokens');
    expect(create?.headers['x-csrf-token']).toMatch(/^\S+$/);
    expect(create?.headers.cookie).toContain(`_csrf=${create?.headers['x-csrf-token']}`);
    expect(create?.headers.origin).toBe(site.origin);
    expect(await demo.verify(site.origin, secret)).toBe('jane');
    await expectNoLeak(ext, secret);

    const panel = await openPanel(ext, tab);
    await revokeInPanel(panel, 'e2e-recipe');
    expect(site.tokens('jane')).toEqual([]);
    await expect(demo.verify(site.origin, secret)).rejects.toThrow('401');
  });

  test('is deleted from the list, after which the site is not recognised', async () => {
    const tab = await e2e.signedInTab();
    const options = await openOptions();
    await options.getByRole('textbox', { name: 'Recipe (JSON)' }).fill(JSON.stringify(demoRecipe(e2e.site.origin)));
    await options.getByRole('button', { name: 'Add recipe' }).click();
    await expect.poll(() => status(options).textContent()).toBe('Added the Demo Forge recipe.');

    await options.getByRole('button', { name: 'Delete recipe Demo Forge' }).click();
    await expect.poll(() => status(options).textContent()).toBe('Deleted the Demo Forge recipe.');
    expect(await recipes(options).getByRole('listitem').filter({ hasText: 'Demo Forge' }).count()).toBe(0);
    const popup = await e2e.popupFor(tab);
    await expect.poll(() => popup.getByRole('heading', { name: 'Not a supported site' }).count()).toBe(1);
  });
});

describe('a recipe file', () => {
  test('is imported recipe by recipe (one with problems is refused and said), and the user’s own are exported', async () => {
    const options = await openOptions();
    const good = demoRecipe(e2e.site.origin);
    const bad = { ...demoRecipe(e2e.site.origin, 'bad'), auth: { header: 'Authorization', value: 'Bearer' } };
    await options.getByLabel('Import recipes').setInputFiles({
      name: 'recipes.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify([good, bad])),
    });
    await expect.poll(() => status(options).textContent()).toBe('Imported 1 recipe(s). Refused recipe 2: auth.value: Put {token} in the value exactly once.');
    await expect.poll(() => recipes(options).getByRole('listitem').filter({ hasText: 'Demo Forge' }).count()).toBe(1);

    const [download] = await Promise.all([options.waitForEvent('download'), options.getByRole('button', { name: 'Export recipes' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^tokenmint-recipes-\d{4}-\d{2}-\d{2}\.json$/);
    expect(JSON.parse(readFileSync(await download.path(), 'utf8'))).toEqual([good]);
  });
});

describe('a recipe with problems is refused, with a message per field', () => {
  test('pasted: the box is marked invalid and each problem names its field; nothing is added', async () => {
    const options = await openOptions();
    const recipe = demoRecipe(e2e.site.origin);
    recipe.origins = ['*://*/*'];
    (recipe.create as Record<string, unknown>).path = '//evil.example/tokens';
    delete recipe.verify;
    const box = options.getByRole('textbox', { name: 'Recipe (JSON)' });
    await box.fill(JSON.stringify(recipe));
    await options.getByRole('button', { name: 'Add recipe' }).click();

    await expect.poll(() => status(options).textContent()).toBe('Not added: correct the problems shown.');
    const problems = options.getByRole('list', { name: 'Problems with the recipe' });
    expect(await problems.getByRole('listitem').allTextContents()).toEqual([
      'origins.0: Use scheme://host[:port] in lower case, e.g. https://git.example.com or https://*.example.com; patterns for every site are refused.',
      `create.path: ${PATH_RULE}`,
      'verify: This field is required.',
    ]);
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await box.getAttribute('aria-describedby')).toBe(await problems.getAttribute('id'));
    expect(await recipes(options).getByRole('listitem').filter({ hasText: 'Demo Forge' }).count()).toBe(0);
    expect(await e2e.ext.storageText('local')).not.toContain('evil.example');
  });

  test('filled in as a form: each field with a problem is marked invalid and described by its message', async () => {
    const options = await openOptions();
    await options.getByRole('radio', { name: 'Fill in a form' }).check();
    const field = (name: string) => options.getByRole('textbox', { name });
    await field('Id (id)').fill('Demo');
    await field('Name (name)').fill('Demo Forge');
    await field('Origin (origins)').fill(e2e.site.origin);
    await field('Who-am-I path (whoami.path)').fill('/api/v1/user');
    await field('User id in its answer (whoami.userId)').fill('/login');
    await field('Create path (create.path)').fill('/api/v1/users/{userId}/../../admin');
    await field('Header a client sends the token in (auth.header)').fill('Authorization');
    await field('Its value (auth.value)').fill('token {token}');
    await field('Who-am-I path with the token alone (verify.path)').fill('/api/v1/user');
    await options.getByRole('button', { name: 'Add recipe' }).click();

    await expect.poll(() => status(options).textContent()).toBe('Not added: correct the problems shown.');
    const said = async (name: string) => {
      const box = field(name);
      expect(await box.getAttribute('aria-invalid'), name).toBe('true');
      return options.locator(`#${await box.getAttribute('aria-describedby')}`).textContent();
    };
    expect(await said('Id (id)')).toBe('Use lower-case letters, digits and dashes, starting with a letter.');
    expect(await said('Create path (create.path)')).toBe(PATH_RULE);
    expect(await said('Secret in its answer (create.secret)')).toBe('This field is required.');
    expect(await field('Name (name)').getAttribute('aria-invalid')).toBe('false');

    // Corrected, the same form adds the recipe.
    await field('Id (id)').fill('demo');
    await field('Create path (create.path)').fill('/api/v1/users/{userId}/tokens');
    await field('Secret in its answer (create.secret)').fill('/sha1');
    await options.getByRole('button', { name: 'Add recipe' }).click();
    await expect.poll(() => status(options).textContent()).toBe('Added the Demo Forge recipe.');
    expect(await field('Id (id)').getAttribute('aria-invalid')).toBe('false');
  });
});
