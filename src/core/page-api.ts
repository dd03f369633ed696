/**
 * The few extension calls the popup makes, on the browser's own namespace: in MV3 both Chromium's `chrome` and
 * Firefox's `browser` answer with promises, so the popup need not load webextension-polyfill (about 3 kB gzip and its
 * start-up) for these few calls. Pages that use more of the API keep the polyfill.
 */
interface PageApi {
  runtime: { sendMessage(message: unknown): Promise<unknown> };
  tabs: {
    /** `url` only where the extension may see it (activeTab after the toolbar click, or a host permission). */
    query(query: { active: true; currentWindow: true }): Promise<{ id?: number; url?: string }[]>;
    get(tabId: number): Promise<{ id?: number; url?: string }>;
    update(tabId: number, properties: { url: string; active: true }): Promise<unknown>;
  };
  storage: { session: { get(key: string): Promise<Record<string, unknown>> } };
}

declare const chrome: PageApi;
declare const browser: PageApi | undefined;

export const pageApi: PageApi = typeof browser === 'undefined' ? chrome : browser;
