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

/** A state to draw, with the tab it was worked out for, as the background leaves it in that tab's popup address. */
export interface ShownInTab {
  tabId: number;
  shown: ShownState;
}

/** The address of the popup `page` that draws `shown` in tab `tabId` at once; only the fragment carries it. */
export function popupAddressShowing(page: string, ahead: ShownInTab): string {
  return `${page}#${encodeURIComponent(JSON.stringify(ahead))}`;
}

/** What `popupAddressShowing` put in a popup's `location.hash`, or nothing for any other fragment. */
export function shownInHash(hash: string): ShownInTab | undefined {
  try {
    const ahead = JSON.parse(decodeURIComponent(hash.slice(1))) as { tabId?: unknown; shown?: Partial<ShownState> } | null;
    const shown = ahead?.shown;
    // Only the background writes it; an address typed by hand must not break the popup's first render.
    const drawable =
      typeof ahead?.tabId === 'number' &&
      shown?.status === 'ready' &&
      typeof shown.origin === 'string' &&
      typeof shown.site?.name === 'string' &&
      typeof shown.user?.name === 'string' &&
      typeof shown.form === 'object' &&
      shown.form !== null;
    return drawable ? (ahead as ShownInTab) : undefined;
  } catch {
    return undefined;
  }
}
