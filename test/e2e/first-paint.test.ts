// The popup draws the last state shown before the background answers (issue 7: the background may be asleep, and
// recognising takes a round trip to the site): from the tab's own popup address, which the background sets, or else
// from storage.session for the origin. What is drawn early must never let the user act on it: Generate token waits
// for the background, which also has the last word.
import { describe, expect, test } from 'vitest';
import { demo, startGoodData } from '../sites/gooddata.ts';
import { generate, useE2e } from './kit.ts';

const e2e = useE2e(startGoodData, demo);
const generateButton = (popup: import('playwright-core').Page) => popup.getByRole('button', { name: 'Generate token' });

/** Opens the popup once and waits until the background has confirmed it: that opening is what the next one draws. */
async function openedBefore(tabId: number): Promise<void> {
  const popup = await e2e.ext.openPopup(tabId);
  await expect.poll(() => generateButton(popup).isEnabled()).toBe(true);
  await expect.poll(async () => (await e2e.ext.storageText('session')).includes('"shown"')).toBe(true);
  await expect.poll(() => e2e.ext.toolbarPopupPath(tabId)).toContain('#');
  await popup.close();
}

describe('the popup’s first paint', () => {
  test('draws the last state shown here while the site is slow to answer, with Generate token held until it does', async () => {
    const { ext, site } = e2e;
    const tabId = await ext.tabIdOf(await e2e.signedInTab());
    await openedBefore(tabId);

    site.inject({ path: '/api/v1/profile', delayMs: 2_000 });
    const popup = await ext.openPopup(tabId);
    const name = popup.getByRole('textbox', { name: 'Token name' });
    await expect.poll(() => name.count()).toBe(1);
    // Drawn from storage: the probe is held at the site for two seconds yet.
    expect(await popup.getByRole('heading', { name: 'GoodData' }).count()).toBe(1);
    expect(await popup.getByText('Signed in as').textContent()).toContain('Demo User');
    expect(await generateButton(popup).isDisabled()).toBe(true);
    // The user may type the name meanwhile; the background's answer keeps it.
    await name.fill('typed-early');
    await expect.poll(() => generateButton(popup).isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await name.inputValue()).toBe('typed-early');
    expect(await generate(popup)).toBe(site.tokens('demo').find((token) => token.id === 'typed-early')?.bearerToken);
  });

  test('the tab’s own popup address draws it with nothing read first, and a page load in the tab drops the address', async () => {
    const { ext, site } = e2e;
    const tab = await e2e.signedInTab();
    const tabId = await ext.tabIdOf(tab);
    await openedBefore(tabId);
    // Nothing left in storage: only the address can say who is signed in.
    await ext.worker.evaluate(() => chrome.storage.session.remove('shown'));
    const path = await ext.toolbarPopupPath(tabId);
    expect(path).toMatch(/^src\/popup\/index\.html\?tabId=\d+#/);

    site.inject({ path: '/api/v1/profile', delayMs: 2_000 });
    const popup = await ext.context.newPage();
    await popup.goto(`chrome-extension://${ext.id}/${path}`);
    await expect.poll(() => popup.getByRole('textbox', { name: 'Token name' }).count()).toBe(1);
    expect(await popup.getByText('Signed in as').textContent()).toContain('Demo User');
    expect(await generateButton(popup).isDisabled()).toBe(true);
    await expect.poll(() => generateButton(popup).isEnabled(), { timeout: 10_000 }).toBe(true);
    await popup.close();

    await tab.reload();
    expect(await ext.toolbarPopupPath(tabId)).toBe(`src/popup/index.html?tabId=${tabId}`);
  });

  test('reopened mid-mint, it shows the running mint’s name and waits for it, not the form drawn early', async () => {
    const { ext, site } = e2e;
    const tab = await e2e.signedInTab();
    const tabId = await ext.tabIdOf(tab);
    await openedBefore(tabId);
    site.inject({ method: 'POST', path: '/api/v1/entities/users/demo/apiTokens', delayMs: 1_500 });
    const first = await ext.openPopup(tabId);
    await first.getByRole('textbox', { name: 'Token name' }).fill('made-midway');
    await generateButton(first).click();
    await expect.poll(() => first.getByRole('button', { name: 'Generating…' }).count()).toBe(1);
    await first.close();

    // The tab's address still draws the form it had before the mint; the background's answer says a mint runs.
    const again = await ext.context.newPage();
    await again.goto(`chrome-extension://${ext.id}/${await ext.toolbarPopupPath(tabId)}`);
    await expect.poll(() => again.getByRole('textbox', { name: 'Token name' }).inputValue()).toBe('made-midway');
    expect(await again.getByRole('button', { name: 'Generating…' }).isDisabled()).toBe(true);
    expect(await ext.newToken(again)).toBe(site.tokens('demo').find((token) => token.id === 'made-midway')?.bearerToken);
  });

  test('a session that ended since is corrected by the background: the alert replaces what was drawn', async () => {
    const { ext } = e2e;
    const tab = await e2e.signedInTab();
    const tabId = await ext.tabIdOf(tab);
    await openedBefore(tabId);
    await ext.context.clearCookies();

    const popup = await ext.openPopup(tabId);
    const alert = popup.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('not signed in');
    expect(await generateButton(popup).count()).toBe(0);
  });

  test('a token waiting to be shown wins: minting forgets the state drawn early, and the reveal comes first', async () => {
    const { ext } = e2e;
    const tabId = await ext.tabIdOf(await e2e.signedInTab());
    await openedBefore(tabId);
    const first = await ext.openPopup(tabId);
    const secret = await generate(first, 'waiting-reveal');
    expect(await ext.storageText('session')).not.toContain('"shown"');
    await expect.poll(() => ext.toolbarPopupPath(tabId)).toBe(`src/popup/index.html?tabId=${tabId}`);
    await first.close();

    const again = await ext.openPopup(tabId);
    await expect.poll(() => again.getByRole('textbox', { name: 'New token' }).inputValue()).toBe(secret);
    expect(await again.getByRole('textbox', { name: 'Token name' }).count()).toBe(0);
  });

  test('another origin’s state is never drawn', async () => {
    const { ext, site } = e2e;
    const tabId = await ext.tabIdOf(await e2e.signedInTab());
    await openedBefore(tabId);
    // localhost is not 127.0.0.1: the same site under another origin, whose popup must start from nothing.
    const other = await ext.context.newPage();
    await other.goto(`http://localhost:${new URL(site.origin).port}/appLogin`);
    const slow = site.inject({ path: '/api/v1/profile', delayMs: 2_000 });
    const popup = await ext.openPopup(await ext.tabIdOf(other));
    // Once the background's probe is at the site, the popup has long read storage: nothing may have been drawn.
    await expect.poll(() => slow.hits).toBe(1);
    await expect.poll(() => popup.getByText('Looking at this tab').count()).toBe(1);
    expect(await popup.getByRole('textbox', { name: 'Token name' }).count()).toBe(0);
    expect(await popup.getByText('Demo User').count()).toBe(0);
  });
});
