/// <reference types="chrome" />
import type { Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { demo, startGoodData, type GoodDataSite } from '../sites/gooddata.ts';
import { byLabel, byRole, launchFirefoxExtension, until, type FirefoxExtension } from './firefox.ts';

/**
 * The Firefox test build in Debian's firefox-esr: what differs from Chromium is exercised in the real browser. The
 * background is an event page (no service worker), the page requests run in the tab through
 * scripting.executeScript, the unrevealed token waits in storage.session, the clipboard is written and cleared by the
 * background page itself (no offscreen document), and the options page and the devtools panel talk to it.
 */

const TOKENS_PATH = '/api/v1/entities/users/demo/apiTokens';

let site: GoodDataSite;
let ff: FirefoxExtension;

beforeAll(async () => {
  [site, ff] = await Promise.all([startGoodData(), launchFirefoxExtension()]);
});

afterAll(async () => {
  await ff?.close();
  await site?.close();
});

afterEach(async () => {
  await ff.reset();
});

/** A new tab signed in to the emulated GoodData through its own sign-in form, as the demo login. */
async function signedInTab(): Promise<Page> {
  const tab = await ff.browser.newPage();
  const { user, password } = demo.logins[0];
  await tab.goto(site.origin + demo.signInPath);
  await (await byLabel(tab, 'Username')).type(user);
  await (await byLabel(tab, 'Password')).type(password);
  await Promise.all([tab.waitForNavigation(), (await byRole(tab, 'button', 'Sign in')).click()]);
  expect(tab.url()).toBe(`${site.origin}/`);
  return tab;
}

async function popupFor(tab: Page): Promise<Page> {
  return ff.openPage(`${ff.manifest.action?.default_popup}?tabId=${await ff.tabIdOf(tab)}`);
}

const valueOf = (page: Page, role: string, name: string) =>
  byRole(page, role, name).then((field) => field.evaluate((input) => (input as HTMLInputElement).value));

/** Names the token, presses Generate token, and returns the revealed secret. */
async function generate(popup: Page, name: string): Promise<string> {
  const field = await byRole(popup, 'textbox', 'Token name');
  await field.evaluate((input) => (input as HTMLInputElement).select());
  await field.type(name);
  await (await byRole(popup, 'button', 'Generate token')).click();
  return valueOf(popup, 'textbox', 'New token');
}

/**
 * The clipboard's text, read from the add-on's own tab. Firefox now and then refuses that read (NotAllowedError) while
 * the machine is busy, though the page holds clipboardRead: such a refusal is the instrument's, so it is asked again.
 */
async function readClipboard(): Promise<string> {
  const read = () =>
    ff.run(
      () =>
        navigator.clipboard.readText().then(
          (text) => ({ text }),
          (error: unknown) => {
            if (error instanceof DOMException && error.name === 'NotAllowedError') return undefined;
            throw error;
          },
        ),
      undefined,
    );
  return (await until('Firefox to let the test read the clipboard', read)).text;
}

describe('Firefox', () => {
  test('mints a GoodData token through the popup, from inside the tab, and the token works', async () => {
    const popup = await popupFor(await signedInTab());
    site.clearRequests();
    const secret = await generate(popup, 'ff-smoke');

    // The site made it, and it authenticates on its own.
    expect(site.tokens('demo').map((token) => [token.id, token.bearerToken])).toContainEqual(['ff-smoke', secret]);
    const profile = await fetch(`${site.origin}/api/v1/profile`, { headers: { Authorization: `Bearer ${secret}` } });
    expect(profile.status).toBe(200);
    expect(((await profile.json()) as { userId: string }).userId).toBe('demo');

    // Sent from inside the tab (scripting.executeScript): the site's own Origin and session cookie.
    const create = site.requests().find((request) => request.method === 'POST' && request.path === TOKENS_PATH);
    expect(create?.headers.origin).toBe(site.origin);
    expect(create?.headers.cookie).toContain('SPRING_SEC_SECURITY_CONTEXT=');

    // Held in storage.session until Done, never in storage.local.
    expect(await ff.storageText('session')).toContain(secret);
    expect(await ff.storageText('local')).not.toContain(secret);
    await (await byRole(popup, 'button', 'Done')).click();
    await byRole(popup, 'button', 'Generate token');
    expect(await ff.storageText('session')).not.toContain(secret);
  });

  test('the tab’s own popup address, which draws the last state at once, is dropped when the tab loads a page', async () => {
    const tab = await signedInTab();
    const tabId = await ff.tabIdOf(tab);
    const popup = await popupFor(tab);
    await until('Generate token to be enabled', () =>
      popup.evaluate(() => [...document.querySelectorAll('button')].some((b) => b.textContent === 'Generate token' && !b.disabled)),
    );
    const address = () => ff.run((tabId) => chrome.action.getPopup({ tabId }), tabId);
    await until('the tab’s popup address to carry the state', async () => (await address()).includes('#'));
    expect(decodeURIComponent(new URL(await address()).hash)).toContain('"name":"Demo User"');

    await tab.reload();
    await until('the address to be dropped', async () => (await address()) === `${ff.origin}/${ff.manifest.action?.default_popup}`);
  });

  test('copies through the background page, which clears the clipboard when the options page says', async () => {
    const options = await ff.openOptions();
    const seconds = await byRole(options, 'spinbutton', 'Clear the clipboard after (seconds)');
    await seconds.evaluate((input) => (input as HTMLInputElement).select());
    await seconds.type('1');
    await (await byRole(options, 'button', 'Save')).click();
    await until('the settings to be saved', async () => (await ff.storageText('local')).includes('"clipboardSeconds":1'));

    const popup = await popupFor(await signedInTab());
    const secret = await generate(popup, 'ff-copy');
    await (await byRole(popup, 'button', 'Copy')).click();
    await until('the copy to be confirmed', () =>
      popup.evaluate(() => document.querySelector('[role="status"]')?.textContent?.includes('Copied')),
    );
    expect(await readClipboard()).toBe(secret);
    // Cleared by the background page after the second, since the clipboard still holds that token.
    await until('the clipboard to be cleared', async () => (await readClipboard()) === '');
  });

  test('the devtools panel lists the site’s tokens', async () => {
    site.addTokens('demo', 1);
    const seeded = site.tokens('demo').at(-1)!.id;
    const tab = await signedInTab();
    const panel = await ff.openPage(`src/devtools/panel.html?tabId=${await ff.tabIdOf(tab)}`);
    await byRole(panel, 'cell', seeded);
    await byRole(panel, 'button', 'Revoke');
    await byRole(panel, 'button', 'Refresh');
  });
});
