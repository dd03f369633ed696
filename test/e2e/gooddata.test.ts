import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startGoodData, type GoodDataSite } from '../sites/gooddata.ts';
import { html, startSite, type Site } from '../sites/harness.ts';
import { launchExtension, type Extension } from './extension.ts';

const TOKENS_PATH = '/api/v1/entities/users/demo/apiTokens';

let site: GoodDataSite;
let plain: Site;
let ext: Extension;

beforeAll(async () => {
  [site, plain, ext] = await Promise.all([
    startGoodData(),
    startSite(() => html(200, '<!doctype html><title>Plain</title><h1>Just a page</h1>')),
    launchExtension(),
  ]);
});

afterAll(async () => {
  await ext?.close();
  await Promise.all([site?.close(), plain?.close()]);
});

afterEach(async () => {
  site.clearFaults();
  for (const page of ext.context.pages()) await page.close();
  await ext.reset();
});

/** Signs in on the emulated site through its own login form, in a tab of the browser. */
async function signedInTab(user = 'demo', password = 'demo123'): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(`${site.origin}/appLogin?redirectTo=%2F`);
  await page.getByLabel('Username').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${site.origin}/`);
  return page;
}

async function popupFor(tab: Page): Promise<Page> {
  return ext.openPopup(await ext.tabIdOf(tab));
}

async function generate(popup: Page, name: string): Promise<string> {
  await popup.getByRole('textbox', { name: 'Token name' }).fill(name);
  await popup.getByRole('button', { name: 'Generate token' }).click();
  const token = popup.getByRole('textbox', { name: 'New token' });
  await expect.poll(() => token.count()).toBe(1);
  return token.inputValue();
}

async function profileWith(bearer: string): Promise<Response> {
  return fetch(`${site.origin}/api/v1/profile`, {
    headers: { Authorization: `Bearer ${bearer}`, 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' },
  });
}

describe('popup on GoodData', () => {
  test('mints a token that works, copies it, and keeps it out of logs and plain storage', async () => {
    const popup = await popupFor(await signedInTab());
    await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain('Demo User');
    await expect.poll(() => popup.getByRole('heading', { name: 'GoodData' }).count()).toBe(1);
    const suggested = await popup.getByRole('textbox', { name: 'Token name' }).inputValue();
    expect(suggested).toMatch(/^tokenmint-\d{8}-[a-z0-9]{4}$/);

    site.clearRequests();
    const secret = await generate(popup, 'e2e-works');

    // The token is the one the site made, and it authenticates on its own.
    expect(site.tokens('demo').map((t) => [t.id, t.bearerToken])).toContainEqual(['e2e-works', secret]);
    const profile = await profileWith(secret);
    expect(profile.status).toBe(200);
    expect(((await profile.json()) as { userId: string }).userId).toBe('demo');

    // The create went out from inside the tab: the site's own Origin and session cookie, as its UI would send.
    const create = site.requests().find((r) => r.method === 'POST' && r.path === TOKENS_PATH);
    expect(create?.headers.origin).toBe(site.origin);
    expect(create?.headers.cookie).toContain('SPRING_SEC_SECURITY_CONTEXT=');
    expect(create?.headers['x-requested-with']).toBe('XMLHttpRequest');
    expect(JSON.parse(create?.body ?? '{}')).toEqual({ data: { id: 'e2e-works', type: 'apiToken' } });

    await popup.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => popup.getByRole('status').textContent()).toContain('Copied');
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await popup.getByRole('button', { name: 'Authorization header' }).click();
    await expect.poll(() => popup.getByRole('status').textContent()).toContain('Authorization');
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(`Authorization: Bearer ${secret}`);

    // The log check can see the worker's console at all (else "no secret there" would prove nothing).
    await ext.worker.evaluate(() => console.info('tokenmint-console-probe'));
    await expect.poll(() => ext.consoleLines.includes('tokenmint-console-probe')).toBe(true);
    expect(ext.consoleLines.join('\n')).not.toContain(secret);
    expect(await ext.storageText('local')).not.toContain(secret);
    expect(await ext.storageText('sync')).not.toContain(secret);
    expect(await ext.storageText('session')).toContain(secret);

    await popup.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => popup.getByRole('button', { name: 'Generate token' }).count()).toBe(1);
    expect(await ext.storageText('session')).not.toContain(secret);
  });

  test('a signed-out tab gets an alert with a Sign in link', async () => {
    const tab = await ext.context.newPage();
    await tab.goto(`${site.origin}/`);
    const popup = await popupFor(tab);
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('not signed in to GoodData');
    const link = alert.getByRole('link', { name: 'Sign in' });
    expect(await link.getAttribute('href')).toBe(`${site.origin}/appLogin?redirectTo=%2F`);
    expect(await popup.getByRole('button', { name: 'Generate token' }).count()).toBe(0);

    // Following it signs in in the site's own tab, after which the popup offers to mint.
    await link.click();
    await tab.waitForURL(/\/login/);
    await tab.getByLabel('Username').fill('demo');
    await tab.getByLabel('Password').fill('demo123');
    await tab.getByRole('button', { name: 'Sign in' }).click();
    await tab.waitForURL(`${site.origin}/`);
    await popup.reload();
    await expect.poll(() => popup.getByRole('button', { name: 'Generate token' }).count()).toBe(1);
  });

  test('a server error on create is one plain sentence, and a retry then works without a second token', async () => {
    const popup = await popupFor(await signedInTab());
    site.inject({ method: 'POST', path: TOKENS_PATH, status: 500, contentType: 'text/html', body: '<html><body>Oops</body></html>' });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-retry');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('GoodData had a server error (500).');
    expect(await alert.textContent()).not.toMatch(/Error:|at \w+ \(|undefined/);
    expect(site.tokens('demo').filter((t) => t.id === 'e2e-retry')).toHaveLength(0);

    await popup.getByRole('button', { name: 'Generate token' }).click();
    const secret = await popup.getByRole('textbox', { name: 'New token' }).inputValue();
    expect(site.tokens('demo').filter((t) => t.id === 'e2e-retry').map((t) => t.bearerToken)).toEqual([secret]);
  });

  test('a popup closed mid-mint shows the token when it is opened again', async () => {
    const tab = await signedInTab();
    const popup = await popupFor(tab);
    site.inject({ method: 'POST', path: TOKENS_PATH, delayMs: 1500 });
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-reopen');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expect.poll(() => popup.getByRole('progressbar').count()).toBe(1);
    expect(await popup.getByRole('button', { name: 'Generating…' }).isDisabled()).toBe(true);
    await popup.close();

    await expect.poll(() => site.tokens('demo').some((t) => t.id === 'e2e-reopen'), { timeout: 10_000 }).toBe(true);
    const reopened = await popupFor(tab);
    const shown = await reopened.getByRole('textbox', { name: 'New token' }).inputValue();
    expect(shown).toBe(site.tokens('demo').find((t) => t.id === 'e2e-reopen')?.bearerToken);
  });

  test('a token not yet dismissed survives the service worker being stopped', async () => {
    const tabId = await ext.tabIdOf(await signedInTab());
    const secret = await generate(await ext.openPopup(tabId), 'e2e-restart');
    await ext.stopWorker();
    const reopened = await ext.openPopup(tabId);
    expect(await reopened.getByRole('textbox', { name: 'New token' }).inputValue()).toBe(secret);
    expect(await ext.workerIsFresh()).toBe(true);
  });

  test('a duplicate name is refused with a next step, and nothing else is made', async () => {
    const popup = await popupFor(await signedInTab());
    await generate(popup, 'e2e-twice');
    await popup.getByRole('button', { name: 'Done' }).click();
    await popup.getByRole('textbox', { name: 'Token name' }).fill('e2e-twice');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain('already have a GoodData token named “e2e-twice”');
    expect(await popup.getByRole('alert').textContent()).toContain('Pick another name.');
    expect(site.tokens('demo').filter((t) => t.id === 'e2e-twice')).toHaveLength(1);
  });

  test('a name the site would refuse is caught before sending', async () => {
    const popup = await popupFor(await signedInTab());
    await popup.getByRole('textbox', { name: 'Token name' }).fill('has space');
    await expect.poll(() => popup.getByText('Use only letters, digits').count()).toBe(1);
    expect(await popup.getByRole('button', { name: 'Generate token' }).isDisabled()).toBe(true);
  });

  test('a user without the create permission is told so before trying', async () => {
    const popup = await popupFor(await signedInTab('viewer', 'viewer123'));
    await expect.poll(() => popup.getByRole('alert').textContent()).toContain('may not create API tokens');
    expect(await popup.getByRole('button', { name: 'Generate token' }).isDisabled()).toBe(true);
  });

  test('a site it does not know is said to be unsupported, with no Generate button', async () => {
    const tab = await ext.context.newPage();
    await tab.goto(`${plain.origin}/`);
    const popup = await popupFor(tab);
    await expect.poll(() => popup.getByRole('heading', { name: 'Not a supported site' }).count()).toBe(1);
    expect(await popup.getByRole('button', { name: 'Generate token' }).count()).toBe(0);
  });
});
