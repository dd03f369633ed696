import browser from 'webextension-polyfill';
import { SHOWN_KEY } from '../core/shown-state.ts';
import type { Reveal } from '../core/token.ts';
import { sessionRecords } from './session-store.ts';
import { clearPopupAddresses } from './popup-address.ts';

/** Minted secrets waiting to be copied or dismissed: they outlive the popup, the worker and tab navigation. */
const reveals = sessionRecords<Reveal>('reveal');

/** A new reveal must be the first thing any popup shows: the last state drawn ahead of the worker no longer holds. */
export async function saveReveal(reveal: Reveal): Promise<void> {
  // Not awaited: the tabs' addresses matter to the next popup, not to this mint's answer, which they would delay.
  void clearPopupAddresses().catch(() => undefined);
  await Promise.all([reveals.put(reveal.id, reveal), browser.storage.session.remove(SHOWN_KEY)]);
}
export const getReveal = (id: string) => reveals.get(id);
export const endReveal = (id: string) => reveals.remove(id);

export async function pendingReveals(): Promise<Reveal[]> {
  return (await reveals.all()).sort((a, b) => a.createdAt - b.createdAt);
}
