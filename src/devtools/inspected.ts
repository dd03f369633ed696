import browser from 'webextension-polyfill';

export interface InspectedTab {
  tabId: number;
  /** True inside DevTools, where the inspected page's own traffic can be watched. */
  inDevtools: boolean;
}

/** `?tabId=N` when opened as a page (tests, a tab of its own); else the tab DevTools inspects. */
export function inspectedTab(): InspectedTab | null {
  const param = new URLSearchParams(location.search).get('tabId');
  if (param !== null && /^\d+$/.test(param)) return { tabId: Number(param), inDevtools: false };
  const tabId = browser.devtools?.inspectedWindow.tabId;
  return tabId === undefined ? null : { tabId, inDevtools: true };
}

/**
 * What the inspected page says its origin is ('' unknown). Only used to name the site when the extension has no
 * access to it yet: DevTools may read any inspected page, the extension's background may not.
 */
export async function claimedOrigin(inDevtools: boolean): Promise<string> {
  if (!inDevtools) return new URLSearchParams(location.search).get('origin') ?? '';
  try {
    const [origin] = (await browser.devtools.inspectedWindow.eval('location.origin')) as [unknown, unknown];
    return typeof origin === 'string' && /^https?:\/\//.test(origin) ? origin : '';
  } catch {
    return '';
  }
}
