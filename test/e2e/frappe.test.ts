import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startFrappe, type FrappeSite } from '../sites/frappe.ts';
import { launchExtension, type Extension } from './extension.ts';

const GENERATE = '/api/method/frappe.core.doctype.user.user.generate_keys';
const JANE = 'jane@example.com';
const SAM = 'sam@example.com';

let site: FrappeSite;
let ext: Extension;

beforeAll(async () => {
  ext = await launchExtension();
});

afterAll(async () => {
  await ext?.close();
});

// A fresh site per test: a minted pair is the user's one pair, so a test must not inherit another's.
beforeEach(async () => {
  site = await startFrappe();
});

afterEach(async () => {
  for (const page of ext.context.pages()) await page.close();
  await ext.reset();
  await site.close();
});

async function signInOn(page: Page, user: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${site.origin}/app`);
}

/** Signs in on the emulated site through its own login form, in a tab of the browser; the tab ends on the desk. */
async function signedInTab(user = JANE, password = 'jane123'): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(`${site.origin}/login?redirect-to=%2Fapp`);
  await signInOn(page, user, password);
  return page;
}

async function popupFor(tab: Page): Promise<Page> {
  return ext.openPopup(await ext.tabIdOf(tab));
}

/** Waits until the popup offers Generate token, enabled or not. */
async function ready(popup: Page): Promise<void> {
  await expect.poll(() => popup.getByRole('button', { name: 'Generate token' }).count()).toBe(1);
}

async function generate(popup: Page): Promise<string> {
  await popup.getByRole('button', { name: 'Generate token' }).click();
  const token = popup.getByRole('textbox', { name: 'New token' });
  await expect.poll(() => token.count()).toBe(1);
  return token.inputValue();
}

/** Who the pair authenticates as on its own (no cookies), or the status it was refused with. */
async function whoIs(pair: string): Promise<string | number> {
  const response = await fetch(`${site.origin}/api/method/frappe.auth.get_logged_user`, {
    headers: { Authorization: `token ${pair}`, Accept: 'application/json' },
  });
  return response.status === 200 ? ((await response.json()) as { message: string }).message : response.status;
}

describe('popup on Frappe', () => {
  test('a user without a key mints a pair that works, with no consent asked; copy, logs and storage', async () => {
    const popup = await popupFor(await signedInTab());
    await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain('Jane Doe');
    await expect.poll(() => popup.getByRole('heading', { name: 'Frappe' }).count()).toBe(1);
    await ready(popup);
    expect(await popup.getByRole('checkbox', { name: 'Replace the existing secret' }).count()).toBe(0);
    expect(await popup.getByRole('textbox', { name: 'Token name' }).count()).toBe(0);
    expect(await popup.getByRole('button', { name: 'Generate token' }).isEnabled()).toBe(true);

    site.clearRequests();
    const secret = await generate(popup);

    // Exactly the pair the site holds, and it authenticates on its own.
    const keys = site.keys(JANE)!;
    expect(secret).toBe(`${keys.apiKey}:${keys.apiSecret}`);
    expect(await whoIs(secret)).toBe(JANE);
    expect(site.generations(JANE)).toBe(1);

    // The POST went out from inside the tab: the site's Origin, its session cookie and the desk's CSRF token.
    const post = site.requests().find((r) => r.method === 'POST' && r.path === GENERATE);
    expect(post?.headers.origin).toBe(site.origin);
    expect(post?.headers.cookie).toMatch(/(^|; )sid=[0-9a-f]{56}/);
    expect(post?.headers['x-frappe-csrf-token']).toMatch(/^[0-9a-f]{56}$/);
    expect(post?.body).toBe('user=jane%40example.com');

    await popup.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => popup.getByRole('status').textContent()).toContain('Copied');
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await popup.getByRole('button', { name: 'Authorization header' }).click();
    await expect.poll(() => popup.getByRole('status').textContent()).toContain('Authorization');
    expect(await popup.evaluate(() => navigator.clipboard.readText())).toBe(`Authorization: token ${secret}`);

    // The log check can see the worker's console at all (else "no secret there" would prove nothing).
    await ext.worker.evaluate(() => console.info('tokenmint-console-probe'));
    await expect.poll(() => ext.consoleLines.includes('tokenmint-console-probe')).toBe(true);
    for (const text of [secret, keys.apiSecret]) {
      expect(ext.consoleLines.join('\n')).not.toContain(text);
      expect(await ext.storageText('local')).not.toContain(text);
      expect(await ext.storageText('sync')).not.toContain(text);
    }
    expect(await ext.storageText('session')).toContain(secret);

    await popup.getByRole('button', { name: 'Done' }).click();
    await ready(popup);
    expect(await ext.storageText('session')).not.toContain(keys.apiSecret);
  });

  test('a user with a key must tick Replace the existing secret; then the old secret stops working', async () => {
    const old = site.keys(SAM)!;
    expect(await whoIs(`${old.apiKey}:${old.apiSecret}`)).toBe(SAM);
    const popup = await popupFor(await signedInTab(SAM, 'sam123'));
    const replace = popup.getByRole('checkbox', { name: 'Replace the existing secret' });
    await expect.poll(() => replace.count()).toBe(1);
    await expect.poll(() => popup.getByText('stops working at once').count()).toBe(1);
    const button = popup.getByRole('button', { name: 'Generate token' });
    expect(await button.isDisabled()).toBe(true);

    await replace.check();
    await expect.poll(() => button.isEnabled()).toBe(true);
    const secret = await generate(popup);

    expect(secret).toBe(`${old.apiKey}:${site.keys(SAM)!.apiSecret}`);
    expect(await whoIs(secret)).toBe(SAM);
    expect(await whoIs(`${old.apiKey}:${old.apiSecret}`)).toBe(403); // v15: a wrong secret runs as Guest
    expect(site.generations(SAM)).toBe(2);
  });

  test('a signed-out tab gets an alert with a Sign in link that leads back to minting', async () => {
    const tab = await ext.context.newPage();
    await tab.goto(`${site.origin}/`);
    const popup = await popupFor(tab);
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('You are not signed in to Frappe.');
    const link = alert.getByRole('link', { name: 'Sign in' });
    expect(await link.getAttribute('href')).toBe(`${site.origin}/login?redirect-to=%2Fapp`);
    expect(await popup.getByRole('button', { name: 'Generate token' }).count()).toBe(0);

    await link.click();
    await tab.waitForURL(/\/login\?redirect-to=/);
    await signInOn(tab, JANE, 'jane123');
    await popup.reload();
    await ready(popup);
    expect(await popup.getByRole('button', { name: 'Generate token' }).isEnabled()).toBe(true);
  });

  test('a server error is one plain sentence, and a retry then works with one key pair only', async () => {
    const popup = await popupFor(await signedInTab());
    await ready(popup);
    site.inject({ method: 'POST', path: GENERATE, status: 500, contentType: 'text/html', body: '<html><body>Internal Server Error</body></html>' });
    await popup.getByRole('button', { name: 'Generate token' }).click();
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Frappe had a server error (500).');
    expect(await alert.textContent()).not.toMatch(/Error:|at \w+ \(|undefined|exc_type/);
    expect(site.keys(JANE)).toBeNull();

    const secret = await generate(popup);
    expect(site.generations(JANE)).toBe(1);
    expect(secret).toBe(`${site.keys(JANE)!.apiKey}:${site.keys(JANE)!.apiSecret}`);
    expect(await whoIs(secret)).toBe(JANE);
  });

  test('a user without System Manager is told so before trying, in plain words', async () => {
    const popup = await popupFor(await signedInTab('victor@example.com', 'victor123'));
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('Only Frappe users with the System Manager role can generate API keys');
    expect(await alert.textContent()).not.toContain('PermissionError');
    expect(await popup.getByRole('button', { name: 'Generate token' }).isDisabled()).toBe(true);
    expect(site.generations('victor@example.com')).toBe(0);
  });
});
