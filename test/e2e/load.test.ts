/// <reference types="chrome" />
// Load (issue 6): 200 mints in a row through the background against the emulated GoodData site, then a list of
// 10,000 tokens through panel-state, with the service worker's JS heap measured (after garbage collection) before,
// after the mints and after the list. The figures are printed so they show in the run's output.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demo, startGoodData } from '../sites/gooddata.ts';
import type { PanelState, Reply } from '../../src/core/messages.ts';
import type { Reveal } from '../../src/core/token.ts';
import type { WorkerHeap } from './extension.ts';
import { expectNoLeak, expectReady, useE2e } from './kit.ts';

const MINTS = 200;
const SEEDED = 10_000;

// Bounds on the growth of the worker's JS heap, measured after garbage collection (HeapProfiler.collectGarbage, twice,
// then Runtime.getHeapUsage on the worker's target). Measured here (Debian Chromium 156, this build, five runs): the
// worker holds 0.67 MB before the mints, 0.73 MB after 100, 0.77 MB after 200 (+0.10 MB), 0.81 MB after the list of
// 10,200 tokens (+0.02–0.03 MB for the list). A longer probe of 1,000 mints levelled off: +64 kB over the first 200,
// +47 kB over the next 800 (V8's own bookkeeping, not a kept object per mint).
// MINTS_BOUND, 1 MB, is ten times the measured growth: a leak of 5 kB per mint (a kept reveal with its strings, a
// listener or a closure per request) crosses it. LIST_BOUND, 0.75 MB, is over twenty times the measured growth and
// below what keeping the answer would cost: holding on to 10,200 rows measured 1.27 MB in the same worker.
const MINTS_BOUND = 1024 * 1024;
const LIST_BOUND = 0.75 * 1024 * 1024;

const e2e = useE2e(startGoodData, demo);

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;
const describeHeap = (heap: WorkerHeap) => `${mb(heap.usedBytes)} used of ${mb(heap.totalBytes)}`;

/** Sends one message from an extension page, as the popup and the panel do. */
function send<T>(page: Page, kind: string, payload: unknown): Promise<Reply<T>> {
  return page.evaluate(({ kind, payload }) => chrome.runtime.sendMessage({ kind, payload }) as Promise<Reply<T>>, { kind, payload });
}

/** Marks the running worker, to tell afterwards whether the heap figures all come from the same one. */
async function markWorker(): Promise<void> {
  await e2e.ext.worker.evaluate(() => {
    (self as { loadRun?: boolean }).loadRun = true;
  });
}
const sameWorker = () => e2e.ext.worker.evaluate(() => (self as { loadRun?: boolean }).loadRun === true);

/** The heap figures of the file, in the order measured: both tests report against the first. */
const heaps: { label: string; heap: WorkerHeap }[] = [];

async function measure(label: string): Promise<WorkerHeap> {
  const heap = await e2e.ext.workerHeap();
  heaps.push({ label, heap });
  console.log(`[load] worker heap ${label}: ${describeHeap(heap)}`);
  return heap;
}

describe('load on GoodData', () => {
  it(`${MINTS} mints in a row all succeed, each secret works, and the worker's heap stays bounded`, { timeout: 240_000 }, async () => {
    const { ext, site } = e2e;
    const tabId = await ext.tabIdOf(await e2e.signedInTab());
    const page = await ext.openPopup(tabId);
    await expectReady(page);
    await markWorker();
    const before = await measure('before the mints');
    const existing = site.tokens('demo').length;

    const secrets: string[] = [];
    const times: number[] = [];
    let halfway: WorkerHeap | undefined;
    const started = performance.now();
    for (let i = 0; i < MINTS; i++) {
      const name = `load-${String(i).padStart(3, '0')}`;
      const t0 = performance.now();
      const reply = await send<Reveal>(page, 'mint', {
        tabId,
        origin: site.origin,
        siteId: 'gooddata',
        name,
        description: '',
        scopes: [],
        groups: [],
        expiresInDays: null,
        replace: false,
      });
      if (!reply.ok) throw new Error(`mint ${i} (${name}) failed: ${reply.error.sentence}`);
      ext.noteSecret(reply.value.secret);
      expect(reply.value.name).toBe(name);
      const ended = await send<null>(page, 'end-reveal', { revealId: reply.value.id });
      expect(ended).toEqual({ ok: true, value: null });
      times.push(performance.now() - t0);
      secrets.push(reply.value.secret);
      if (i + 1 === MINTS / 2) halfway = await measure(`after ${MINTS / 2} mints`);
    }
    const total = performance.now() - started;
    const sorted = [...times].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    console.log(
      `[load] ${MINTS} mints (mint + end-reveal each): ${(total / 1000).toFixed(2)} s in all, ${(total / MINTS).toFixed(1)} ms per mint ` +
        `(median ${at(0.5).toFixed(1)}, p95 ${at(0.95).toFixed(1)}, max ${sorted.at(-1)!.toFixed(1)} ms)`,
    );

    // 200 tokens exist, one per name, each holding the secret that was revealed for it.
    const made = site.tokens('demo').filter((token) => token.id.startsWith('load-'));
    expect(site.tokens('demo')).toHaveLength(existing + MINTS);
    expect(made.map((token) => token.bearerToken)).toEqual(secrets);
    expect(new Set(secrets).size).toBe(MINTS);

    // Every secret authenticates on its own.
    const verifyStarted = performance.now();
    const statuses = await Promise.all(
      secrets.map(async (secret) => {
        const response = await fetch(`${site.origin}/api/v1/profile`, {
          headers: { Authorization: `Bearer ${secret}`, 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' },
        });
        return response.status === 200 ? ((await response.json()) as { userId: string }).userId : `HTTP ${response.status}`;
      }),
    );
    expect(statuses).toEqual(secrets.map(() => 'demo'));
    console.log(`[load] all ${MINTS} secrets checked against /api/v1/profile in ${(performance.now() - verifyStarted).toFixed(0)} ms`);

    // Nothing is left behind: no reveal waits in storage.session, no secret in a log or in plain storage.
    const session = await ext.storageText('session');
    expect(secrets.filter((secret) => session.includes(secret))).toEqual([]);
    await expectNoLeak(ext, ...secrets);

    const after = await measure(`after ${MINTS} mints`);
    expect(await sameWorker()).toBe(true);
    const growth = after.usedBytes - before.usedBytes;
    const secondHalf = halfway ? ` (${mb(after.usedBytes - halfway.usedBytes)} of it over the second ${MINTS / 2})` : '';
    console.log(
      `[load] worker heap growth over ${MINTS} mints: ${mb(growth)}${secondHalf}, ${(growth / MINTS / 1024).toFixed(2)} kB per mint; bound ${mb(MINTS_BOUND)}`,
    );
    expect(growth).toBeLessThan(MINTS_BOUND);
  });

  it(`a list of ${SEEDED.toLocaleString('en')} tokens answers complete through panel-state, and the heap stays bounded`, { timeout: 240_000 }, async () => {
    const { ext, site } = e2e;
    const tabId = await ext.tabIdOf(await e2e.signedInTab());
    const page = await ext.openPopup(tabId);
    await expectReady(page);
    site.addTokens('demo', SEEDED);
    const expected = site.tokens('demo').map((token) => token.id);
    expect(expected.length).toBeGreaterThanOrEqual(SEEDED);
    const fresh = !(await sameWorker());
    if (fresh) await markWorker();
    const before = await measure('before the list');

    site.clearRequests();
    const started = performance.now();
    const reply = await send<PanelState>(page, 'panel-state', { tabId, claimedOrigin: '' });
    const took = performance.now() - started;
    if (!reply.ok) throw new Error(`panel-state failed: ${reply.error.sentence}`);
    const state = reply.value;
    if (state.status !== 'listed') throw new Error(`panel-state answered ${state.status}`);
    expect(state.error).toBeUndefined();
    const pages = site.requests().filter((r) => r.method === 'GET' && r.path.startsWith('/api/v1/entities/users/demo/apiTokens?')).length;
    console.log(`[load] panel-state with ${expected.length} tokens: ${(took / 1000).toFixed(2)} s (${pages} list pages)`);

    // Complete: every token once, nothing else.
    expect(state.rows).toHaveLength(expected.length);
    expect(state.rows.map((row) => row.name).sort()).toEqual([...expected].sort());
    expect(state.rows.every((row) => row.where === 'site' && row.tokenId === row.name)).toBe(true);

    const after = await measure(`after the list of ${expected.length}`);
    expect(await sameWorker()).toBe(true);
    const growth = after.usedBytes - before.usedBytes;
    console.log(`[load] worker heap growth over the list: ${mb(growth)} (bound ${mb(LIST_BOUND)})`);
    expect(growth).toBeLessThan(LIST_BOUND);
    // Against the first figure of the file, when the same worker served both tests.
    if (!fresh && heaps[0]) {
      const overall = after.usedBytes - heaps[0].heap.usedBytes;
      console.log(`[load] worker heap growth since before the mints: ${mb(overall)} (bound ${mb(MINTS_BOUND + LIST_BOUND)})`);
      expect(overall).toBeLessThan(MINTS_BOUND + LIST_BOUND);
    }
  });
});
