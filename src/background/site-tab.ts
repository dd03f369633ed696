import browser from 'webextension-polyfill';
import { siteError } from '../core/errors.ts';
import type { PageClient } from '../core/page-client.ts';
import type { Site } from '../sites/index.ts';
import type { SiteUser } from '../sites/types.ts';
import { rememberedUser, signedInUser, siteFor } from './recognise.ts';
import { scriptingClient } from './scripting-client.ts';
import { t } from '../core/i18n.ts';

/** The web origin a tab shows, null for pages that are not web pages; throws when the extension may not see it. */
export async function tabOrigin(tabId: number): Promise<string | null> {
  let url: string | undefined;
  try {
    url = (await browser.tabs.get(tabId)).url;
  } catch {
    throw siteError('navigated', t('tab_closed'), t('tab_closedNext'));
  }
  // No url means no access: neither activeTab (the toolbar button) nor a host permission covers this tab.
  if (url === undefined) {
    throw siteError('no-access', t('tab_noAccess'), t('tab_noAccessNext'));
  }
  return /^https?:\/\//.test(url) ? new URL(url).origin : null;
}

/** The adapter and a page client for a tab that must still show `origin`: it may have moved since the UI looked. */
export async function siteTab(tabId: number, origin: string, siteId: string): Promise<{ site: Site; client: PageClient }> {
  const [site, shown] = await Promise.all([siteFor(origin, siteId), tabOrigin(tabId)]);
  if (!site) throw siteError('internal', t('tab_unknownSite'), t('tab_reopenOnSite'));
  if (shown !== origin) {
    throw siteError('navigated', t('page_navigated', new URL(origin).host), t('tab_movedNext'));
  }
  return { site, client: scriptingClient(tabId, origin) };
}

/**
 * `siteTab` and the user signed in there: what every write to a site (create, revoke, regenerate) checks first. The
 * checks are asked together, since each is a round trip to the browser and a mint waits for all of them.
 */
export async function signedInSiteTab(
  tabId: number,
  origin: string,
  siteId: string,
): Promise<{ site: Site; client: PageClient; user: SiteUser }> {
  const [tab, remembered] = await Promise.all([siteTab(tabId, origin, siteId), rememberedUser(origin, siteId)]);
  return { ...tab, user: remembered ?? (await signedInUser(tab.client, tab.site)) };
}
