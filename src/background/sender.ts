import type { Runtime } from 'webextension-polyfill';

/**
 * Only the extension's own pages may command the background: the popup and panel, also when opened in a tab.
 * Content scripts of this extension run in web pages, so their origin is the page's and they are refused too.
 */
export function isOwnPage(sender: Runtime.MessageSender, runtimeId: string, ownOrigin: string): boolean {
  if (sender.id !== runtimeId) return false;
  const origin = (sender as { origin?: string }).origin ?? originOf(sender.url);
  return origin === ownOrigin;
}

// Not `new URL().origin`: outside the browser, chrome-extension: is a non-special scheme whose origin is "null".
function originOf(url: string | undefined): string | undefined {
  return url?.match(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+/i)?.[0];
}
