/// <reference types="chrome" />
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { demo as gooddataDemo, startGoodData, type GoodDataSite } from '../sites/gooddata.ts';
import { launchExtension, type Extension } from './extension.ts';

/**
 * The background obeys the extension's own pages only. A content script of this very extension runs inside a web
 * page, which a malicious page can drive: its messages and ports must be refused however well-formed they are.
 */

let site: GoodDataSite;
let ext: Extension;
let tab: Page;
let tabId: number;

beforeAll(async () => {
  [site, ext] = await Promise.all([startGoodData(), launchExtension()]);
  // Signed in: a mint that got through would be made, so "nothing minted" means refused.
  tab = await ext.context.newPage();
  await tab.goto(`${site.origin}${gooddataDemo.signInPath}`);
  await gooddataDemo.signIn(tab, site.origin, { user: 'demo', password: 'demo123' });
  tabId = await ext.tabIdOf(tab);
});

afterAll(async () => {
  await ext?.close();
  await site?.close();
});

type Scenario = 'mint' | 'tab-state' | 'copy-as' | 'settings-get' | 'port';

/**
 * Runs one scenario as a content script of the extension in the site's tab and returns its outcome. The scripts are
 * written inside the worker's callback: the worker's CSP allows no `new Function`, and Chromium sends an injected
 * function as its source text.
 */
function inContentScript(scenario: Scenario): Promise<unknown> {
  return ext.worker.evaluate(
    async ({ tabId, scenario }) => {
      // Payloads are built inside each script: executeScript's `args` drop null-valued properties.
      const scripts: Record<Scenario, (tabId: number) => Promise<unknown>> = {
        mint: (tabId) =>
          chrome.runtime.sendMessage({
            kind: 'mint',
            payload: {
              tabId,
              origin: location.origin,
              siteId: 'gooddata',
              name: 'from-a-content-script',
              description: '',
              scopes: [],
              groups: [],
              expiresInDays: null,
              replace: false,
            },
          }),
        'tab-state': (tabId) => chrome.runtime.sendMessage({ kind: 'tab-state', payload: { tabId } }),
        'copy-as': () => chrome.runtime.sendMessage({ kind: 'copy-as', payload: { keptId: 'any', format: 'raw' } }),
        'settings-get': () => chrome.runtime.sendMessage({ kind: 'settings-get', payload: {} }),
        port: (tabId) =>
          new Promise<string>((resolve) => {
            const port = chrome.runtime.connect({ name: `panel:${tabId}` });
            port.onMessage.addListener(() => resolve('answered'));
            port.onDisconnect.addListener(() => resolve('disconnected'));
            port.postMessage({ id: 1, envelope: { kind: 'tab-state', payload: { tabId } } });
          }),
      };
      const [injection] = await chrome.scripting.executeScript({
        target: { tabId },
        func: scripts[scenario],
        args: [tabId],
      });
      return injection?.result;
    },
    { tabId, scenario },
  );
}

describe('messages from a content script', () => {
  const refusal = { ok: false, error: { sentence: 'Tokenmint refused a request from outside the extension.' } };

  test('a well-formed mint is refused, and nothing is minted', async () => {
    expect(await inContentScript('mint')).toMatchObject(refusal);
    expect(site.tokens('demo')).toEqual([]);
  });

  // Each would be answered for an extension page; from a web page's context only the refusal comes back.
  test.each<Scenario>(['tab-state', 'copy-as', 'settings-get'])('%s is refused', async (scenario) => {
    expect(await inContentScript(scenario)).toMatchObject(refusal);
  });

  test('a panel port opened from a content script is cut off unanswered', async () => {
    expect(await inContentScript('port')).toBe('disconnected');
  });
});

describe('messages from the extension itself', () => {
  test('a malformed payload is refused, a well-formed one answered', async () => {
    const popup = await ext.openPopup(tabId);
    const replies = await popup.evaluate(async (tabId) => [
      await chrome.runtime.sendMessage({ kind: 'tab-state', payload: { tabId: String(tabId) } }),
      await chrome.runtime.sendMessage({ kind: 'tab-state', payload: { tabId, extra: 1 } }),
      await chrome.runtime.sendMessage({ kind: 'no-such-kind', payload: {} }),
      await chrome.runtime.sendMessage({ kind: 'tab-state', payload: { tabId } }),
    ], tabId);
    expect(replies.slice(0, 3)).toEqual(replies.slice(0, 3).map(() => expect.objectContaining({ ok: false })));
    expect(replies[3]).toMatchObject({ ok: true, value: { status: 'ready' } });
  });
});
