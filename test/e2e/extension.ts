/// <reference types="chrome" />
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';

/** Debian's Chromium with the test build loaded, plus what tests need to look inside it. */
export interface Extension {
  context: BrowserContext;
  worker: Worker;
  id: string;
  /** Every console line of every page and of the service worker, for the "no secret in a log" checks. */
  consoleLines: string[];
  /** The popup opened as a page acting on `tabId`, as DESIGN.md's UI contract allows. */
  openPopup(tabId: number): Promise<Page>;
  tabIdOf(page: Page): Promise<number>;
  /** Everything the extension keeps in one storage area, as JSON text. */
  storageText(area: 'local' | 'sync' | 'session'): Promise<string>;
  /** Signs out of every site and forgets what the extension keeps, so each test starts afresh. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchExtension(dist = resolve('dist-test')): Promise<Extension> {
  const profile = await mkdtemp(join(tmpdir(), 'tokenmint-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const id = new URL(worker.url()).host;
  // Fail fast: every wait in these tests is for something that happens within a second or two.
  context.setDefaultTimeout(10_000);
  const consoleLines: string[] = [];
  context.on('console', (message) => consoleLines.push(message.text()));
  worker.on('console', (message) => consoleLines.push(message.text()));
  // Clipboard read-back in tests; granting it for an origin fails on chrome-extension:// (opaque), so grant it to all.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);

  return {
    context,
    worker,
    id,
    consoleLines,
    async openPopup(tabId) {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${id}/src/popup/index.html?tabId=${tabId}`);
      return page;
    },
    async tabIdOf(page) {
      const url = page.url();
      const tabId = await worker.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]?.id, url);
      if (tabId === undefined) throw new Error(`no tab shows ${url}`);
      return tabId;
    },
    async storageText(area) {
      return worker.evaluate(async (area) => JSON.stringify(await chrome.storage[area].get(null)), area);
    },
    async reset() {
      await context.clearCookies();
      await worker.evaluate(() => Promise.all([chrome.storage.session.clear(), chrome.storage.local.clear()]));
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
