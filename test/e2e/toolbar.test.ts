// The popup as a user opens it: a click on the toolbar button (`action.openPopup()`), with no `?tabId`. It finds its
// tab as the active one, and opens at the address the background gave that tab, which draws the last state at once.
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { ToolbarPopup } from './extension.ts';
import { demo, startGoodData } from '../sites/gooddata.ts';
import { useE2e } from './kit.ts';

const e2e = useE2e(startGoodData, demo);

// Evaluated in the popup, which Playwright cannot address as a Page (see openToolbarPopup).
const heading = `document.querySelector('h1')?.textContent ?? null`;
const generateEnabled = `[...document.querySelectorAll('button')].some((b) => b.textContent === 'Generate token' && !b.disabled)`;
const newToken = `[...document.querySelectorAll('label')].find((l) => l.textContent === 'New token')?.control?.value ?? null`;

async function inToolbarPopup<T>(tab: Page, use: (popup: ToolbarPopup) => Promise<T>): Promise<T> {
  const popup = await e2e.ext.openToolbarPopup(tab);
  try {
    return await use(popup);
  } finally {
    await popup.close();
  }
}

describe('the toolbar popup', () => {
  test('on a tab it has not shown yet: plain address, finds the active tab, recognises GoodData', async () => {
    const tab = await e2e.signedInTab();
    await inToolbarPopup(tab, async (popup) => {
      expect(popup.url).toBe(`chrome-extension://${e2e.ext.id}/src/popup/index.html`);
      await expect.poll(() => popup.evaluate(heading)).toBe('GoodData');
      await expect.poll(() => popup.evaluate(generateEnabled)).toBe(true);
    });
  });

  test('opened again: the tab’s own address draws it, and a token minted there works', async () => {
    const { ext, site } = e2e;
    const tab = await e2e.signedInTab();
    await inToolbarPopup(tab, (popup) => expect.poll(() => popup.evaluate(generateEnabled)).toBe(true));
    await expect.poll(async () => (await ext.toolbarPopupPath(await ext.tabIdOf(tab))).includes('#')).toBe(true);

    await inToolbarPopup(tab, async (popup) => {
      expect(popup.url).toMatch(/\/src\/popup\/index\.html#%7B/);
      expect(popup.url).not.toContain('tabId=');
      await expect.poll(() => popup.evaluate(generateEnabled)).toBe(true);
      await popup.evaluate(`(() => {
        const name = document.getElementById('token-name');
        name.value = 'from-the-toolbar';
        name.dispatchEvent(new Event('input', { bubbles: true }));
      })()`);
      // A click of its own, as a person's comes after the typing has been drawn.
      await popup.evaluate(`[...document.querySelectorAll('button')].find((b) => b.textContent === 'Generate token').click()`);
      await expect.poll(() => popup.evaluate(newToken)).not.toBeNull();
      const secret = (await popup.evaluate<string>(newToken))!;
      ext.noteSecret(secret);
      expect(site.tokens('demo').find((token) => token.id === 'from-the-toolbar')?.bearerToken).toBe(secret);
    });
  });
});
