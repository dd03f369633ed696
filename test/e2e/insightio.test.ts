import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startInsightIo, type InsightIoSite } from '../sites/insightio.ts';
import { launchExtension, type Extension } from './extension.ts';

const JANE = 'userpass@jane@example.com';
const TOKEN_PATH = '/api/token';

let site: InsightIoSite;
let ext: Extension;

beforeAll(async () => {
  [site, ext] = await Promise.all([startInsightIo(), launchExtension()]);
});

afterAll(async () => {
  await ext?.close();
  await site?.close();
});

afterEach(async () => {
  site.clearFaults();
  for (const page of ext.context.pages()) await page.close();
  await ext.reset();
  // Each test starts with no tokens: revoked through the site's own API, as a user would.
  for (const token of janeTokens()) await fetch(`${site.origin}${TOKEN_PATH}`, { method: 'DELETE', headers: { 'X-Auth-Token': token } });
  expect(janeTokens()).toEqual([]);
  site.clearRequests();
});

/** Signs in on the emulated site through its own login form, in a tab of the browser. */
async function signInOn(page: Page, email = 'jane@example.com', password = 'jane123'): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${site.origin}/`);
}

async function signedInTab(): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(`${site.origin}/login`);
  await signInOn(page);
  return page;
}

async function popupFor(tab: Page): Promise<Page> {
  return ext.openPopup(await ext.tabIdOf(tab));
}

async function generate(popup: Page): Promise<string> {
  await popup.getByRole('button', { name: 'Generate token' }).click();
  const token = popup.getByRole('textbox', { name: 'New token' });
  await expect.poll(() => token.count()).toBe(1);
  return token.inputValue();
}

const janeTokens = () => site.tokens(JANE).map((t) => t.apiToken);

function profileWith(token: string): Promise<Response> {
  return fetch(`${site.origin}/api/user/profile`, { headers: { 'X-Auth-Token': token, Accept: 'application/json' } });
}

describe('popup on Insight.io', () => {
  test('mints a token that works, copies it, and keeps it out of logs and plain storage', async () => {
    const popup = await popupFor(await signedInTab());
    await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain('Jane Doe');
    await expect.poll(() => popup.getByRole('heading', { name: 'Insight.io' }).count()).toBe(1);
    // Tokens have no name and no scopes here: Generate token is all there is.
    expect(await popup.getByRole('textbox', { name: 'Token name' }).count()).toBe(0);
    expect(await popup.getByRole('checkbox').count()).toBe(0);

    site.clearRequests();
    const secret = await generate(popup);
    expect(secret).toMatch(/^[0-9a-f]{256}$/);
    expect(janeTokens()).toEqual([secret]);
    // The reveal names the token by its masked value only.
    await expect.poll(() => popup.getByRole('heading', { name: `Token “${secret.slice(0, 4)}…${secret.slice(-4)}” is ready` }).count()).toBe(1);

    // It authenticates on its own, as X-Auth-Token.
    const profile = await profileWith(secret);
    expect(profile.status).toBe(200);
    expect(((await profile.json()) as { uid: string }).uid).toBe(JANE);

    // The create went out from inside the tab: the site's own Origin and session cookie, as its UI would send.
    const creates = site.requests().filter((r) => r.method === 'POST' && r.path === TOKEN_PATH);
    expect(creates).toHaveLength(1);
    expect(creates[0]?.headers.origin).toBe(site.origin);
    expect(creates[0]?.headers.cookie).toMatch(/(^|; )id=/);
    expect(creates[0]?.headers['x-requested-with']).toBe('XMLHttpRequest');

    await popup.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => popup.getByRole('status').textContent()).toContain('Copied');
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(secret);

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
    await expect.poll(() => alert.textContent()).toContain('not signed in to Insight.io');
    const link = alert.getByRole('link', { name: 'Sign in' });
    expect(await link.getAttribute('href')).toBe(`${site.origin}/login`);
    expect(await popup.getByRole('button', { name: 'Generate token' }).count()).toBe(0);

    // Following it signs in in the site's own tab, after which the popup offers to mint.
    await link.click();
    await tab.waitForURL(`${site.origin}/login`);
    await signInOn(tab);
    await popup.reload();
    await expect.poll(() => popup.getByRole('button', { name: 'Generate token' }).count()).toBe(1);
    expect(janeTokens()).toEqual([]);
  });

  test('a server error on create is one plain sentence, and a retry then works without a second token', async () => {
    const popup = await popupFor(await signedInTab());
    site.inject({ method: 'POST', path: TOKEN_PATH, status: 500, contentType: 'text/html', body: '<html><body>Oops</body></html>' });
    await popup.getByRole('button', { name: 'Generate token' }).click();
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Insight.io had a server error (500).');
    expect(await alert.textContent()).not.toMatch(/Error:|at \w+ \(|undefined/);
    expect(janeTokens()).toEqual([]);

    const secret = await generate(popup);
    expect(janeTokens()).toEqual([secret]);
    expect(site.requests().filter((r) => r.method === 'POST' && r.path === TOKEN_PATH)).toHaveLength(2);
  });

  test('a popup closed mid-mint shows the token when it is opened again, and only one is made', async () => {
    const tab = await signedInTab();
    const popup = await popupFor(tab);
    site.inject({ method: 'POST', path: TOKEN_PATH, delayMs: 1500 });
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await expect.poll(() => popup.getByRole('progressbar').count()).toBe(1);
    await popup.close();

    await expect.poll(() => janeTokens().length, { timeout: 10_000 }).toBe(1);
    const reopened = await popupFor(tab);
    expect(await reopened.getByRole('textbox', { name: 'New token' }).inputValue()).toBe(janeTokens()[0]);
    expect(janeTokens()).toHaveLength(1);
  });
});
