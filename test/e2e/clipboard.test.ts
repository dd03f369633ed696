/// <reference types="chrome" />
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULT_SETTINGS } from '../../src/core/settings.ts';
import { demo, startGoodData } from '../sites/gooddata.ts';
import { expectNoLeak, generate, useE2e } from './kit.ts';

// The self-clearing clipboard in Chromium: Copy writes through the offscreen document, and after the delay the
// clipboard is emptied only if it still holds the token. A delay of a few seconds stands in for the default 45.

const e2e = useE2e(startGoodData, demo);
const DELAY_SECONDS = 3;
/** Long enough for the delay, plus a restarted worker in the test that stops it. */
const CLEARED_WITHIN = { timeout: 15_000 };

/** Sets the delay as the options page does: the settings-set message, from one of the extension's pages. */
async function clearAfter(page: Page, clipboardSeconds: number): Promise<void> {
  const settings = { ...DEFAULT_SETTINGS, clipboardSeconds };
  const reply = await page.evaluate((settings) => chrome.runtime.sendMessage({ kind: 'settings-set', payload: { settings } }), settings);
  expect(reply).toEqual({ ok: true, value: null });
}

/** What the clipboard holds, read as a page reads it (the browser context grants clipboard-read). */
const clipboardOf = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

/** The popup on a signed-in GoodData tab, with the short delay set and a token minted; returns both. */
async function minted(name: string): Promise<{ popup: Page; secret: string }> {
  const popup = await e2e.popupFor(await e2e.signedInTab());
  await clearAfter(popup, DELAY_SECONDS);
  return { popup, secret: await generate(popup, name) };
}

async function pressCopy(popup: Page): Promise<void> {
  await popup.getByRole('button', { name: 'Copy', exact: true }).click();
  await expect.poll(() => popup.getByRole('status').textContent()).toContain('Copied to the clipboard.');
}

const pendingClear = async () => JSON.parse(await e2e.ext.storageText('session'))['clipboard-pending'] as { digest: string } | undefined;

describe('clipboard', () => {
  test('Copy puts exactly the token there, the popup counts down, and after the delay the clipboard is empty', async () => {
    const { popup, secret } = await minted('clip-clears');
    await pressCopy(popup);
    expect(await clipboardOf(popup)).toBe(secret);
    expect(await popup.getByRole('timer').textContent()).toMatch(new RegExp(`^Clipboard clears in [1-${DELAY_SECONDS}] s$`));
    // What waits for the clear is a digest of the token, never the token.
    expect((await pendingClear())?.digest).toBe(createHash('sha256').update(secret).digest('hex'));

    await expect.poll(() => clipboardOf(popup), CLEARED_WITHIN).toBe('');
    await expect.poll(() => popup.getByRole('status').textContent()).toBe('Clipboard cleared.');
    expect(await popup.getByRole('timer').textContent()).toBe('');
    expect(await pendingClear()).toBeUndefined();
    await expectNoLeak(e2e.ext, secret);
  });

  test('what the user copied after the token is left on the clipboard', async () => {
    const { popup, secret } = await minted('clip-kept');
    await pressCopy(popup);
    expect(await clipboardOf(popup)).toBe(secret);
    await popup.evaluate(() => navigator.clipboard.writeText('my own note'));

    // The clear has run (its record is gone, the popup says the time is up), and it left the user's text.
    await expect.poll(pendingClear, CLEARED_WITHIN).toBeUndefined();
    await expect.poll(() => popup.getByRole('status').textContent()).toBe('Clipboard cleared.');
    expect(await clipboardOf(popup)).toBe('my own note');
  });

  test('the clear happens even when the service worker is stopped after the copy', async () => {
    const { popup, secret } = await minted('clip-restart');
    await pressCopy(popup);
    expect(await clipboardOf(popup)).toBe(secret);
    // Nothing but the clear's alarm wakes the worker: reading the clipboard from a page does not. (An unpacked
    // extension's alarm fires on time; a packed one waits at least 30 s, which is why the timer exists.)
    await e2e.ext.stopWorker();
    await expect.poll(() => clipboardOf(popup), CLEARED_WITHIN).toBe('');
    expect(await e2e.ext.workerIsFresh()).toBe(true);
  });

  test('the header button copies the header line, and the panel’s Copy as… counts down in the row', async () => {
    const { ext } = e2e;
    const tab = await e2e.signedInTab();
    const tabId = await ext.tabIdOf(tab);
    const popup = await ext.openPopup(tabId);
    await clearAfter(popup, DELAY_SECONDS);
    const secret = await generate(popup, 'clip-panel');
    await popup.getByRole('button', { name: 'Authorization header' }).click();
    await expect.poll(() => popup.getByRole('status').textContent()).toContain('Copied “Authorization: …”');
    expect(await clipboardOf(popup)).toBe(`Authorization: Bearer ${secret}`);
    await popup.getByRole('button', { name: 'Save to vault' }).click();
    await expect.poll(() => popup.getByRole('status').textContent()).toContain('Saved in Tokenmint');
    await popup.getByRole('button', { name: 'Done' }).click();
    await popup.close();

    const panel = await ext.context.newPage();
    await panel.goto(`chrome-extension://${ext.id}/src/devtools/panel.html?tabId=${tabId}`);
    const row = panel.getByRole('row').filter({ has: panel.getByRole('cell', { name: 'clip-panel', exact: true }) });
    await row.getByRole('button', { name: 'Copy as…' }).click();
    await row.getByRole('button', { name: 'Raw', exact: true }).click();
    await expect.poll(() => row.textContent()).toMatch(new RegExp(`Copied as Raw; clears in [1-${DELAY_SECONDS}] s`));
    expect(await clipboardOf(panel)).toBe(secret);

    await expect.poll(() => clipboardOf(panel), CLEARED_WITHIN).toBe('');
    await expect.poll(() => row.textContent()).toContain('Copied as Raw; clipboard cleared.');
  });
});
