import { pageApi } from '../core/page-api.ts';

export interface TargetTab {
  id: number;
  /** Present when it came with the id (the active tab); else ask `tabs.get`. */
  url?: string | undefined;
}

/** The tab the popup acts on: `?tabId=N` when opened as a page (tests, "pop out"), else the active tab. */
export async function targetTab(): Promise<TargetTab | undefined> {
  const param = new URLSearchParams(location.search).get('tabId');
  if (param !== null && /^\d+$/.test(param)) return { id: Number(param) };
  const [tab] = await pageApi.tabs.query({ active: true, currentWindow: true });
  return tab?.id === undefined ? undefined : { id: tab.id, url: tab.url };
}

/** Sends the site's tab to a URL (e.g. its sign-in page) and closes the toolbar popup, which would hide it. */
export async function openInTab(tabId: number, url: string): Promise<void> {
  await pageApi.tabs.update(tabId, { url, active: true });
  if (!new URLSearchParams(location.search).has('tabId')) window.close();
}
