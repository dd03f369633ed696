// What opening the popup costs each site in requests (issue 7): deterministic, so asserted here; the times are in
// `npm run bench`. The first opening on an origin asks every adapter whose probe could claim it; every later one asks
// only the site it found, and that site's form goes out alongside the probe, through one memo of identical GETs
// (what never changes for an origin, CDS's scope list, is not asked again).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { DemoSite } from '../../scripts/demo.ts';
import { html, startSite, type LoggedRequest, type Site } from '../sites/harness.ts';
import * as cds from '../sites/cds.ts';
import * as frappe from '../sites/frappe.ts';
import * as gooddata from '../sites/gooddata.ts';
import * as insightio from '../sites/insightio.ts';
import * as zenodo from '../sites/zenodo.ts';
import { launchExtension, type Extension } from './extension.ts';

let ext: Extension;
beforeAll(async () => {
  ext = await launchExtension();
});
afterAll(async () => {
  await ext.close();
});

/** The popup's question about a tab, sent from an extension page exactly as the popup sends it. */
async function askTabState(page: Page, tabId: number): Promise<string> {
  return page.evaluate(async (tabId) => {
    const reply = (await chrome.runtime.sendMessage({ kind: 'tab-state', payload: { tabId } })) as { ok: boolean; value?: { status: string } };
    return reply.ok ? reply.value!.status : 'failed';
  }, tabId);
}

const paths = (requests: LoggedRequest[]) => requests.map((request) => `${request.method} ${request.path.split('?')[0]}`).sort();

/** Opens `site` signed in, asks once with nothing remembered, then again: the requests of that second opening. */
async function warmOpening(demo: DemoSite, site: Site): Promise<{ status: string; requests: string[] }> {
  const tab = await ext.context.newPage();
  await tab.goto(site.origin + demo.signInPath);
  await demo.signIn(tab, site.origin, demo.logins[0]);
  const tabId = await ext.tabIdOf(tab);
  const page = await ext.openPopup(tabId);
  // Nothing remembered about any origin: the first question recognises from scratch.
  await ext.worker.evaluate(() => chrome.storage.session.clear());
  expect(await askTabState(page, tabId)).not.toBe('failed');
  site.clearRequests();
  const status = await askTabState(page, tabId);
  const requests = paths(site.requests());
  await page.close();
  await tab.close();
  return { status, requests };
}

describe('requests of a popup opening on a site seen before', () => {
  const cases: { name: string; demo: DemoSite; expected: string[] }[] = [
    { name: 'GoodData', demo: gooddata.demo, expected: ['GET /api/v1/profile'] },
    // CDS's scope list was read on the first opening; the user's groups are asked each time.
    { name: 'CDS', demo: cds.demo, expected: ['GET /cdsapi/auth/me', 'GET /cdsapi/user/jdoe/group'] },
    { name: 'Frappe', demo: frappe.demo, expected: ['GET /api/method/frappe.auth.get_logged_user', 'GET /api/resource/User/jane%40example.com'] },
    { name: 'Zenodo', demo: zenodo.demo, expected: ['GET /account/settings/applications/tokens/new/', 'GET /api/me'] },
    { name: 'Insight.io', demo: insightio.demo, expected: ['GET /api/user/profile'] },
  ];
  test.each(cases)('$name: the probe of that site alone, and its form, each GET once', async ({ demo, expected }) => {
    const site = await demo.start(0);
    try {
      const { status, requests } = await warmOpening(demo, site);
      expect(status).toBe('ready');
      expect(requests).toEqual(expected);
    } finally {
      await site.close();
    }
  });

  test('an origin no adapter claimed is not probed again', async () => {
    const site = await startSite(() => html(200, '<!doctype html><title>Another app</title><p>Hello'), { port: 0 });
    try {
      const tab = await ext.context.newPage();
      await tab.goto(`${site.origin}/`);
      const tabId = await ext.tabIdOf(tab);
      const page = await ext.openPopup(tabId);
      expect(await askTabState(page, tabId)).toBe('unsupported');
      expect(site.requests().length).toBeGreaterThan(0);
      site.clearRequests();
      expect(await askTabState(page, tabId)).toBe('unsupported');
      expect(site.requests()).toEqual([]);
      await page.close();
      await tab.close();
    } finally {
      await site.close();
    }
  });
});
