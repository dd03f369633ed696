import browser from 'webextension-polyfill';
import { popupAddressShowing, type ShownState } from '../core/shown-state.ts';

/**
 * Each tab's own popup address carries the state its next popup draws before asking anything (see shown-state.ts):
 * the popup reads it from its own address, with no message and no storage read in the way of its first paint. The
 * browser drops a tab's address when the tab loads another document, so what is drawn is never another page's.
 * The tabs given one are listed in `storage.session`, to take them all back when a new secret must come first.
 */
const TABS_KEY = 'shownTabs';

/** The manifest's popup page (Firefox gives it as a full address): what a tab's address is built on and goes back to. */
function popupPage(): string {
  const page = browser.runtime.getManifest().action?.default_popup;
  if (!page) throw new Error('the manifest names no popup page');
  return page;
}

async function shownTabs(): Promise<number[]> {
  return ((await browser.storage.session.get(TABS_KEY))[TABS_KEY] as number[] | undefined) ?? [];
}

/** Gives tab `tabId` a popup address that draws `shown`, or takes its address back when there is nothing to draw. */
export async function keepInPopupAddress(tabId: number, shown: ShownState | undefined): Promise<void> {
  const page = popupPage();
  const popup = shown ? popupAddressShowing(page, { tabId, shown }) : page;
  const [tabs] = await Promise.all([shownTabs(), browser.action.setPopup({ tabId, popup })]);
  if (shown && !tabs.includes(tabId)) await browser.storage.session.set({ [TABS_KEY]: [...tabs, tabId] });
}

/** Every tab's popup back to the plain page: a secret waits, and any popup must show it first. */
export async function clearPopupAddresses(): Promise<void> {
  const [page, tabs] = [popupPage(), await shownTabs()];
  // A tab closed since refuses the call; it has no popup left to clear.
  const cleared = tabs.map((tabId) => browser.action.setPopup({ tabId, popup: page }).catch(() => undefined));
  await Promise.all([...cleared, browser.storage.session.remove(TABS_KEY)]);
}
