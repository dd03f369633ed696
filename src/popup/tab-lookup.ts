import type { Reply, TabState } from '../core/messages.ts';
import { send } from '../core/send.ts';
import { targetTabId } from './target-tab.ts';

export type TabLookup = { tabId: undefined } | { tabId: number; reply: Reply<TabState> };

async function lookUp(): Promise<TabLookup> {
  const tabId = await targetTabId();
  if (tabId === undefined) return { tabId };
  return { tabId, reply: await send('tab-state', { tabId }) };
}

/**
 * The popup's first question, asked when this module runs: main.tsx imports it and only then loads the app, so the
 * background recognises the site while Preact, the form and the reveal are still loading.
 */
let first: Promise<TabLookup> | undefined = lookUp();

/** What the background says of the popup's tab: the answer asked at start-up the first time, a fresh one after. */
export function tabLookup(): Promise<TabLookup> {
  const answer = first ?? lookUp();
  first = undefined;
  return answer;
}
