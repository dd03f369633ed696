/// <reference types="chrome" />
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { DemoSite } from '../../scripts/demo.ts';
import type { Settings } from '../../src/core/settings.ts';
import { demo as cdsDemo, startCds, type CdsSite } from '../sites/cds.ts';
import { demo as gooddataDemo, startGoodData, type GoodDataSite } from '../sites/gooddata.ts';
import { html, page as htmlPage, startSite, text, type Site } from '../sites/harness.ts';
import { launchExtension, type Extension } from './extension.ts';
import { expectNoLeak, expectPlainAlert, generate } from './kit.ts';

/**
 * The options page (the manifest's `options_ui.page`): timings, per-origin site overrides honoured by the popup, and
 * the persistent vault — set up, kept tokens never in plain text on disk nor in memory once locked, a restarted
 * browser that asks for the passphrase, export and wipe.
 */

const dist = resolve(process.env.TOKENMINT_DIST ?? 'dist-test');
const optionsPath = (JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as { options_ui: { page: string } }).options_ui.page;

const PASSPHRASE = 'correct horse battery';
const UI_BASE = '/ui/cdsapi';

let gooddata: GoodDataSite;
let cds: CdsSite;
/** CDS behind a reverse proxy that serves its API under /ui/cdsapi only, as a CDS UI with another base href does. */
let proxy: Site;
let ext: Extension;

beforeAll(async () => {
  [gooddata, cds, ext] = await Promise.all([startGoodData(), startCds(), launchExtension()]);
  proxy = await startSite(async (req) => {
    if (req.url.pathname === '/') return html(200, htmlPage('CDS', '<p>The CDS web UI, its API under /ui/cdsapi.</p>'));
    if (!req.url.pathname.startsWith(`${UI_BASE}/`)) return text(404, 'Not found');
    const headers: Record<string, string> = {};
    for (const name of ['accept', 'content-type', 'cookie', 'x-xsrf-token', 'authorization']) {
      if (req.headers[name]) headers[name] = req.headers[name];
    }
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : req.body;
    const target = `${cds.origin}${req.url.pathname.slice('/ui'.length)}${req.url.search}`;
    const response = await fetch(target, { method: req.method, headers, body, redirect: 'manual' });
    const out: Record<string, string | string[]> = { 'content-type': response.headers.get('content-type') ?? 'text/plain' };
    if (response.headers.getSetCookie().length > 0) out['set-cookie'] = response.headers.getSetCookie();
    return { status: response.status, headers: out, body: await response.text() };
  });
});

afterAll(async () => {
  await ext?.close();
  await Promise.all([gooddata?.close(), cds?.close(), proxy?.close()]);
});

afterEach(async () => {
  for (const tab of ext.context.pages()) await tab.close();
  await ext.context.clearCookies();
  // Back to a session-only vault with nothing kept, whatever the test left.
  await ext.worker.evaluate(() => Promise.all([chrome.storage.session.clear(), chrome.storage.local.clear()]));
  for (const site of [gooddata, cds, proxy]) {
    site.clearFaults();
    site.clearRequests();
  }
});

async function openOptions(browser: Extension = ext): Promise<Page> {
  const options = await browser.context.newPage();
  await options.goto(`chrome-extension://${browser.id}/${optionsPath}`);
  await expect.poll(() => options.getByRole('heading', { name: 'Settings', exact: true }).count()).toBe(1);
  return options;
}

/** Signs in through the site's own form in a new tab of `browser`. */
async function signedIn(site: Site, demo: DemoSite, browser: Extension = ext): Promise<Page> {
  const tab = await browser.context.newPage();
  await tab.goto(`${site.origin}${demo.signInPath}`);
  await demo.signIn(tab, site.origin, demo.logins[0]!);
  return tab;
}

async function storedSettings(browser: Extension = ext): Promise<Settings | undefined> {
  return browser.worker.evaluate(async () => (await chrome.storage.local.get("settings")).settings as Settings | undefined);
}

const region = (options: Page, name: string) => options.getByRole('region', { name });
const vaultStatus = (options: Page) => options.getByRole('status', { name: 'Vault status' });
const passphraseField = (scope: Page | Locator, name: string) => scope.getByLabel(name, { exact: true });

/** Turns on the persistent vault from the options page, as a user does. */
async function setUpVault(options: Page, passphrase = PASSPHRASE): Promise<void> {
  await options.getByRole('radio', { name: 'Persistent, locked by a passphrase' }).check();
  await passphraseField(options, 'Passphrase').fill(passphrase);
  await passphraseField(options, 'Repeat the passphrase').fill(passphrase);
  await options.getByRole('button', { name: 'Turn on the persistent vault' }).click();
  await expect.poll(() => vaultStatus(options).textContent(), { timeout: 20_000 }).toMatch(/^Unlocked · /);
}

/** Mints on the signed-in GoodData tab through the popup and saves the token to the vault; returns the secret. */
async function mintAndSave(browser: Extension, tab: Page, name: string): Promise<string> {
  const popup = await browser.openPopup(await browser.tabIdOf(tab));
  const secret = await generate(popup, name);
  await popup.getByRole('button', { name: 'Save to vault' }).click();
  await expect.poll(() => popup.getByRole('status').textContent()).toContain('Saved');
  await popup.getByRole('button', { name: 'Done' }).click();
  await popup.close();
  return secret;
}

async function openPanel(browser: Extension, tab: Page): Promise<Page> {
  const panel = await browser.context.newPage();
  await panel.setViewportSize({ width: 1200, height: 800 });
  await panel.goto(`chrome-extension://${browser.id}/src/devtools/panel.html?tabId=${await browser.tabIdOf(tab)}`);
  return panel;
}

const row = (panel: Page, name: string) => panel.getByRole('row').filter({ has: panel.getByRole('cell', { name, exact: true }) });

describe('options page', () => {
  test('auto-lock and clipboard delays are checked, saved from the keyboard, and kept across a reload', async () => {
    const options = await openOptions();
    const timing = region(options, 'Auto-lock and clipboard');
    const minutes = timing.getByRole('spinbutton', { name: 'Auto-lock after (minutes)' });
    const seconds = timing.getByRole('spinbutton', { name: 'Clear the clipboard after (seconds)' });
    const save = timing.getByRole('button', { name: 'Save' });
    expect(await minutes.inputValue()).toBe('15');
    expect(await seconds.inputValue()).toBe('45');
    expect(await save.isDisabled()).toBe(true);

    // Out of range, or not whole: said under the field, and nothing can be saved.
    await minutes.fill('2000');
    await expect.poll(() => timing.getByText('Use at most 1440.').count()).toBe(1);
    expect(await minutes.getAttribute('aria-invalid')).toBe('true');
    expect(await save.isDisabled()).toBe(true);
    await seconds.fill('1.5');
    await expect.poll(() => timing.getByText('Enter a whole number from 0 to 3600.').count()).toBe(1);

    // Keyboard only: select each field's text, type, Tab to the next, Enter submits.
    await minutes.focus();
    await options.keyboard.press('ControlOrMeta+A');
    await options.keyboard.type('5');
    await options.keyboard.press('Tab');
    expect(await seconds.evaluate((field) => field === document.activeElement)).toBe(true);
    await options.keyboard.press('ControlOrMeta+A');
    await options.keyboard.type('0');
    await options.keyboard.press('Enter');
    await expect.poll(() => timing.getByRole('status').textContent()).toBe('Saved.');
    expect(await storedSettings()).toMatchObject({ autoLockMinutes: 5, clipboardSeconds: 0 });

    await options.reload();
    await expect.poll(() => minutes.inputValue()).toBe('5');
    expect(await seconds.inputValue()).toBe('0');
    expect(await save.isDisabled()).toBe(true);
  });

  test('an override for an origin puts CDS under another API base: the popup finds it there and mints through it', async () => {
    await signedIn(cds, cdsDemo);
    const tab = await ext.context.newPage();
    await tab.goto(`${proxy.origin}/`);
    const popup = await ext.openPopup(await ext.tabIdOf(tab));
    // Nothing answers where CDS usually serves its API.
    await expect.poll(() => popup.getByRole('heading', { name: 'Not a supported site' }).count()).toBe(1);

    const options = await openOptions();
    const overrides = region(options, 'Site overrides');
    expect(await overrides.getByText('No overrides.').count()).toBe(1);
    // Checked before anything is saved: an address that is not a web origin, a base path that is not a path.
    await overrides.getByRole('textbox', { name: 'Origin' }).fill('ftp://example.com');
    await overrides.getByRole('button', { name: 'Add override' }).click();
    await expect.poll(() => overrides.getByText('Only http and https sites have overrides.').count()).toBe(1);
    expect(await storedSettings()).toBeUndefined();

    // The base path field is there for CDS only.
    const base = overrides.getByRole('textbox', { name: 'CDS API base path' });
    expect(await base.count()).toBe(0);
    await overrides.getByRole('textbox', { name: 'Origin' }).fill(`${proxy.origin}/some/page`);
    await overrides.getByRole('combobox', { name: 'Site' }).selectOption({ label: 'CDS' });
    await base.fill('/ui/cds api');
    await expect.poll(() => overrides.getByText(/^Use a path such as \/ui\/cdsapi/).count()).toBe(1);
    expect(await overrides.getByRole('button', { name: 'Add override' }).isDisabled()).toBe(true);
    await base.fill(`${UI_BASE}/`);
    await overrides.getByRole('button', { name: 'Add override' }).click();
    const host = new URL(proxy.origin).host;
    await expect.poll(() => overrides.getByRole('status').textContent()).toBe(`Added the override for ${host}.`);
    expect((await storedSettings())?.overrides).toEqual([{ origin: proxy.origin, siteId: 'cds', cdsApiBase: UI_BASE }]);
    const listed = overrides.getByRole('list', { name: 'Overrides' }).getByRole('listitem');
    expect(await listed.count()).toBe(1);
    expect(await listed.textContent()).toContain(`${proxy.origin} → CDS · API under ${UI_BASE}`);
    // The host permission it asked for from the click is held.
    expect(await ext.worker.evaluate((origin) => chrome.permissions.contains({ origins: [`${origin}/*`] }), proxy.origin)).toBe(true);

    // The popup now sees CDS there, asks only the CDS probe, and mints through the proxied API.
    proxy.clearRequests();
    await popup.reload();
    await expect.poll(() => popup.getByRole('heading', { name: 'CDS', exact: true }).count()).toBe(1);
    await expect.poll(() => popup.getByText('Signed in as').textContent()).toContain('Jane Doe');
    const secret = await generate(popup, 'through-the-override');
    expect(cds.tokens('jdoe').find((token) => token.name === 'through-the-override')?.signinToken).toBe(secret);
    const paths = proxy.requests().map((request) => `${request.method} ${request.path.split('?')[0]}`);
    expect(paths).toContain(`POST ${UI_BASE}/user/jdoe/auth/consumer`);
    expect(paths.filter((path) => !path.includes(` ${UI_BASE}/`))).toEqual([]);
    await popup.getByRole('button', { name: 'Done' }).click();

    // Removed (from the keyboard): recognition is back to what the origin answers, which is not CDS at /cdsapi.
    await overrides.getByRole('button', { name: `Remove the override for ${proxy.origin}` }).focus();
    await options.keyboard.press('Enter');
    await expect.poll(() => overrides.getByText('No overrides.').count()).toBe(1);
    expect((await storedSettings())?.overrides).toEqual([]);
    await popup.reload();
    await expect.poll(() => popup.getByRole('heading', { name: 'Not a supported site' }).count()).toBe(1);
    await expectNoLeak(ext, secret);
  });

  test('an override naming a site the origin is not: the popup says so plainly, and asks no other site\'s probe', async () => {
    const tab = await signedIn(gooddata, gooddataDemo);
    const options = await openOptions();
    const overrides = region(options, 'Site overrides');
    await overrides.getByRole('textbox', { name: 'Origin' }).fill(gooddata.origin);
    await overrides.getByRole('combobox', { name: 'Site' }).selectOption({ label: 'Frappe' });
    await overrides.getByRole('button', { name: 'Add override' }).click();
    await expect.poll(async () => (await storedSettings())?.overrides).toEqual([{ origin: gooddata.origin, siteId: 'frappe', cdsApiBase: '' }]);

    gooddata.clearRequests();
    const popup = await ext.openPopup(await ext.tabIdOf(tab));
    const host = new URL(gooddata.origin).host;
    await expectPlainAlert(popup, `${host} does not answer as Frappe, though a site override in Tokenmint’s options says it is.`);
    expect(await popup.getByRole('button', { name: 'Generate token' }).count()).toBe(0);
    // GoodData's own probe was never sent: the override decided which adapter answers.
    expect(gooddata.requests().filter((request) => request.path.startsWith('/api/v1/profile'))).toEqual([]);

    // "Recognise automatically" for the same origin replaces the rule, and GoodData is found again.
    await overrides.getByRole('combobox', { name: 'Site' }).selectOption({ label: 'Recognise automatically' });
    await overrides.getByRole('textbox', { name: 'Origin' }).fill(gooddata.origin);
    await overrides.getByRole('button', { name: 'Add override' }).click();
    await expect.poll(() => overrides.getByRole('status').textContent()).toBe(`Replaced the override for ${host}.`);
    await popup.reload();
    await expect.poll(() => popup.getByRole('heading', { name: 'GoodData', exact: true }).count()).toBe(1);
  });
});

describe('persistent vault', () => {
  test('set-up rules, Save to vault keeps no secret in plain storage, lock empties memory, passphrase change', async () => {
    const options = await openOptions();
    const vault = region(options, 'Vault');
    await expect.poll(() => vaultStatus(options).textContent()).toMatch(/^This browser session only · 0 tokens$/);
    expect(await vault.getByRole('radio', { name: 'This browser session only' }).isChecked()).toBe(true);

    // Choosing persistent asks for the passphrase twice; too short, then different, is said in plain words.
    await vault.getByRole('radio', { name: 'Persistent, locked by a passphrase' }).check();
    const turnOn = vault.getByRole('button', { name: 'Turn on the persistent vault' });
    await passphraseField(vault, 'Passphrase').fill('short');
    expect(await passphraseField(vault, 'Passphrase').getAttribute('aria-invalid')).toBe('true');
    expect(await turnOn.isDisabled()).toBe(true);
    await passphraseField(vault, 'Passphrase').fill(PASSPHRASE);
    await passphraseField(vault, 'Repeat the passphrase').fill(`${PASSPHRASE}!`);
    await expect.poll(() => vault.getByText('The two passphrases differ.').count()).toBe(1);
    expect(await turnOn.isDisabled()).toBe(true);
    await passphraseField(vault, 'Repeat the passphrase').fill(PASSPHRASE);
    await turnOn.click();
    await expect.poll(() => vaultStatus(options).textContent(), { timeout: 20_000 }).toMatch(/^Unlocked · 0 tokens · PBKDF2-SHA256, [\d,]+ iterations$/);
    const iterations = Number((await vaultStatus(options).textContent())?.match(/([\d,]+) iterations/)?.[1]?.replaceAll(',', ''));
    expect(iterations).toBeGreaterThanOrEqual(600_000);

    const tab = await signedIn(gooddata, gooddataDemo);
    const secret = await mintAndSave(ext, tab, 'vault-kept');
    await options.bringToFront();
    await expect.poll(() => vaultStatus(options).textContent()).toMatch(/^Unlocked · 1 token · /);
    // On disk: the vault, its record, no secret (the whole dump is searched, not one key).
    const local = await ext.storageText('local');
    expect(local).toContain('vault-kept');
    expect(local).not.toContain(secret);
    await expectNoLeak(ext, secret);

    await vault.getByRole('button', { name: 'Lock now' }).click();
    await expect.poll(() => vaultStatus(options).textContent()).toMatch(/^Locked · 1 token · /);
    expect(await ext.storageText('session')).not.toContain(secret);
    expect(await ext.storageText('local')).not.toContain(secret);

    // A wrong passphrase is answered with the background's sentence; the right one unlocks.
    await passphraseField(vault, 'Passphrase').fill('not the passphrase');
    await vault.getByRole('button', { name: 'Unlock' }).click();
    await expectPlainAlert(options, 'That passphrase does not open the vault.');
    await expect.poll(() => vaultStatus(options).textContent()).toMatch(/^Locked/);
    await passphraseField(vault, 'Passphrase').fill(PASSPHRASE);
    await vault.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => vaultStatus(options).textContent(), { timeout: 20_000 }).toMatch(/^Unlocked · 1 token/);

    // Change passphrase: the old one no longer unlocks, the new one does, and the token is still there.
    const next = 'a brand new passphrase';
    await vault.getByText('Change passphrase…').click();
    await passphraseField(vault, 'Current passphrase').fill(PASSPHRASE);
    await passphraseField(vault, 'New passphrase').fill(next);
    await passphraseField(vault, 'Repeat the new passphrase').fill(next);
    await vault.getByRole('button', { name: 'Change passphrase', exact: true }).click();
    await expect.poll(() => vault.getByText(/^Passphrase changed/).count(), { timeout: 20_000 }).toBe(1);
    expect(await ext.storageText('local')).not.toContain(secret);
    await vault.getByRole('button', { name: 'Lock now' }).click();
    await expect.poll(() => vaultStatus(options).textContent()).toMatch(/^Locked/);
    await passphraseField(vault, 'Passphrase').fill(PASSPHRASE);
    await vault.getByRole('button', { name: 'Unlock' }).click();
    await expectPlainAlert(options, 'That passphrase does not open the vault.');
    await passphraseField(vault, 'Passphrase').fill(next);
    await vault.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => vaultStatus(options).textContent(), { timeout: 20_000 }).toMatch(/^Unlocked · 1 token/);
    await expectNoLeak(ext, secret);
  });

  test('export lists metadata, secrets only unlocked and confirmed; wipe forgets the vault after a confirm step', async () => {
    const options = await openOptions();
    await setUpVault(options);
    const secret = await mintAndSave(ext, await signedIn(gooddata, gooddataDemo), 'vault-export');
    await options.bringToFront();
    const data = region(options, 'Export and wipe');
    const withSecrets = data.getByRole('checkbox', { name: 'Include the secrets' });
    const exportButton = data.getByRole('button', { name: 'Export' });

    async function exported(): Promise<string> {
      const [download] = await Promise.all([options.waitForEvent('download'), exportButton.click()]);
      return readFile(await download.path(), 'utf8');
    }

    const metadata = await exported();
    expect(metadata).toContain('vault-export');
    expect(metadata).toContain(gooddata.origin);
    expect(metadata).not.toContain(secret);
    await expect.poll(() => data.getByRole('status').textContent()).toBe('Exported, without secrets.');

    // With secrets: only after the confirmation is ticked, and it is asked again next time.
    await withSecrets.check();
    const confirm = data.getByRole('checkbox', { name: 'I understand the file holds working tokens in plain text' });
    expect(await exportButton.isDisabled()).toBe(true);
    await confirm.check();
    expect(await exported()).toContain(secret);
    expect(await withSecrets.isChecked()).toBe(false);
    expect(await confirm.count()).toBe(0);

    // Locked: no secrets to offer.
    await region(options, 'Vault').getByRole('button', { name: 'Lock now' }).click();
    await expect.poll(() => vaultStatus(options).textContent()).toMatch(/^Locked/);
    expect(await withSecrets.isDisabled()).toBe(true);
    expect(await exported()).not.toContain(secret);

    // Wipe asks once more; Cancel keeps everything, Confirm wipe forgets it.
    await data.getByRole('button', { name: 'Wipe…' }).click();
    await data.getByRole('button', { name: 'Cancel' }).click();
    expect(await ext.storageText('local')).toContain('vault-export');
    await data.getByRole('button', { name: 'Wipe…' }).click();
    const confirmWipe = data.getByRole('button', { name: 'Confirm wipe' });
    expect(await confirmWipe.evaluate((button) => button === document.activeElement)).toBe(true);
    await confirmWipe.click();
    await expect.poll(() => vaultStatus(options).textContent()).toBe('This browser session only · 0 tokens');
    expect(await ext.storageText('local')).not.toContain('vault-export');
    await expect.poll(() => region(options, 'Vault').getByRole('radio', { name: 'This browser session only' }).isChecked()).toBe(true);
  });

  test('a browser restarted on the same profile finds the vault locked, asks for the passphrase, then uses the token', async () => {
    const profileDir = await mkdtemp(join(tmpdir(), 'tokenmint-kept-profile-'));
    let browser: Extension | undefined;
    try {
      browser = await launchExtension(undefined, { profileDir });
      const firstId = browser.id;
      await setUpVault(await openOptions(browser));
      const tab = await signedIn(gooddata, gooddataDemo, browser);
      const secret = await mintAndSave(browser, tab, 'vault-restart');
      expect(await browser.storageText('local')).not.toContain(secret);
      await expectNoLeak(browser, secret);
      await browser.close();

      browser = await launchExtension(undefined, { profileDir });
      expect(browser.id).toBe(firstId);
      // Nothing of the secret survived in memory, and on disk it is sealed.
      expect(await browser.storageText('session')).not.toContain(secret);
      expect(await browser.storageText('local')).toContain('vault-restart');
      expect(await browser.storageText('local')).not.toContain(secret);

      // Still signed in to the site (its cookie outlives the browser); the vault is locked.
      const siteTab = await browser.context.newPage();
      await siteTab.goto(`${gooddata.origin}/`);
      // The popup reaches the locked vault: a new token cannot be saved into it.
      const popup = await browser.openPopup(await browser.tabIdOf(siteTab));
      const second = await generate(popup, 'while-locked');
      await popup.getByRole('button', { name: 'Save to vault' }).click();
      await expect.poll(() => popup.getByRole('status').textContent()).toContain('The vault is locked. Unlock it in Tokenmint');
      await popup.getByRole('button', { name: 'Done' }).click();
      expect(await browser.storageText('local')).not.toContain('while-locked');
      // The panel too: the kept token is listed, but its secret is not usable until the vault is unlocked.
      const panel = await openPanel(browser, siteTab);
      await expect.poll(() => row(panel, 'vault-restart').count()).toBe(1);
      expect(await panel.content()).not.toContain(secret);
      await row(panel, 'vault-restart').getByRole('button', { name: 'Copy as…' }).click();
      await row(panel, 'vault-restart').getByRole('button', { name: 'Raw', exact: true }).click();
      await expect.poll(() => row(panel, 'vault-restart').textContent()).toContain('The vault is locked.');

      const options = await openOptions(browser);
      await expect.poll(() => vaultStatus(options).textContent()).toMatch(/^Locked · 1 token · /);
      const vault = region(options, 'Vault');
      expect(await passphraseField(vault, 'Passphrase').evaluate((field) => field === document.activeElement)).toBe(true);
      await passphraseField(vault, 'Passphrase').fill(PASSPHRASE);
      await options.keyboard.press('Enter');
      await expect.poll(() => vaultStatus(options).textContent(), { timeout: 20_000 }).toMatch(/^Unlocked · 1 token · /);

      await panel.bringToFront();
      await panel.getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => row(panel, 'vault-restart').count()).toBe(1);
      await row(panel, 'vault-restart').getByRole('button', { name: 'Copy as…' }).click();
      await row(panel, 'vault-restart').getByRole('button', { name: 'Raw', exact: true }).click();
      await expect.poll(() => row(panel, 'vault-restart').textContent()).toContain('Copied as Raw');
      expect(await panel.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      await expectNoLeak(browser, secret, second);
    } finally {
      await browser?.close();
      await rm(profileDir, { recursive: true, force: true });
    }
  });
});
