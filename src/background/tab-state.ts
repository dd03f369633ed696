import browser from 'webextension-polyfill';
import { signedOut, toUserError } from '../core/errors.ts';
import type { MintForm, TabState } from '../core/messages.ts';
import { suggestName } from '../core/token.ts';
import { memoGets } from '../core/memo-client.ts';
import { SHOWN_KEY, shownFrom } from '../core/shown-state.ts';
import type { PageClient } from '../core/page-client.ts';
import { sites } from '../sites/index.ts';
import { lastSeen, recognise } from './recognise.ts';
import { pendingReveals } from './reveals.ts';
import { interruptedMintNotice } from './interrupted-mints.ts';
import { runningJob } from './mint-jobs.ts';
import { scriptingClient } from './scripting-client.ts';
import { tabOrigin } from './site-tab.ts';
import { keepInPopupAddress } from './popup-address.ts';

/**
 * Most openings find the site and user the last one found: their form's requests go out alongside the probe, and the
 * form asked for below (through the same memo) takes their answers instead of waiting a round trip more. If the guess
 * was wrong, those few read-only GETs were for nothing.
 */
async function askFormAhead(client: PageClient): Promise<void> {
  try {
    const last = await lastSeen(client.origin);
    await last?.site.form?.(client, last.user);
  } catch {
    // Only a guess: the form asked for after recognition says what went wrong, if anything did.
  }
}

/** A tab state before the pending reveals are added: those are read while the tab is being looked at. */
type StateOfTab = WithoutReveals<TabState>;
/** Omit over each member of a union, not over what the members share. */
type WithoutReveals<S> = S extends unknown ? Omit<S, 'reveals'> : never;

export async function tabState(tabId: number): Promise<TabState> {
  const [reveals, state] = await Promise.all([pendingReveals(), stateOfTab(tabId)]);
  const full = { ...state, reveals } as TabState;
  // Not awaited: the popup that asked has its answer; only the next one reads this.
  void keepShown(tabId, full).catch(() => undefined);
  return full;
}

/**
 * The state the next popup may draw before asking (see shown-state.ts): in this tab's popup address, and in storage
 * for a popup on the same origin in another tab. Anything else clears both.
 */
async function keepShown(tabId: number, state: TabState): Promise<void> {
  const shown = shownFrom(state);
  await Promise.all([
    shown ? browser.storage.session.set({ [SHOWN_KEY]: shown }) : browser.storage.session.remove(SHOWN_KEY),
    keepInPopupAddress(tabId, shown),
  ]);
}

async function stateOfTab(tabId: number): Promise<StateOfTab> {
  let origin: string | null;
  try {
    origin = await tabOrigin(tabId);
  } catch (error) {
    return { status: 'failed', origin: '', error: toUserError(error) };
  }
  if (!origin) return { status: 'no-page' };
  try {
    // One read-only pass: the probe, the form and the interrupted-mint check may ask the same GET; it goes out once.
    const client = memoGets(scriptingClient(tabId, origin));
    void askFormAhead(client);
    const found = await recognise(client);
    if (!found) return { status: 'unsupported', origin, siteNames: sites.map((site) => site.name) };
    const site = { id: found.site.id, name: found.site.name };
    if (found.probe.kind === 'signed-out') {
      const error = found.probe.reason ?? signedOut(found.site.name, found.site.loginUrl(origin)).user;
      return { status: 'signed-out', origin, site, error };
    }
    const { user } = found.probe;
    const [form, notice] = await Promise.all([found.site.form?.(client, user), interruptedMintNotice(found.site, client, user)]);
    const mintForm: MintForm = form ?? {};
    const rule = found.site.nameRule;
    if (rule) mintForm.name = { rule, suggestion: suggestName(new Date()) };
    const state: StateOfTab = { status: 'ready', origin, site, user, form: mintForm };
    const job = runningJob(tabId);
    if (job) state.job = job;
    if (notice) state.notice = notice;
    return state;
  } catch (error) {
    return { status: 'failed', origin, error: toUserError(error) };
  }
}
