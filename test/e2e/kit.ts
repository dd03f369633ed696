// What every e2e file shares: the browser and emulated site it runs against, a clean slate after each test, the
// ways into a popup, and the checks that a secret went nowhere it must not. Each file keeps its site's own steps.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { DemoSite, Login } from '../../scripts/demo.ts';
import type { Site } from '../sites/harness.ts';
import { launchExtension, type Extension } from './extension.ts';

export interface E2e<S extends Site> {
  /** The browser with the test build, for the whole file. */
  readonly ext: Extension;
  /** The emulated site of the current test. */
  readonly site: S;
  /** A new tab signed in through the site's own sign-in form, as a person would; the demo's first login by default. */
  signedInTab(login?: Login): Promise<Page>;
  /** The popup, opened as a page acting on `tab`. */
  popupFor(tab: Page): Promise<Page>;
  /**
   * On a signed-out tab the popup alerts with `says` and a Sign in link to the site's sign-in page, and offers no
   * Generate token; following the link (to `loginPage`) and signing in there makes the reloaded popup offer it.
   * Returns that popup, for the file's own checks after.
   */
  expectSignInFromAlert(says: string, loginPage: string | RegExp): Promise<Page>;
}

/**
 * Registers the hooks of an e2e file against one emulated site (`start`, signed in to as `demo` says): call it once,
 * at the top level. One browser serves the whole file; the site too, unless `sitePerTest` (for a site where what one
 * test makes would change what the next one sees). After each test: no faults, no logged requests, no tabs, no
 * cookies, nothing the extension kept. A file's own afterEach runs before this one.
 */
/** The browser of the file being run: `generate` notes every secret it reads there for the end-of-file log check. */
let running: Extension | undefined;

export function useE2e<S extends Site>(start: () => Promise<S>, demo: DemoSite, { sitePerTest = false } = {}): E2e<S> {
  let ext: Extension | undefined;
  let site: S | undefined;
  const required = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what}: it starts in a hook of useE2e`);
    return value;
  };

  beforeAll(async () => {
    if (sitePerTest) ext = await launchExtension();
    else [site, ext] = await Promise.all([start(), launchExtension()]);
    running = ext;
  });
  if (sitePerTest) {
    beforeEach(async () => {
      site = await start();
    });
  }

  afterAll(async () => {
    await ext?.close();
    if (!sitePerTest) await site?.close();
  });

  afterEach(async () => {
    const [running, browser] = [required(site, 'site'), required(ext, 'extension')];
    running.clearFaults();
    running.clearRequests();
    for (const page of browser.context.pages()) await page.close();
    await browser.reset();
    if (sitePerTest) await running.close();
  });

  const e2e: E2e<S> = {
    get ext() {
      return required(ext, 'extension');
    },
    get site() {
      return required(site, 'site');
    },
    async signedInTab(login = demo.logins[0]) {
      const tab = await e2e.ext.context.newPage();
      await tab.goto(e2e.site.origin + demo.signInPath);
      await demo.signIn(tab, e2e.site.origin, login);
      return tab;
    },
    async popupFor(tab) {
      return e2e.ext.openPopup(await e2e.ext.tabIdOf(tab));
    },
    async expectSignInFromAlert(says, loginPage) {
      const tab = await e2e.ext.context.newPage();
      await tab.goto(`${e2e.site.origin}/`);
      const popup = await e2e.popupFor(tab);
      const alert = popup.getByRole('alert');
      await expect.poll(() => alert.textContent()).toContain(says);
      const link = alert.getByRole('link', { name: 'Sign in' });
      expect(await link.getAttribute('href')).toBe(e2e.site.origin + demo.signInPath);
      expect(await generateButton(popup).count()).toBe(0);

      // Following it signs in in the site's own tab, after which the popup offers to mint.
      await link.click();
      await tab.waitForURL(loginPage);
      await demo.signIn(tab, e2e.site.origin, demo.logins[0]);
      await popup.reload();
      await expectReady(popup);
      return popup;
    },
  };
  return e2e;
}

const generateButton = (popup: Page) => popup.getByRole('button', { name: 'Generate token' });

/** Waits until the popup offers Generate token, enabled or not. */
export async function expectReady(popup: Page): Promise<void> {
  await expect.poll(() => generateButton(popup).count()).toBe(1);
}

/** Generates a token (named `name`, where the site names tokens and the test picks one) and returns the one revealed. */
export async function generate(popup: Page, name?: string): Promise<string> {
  if (name !== undefined) await popup.getByRole('textbox', { name: 'Token name' }).fill(name);
  await generateButton(popup).click();
  const token = popup.getByRole('textbox', { name: 'New token' });
  await expect.poll(() => token.count()).toBe(1);
  const secret = await token.inputValue();
  running?.noteSecret(secret);
  return secret;
}

/** Presses a copy button of the reveal, waits for the status to say `says`, and returns what the clipboard holds. */
export async function copied(popup: Page, button: string, says: string): Promise<string> {
  await popup.getByRole('button', { name: button }).click();
  await expect.poll(() => popup.getByRole('status').textContent()).toContain(says);
  return popup.evaluate(() => navigator.clipboard.readText());
}

/** The alert says `sentence`, in plain words: no error class, stack line or `undefined` (nor `unwanted`). */
export async function expectPlainAlert(popup: Page, sentence: string, unwanted = /Error:|at \w+ \(|undefined/): Promise<void> {
  const alert = popup.getByRole('alert');
  await expect.poll(() => alert.textContent()).toContain(sentence);
  expect(await alert.textContent()).not.toMatch(unwanted);
}

/** None of `secrets` shows in any console line, nor in storage.local or storage.sync. */
export async function expectNoLeak(ext: Extension, ...secrets: string[]): Promise<void> {
  ext.noteSecret(...secrets);
  // The log check can see the worker's console at all (else "no secret there" would prove nothing).
  await ext.worker.evaluate(() => console.info('tokenmint-console-probe'));
  await expect.poll(() => ext.consoleLines.includes('tokenmint-console-probe')).toBe(true);
  for (const secret of secrets) {
    expect(ext.consoleLines.join('\n')).not.toContain(secret);
    expect(await ext.storageText('local')).not.toContain(secret);
    expect(await ext.storageText('sync')).not.toContain(secret);
  }
}

/** The revealed `secrets` stay in storage.session (for a popup opened again) until Done is pressed, and no longer. */
export async function expectHeldUntilDone(ext: Extension, popup: Page, ...secrets: string[]): Promise<void> {
  for (const secret of secrets) expect(await ext.storageText('session')).toContain(secret);
  await popup.getByRole('button', { name: 'Done' }).click();
  await expectReady(popup);
  for (const secret of secrets) expect(await ext.storageText('session')).not.toContain(secret);
}
