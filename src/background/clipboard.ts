import browser from 'webextension-polyfill';
import { sha256Hex } from '../core/digest.ts';
import { carryOut, type ClipboardAnswer, type ClipboardOp } from '../core/dom-clipboard.ts';
import { siteError } from '../core/errors.ts';
import type { ClipboardOrder } from '../offscreen/offscreen.ts';
import { getSettings } from './settings-store.ts';
import { t } from '../core/i18n.ts';

/**
 * The self-clearing clipboard. A service worker has no clipboard, so an offscreen document (reason CLIPBOARD) writes
 * and reads it; it is made on demand and closed once no clipboard work is waiting. After `clipboardSeconds` the
 * clipboard is emptied, but only if it still holds what was copied: the offscreen page compares SHA-256 digests, and
 * only the digest and the due time are kept, in `storage.session`. A timer clears on time while the worker lives;
 * an alarm, set for the same moment, wakes a stopped worker to do it (Chrome fires a packed extension's alarms
 * ≥ 30 s after they are set, so short delays count on the timer, or on `resume` when the next event starts the
 * worker).
 *
 * Firefox has no offscreen documents, but its background is a page with a DOM of its own: there the same clipboard
 * commands run in the background itself (chosen at build time, so each browser's bundle holds only its own path).
 */

const OFFSCREEN_PAGE = 'src/offscreen/offscreen.html';
const CLEAR_ALARM = 'clipboard-clear';
const PENDING_KEY = 'clipboard-pending';
/** A clear that wakes up sooner than this before its due time waits for the rest (timers and alarms drift). */
const EARLY_MS = 250;

/** The one clear waiting: a copy replaces it, since the clipboard then no longer holds the earlier text. */
interface Pending {
  /** SHA-256 (hex) of what was copied. */
  digest: string;
  /** Epoch ms. */
  clearsAt: number;
}

/** The slices of Chromium's `offscreen` and `runtime.getContexts` used here (the polyfill passes them through). */
interface OffscreenApi {
  createDocument(parameters: { url: string; reasons: 'CLIPBOARD'[]; justification: string }): Promise<void>;
  closeDocument(): Promise<void>;
}
type GetContexts = (filter: { contextTypes: 'OFFSCREEN_DOCUMENT'[]; documentUrls: string[] }) => Promise<unknown[]>;

const offscreen = () => (browser as unknown as { offscreen: OffscreenApi }).offscreen;
const getContexts: GetContexts = (filter) => (browser.runtime as unknown as { getContexts: GetContexts }).getContexts(filter);

const unreachable = () =>
  siteError('internal', t('clipboard_failed'), t('clipboard_failedNext'));

let timer: ReturnType<typeof setTimeout> | undefined;
/** Clipboard work runs one job at a time, so a check-then-clear never straddles a new copy. */
let queue: Promise<unknown> = Promise.resolve();
let waiting = 0;
/** Whether this worker made (or found) the offscreen document and has not closed it. */
let documentOpen = false;

function serial<T>(job: () => Promise<T>): Promise<T> {
  waiting += 1;
  const run = queue.then(async () => {
    try {
      return await job();
    } finally {
      waiting -= 1;
      if (waiting === 0) await closeDocument();
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

async function openDocument(): Promise<void> {
  if (documentOpen) return;
  const url = browser.runtime.getURL(OFFSCREEN_PAGE);
  // One left open by an earlier worker (stopped mid-job) is reused: there can be only one.
  const found = await getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'], documentUrls: [url] });
  if (found.length === 0) {
    await offscreen().createDocument({
      url: OFFSCREEN_PAGE,
      reasons: ['CLIPBOARD'],
      // Chrome may show it to the user.
      justification: t('clipboard_justification'),
    });
  }
  documentOpen = true;
}

async function closeDocument(): Promise<void> {
  if (!documentOpen) return;
  documentOpen = false;
  try {
    await offscreen().closeDocument();
  } catch {
    // already gone
  }
}

/** Sends one order to the offscreen document, and only there: other pages ignore the target, it ignores all else. */
async function viaOffscreen(what: ClipboardOp): Promise<ClipboardAnswer | undefined> {
  await openDocument();
  const message: ClipboardOrder = { target: 'tokenmint-offscreen-clipboard', ...what };
  try {
    return (await browser.runtime.sendMessage(message)) as ClipboardAnswer | undefined;
  } catch {
    // The document went away (closed by the browser): the next order makes a new one.
    documentOpen = false;
    return undefined;
  }
}

async function order(what: ClipboardOp): Promise<{ cleared: boolean }> {
  const answer = import.meta.env.FIREFOX ? await carryOut(what) : await viaOffscreen(what);
  if (!answer?.ok) throw unreachable();
  return { cleared: answer.cleared };
}

async function pending(): Promise<Pending | undefined> {
  return (await browser.storage.session.get(PENDING_KEY))[PENDING_KEY] as Pending | undefined;
}

async function forget(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  await browser.storage.session.remove(PENDING_KEY);
  await browser.alarms.clear(CLEAR_ALARM);
}

function arm(clearsAt: number): void {
  clearTimeout(timer);
  timer = setTimeout(() => void clearIfDue().catch(() => undefined), Math.max(0, clearsAt - Date.now()));
}

/**
 * Copies `text`, and schedules its clear after the configured delay. `clearsAt`: when (epoch ms), null for never.
 * Rejects with a user sentence when the clipboard cannot be written.
 */
export function copyToClipboard(text: string): Promise<{ clearsAt: number | null }> {
  // Queued at once, so that copies land in the order they were asked for.
  return serial(async () => {
    const { clipboardSeconds } = await getSettings();
    if (clipboardSeconds === 0) {
      await order({ op: 'write', text });
      // Whatever an earlier copy left to clear is gone from the clipboard now.
      await forget();
      return { clearsAt: null };
    }
    const clearsAt = Date.now() + clipboardSeconds * 1000;
    // Scheduled before the write: a worker stopped in between leaves a clear that finds nothing to do, never a
    // token on the clipboard with no clear coming.
    const earlier = await pending();
    await schedule({ digest: await sha256Hex(text), clearsAt });
    try {
      await order({ op: 'write', text });
    } catch (error) {
      // Not written: the clipboard holds what it held, and an earlier copy's clear still stands.
      if (earlier) await schedule(earlier);
      else await forget();
      throw error;
    }
    return { clearsAt };
  });
}

async function schedule(due: Pending): Promise<void> {
  await browser.storage.session.set({ [PENDING_KEY]: due });
  await browser.alarms.create(CLEAR_ALARM, { when: due.clearsAt });
  arm(due.clearsAt);
}

/** Clears the clipboard if a clear is due and it still holds what was copied; otherwise waits for the due time. */
export function clearIfDue(): Promise<void> {
  return serial(async () => {
    const due = await pending();
    if (!due) return;
    const left = due.clearsAt - Date.now();
    if (left > EARLY_MS) {
      arm(due.clearsAt);
      await browser.alarms.create(CLEAR_ALARM, { when: due.clearsAt });
      return;
    }
    try {
      await order({ op: 'clear-if', digest: due.digest });
    } finally {
      // Done, or impossible (the clipboard cannot be read): either way not tried again and again.
      await forget();
    }
  });
}

/** At worker start: a clear still waiting gets its timer back (the alarm is the backup if nothing wakes the worker). */
async function resume(): Promise<void> {
  const due = await pending();
  if (due) arm(due.clearsAt);
}

// At the top level, so that the alarm which starts a stopped worker finds its listener.
browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === CLEAR_ALARM) void clearIfDue().catch(() => undefined);
});
void resume().catch(() => undefined);
