import type { Reply, TabState } from '../core/messages.ts';
import { pageApi } from '../core/page-api.ts';
import { send } from '../core/send.ts';
import { SHOWN_KEY, shownInHash, type ShownInTab, type ShownState } from '../core/shown-state.ts';
import { suggestName } from '../core/token.ts';
import { targetTab, type TargetTab } from './target-tab.ts';

export type TabLookup = { tabId: undefined } | { tabId: number; reply: Reply<TabState> };

async function lookUp(tab: Promise<TargetTab | undefined>): Promise<TabLookup> {
  const target = await tab;
  if (!target) return { tabId: undefined };
  return { tabId: target.id, reply: await send('tab-state', { tabId: target.id }) };
}

/** A state drawn before the background's answer, and the tab it is of. */
export interface Drawn {
  tabId: number;
  state: ShownState;
}

/** A name of its own: the one drawn last time may have been used since. */
function withFreshName({ tabId, shown }: ShownInTab): Drawn {
  const form = shown.form.name ? { ...shown.form, name: { ...shown.form.name, suggestion: suggestName(new Date()) } } : shown.form;
  return { tabId, state: { ...shown, form } };
}

/** The last state shown for the tab's origin in any tab, from storage: for a tab whose popup address has none. */
async function readShown(tab: Promise<TargetTab | undefined>): Promise<Drawn | undefined> {
  // Storage and the tab's address are asked for together.
  const address = tab.then(async (target) => target && { id: target.id, url: target.url ?? (await pageApi.tabs.get(target.id)).url });
  const [target, stored] = await Promise.all([address, pageApi.storage.session.get(SHOWN_KEY)]);
  const url = target?.url;
  if (!target || !url || !/^https?:/.test(url)) return undefined;
  const shown = stored[SHOWN_KEY] as ShownState | undefined;
  if (shown?.origin !== new URL(url).origin) return undefined;
  return withFreshName({ tabId: target.id, shown });
}

/**
 * The popup's first questions, asked when this module runs: main.tsx imports it before the app, so the background
 * recognises the site (and storage yields the last state shown) while Preact and the app are evaluated and rendered.
 */
const firstTarget = targetTab();
let first: Promise<TabLookup> | undefined = lookUp(firstTarget);
// This tab's own popup address, which the background set for it (see popup-address.ts), says it with no question.
const inAddress = shownInHash(location.hash);
const drawnFirst = inAddress && withFreshName(inAddress);
const shownAhead = drawnFirst ? Promise.resolve(drawnFirst) : readShown(firstTarget).catch(() => undefined);

/** What the background says of the popup's tab: the answer asked at start-up the first time, a fresh one after. */
export function tabLookup(): Promise<TabLookup> {
  const answer = first ?? lookUp(targetTab());
  first = undefined;
  return answer;
}

/** The state this tab's popup address carries, if any: drawn at the first render. */
export const shownAtOnce = (): Drawn | undefined => drawnFirst;

/** The last state shown on this tab's origin, if any: to draw until the background's answer arrives. */
export const lastShown = () => shownAhead;
