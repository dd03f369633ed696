/// <reference types="chrome" />
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { DemoSite } from '../../scripts/demo.ts';
import { demo as cdsDemo, startCds, type CdsSite } from '../sites/cds.ts';
import { demo as gooddataDemo, startGoodData, type GoodDataSite } from '../sites/gooddata.ts';
import type { Site } from '../sites/harness.ts';
import { launchExtension, type Extension } from './extension.ts';

let gooddata: GoodDataSite;
let cds: CdsSite;
let ext: Extension;

beforeAll(async () => {
  [gooddata, cds, ext] = await Promise.all([startGoodData(), startCds(), launchExtension()]);
});

afterAll(async () => {
  await ext?.close();
  await Promise.all([gooddata?.close(), cds?.close()]);
});

afterEach(async () => {
  for (const page of ext.context.pages()) await page.close();
  await ext.reset();
});

/** Signs in through the site's own form in a new tab, as its `npm start` demo does. */
async function signedIn(site: Site, demo: DemoSite, user: string, password: string): Promise<Page> {
  const tab = await ext.context.newPage();
  await tab.goto(`${site.origin}${demo.signInPath}`);
  await demo.signIn(tab, site.origin, { user, password });
  return tab;
}

const signedInGoodData = () => signedIn(gooddata, gooddataDemo, 'demo', 'demo123');

/** Mints through the popup and keeps the token in the extension, as a user does with Save to vault. */
async function mintAndKeep(tabId: number, name: string): Promise<string> {
  const popup = await ext.openPopup(tabId);
  await popup.getByRole('textbox', { name: 'Token name' }).fill(name);
  await popup.getByRole('button', { name: 'Generate token' }).click();
  const secret = await ext.newToken(popup);
  await popup.getByRole('button', { name: 'Save to vault' }).click();
  await expect.poll(() => popup.getByRole('status').textContent()).toContain('Saved in Tokenmint');
  await popup.getByRole('button', { name: 'Done' }).click();
  await popup.close();
  return secret;
}

async function openPanel(tabId: number, query = ''): Promise<Page> {
  const panel = await ext.context.newPage();
  await panel.setViewportSize({ width: 1200, height: 800 });
  await panel.goto(`chrome-extension://${ext.id}/src/devtools/panel.html?tabId=${tabId}${query}`);
  return panel;
}

const row = (panel: Page, name: string) => panel.getByRole('row').filter({ has: panel.getByRole('cell', { name, exact: true }) });

describe('devtools panel', () => {
  test('lists minted tokens, verifies, copies in every format, and revokes on the site', async () => {
    const tabId = await ext.tabIdOf(await signedInGoodData());
    const secrets = [await mintAndKeep(tabId, 'panel-a'), await mintAndKeep(tabId, 'panel-b'), await mintAndKeep(tabId, 'panel-c')];
    const panel = await openPanel(tabId);

    for (const name of ['panel-a', 'panel-b', 'panel-c']) await expect.poll(() => row(panel, name).count()).toBe(1);
    // The first cell is the name; the secret shows masked only, and never in full anywhere in the DOM.
    expect(await row(panel, 'panel-a').getByRole('cell').first().textContent()).toBe('panel-a');
    expect(await row(panel, 'panel-a').textContent()).toContain('both');
    const dom = await panel.content();
    for (const secret of secrets) {
      expect(dom).not.toContain(secret);
      expect(dom).toContain(`${secret.slice(0, 4)}…${secret.slice(-4)}`);
    }

    // Copy as…: each format gives exactly the string a user would paste.
    const formats: [string, string][] = [
      ['Raw', secrets[0]!],
      ['Header', `Authorization: Bearer ${secrets[0]}`],
      [
        'curl',
        `curl -sS -H 'X-Requested-With: XMLHttpRequest' -H 'Accept: application/json' -H 'Authorization: Bearer ${secrets[0]}' '${gooddata.origin}/api/v1/profile'`,
      ],
      ['.env', `GOODDATA_API_TOKEN=${secrets[0]}`],
    ];
    for (const [label, expected] of formats) {
      await row(panel, 'panel-a').getByRole('button', { name: 'Copy as…' }).click();
      await row(panel, 'panel-a').getByRole('button', { name: label, exact: true }).click();
      await expect.poll(() => row(panel, 'panel-a').textContent()).toContain(`Copied as ${label}`);
      expect(await panel.evaluate(() => navigator.clipboard.readText())).toBe(expected);
    }

    await row(panel, 'panel-a').getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => row(panel, 'panel-a').textContent()).toContain('valid (demo)');

    // Revoked behind the panel's back: the kept copy now fails its check.
    await fetch(`${gooddata.origin}/api/v1/entities/users/demo/apiTokens/panel-b`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${secrets[1]}`, 'X-Requested-With': 'XMLHttpRequest' },
    });
    await row(panel, 'panel-b').getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => row(panel, 'panel-b').textContent()).toContain('invalid');

    await row(panel, 'panel-c').getByRole('button', { name: 'Revoke' }).click();
    await row(panel, 'panel-c').getByRole('button', { name: 'Confirm revoke' }).click();
    await expect.poll(() => row(panel, 'panel-c').count()).toBe(0);
    expect(gooddata.tokens('demo').map((token) => token.id)).not.toContain('panel-c');
    expect(gooddata.tokens('demo').map((token) => token.id)).toContain('panel-a');
  });

  test('a revoke the site refuses leaves the row, with the reason', async () => {
    const tabId = await ext.tabIdOf(await signedInGoodData());
    await mintAndKeep(tabId, 'panel-stays');
    const panel = await openPanel(tabId);
    await expect.poll(() => row(panel, 'panel-stays').count()).toBe(1);
    gooddata.inject({ method: 'DELETE', path: /panel-stays/, status: 503, contentType: 'text/html', body: '<h1>Down</h1>' });
    await row(panel, 'panel-stays').getByRole('button', { name: 'Revoke' }).click();
    await row(panel, 'panel-stays').getByRole('button', { name: 'Confirm revoke' }).click();
    await expect.poll(() => row(panel, 'panel-stays').textContent()).toContain('GoodData had a server error (503).');
    expect(gooddata.tokens('demo').map((token) => token.id)).toContain('panel-stays');
  });

  test('a kept token the site no longer lists: Revoke asks the site, which has it no more, and forgets the copy', async () => {
    const tabId = await ext.tabIdOf(await signedInGoodData());
    const secret = await mintAndKeep(tabId, 'panel-gone');
    const path = '/api/v1/entities/users/demo/apiTokens/panel-gone';
    await fetch(`${gooddata.origin}${path}`, { method: 'DELETE', headers: { Authorization: `Bearer ${secret}`, 'X-Requested-With': 'XMLHttpRequest' } });
    const panel = await openPanel(tabId);
    const kept = row(panel, 'panel-gone');
    await expect.poll(() => kept.getByRole('cell').nth(1).textContent()).toBe('vault');

    gooddata.clearRequests();
    await kept.getByRole('button', { name: 'Revoke' }).click();
    await kept.getByRole('button', { name: 'Confirm revoke' }).click();
    await expect.poll(() => kept.count()).toBe(0);
    // GoodData answers 404 for the token it no longer has: gone already, so the kept copy goes too.
    expect(gooddata.requests().filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([path]);
  });

  test('10,000 tokens render in a bounded number of rows, and filter', async () => {
    gooddata.addTokens('jane.doe', 10_000);
    const panel = await openPanel(await ext.tabIdOf(await signedIn(gooddata, gooddataDemo, 'jane.doe', 'jane123')));
    await panel.getByText('10000 tokens').waitFor({ timeout: 30_000 });
    const rendered = () => panel.locator('tbody tr:not([aria-hidden])').count();
    expect(await rendered()).toBeLessThan(60);

    await panel.getByLabel('Filter').fill('seeded-0420');
    await panel.getByText('1 of 10000 tokens').waitFor();
    expect(await row(panel, 'seeded-0420').count()).toBe(1);

    // Sorted by name already, a click turns the order round: the last token comes first.
    await panel.getByLabel('Filter').fill('');
    expect(await panel.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort')).toBe('ascending');
    await panel.getByRole('button', { name: 'Name' }).click();
    expect(await panel.getByRole('columnheader', { name: 'Name' }).getAttribute('aria-sort')).toBe('descending');
    expect(await panel.locator('tbody tr:not([aria-hidden]) td').first().textContent()).toBe('seeded-9999');
    await panel.getByRole('button', { name: 'Name' }).click();

    // Scrolled to the end, the last tokens are the ones rendered.
    await panel.getByLabel('Filter').fill('');
    await panel.locator('.scroller').evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await expect.poll(() => row(panel, 'seeded-9999').count()).toBe(1);
    expect(await rendered()).toBeLessThan(60);
  });

  test('follows the inspected tab to another site, and survives the service worker being stopped', async () => {
    const tab = await signedInGoodData();
    const tabId = await ext.tabIdOf(tab);
    const panel = await openPanel(tabId);
    await expect.poll(() => panel.getByRole('heading', { name: 'GoodData' }).count()).toBe(1);

    await ext.stopWorker();
    await panel.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => panel.getByRole('heading', { name: 'GoodData' }).count()).toBe(1);
    expect(await ext.workerIsFresh()).toBe(true);

    await tab.goto(`${cds.origin}/auth/signin`);
    await expect.poll(() => panel.getByRole('heading', { name: 'CDS' }).count(), { timeout: 10_000 }).toBe(1);
  });

  test('CDS: Regenerate reveals a new sign-in token that works, and the old one stops', async () => {
    const tabId = await ext.tabIdOf(await signedIn(cds, cdsDemo, 'jdoe', 'jdoe123'));
    const old = await mintAndKeep(tabId, 'panel-regen');
    const panel = await openPanel(tabId);
    await row(panel, 'panel-regen').getByRole('button', { name: 'Regenerate' }).click();
    await row(panel, 'panel-regen').getByRole('button', { name: 'Confirm regenerate' }).click();
    const fresh = await ext.newToken(panel);
    expect(fresh).not.toBe(old);
    const signin = (token: string) =>
      fetch(`${cds.origin}/cdsapi/auth/consumer/builtin/signin`, { method: 'POST', body: JSON.stringify({ token }) });
    expect((await signin(fresh)).status).toBe(200);
    expect((await signin(old)).status).toBe(403);
  });

  test('a site the extension may not reach offers Allow on this site', async () => {
    // 127.0.0.2 is loopback too, but outside the test build's host permissions (http://127.0.0.1/* and localhost).
    const outside: Server = createServer((_, response) => response.end('<!doctype html><title>Outside</title>'));
    await new Promise<void>((resolve) => outside.listen(0, '127.0.0.2', resolve));
    try {
      const origin = `http://127.0.0.2:${(outside.address() as AddressInfo).port}`;
      const tab = await ext.context.newPage();
      await tab.goto(`${origin}/`);
      // Without access the extension cannot read the tab's URL or title: it is the newest tab that shows it nothing.
      const tabId = await ext.worker.evaluate(async () =>
        Math.max(...(await chrome.tabs.query({})).filter((t) => t.url === undefined).map((t) => t.id ?? -1)),
      );
      expect(tabId).toBeGreaterThan(0);
      const panel = await openPanel(tabId, `&origin=${encodeURIComponent(origin)}`);
      const allow = panel.getByRole('button', { name: 'Allow on this site' });
      await expect.poll(() => allow.count()).toBe(1);
      expect(await allow.isEnabled()).toBe(true);
      expect(await panel.getByText('may not reach 127.0.0.2').count()).toBe(1);
    } finally {
      outside.close();
    }
  });
});
