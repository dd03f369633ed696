/// <reference types="chrome" />
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { demo as cdsDemo } from '../sites/cds.ts';
import { demo as gooddataDemo } from '../sites/gooddata.ts';
import { demo as insightioDemo, startInsightIo, type InsightIoSite } from '../sites/insightio.ts';
import { useTwoSites } from './two-sites.ts';

/**
 * Everything from the keyboard: Tab reaches every control in reading order, focus lands where the next step is (the
 * name field, Copy, a confirm button, the button a cancel returns to), Enter in Token name generates, and Escape
 * dismisses what can be dismissed: a confirm or a choice in the panel, the wipe confirmation in the options. In the
 * popup Escape is the browser's: it closes the popup (Chromium and Firefox both do, unless the page takes the key),
 * so the popup never takes it, and a token on show survives that close.
 */

const sites = useTwoSites();
const { signedIn } = sites;

/** How a control reads in these tests: its aria-label, its label's text, or its own text. */
function describeFocused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> };
    if (!element || element === document.body) return '(page)';
    const text = element.getAttribute('aria-label') ?? element.labels?.[0]?.textContent ?? element.textContent ?? '';
    return text.trim();
  });
}

/**
 * The controls Tab should stop at, in document order (which is the reading order: no page uses a positive tabindex
 * or reorders with CSS): enabled and shown, and one stop per radio group, its ticked radio.
 */
function tabStops(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const all = [...document.querySelectorAll<HTMLElement>('a[href], button, input, select, textarea, summary, [tabindex]')];
    return all
      .filter((element) => element.tabIndex >= 0 && !element.matches(':disabled') && element.checkVisibility())
      .filter((element) => !(element instanceof HTMLInputElement && element.type === 'radio' && !element.checked))
      .map((element) => {
        const labelled = element as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> };
        return (element.getAttribute('aria-label') ?? labelled.labels?.[0]?.textContent ?? element.textContent ?? '').trim();
      });
  });
}

/**
 * What Tab visits from the page's first control on (focused directly: after a blur Chromium goes on from where focus
 * was), one stop per press, as many stops as the page has.
 */
async function tabOrder(page: Page): Promise<string[]> {
  const stops = await tabStops(page);
  await page.locator('a[href], button, input, select, textarea, summary').first().focus();
  const visited = [await describeFocused(page)];
  for (let press = 1; press < stops.length; press++) {
    await page.keyboard.press('Tab');
    visited.push(await describeFocused(page));
  }
  return visited;
}

/** Whether an Escape pressed now reaches the document unhandled: not taken, not stopped on the way. */
async function escapeReachesDocument(page: Page): Promise<boolean> {
  await page.evaluate(() => {
    (window as { lastEscape?: string }).lastEscape = 'not seen';
    document.addEventListener(
      'keydown',
      (event) => {
        if (event.key === 'Escape') (window as { lastEscape?: string }).lastEscape = event.defaultPrevented ? 'taken' : 'free';
      },
      { once: true },
    );
  });
  await page.keyboard.press('Escape');
  return page.evaluate(() => (window as { lastEscape?: string }).lastEscape === 'free');
}

describe('popup', () => {
  test('Alt+Shift+K opens it: the browser took the suggested shortcut for the toolbar button', async () => {
    const commands = await sites.ext.worker.evaluate(() => chrome.commands.getAll());
    expect(commands.find((command) => command.name === '_execute_action')?.shortcut).toBe('Alt+Shift+K');
  });

  test('opens on Token name; Enter there generates; focus goes to Copy, then back to Token name after Done', async () => {
    const popup = await sites.ext.openPopup(await sites.ext.tabIdOf(await signedIn(sites.gooddata, gooddataDemo)));
    const name = popup.getByRole('textbox', { name: 'Token name' });
    await popup.getByRole('button', { name: 'Generate token' }).waitFor();
    await expect.poll(() => describeFocused(popup)).toBe('Token name');
    expect(await tabOrder(popup)).toEqual(['Token name', 'Generate token']);

    await name.focus();
    await popup.keyboard.press('ControlOrMeta+A');
    await popup.keyboard.type('from-the-keyboard');
    await popup.keyboard.press('Enter');
    const token = popup.getByRole('textbox', { name: 'New token' });
    await token.waitFor();
    sites.ext.noteSecret(await token.inputValue());
    expect(sites.gooddata.tokens('demo').map((made) => made.id)).toContain('from-the-keyboard');
    await expect.poll(() => describeFocused(popup)).toBe('Copy');
    expect(await tabOrder(popup)).toEqual(['New token', 'Copy', 'Authorization header', 'Save to vault', 'Done']);

    // Done from the keyboard: the form is back, ready for the next name.
    await popup.getByRole('button', { name: 'Done' }).focus();
    await popup.keyboard.press('Enter');
    await popup.getByRole('button', { name: 'Generate token' }).waitFor();
    await expect.poll(() => describeFocused(popup)).toBe('Token name');
  });

  describe('on a site with nothing to fill in', () => {
    let insightio: InsightIoSite;
    beforeAll(async () => {
      insightio = await startInsightIo();
    });
    afterAll(async () => {
      await insightio?.close();
    });

    test('it opens on Generate token, so Enter mints at once', async () => {
      const popup = await sites.ext.openPopup(await sites.ext.tabIdOf(await signedIn(insightio, insightioDemo)));
      await popup.getByRole('button', { name: 'Generate token' }).waitFor();
      await expect.poll(() => describeFocused(popup)).toBe('Generate token');
      await popup.keyboard.press('Enter');
      await sites.ext.newToken(popup);
      await expect.poll(() => describeFocused(popup)).toBe('Copy');
    });
  });

  test('Tab goes through every field of the CDS form in reading order', async () => {
    const popup = await sites.ext.openPopup(await sites.ext.tabIdOf(await signedIn(sites.cds, cdsDemo)));
    await popup.getByRole('spinbutton', { name: 'Expires in days' }).waitFor();
    const order = await tabOrder(popup);
    expect(order).toEqual(await tabStops(popup));
    expect(order.slice(0, 2)).toEqual(['Token name', 'Description']);
    expect(order.at(-2)).toBe('Expires in days');
    expect(order.at(-1)).toBe('Generate token');
    // Every scope and group checkbox is a stop of its own.
    const boxes = await popup.getByRole('checkbox').count();
    expect(order.length).toBe(boxes + 4);
  });

  test('Escape is left to the browser, which closes the popup; a token on show is there again on reopening', async () => {
    const tabId = await sites.ext.tabIdOf(await signedIn(sites.gooddata, gooddataDemo));
    const popup = await sites.ext.openPopup(tabId);
    await popup.getByRole('button', { name: 'Generate token' }).click();
    const secret = await popup.getByRole('textbox', { name: 'New token' }).inputValue();
    sites.ext.noteSecret(secret);

    expect(await escapeReachesDocument(popup)).toBe(true);
    expect(await popup.getByRole('textbox', { name: 'New token' }).inputValue()).toBe(secret);
    await popup.close();
    const reopened = await sites.ext.openPopup(tabId);
    await expect.poll(() => reopened.getByRole('textbox', { name: 'New token' }).inputValue()).toBe(secret);
  });
});

describe('devtools panel', () => {
  /** The panel acting on `tab`, once it lists `names`. */
  async function panelFor(tab: Page, names: string[]): Promise<Page> {
    const panel = await sites.ext.context.newPage();
    await panel.setViewportSize({ width: 1200, height: 800 });
    await panel.goto(`chrome-extension://${sites.ext.id}/src/devtools/panel.html?tabId=${await sites.ext.tabIdOf(tab)}`);
    for (const name of names) await panel.getByRole('cell', { name, exact: true }).waitFor();
    return panel;
  }

  /** The panel on CDS listing `names` (new tokens: the site lives as long as the file). */
  async function panelWith(...names: string[]): Promise<Page> {
    for (const name of names) sites.cds.addToken('jdoe', name, { scopes: ['Project'] });
    return panelFor(await signedIn(sites.cds, cdsDemo), names);
  }
  const row = (panel: Page, name: string) => panel.getByRole('row').filter({ has: panel.getByRole('cell', { name, exact: true }) });

  test('Tab reaches Refresh, the filter, each sort button and each row action, in reading order', async () => {
    const panel = await panelWith('tab-a', 'tab-b');
    const order = await tabOrder(panel);
    expect(order).toEqual(await tabStops(panel));
    expect(order.slice(0, 3)).toEqual(['Refresh', 'Filter', 'Name']);
    // One Revoke per row: the two new tokens and the one CDS shows for the session.
    expect(order.filter((stop) => stop === 'Revoke')).toHaveLength(await panel.getByRole('button', { name: 'Revoke' }).count());
    expect(await panel.getByRole('button', { name: 'Revoke' }).count()).toBeGreaterThanOrEqual(2);
  });

  test('Revoke moves focus to Confirm revoke; Escape takes it back to Revoke; Enter twice revokes', async () => {
    const panel = await panelWith('keyboard-a');
    await row(panel, 'keyboard-a').getByRole('button', { name: 'Revoke' }).focus();
    await panel.keyboard.press('Enter');
    await expect.poll(() => describeFocused(panel)).toBe('Confirm revoke');

    // Escape cancels, and goes no further (in DevTools the drawer would also take it).
    expect(await escapeReachesDocument(panel)).toBe(false);
    expect(await row(panel, 'keyboard-a').getByRole('button', { name: 'Confirm revoke' }).count()).toBe(0);
    await expect.poll(() => describeFocused(panel)).toBe('Revoke');
    expect(sites.cds.tokens('jdoe').map((token) => token.name)).toContain('keyboard-a');

    await panel.keyboard.press('Enter');
    await expect.poll(() => describeFocused(panel)).toBe('Confirm revoke');
    await panel.keyboard.press('Enter');
    await expect.poll(() => row(panel, 'keyboard-a').count()).toBe(0);
    expect(sites.cds.tokens('jdoe').map((token) => token.name)).not.toContain('keyboard-a');
  });

  test('Regenerate asks on its confirm button; Escape returns to Regenerate; an Escape with nothing to cancel is not taken', async () => {
    const panel = await panelWith('keyboard-b');
    expect(await escapeReachesDocument(panel)).toBe(true);
    await row(panel, 'keyboard-b').getByRole('button', { name: 'Regenerate' }).focus();
    await panel.keyboard.press('Enter');
    await expect.poll(() => describeFocused(panel)).toBe('Confirm regenerate');
    await panel.keyboard.press('Escape');
    await expect.poll(() => describeFocused(panel)).toBe('Regenerate');
  });
  test('Copy as… puts focus on the first format; Escape returns to Copy as…, and so does a copy', async () => {
    const tab = await signedIn(sites.gooddata, gooddataDemo);
    const popup = await sites.ext.openPopup(await sites.ext.tabIdOf(tab));
    await popup.getByRole('textbox', { name: 'Token name' }).fill('kept-for-keys');
    await popup.getByRole('button', { name: 'Generate token' }).click();
    await sites.ext.newToken(popup);
    await popup.getByRole('button', { name: 'Save to vault' }).click();
    await popup.getByText('Saved in Tokenmint').waitFor();
    await popup.getByRole('button', { name: 'Done' }).click();

    const panel = await panelFor(tab, ['kept-for-keys']);
    await row(panel, 'kept-for-keys').getByRole('button', { name: 'Copy as…' }).focus();
    await panel.keyboard.press('Enter');
    await expect.poll(() => describeFocused(panel)).toBe('Raw');
    await panel.keyboard.press('Escape');
    await expect.poll(() => describeFocused(panel)).toBe('Copy as…');
    await panel.keyboard.press('Enter');
    await expect.poll(() => describeFocused(panel)).toBe('Raw');
    await panel.keyboard.press('Enter');
    await expect.poll(() => row(panel, 'kept-for-keys').textContent()).toContain('Copied as Raw');
    await expect.poll(() => describeFocused(panel)).toBe('Copy as…');
  });
});

describe('options page', () => {
  async function openOptions(): Promise<Page> {
    const options = await sites.ext.context.newPage();
    await options.goto(`chrome-extension://${sites.ext.id}/src/options/index.html`);
    await options.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    // The recipe list arrives with an answer of its own, and brings an Edit button per recipe.
    await options.getByRole('list', { name: 'Recipes' }).getByRole('listitem').first().waitFor();
    return options;
  }

  test('Tab reaches every control in reading order, one stop for the vault radios', async () => {
    const options = await openOptions();
    const order = await tabOrder(options);
    expect(order).toEqual(await tabStops(options));
    expect(order.filter((stop) => stop === 'This browser session only')).toHaveLength(1);
    expect(order).not.toContain('Persistent, locked by a passphrase');
    expect(order).toContain('Wipe…');
  });

  test('Wipe… asks on Confirm wipe; Escape cancels back to Wipe…; Enter on Confirm wipe wipes', async () => {
    const options = await openOptions();
    const data = options.getByRole('region', { name: 'Export and wipe' });
    await data.getByRole('button', { name: 'Wipe…' }).focus();
    await options.keyboard.press('Enter');
    await expect.poll(() => describeFocused(options)).toBe('Confirm wipe');

    await options.keyboard.press('Escape');
    await expect.poll(() => data.getByRole('button', { name: 'Confirm wipe' }).count()).toBe(0);
    await expect.poll(() => describeFocused(options)).toBe('Wipe…');
    expect(await data.getByRole('status').textContent()).toBe('');

    await options.keyboard.press('Enter');
    await expect.poll(() => describeFocused(options)).toBe('Confirm wipe');
    await options.keyboard.press('Enter');
    await expect.poll(() => data.getByRole('status').textContent()).toMatch(/^Wiped/);
    await expect.poll(() => describeFocused(options)).toBe('Wipe…');
  });
});
