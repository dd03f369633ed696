import browser from 'webextension-polyfill';
import { signedOut, siteError, toUserError } from '../core/errors.ts';
import type { MintForm, TabState } from '../core/messages.ts';
import { suggestName } from '../core/token.ts';
import type { PageClient } from '../core/page-client.ts';
import { sites, type Site } from '../sites/index.ts';
import { recognise, siteFor } from './recognise.ts';
import { pendingReveals } from './reveals.ts';
import { interruptedMintNotice } from './interrupted-mints.ts';
import { runningJob } from './mint-jobs.ts';
import { scriptingClient } from './scripting-client.ts';

/** The web origin a tab shows, null for pages that are not web pages; throws when the extension may not see it. */
export async function tabOrigin(tabId: number): Promise<string | null> {
  let url: string | undefined;
  try {
    url = (await browser.tabs.get(tabId)).url;
  } catch {
    throw siteError('navigated', 'That tab is closed.', 'Open Tokenmint from the site’s tab.');
  }
  // No url means no access: neither activeTab (the toolbar button) nor a host permission covers this tab.
  if (url === undefined) {
    throw siteError(
      'no-access',
      'Tokenmint has no access to this tab.',
      'Click the Tokenmint button in the toolbar while the site’s tab is in front.',
    );
  }
  return /^https?:\/\//.test(url) ? new URL(url).origin : null;
}

/** The adapter and a page client for a tab that must still show `origin`: it may have moved since the UI looked. */
export async function siteTab(tabId: number, origin: string, siteId: string): Promise<{ site: Site; client: PageClient }> {
  const site = await siteFor(origin, siteId);
  if (!site) throw siteError('internal', 'Tokenmint does not know that site.', 'Reopen Tokenmint on the site.');
  if ((await tabOrigin(tabId)) !== origin) {
    throw siteError('navigated', `The tab is no longer on ${new URL(origin).host}.`, 'Go back to the site and try again.');
  }
  return { site, client: scriptingClient(tabId, origin) };
}

export async function tabState(tabId: number): Promise<TabState> {
  const reveals = await pendingReveals();
  let origin: string | null;
  try {
    origin = await tabOrigin(tabId);
  } catch (error) {
    return { status: 'failed', origin: '', error: toUserError(error), reveals };
  }
  if (!origin) return { status: 'no-page', reveals };
  try {
    const client = scriptingClient(tabId, origin);
    const found = await recognise(client);
    if (!found) return { status: 'unsupported', origin, siteNames: sites.map((site) => site.name), reveals };
    const site = { id: found.site.id, name: found.site.name };
    if (found.probe.kind === 'signed-out') {
      const error = found.probe.reason ?? signedOut(found.site.name, found.site.loginUrl(origin)).user;
      return { status: 'signed-out', origin, site, error, reveals };
    }
    const { user } = found.probe;
    const rule = found.site.nameRule;
    const form: MintForm = (await found.site.form?.(client, user)) ?? {};
    if (rule) form.name = { rule, suggestion: suggestName(new Date()) };
    const state: TabState = { status: 'ready', origin, site, user, form, reveals };
    const job = runningJob(tabId);
    if (job) state.job = job;
    const notice = await interruptedMintNotice(found.site, client, user);
    if (notice) state.notice = notice;
    return state;
  } catch (error) {
    return { status: 'failed', origin, error: toUserError(error), reveals };
  }
}
