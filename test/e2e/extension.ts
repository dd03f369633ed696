/// <reference types="chrome" />
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type CDPSession, type Page, type Worker } from 'playwright-core';

/** Debian's Chromium with the test build loaded, plus what tests need to look inside it. */
export interface Extension {
  context: BrowserContext;
  /** The service worker; after stopWorker() it speaks for the restarted one (Playwright keeps one handle). */
  worker: Worker;
  id: string;
  /** Every console line of every page and of the service worker, for the "no secret in a log" checks. */
  consoleLines: string[];
  /**
   * Remembers secrets the test saw: when the browser closes, every console line of its whole life is checked for
   * every one of them, so a leak in any test, at any moment, fails the file.
   */
  noteSecret(...secrets: string[]): void;
  /** Reads the reveal's New token box on `page` (waiting for it), notes the secret, and returns it. */
  newToken(page: Page): Promise<string>;
  /** The real toolbar popup over `tab` (see ToolbarPopup): the popup as a user opens it, with no `?tabId`. */
  openToolbarPopup(tab: Page): Promise<ToolbarPopup>;
  /** The popup opened as a page acting on `tabId`, as DESIGN.md's UI contract allows. */
  openPopup(tabId: number): Promise<Page>;
  /**
   * The address the toolbar button would open for `tabId` (the background may have given the tab one that carries a
   * state to draw), as a path with `?tabId=` added. Asks the service worker, which must be running.
   */
  toolbarPopupPath(tabId: number): Promise<string>;
  tabIdOf(page: Page): Promise<number>;
  /** Everything the extension keeps in one storage area, as JSON text. */
  storageText(area: 'local' | 'sync' | 'session'): Promise<string>;
  /**
   * Stops the service worker the way the browser does when it idles; the next extension event starts a new one.
   * Evaluating in the worker before something wakes it (e.g. opening the popup) waits forever.
   */
  stopWorker(): Promise<void>;
  /** Whether the running worker started after the last stopWorker(), i.e. lost all its memory. */
  workerIsFresh(): Promise<boolean>;
  /** Signs out of every site and forgets what the extension keeps, so each test starts afresh. */
  reset(): Promise<void>;
  /**
   * The running service worker's JS heap, measured over CDP right after a full garbage collection: what the worker
   * still holds, not what it has yet to free. The worker must be running (see stopWorker).
   */
  workerHeap(): Promise<WorkerHeap>;
  close(): Promise<void>;
}

/** The toolbar popup, which is no tab: its address, script evaluated in it (awaited, its value returned), closing it. */
export interface ToolbarPopup {
  url: string;
  evaluate<T>(expression: string): Promise<T>;
  close(): Promise<void>;
}

/** Runtime.getHeapUsage of the service worker's isolate, in bytes. */
export interface WorkerHeap {
  /** Live JS objects after the collection. */
  usedBytes: number;
  /** What V8 has reserved for the heap. */
  totalBytes: number;
}

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a browser on a machine with no network: without them Chromium keeps calling out, and failing. */
export const quietChromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface LaunchOptions {
  /** false opens a browser window (needs a display); true by default. */
  headless?: boolean;
  /**
   * A profile directory the caller owns: used as it is, and kept by close(), so a later launch on it is the same
   * browser restarted. By default each launch gets a fresh temporary profile that close() removes.
   */
  profileDir?: string;
  /**
   * The browser's language, which picks the extension's `_locales` catalogue (`--lang`; Playwright's `locale` only
   * changes what pages are told). English by default, whatever the machine's own locale.
   */
  lang?: string;
}

export async function launchExtension(
  // TOKENMINT_DIST lets parallel work use a build directory of its own.
  dist = resolve(process.env.TOKENMINT_DIST ?? 'dist-test'),
  { headless = true, profileDir, lang = 'en-US' }: LaunchOptions = {},
): Promise<Extension> {
  const profile = profileDir ?? (await mkdtemp(join(tmpdir(), 'tokenmint-profile-')));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless,
    // A window follows its own size; headless pages keep Playwright's fixed viewport.
    viewport: headless ? undefined : null,
    // Whoever launched it closes it (npm start removes the profile on Ctrl+C); Playwright's handlers would exit first.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    args: [`--disable-extensions-except=${dist}`, `--load-extension=${dist}`, `--lang=${lang}`, ...quietChromiumArgs],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
  const id = new URL(worker.url()).host;
  // Fail fast: every wait in these tests is for something that happens within a second or two.
  context.setDefaultTimeout(10_000);
  const consoleLines: string[] = [];
  const secrets = new Set<string>();
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
    async toolbarPopupPath(tabId) {
      const address = new URL(await worker.evaluate((tabId) => chrome.action.getPopup({ tabId }), tabId));
      address.searchParams.set('tabId', String(tabId));
      return address.pathname.slice(1) + address.search + address.hash;
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
    async stopWorker() {
      await worker.evaluate(() => {
        (self as { stale?: boolean }).stale = true;
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const cdp = await context.newCDPSession(page);
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      await cdp.detach();
    },
    async workerIsFresh() {
      return worker.evaluate(() => !(self as { stale?: boolean }).stale);
    },
    async reset() {
      await context.clearCookies();
      await worker.evaluate(() => Promise.all([chrome.storage.session.clear(), chrome.storage.local.clear()]));
    },
    workerHeap: () => measureWorkerHeap(context, id),
    openToolbarPopup: (tab) => openToolbarPopup(context, worker, id, tab),
    noteSecret(...seen) {
      for (const secret of seen) if (secret) secrets.add(secret);
    },
    async newToken(page) {
      const secret = await page.getByRole('textbox', { name: 'New token' }).inputValue();
      secrets.add(secret);
      return secret;
    },
    async close() {
      await context.close();
      const leaked = [...secrets].filter((secret) => consoleLines.some((line) => line.includes(secret)));
      // Counted, not shown: the message itself must not print a secret.
      if (leaked.length > 0) throw new Error(`${leaked.length} secret(s) showed in a console line of the extension`);
      if (profileDir === undefined) await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A CDP session on the whole browser, which sees targets that are no tab (the worker, the toolbar popup). */
async function browserSession(context: BrowserContext): Promise<{ cdp: CDPSession; close(): Promise<void> }> {
  const browser = context.browser();
  if (browser) {
    const cdp = await browser.newBrowserCDPSession();
    return { cdp, close: () => cdp.detach().catch(() => undefined) };
  }
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  return { cdp, close: async () => (await cdp.detach().catch(() => undefined), await page.close()) };
}

/** One target, spoken to in CDP commands through a browser-level session. */
interface TargetSession {
  send<T>(method: string, params?: object): Promise<T>;
  detach(): Promise<void>;
}

/**
 * Attaches `cdp` to a target. Playwright's CDPSession cannot address a flattened child session, so commands go through
 * `Target.sendMessageToTarget` (a non-flattened attach), which Chromium still serves.
 */
async function attachTo(cdp: CDPSession, targetId: string): Promise<TargetSession> {
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: false });
  const waiting = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message) as { id?: number; result?: unknown; error?: { message: string } };
    const pending = message.id === undefined ? undefined : waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id!);
    if (message.error) pending.reject(new Error(`target CDP: ${message.error.message}`));
    else pending.resolve(message.result);
  });
  let lastId = 0;
  return {
    send: <T>(method: string, params: object = {}) =>
      new Promise<T>((resolve, reject) => {
        const id = ++lastId;
        waiting.set(id, { resolve: resolve as (result: unknown) => void, reject });
        cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
      }),
    detach: () => cdp.send('Target.detachFromTarget', { sessionId }).then(() => undefined, () => undefined),
  };
}

/** Runs `HeapProfiler.collectGarbage` then `Runtime.getHeapUsage` in the extension's service worker. */
async function measureWorkerHeap(context: BrowserContext, extensionId: string): Promise<WorkerHeap> {
  const { cdp, close } = await browserSession(context);
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const target = targetInfos.find((info) => info.type === 'service_worker' && info.url.startsWith(`chrome-extension://${extensionId}/`));
    if (!target) throw new Error('the extension has no running service worker to measure');
    const worker = await attachTo(cdp, target.targetId);
    try {
      // Twice: a collection can leave garbage that only the next one frees (weak references, finalizers).
      await worker.send('HeapProfiler.collectGarbage');
      await worker.send('HeapProfiler.collectGarbage');
      const usage = await worker.send<{ usedSize: number; totalSize: number }>('Runtime.getHeapUsage');
      return { usedBytes: usage.usedSize, totalBytes: usage.totalSize };
    } finally {
      await worker.detach();
    }
  } finally {
    await close();
  }
}

/**
 * Opens the real toolbar popup over `tab`, as a click on the button does: `action.openPopup()` opens whatever address
 * the tab's button has, with no `?tabId`. The popup is no tab, so Playwright gives no Page for it: it is found and
 * spoken to over CDP.
 */
async function openToolbarPopup(context: BrowserContext, worker: Worker, extensionId: string, tab: Page): Promise<ToolbarPopup> {
  const { cdp, close } = await browserSession(context);
  const isPopup = (info: { type: string; url: string }) => info.type === 'page' && info.url.startsWith(`chrome-extension://${extensionId}/src/popup/`);
  const found = new Promise<{ targetId: string; url: string }>((resolve) => {
    const seen = ({ targetInfo }: { targetInfo: { targetId: string; type: string; url: string } }) => {
      if (isPopup(targetInfo)) resolve(targetInfo);
    };
    cdp.on('Target.targetCreated', seen);
    cdp.on('Target.targetInfoChanged', seen);
  });
  await cdp.send('Target.setDiscoverTargets', { discover: true });
  await tab.bringToFront();
  await worker.evaluate(() => chrome.action.openPopup());
  const { targetId, url } = await found;
  const popup = await attachTo(cdp, targetId);
  return {
    url,
    async evaluate<T>(expression: string) {
      const { result, exceptionDetails } = await popup.send<{ result: { value: T }; exceptionDetails?: { text: string } }>('Runtime.evaluate', {
        expression,
        awaitPromise: true,
        returnByValue: true,
      });
      if (exceptionDetails) throw new Error(`in the toolbar popup: ${exceptionDetails.text}`);
      return result.value;
    },
    async close() {
      await popup.detach();
      await cdp.send('Target.closeTarget', { targetId }).catch(() => undefined);
      await close();
    },
  };
}
