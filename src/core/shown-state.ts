import type { TabState } from './messages.ts';

/**
 * The last ready tab state the background worked out, kept in `storage.session` under one key: the next popup on the
 * same origin draws it at once — straight from storage, without waiting for the worker, which may be asleep — and
 * keeps Generate token off until the worker has confirmed it. Nothing secret is in it: a site, a user, a form.
 */
export const SHOWN_KEY = 'shown';

export type ShownState = Omit<Extract<TabState, { status: 'ready' }>, 'reveals' | 'job' | 'notice'>;

/** What may be drawn ahead of the worker's answer: a ready state with no reveal, no job and no notice waiting. */
export function shownFrom(state: TabState): ShownState | undefined {
  if (state.status !== 'ready' || state.reveals.length > 0 || state.job || state.notice) return undefined;
  const { origin, site, user, form } = state;
  return { status: 'ready', origin, site, user, form };
}
