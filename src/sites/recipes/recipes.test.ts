// The built-in recipes run, through the recipe adapter and a Node PageClient, against the emulated sites written from
// the same apps' sources: sign-in, recognition, mint, list, verify and revoke as the popup and panel drive them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { faultyClient } from '../../../test/unit/faulty-client.ts';
import { nodePageClient } from '../../../test/unit/node-page-client.ts';
import type { DemoSite } from '../../../scripts/demo.ts';
import type { Site as EmulatedSite } from '../../../test/sites/harness.ts';
import { emulatedSites, recipeEmulatedSites } from '../../../test/sites/index.ts';
import { startGitLab, type GitLabSite } from '../../../test/sites/gitlab.ts';
import { startNextcloud, type NextcloudSite } from '../../../test/sites/nextcloud.ts';
import { startSentry, type SentrySite } from '../../../test/sites/sentry.ts';
import { sites } from '../index.ts';
import { mintInput, type Site } from '../types.ts';
import { recipeSite } from '../recipe/adapter.ts';
import type { Recipe } from '../recipe/format.ts';
import { matchesOrigin } from '../recipe/origin-pattern.ts';
import { validateRecipe } from '../recipe/validate.ts';

/** Every built-in recipe: each JSON file beside this test, as the extension packages them. */
const builtIn: unknown[] = readdirSync(import.meta.dirname)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(import.meta.dirname, file), 'utf8')) as unknown);
const recipes = new Map<string, Site>(
  builtIn.map((value) => {
    const checked = validateRecipe(value);
    if (!checked.ok) throw new Error(`built-in recipe does not validate: ${JSON.stringify(checked.problems)}`);
    return [`recipe:${checked.recipe.id}`, recipeSite(checked.recipe as Recipe)];
  }),
);
const recipe = (id: string) => recipes.get(id)!;

interface Running {
  demo: DemoSite;
  site: EmulatedSite;
  signIn(site: EmulatedSite, user: string, password: string): Promise<string>;
}

/** Signs in as the demo's first login and returns a Node client holding that session. */
async function signedIn({ demo, site, signIn }: Running) {
  const [login] = demo.logins;
  return nodePageClient(site.origin, await signIn(site, login.user, login.password));
}

test('every built-in recipe validates and has an emulated site (test/sites/index.ts)', () => {
  expect([...recipes.keys()].sort()).toEqual(recipeEmulatedSites.map((emulated) => emulated.demo.id).sort());
});

test('no built-in recipe claims loopback by its patterns: a self-hosted install there is assigned by an override', () => {
  // A recipe takes any 401 or redirect of its who-am-I for "signed out", so on loopback it would misname local
  // servers that answer so; its own origins are the product's hosted ones only.
  const hosted = { sentry: 'https://acme.sentry.io', gitlab: 'https://gitlab.com', nextcloud: 'https://nx12345.your-storageshare.de' };
  for (const value of builtIn) {
    const { id, origins } = value as Recipe;
    for (const loopback of ['http://127.0.0.1:4306', 'http://localhost:8080', 'https://localhost']) {
      expect(origins.some((pattern) => matchesOrigin(pattern, loopback)), `${id} on ${loopback}`).toBe(false);
    }
    expect(origins.some((pattern) => matchesOrigin(pattern, hosted[id as keyof typeof hosted])), id).toBe(true);
  }
});

describe('Sentry', () => {
  let site: SentrySite;
  beforeAll(async () => void (site = await startSentry()));
  afterAll(() => site.close());
  const sentry = () => recipe('recipe:sentry');
  const running = () => ({ demo: recipeEmulatedSites[0]!.demo, site, signIn: recipeEmulatedSites[0]!.signIn });

  test('recognises the session user; signed out it offers Sign in', async () => {
    const client = await signedIn(running());
    expect(await sentry().probe(client)).toEqual({ kind: 'signed-in', user: { id: '1', name: 'Jane Doe' } });
    expect(await sentry().probe(nodePageClient(site.origin))).toEqual({ kind: 'signed-out' });
    expect(sentry().loginUrl(site.origin)).toBe(`${site.origin}/auth/login/`);
  });

  test('mints with the ticked scopes and the sc cookie echoed; the token verifies, lists and revokes', async () => {
    const client = await signedIn(running());
    const user = { id: '1', name: 'Jane Doe' };
    const form = await sentry().form!(client, user);
    expect(form.scopes?.defaults).toEqual(['project:read', 'event:read', 'org:read']);
    site.clearRequests();
    const minted = await sentry().mint(client, user, mintInput({ name: 'ci', scopes: ['project:read', 'project:releases'] }));
    const post = site.requests().find((r) => r.method === 'POST');
    expect(post?.headers['x-csrftoken']).toBeTruthy();
    expect(JSON.parse(post!.body)).toEqual({ name: 'ci', scopes: ['project:read', 'project:releases'] });
    expect(minted).toEqual({ id: '1', name: 'ci', secret: site.tokens('jane@example.com')[0]!.token });
    expect(await sentry().verify(client, minted.secret)).toBe('1');
    expect(sentry().authHeader!(minted.secret)).toEqual({ name: 'Authorization', value: `Bearer ${minted.secret}` });

    const listed = await sentry().list(client, user);
    expect(listed).toEqual([expect.objectContaining({ id: '1', name: 'ci', scopes: ['project:read', 'project:releases'] })]);
    await sentry().revoke(client, user, minted.id);
    expect(site.tokens('jane@example.com')).toEqual([]);
    expect(await sentry().verify(client, minted.secret)).toBeNull();
  });
});

describe('GitLab', () => {
  let site: GitLabSite;
  beforeAll(async () => void (site = await startGitLab()));
  afterAll(() => site.close());
  const gitlab = () => recipe('recipe:gitlab');
  const running = () => ({ demo: recipeEmulatedSites[1]!.demo, site, signIn: recipeEmulatedSites[1]!.signIn });

  test('recognises the session user; signed out it offers Sign in', async () => {
    expect(await gitlab().probe(await signedIn(running()))).toEqual({ kind: 'signed-in', user: { id: '2', name: 'jane.doe' } });
    expect(await gitlab().probe(nodePageClient(site.origin))).toEqual({ kind: 'signed-out' });
  });

  test('mints with the meta CSRF token, a date expiry and scopes; verifies, lists by the numeric id, revokes', async () => {
    const client = await signedIn(running());
    const user = { id: '2', name: 'jane.doe' };
    const form = await gitlab().form!(client, user);
    expect(form.expiresInDays).toEqual({ min: 1, max: 365, default: 30 });
    const minted = await gitlab().mint(client, user, mintInput({ name: 'ci', scopes: ['read_api'], expiresInDays: 7 }));
    const [token] = site.tokens('jane.doe');
    // The create answer does not mark the new token: its numeric id comes from the list, as the panel lists it.
    expect(minted).toEqual({ id: String(token!.id), name: 'ci', secret: token!.token });
    expect(token!.expiresAt).toBe(new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10));
    expect(await gitlab().verify(client, minted.secret)).toBe('2');

    const listed = await gitlab().list(client, user);
    expect(listed).toEqual([expect.objectContaining({ id: String(token!.id), name: 'ci', scopes: ['read_api'] })]);
    await gitlab().revoke(client, user, listed[0]!.id);
    expect(site.tokens('jane.doe')[0]!.revoked).toBe(true);
    expect(await gitlab().verify(client, minted.secret)).toBeNull();
  });

  test('a second token of the same name gets its own id, not the first one’s', async () => {
    const client = await signedIn(running());
    const user = { id: '2', name: 'jane.doe' };
    const first = await gitlab().mint(client, user, mintInput({ name: 'deploy', scopes: ['read_api'], expiresInDays: 30 }));
    const second = await gitlab().mint(client, user, mintInput({ name: 'deploy', scopes: ['read_api'], expiresInDays: 30 }));
    const made = site.tokens('jane.doe').filter((token) => token.name === 'deploy');
    expect([first.id, second.id]).toEqual(made.map((token) => String(token.id)));
    expect(first.id).not.toBe(second.id);
  });

  test('a refused create passes on GitLab’s own words from its errors list', async () => {
    const client = await signedIn(running());
    const user = { id: '2', name: 'jane.doe' };
    const error = await gitlab().mint(client, user, mintInput({ name: 'no-scopes', scopes: [], expiresInDays: 30 })).catch((e: unknown) => e);
    expect((error as { user?: unknown }).user).toMatchObject({ code: 'invalid', sentence: "GitLab refused the request: Scopes can't be blank." });
  });

  test('a name the site would refuse is caught by the recipe’s rule', () => {
    const rule = new RegExp(gitlab().nameRule!.pattern);
    expect(rule.test('ci token')).toBe(true);
    expect(rule.test(' ci')).toBe(false);
  });
});

describe('Nextcloud', () => {
  let site: NextcloudSite;
  beforeAll(async () => void (site = await startNextcloud()));
  afterAll(() => site.close());
  const nextcloud = () => recipe('recipe:nextcloud');
  const running = () => ({ demo: recipeEmulatedSites[2]!.demo, site, signIn: recipeEmulatedSites[2]!.signIn });

  test('recognises the session user; signed out it offers Sign in', async () => {
    expect(await nextcloud().probe(await signedIn(running()))).toEqual({ kind: 'signed-in', user: { id: 'jane', name: 'Jane Doe' } });
    expect(await nextcloud().probe(nodePageClient(site.origin))).toEqual({ kind: 'signed-out' });
  });

  test('mints with the request token from /csrftoken; the app password verifies as Bearer and revokes by device id', async () => {
    const client = await signedIn(running());
    const user = { id: 'jane', name: 'Jane Doe' };
    const minted = await nextcloud().mint(client, user, mintInput({ name: 'cli' }));
    const [stored] = site.appPasswords('jane');
    expect(minted).toEqual({ id: String(stored!.id), name: 'cli', secret: stored!.token });
    expect(await nextcloud().verify(client, minted.secret)).toBe('jane');
    expect(await nextcloud().list(client, user)).toEqual([]);
    await nextcloud().revoke(client, user, minted.id);
    expect(site.appPasswords('jane')).toEqual([]);
    expect(await nextcloud().verify(client, minted.secret)).toBeNull();
  });

  test('a stale password confirmation is refused in one sentence that passes on what Nextcloud says', async () => {
    const client = await signedIn(running());
    site.expirePasswordConfirmation('jane');
    const error = await nextcloud().mint(client, { id: 'jane', name: 'Jane Doe' }, mintInput({ name: 'late' })).catch((e: unknown) => e);
    expect((error as { user?: unknown }).user).toEqual({
      code: 'forbidden',
      sentence: 'Nextcloud refused the request (403). Nextcloud says: Password confirmation is required.',
      next: 'Sign in again (or confirm your password in Nextcloud), then retry.',
      link: { label: 'Sign in', url: `${site.origin}/login` },
    });
    expect(site.appPasswords('jane')).toEqual([]);
  });

  test('a request token Nextcloud refuses (412) asks for a reload of the tab', async () => {
    const client = faultyClient(await signedIn(running()), (request) => request.path === '/index.php/csrftoken', {
      kind: 'rewrite',
      answer: (response) => ({ ...response, body: JSON.stringify({ token: 'bm90:dmFsaWQ=' }) }),
    });
    const error = await nextcloud().mint(client, { id: 'jane', name: 'Jane Doe' }, mintInput({ name: 'stale' })).catch((e: unknown) => e);
    expect((error as { user?: unknown }).user).toMatchObject({
      sentence: 'Nextcloud refused the request (412). Nextcloud says: CSRF check failed.',
      next: 'Reload the Nextcloud tab and try again.',
    });
  });
});

describe('recognition', () => {
  const running: Running[] = [];
  beforeAll(async () => {
    for (const emulated of [...emulatedSites, ...recipeEmulatedSites]) {
      running.push({ demo: emulated.demo, site: await emulated.demo.start(0), signIn: emulated.signIn });
    }
  });
  afterAll(() => Promise.all(running.map(({ site }) => site.close())));

  test('each built-in recipe claims only its own site among all emulated sites, signed in', async () => {
    for (const target of running) {
      const client = await signedIn(target);
      for (const [id, site] of recipes) {
        const probe = await site.probe(client);
        expect(probe.kind, `${id} on ${target.demo.id}`).toBe(id === target.demo.id ? 'signed-in' : 'not-this-site');
      }
    }
  });

  test('no built-in adapter claims a recipe site, signed in or out', async () => {
    for (const target of running.filter(({ demo }) => demo.id.startsWith('recipe:'))) {
      for (const client of [await signedIn(target), nodePageClient(target.site.origin)]) {
        for (const adapter of sites.filter((site) => !site.id.startsWith('recipe:'))) {
          expect((await adapter.probe(client)).kind, `${adapter.id} on ${target.demo.id}`).toBe('not-this-site');
        }
      }
    }
  });

  test('signed out, each recipe site is claimed by its own recipe and by no other', async () => {
    for (const target of running.filter(({ demo }) => demo.id.startsWith('recipe:'))) {
      const client = nodePageClient(target.site.origin);
      for (const [id, site] of recipes) {
        expect((await site.probe(client)).kind, `${id} on ${target.demo.id}`).toBe(id === target.demo.id ? 'signed-out' : 'not-this-site');
      }
    }
  });
});
