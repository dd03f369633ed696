import type { Reveal } from '../core/token.ts';
import { sessionRecords } from './session-store.ts';

/** Minted secrets waiting to be copied or dismissed: they outlive the popup, the worker and tab navigation. */
const reveals = sessionRecords<Reveal>('reveal');

export const saveReveal = (reveal: Reveal) => reveals.put(reveal.id, reveal);
export const getReveal = (id: string) => reveals.get(id);
export const endReveal = (id: string) => reveals.remove(id);

export async function pendingReveals(): Promise<Reveal[]> {
  return (await reveals.all()).sort((a, b) => a.createdAt - b.createdAt);
}
