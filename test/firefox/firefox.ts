/// <reference types="chrome" />
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { vi } from 'vitest';

/**
 * Debian's firefox-esr with the Firefox test build installed, driven by puppeteer-core over WebDriver BiDi. WebDriver
 * may not send a tab to a moz-extension:// page, so the test build opens its popup page in a tab when it is installed
 * (src/background/test-build.ts); from that tab, which has the extension's APIs, this opens the others.
 */
export interface FirefoxExtension {
  browser: Browser;
  /** `moz-extension://<uuid>`: Firefox picks the uuid per profile. */
  origin: string;
  /** The installed build's manifest.json, as written (Firefox's getManifest() makes its page paths absolute). */
  manifest: chrome.runtime.ManifestV3;
  /** Runs `fn` in one of the extension's pages, where `chrome.*` is the extension's API (promise-based in Firefox). */
  run<A, T>(fn: (arg: A) => T | Promise<T>, arg: A): Promise<T>;
  /** Opens the extension's page `path` (relative to its root, query included) in a new tab, once it has loaded. */
  openPage(path: string): Promise<Page>;
  /** The options page, opened the way Firefox opens the manifest's `options_ui`. */
  openOptions(): Promise<Page>;
  tabIdOf(page: Page): Promise<number>;
  /** Everything the extension keeps in one storage area, as JSON text. */
  storageText(area: 'local' | 'sync' | 'session'): Promise<string>;
  /** Closes every tab but the add-on's own, signs out of every site, and forgets what the extension keeps. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const firefoxPath = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Asks `check` until it gives something truthy, and returns that; fails after `timeout` ms saying what it waited for.
 * (What the tests wait for here has no event they could hear: where an extension page is, the clipboard, storage.)
 */
export function until<T>(what: string, check: () => Promise<T>, timeout = 10_000): Promise<NonNullable<T>> {
  return vi.waitUntil(check, { timeout, interval: 50 }).catch(() => {
    throw new Error(`timed out waiting for ${what}`);
  }) as Promise<NonNullable<T>>;
}

/** The element with this accessible role and name, as Playwright's getByRole sees it; waits for it. */
export function byRole(page: Page, role: string, name: string): Promise<ElementHandle> {
  return waitFor(page, `${name}[role="${role}"]`);
}

/** The form field labelled `label`, as Playwright's getByLabel sees it (a password field has no role); waits for it. */
export function byLabel(page: Page, label: string): Promise<ElementHandle> {
  return waitFor(page, label);
}

async function waitFor(page: Page, ariaQuery: string): Promise<ElementHandle> {
  const handle = await page.waitForSelector(`::-p-aria(${ariaQuery})`, { timeout: 10_000 });
  if (!handle) throw new Error(`nothing matches ${ariaQuery}`);
  return handle;
}

/** Where a page is: puppeteer reports an extension page's url() as about:blank, its own location knows. */
/** A page's address as its own script sees it; nothing from a page that cannot answer now (closing, or busy loading). */
async function hrefOf(page: Page): Promise<string | undefined> {
  let giveUp: ReturnType<typeof setTimeout> | undefined;
  // Bounded: one tab that does not answer must not hold up finding the others; the next look asks it again.
  const unanswered = new Promise<undefined>((resolve) => (giveUp = setTimeout(resolve, 1_000, undefined)));
  try {
    return await Promise.race([page.evaluate(() => location.href).catch(() => undefined), unanswered]);
  } finally {
    clearTimeout(giveUp);
  }
}

/**
 * The tab whose address `matches`, once it has loaded. Allowed 20 s: with a Chromium test run beside it, Firefox
 * once took longer than 10 s to show a new tab (1 run in 12). A timeout names the addresses the tabs showed.
 */
async function pageAt(browser: Browser, matches: (href: string) => boolean, what: string): Promise<Page> {
  let seen: (string | undefined)[] = [];
  const page = await until(
    what,
    async () => {
      const pages = await browser.pages();
      seen = await Promise.all(pages.map(hrefOf));
      return pages[seen.findIndex((href) => href !== undefined && matches(href))];
    },
    20_000,
  ).catch((error: unknown) => {
    const tabs = seen.map((href) => href ?? '(no answer)').join(', ');
    throw new Error(`${error instanceof Error ? error.message : String(error)}; the tabs showed: ${tabs || 'none'}`);
  });
  await until(`${what} to load`, () => page.evaluate(() => document.readyState === 'complete'));
  return page;
}

export async function launchFirefoxExtension(
  // TOKENMINT_FIREFOX_DIST lets parallel work use a build directory of its own.
  dist = resolve(process.env.TOKENMINT_FIREFOX_DIST ?? 'dist-test-firefox'),
): Promise<FirefoxExtension> {
  const browser = await puppeteer.launch({ browser: 'firefox', executablePath: firefoxPath, headless: true });
  try {
    await browser.installExtension(dist);
    const home = await pageAt(browser, (href) => href.startsWith('moz-extension://'), 'the page the add-on opens on install');
    // Not URL.origin: outside the browser, moz-extension: is a non-special scheme whose origin is "null".
    const origin = (await hrefOf(home))!.match(/^moz-extension:\/\/[^/]+/)![0];
    const run: FirefoxExtension['run'] = (fn, arg) => home.evaluate(fn as (arg: unknown) => unknown, arg) as never;
    const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8')) as chrome.runtime.ManifestV3;
    const extension: FirefoxExtension = {
      browser,
      origin,
      manifest,
      run,
      async openPage(path) {
        const url = `${origin}/${path}`;
        await run((url) => chrome.tabs.create({ url }).then(() => undefined), url);
        const page = await pageAt(browser, (href) => href === url, url);
        await page.bringToFront();
        return page;
      },
      async openOptions() {
        await run(() => chrome.runtime.openOptionsPage(), undefined);
        return pageAt(browser, (href) => href === `${origin}/${manifest.options_ui?.page}`, 'the options page');
      },
      async tabIdOf(page) {
        // tabs.query({ url }) finds nothing in Firefox here: all tabs, filtered.
        const tabs = await run(() => chrome.tabs.query({}).then((all) => all.map(({ id, url }) => ({ id, url }))), undefined);
        const tabId = tabs.find((tab) => tab.url === page.url())?.id;
        if (tabId === undefined) throw new Error(`no tab shows ${page.url()}`);
        return tabId;
      },
      storageText: (area) => run((area) => chrome.storage[area].get(null).then((items) => JSON.stringify(items)), area),
      async reset() {
        for (const page of await browser.pages()) if (page !== home) await page.close();
        await browser.deleteCookie(...(await browser.cookies()));
        await run(() => Promise.all([chrome.storage.session.clear(), chrome.storage.local.clear()]).then(() => undefined), undefined);
      },
      close: () => browser.close(),
    };
    return extension;
  } catch (error) {
    await browser.close();
    throw error;
  }
}
