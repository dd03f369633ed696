// 3. Site recognition, as the popup asks for it (the tab-state message): on an unknown site and on each known site,
// first with nothing remembered about the origin (cold), then as every later opening sees it (warm). Counted: the
// requests the site received; timed: the message's round trip from an extension page, next to one plain request
// from the tab to the site (one round trip, the unit the goal is stated in).
import type { Page } from 'playwright-core';
import type { Site } from '../test/sites/harness.ts';
import { timedMessage, type BenchBrowser } from './bench-browser.ts';
import { summarise, type Series } from './stats.ts';

export interface RecognitionFigures {
  site: string;
  coldRequests: number;
  warmRequests: number;
  cold: Series;
  warm: Series;
  roundTrip: Series;
}

const oneRoundTrip = `(async () => {
  const started = performance.now();
  await (await fetch('/', { credentials: 'include', cache: 'no-store' })).text();
  return performance.now() - started;
})()`;

/** Forgets what the worker remembers of origins (storage.session), so the next tab-state recognises from scratch. */
async function forgetOrigins(page: Page): Promise<void> {
  await page.evaluate('chrome.storage.session.clear()');
}

export async function measureRecognition(
  bench: BenchBrowser,
  label: string,
  site: Site,
  tab: Page,
  runs: number,
): Promise<RecognitionFigures> {
  const tabId = await bench.ext.tabIdOf(tab);
  const { page } = await bench.openReady('bench-blank.html');
  const cold: number[] = [];
  const warm: number[] = [];
  const roundTrip: number[] = [];
  let coldRequests = 0;
  let warmRequests = 0;
  for (let i = -1; i < runs; i++) {
    await forgetOrigins(page);
    site.clearRequests();
    const first = await timedMessage(page, 'tab-state', { tabId });
    const firstCount = site.requests().length;
    site.clearRequests();
    const again = await timedMessage(page, 'tab-state', { tabId });
    const againCount = site.requests().length;
    if (!first.ok || !again.ok) throw new Error(`tab-state failed on ${label}`);
    roundTrip.push((await tab.evaluate(oneRoundTrip)) as number);
    if (i < 0) continue;
    cold.push(first.ms);
    warm.push(again.ms);
    coldRequests = Math.max(coldRequests, firstCount);
    warmRequests = Math.max(warmRequests, againCount);
  }
  site.clearRequests();
  await page.close();
  return { site: label, coldRequests, warmRequests, cold: summarise(cold), warm: summarise(warm), roundTrip: summarise(roundTrip) };
}
