// The browser every measure runs in: Debian's Chromium with a copy of the test build plus one empty extension page
// (the yardstick the popup is compared with), and an init script that timestamps, inside each extension page, the
// moments the measures need.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchExtension, type Extension } from '../test/e2e/extension.ts';
import type { Site } from '../test/sites/harness.ts';
import type { DemoSite } from '../scripts/demo.ts';

export const BLANK_PAGE = 'bench-blank.html';

/**
 * Kept as source text: tsx wraps named functions with a `__name` helper that does not exist in the page.
 * `ready`: when the page became usable — the popup's Token name (the site and user named above it), or the blank
 * page's marker. `confirmed`: when the popup's Generate token became enabled (the background has answered). `firstRow`: when a table first had a row. `portMessages`: when each
 * message of the panel's port arrived.
 */
const INIT_SCRIPT = `(() => {
  if (location.protocol !== 'chrome-extension:') return;
  const bench = (window.__bench = { ready: undefined, portMessages: [] });
  for (const runtime of new Set([globalThis.chrome, globalThis.browser].filter(Boolean).map((api) => api.runtime))) {
    const connect = runtime.connect.bind(runtime);
    runtime.connect = (...args) => {
      const port = connect(...args);
      port.onMessage.addListener(() => { bench.portMessages.push(performance.now()); });
      return port;
    };
  }
  const isReady = () => (document.body && 'ready' in document.body.dataset) || !!document.getElementById('token-name');
  const isConfirmed = () => {
    const generate = [...document.querySelectorAll('button')].find((b) => b.textContent === 'Generate token');
    return !!generate && !generate.disabled;
  };
  // Layout is forced before each time is taken: a page counts as shown once it is laid out, whatever code of its own
  // happened to force layout earlier (the popup focuses its first field) or not at all (the empty page).
  const laidOut = () => (document.body.getBoundingClientRect(), performance.now());
  new MutationObserver(() => {
    if (bench.ready === undefined && isReady()) bench.ready = laidOut();
    if (bench.confirmed === undefined && isConfirmed()) bench.confirmed = laidOut();
    if (bench.firstRow === undefined && document.querySelector('tbody tr')) bench.firstRow = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true });
})();`;

/** What the init script keeps in each extension page. */
export interface BenchMarks {
  ready?: number;
  confirmed?: number;
  firstRow?: number;
  portMessages: number[];
}
export type BenchWindow = Window & { __bench?: BenchMarks };

export interface BenchBrowser {
  ext: Extension;
  /**
   * A page of the extension at `path`, opened in a new tab; resolves once its init script has marked it `until`
   * (ready by default), with the times of both marks (confirmed: the popup only).
   */
  openReady(path: string, until?: 'ready' | 'confirmed'): Promise<{ page: Page; readyAt: number; confirmedAt: number | undefined }>;
  /** A new tab signed in to `site` through its own form. */
  signedInTab(demo: DemoSite, site: Site): Promise<Page>;
  close(): Promise<void>;
}

export async function launchBenchBrowser(dist = resolve('dist-test')): Promise<BenchBrowser> {
  const copy = await mkdtemp(join(tmpdir(), 'tokenmint-bench-dist-'));
  await cp(dist, copy, { recursive: true });
  await writeFile(
    join(copy, BLANK_PAGE),
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body><script type="module" src="/bench-blank.js"></script></body></html>',
  );
  await writeFile(join(copy, 'bench-blank.js'), 'document.body.dataset.ready = "";\n');
  const ext = await launchExtension(copy);
  await ext.context.addInitScript(INIT_SCRIPT);

  return {
    ext,
    async openReady(path, until = 'ready') {
      const page = await ext.context.newPage();
      await page.goto(`chrome-extension://${ext.id}/${path}`);
      // A function, not source text: the page's CSP forbids eval, which waitForFunction uses for text.
      await page.waitForFunction((mark) => (window as BenchWindow).__bench?.[mark] !== undefined, until);
      const marks = (await page.evaluate('window.__bench')) as BenchMarks;
      return { page, readyAt: marks.ready!, confirmedAt: marks.confirmed };
    },
    async signedInTab(demo, site) {
      const tab = await ext.context.newPage();
      await tab.goto(site.origin + demo.signInPath);
      await demo.signIn(tab, site.origin, demo.logins[0]);
      return tab;
    },
    async close() {
      await ext.close();
      await rm(copy, { recursive: true, force: true });
    },
  };
}

/** Sends one message from an extension page, as the popup does, and times it there. */
export async function timedMessage(page: Page, kind: string, payload: unknown): Promise<{ ms: number; ok: boolean }> {
  return page.evaluate(
    `(async () => {
      const started = performance.now();
      const reply = await chrome.runtime.sendMessage(${JSON.stringify({ kind, payload })});
      return { ms: performance.now() - started, ok: !!reply && reply.ok === true };
    })()`,
  );
}
