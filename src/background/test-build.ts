import browser from 'webextension-polyfill';

/**
 * Firefox test builds only. WebDriver may not send a tab to a moz-extension:// page, so the add-on opens its popup
 * page in a tab itself when it is installed; the smoke test finds that tab, and from inside it opens the popup for
 * the site's tab (`?tabId=N`), as DESIGN.md's UI contract allows.
 */
export function openPopupTabOnInstall(): void {
  browser.runtime.onInstalled.addListener(() => {
    void browser.tabs.create({ url: browser.runtime.getURL('src/popup/index.html') });
  });
}
