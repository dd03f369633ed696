import browser from 'webextension-polyfill';
import { siteError } from '../core/errors.ts';
import { responseOf, withTimeout, type PageClient } from '../core/page-client.ts';
import { runInPage, type PageOutcome } from '../core/page-request.ts';
import { t } from '../core/i18n.ts';

/**
 * Runs each request inside the tab's top frame, in the extension's isolated world: the site sees its own Origin and
 * cookies, and nothing of ours is exposed to the page's scripts.
 */
export function scriptingClient(tabId: number, origin: string): PageClient {
  return {
    origin,
    async request(request) {
      const sent = withTimeout(request);
      let outcome: PageOutcome;
      try {
        const [injection] = await browser.scripting.executeScript({
          target: { tabId, frameIds: [0] },
          func: runInPage,
          args: [origin, sent],
        });
        outcome = injection?.result as PageOutcome;
      } catch {
        // The tab was closed, or it now shows a page the extension may not script.
        throw siteError('navigated', t('tab_closedOrLeft'), t('tab_openSiteRetry'));
      }
      if (!outcome) throw siteError('navigated', t('tab_leftMidRequest'), t('tab_openSiteRetry'));
      return responseOf(origin, outcome, sent.timeoutMs);
    },
  };
}
