import browser, { type Runtime } from 'webextension-polyfill';
import { sha256Hex } from '../core/digest.ts';

/**
 * The clipboard's offscreen document (Chromium, reason CLIPBOARD). An offscreen document never has focus, so the
 * async Clipboard API refuses it; `document.execCommand('copy' | 'paste')` works without focus, given the
 * `clipboardWrite` and `clipboardRead` permissions. It takes orders from the extension's own service worker only,
 * and keeps nothing: a secret is in this page's memory only for the moment it is written.
 */

/** Marks the background's orders, so that no other extension page answers them and this page answers nothing else. */
export type ClipboardTarget = 'tokenmint-offscreen-clipboard';

/** What the background orders: write this text; or clear the clipboard if what it holds has this SHA-256 (hex). */
export type ClipboardOp = { op: 'write'; text: string } | { op: 'clear-if'; digest: string };
export type ClipboardOrder = ClipboardOp & { target: ClipboardTarget };

/** `cleared`: for clear-if, whether the clipboard still held that text and is now empty. */
export type ClipboardAnswer = { ok: true; cleared: boolean } | { ok: false };

const TARGET: ClipboardTarget = 'tokenmint-offscreen-clipboard';

function isOrder(message: unknown): message is ClipboardOrder {
  if (typeof message !== 'object' || message === null) return false;
  const { target, op, text, digest } = message as Record<string, unknown>;
  if (target !== TARGET) return false;
  return (op === 'write' && typeof text === 'string') || (op === 'clear-if' && typeof digest === 'string');
}

/**
 * Only the extension's own service worker: not its other pages, not a content script, not another extension. (An
 * offscreen document's `runtime` has no getManifest, so the worker's script is asked of its registration.)
 */
async function fromBackground(sender: Runtime.MessageSender): Promise<boolean> {
  if (sender.id !== browser.runtime.id || sender.tab !== undefined || sender.url === undefined) return false;
  const registration = await navigator.serviceWorker.getRegistration();
  return registration?.active?.scriptURL === sender.url;
}

/** Puts exactly `text` on the clipboard as plain text ('' empties it). */
function writeText(text: string): boolean {
  // The copy event decides what is written, so the text goes as it is (a selection would lose '' and alter line ends);
  // the selected textarea is what makes the copy command run in a page without focus.
  const area = document.createElement('textarea');
  area.value = 'x';
  document.body.append(area);
  area.select();
  const onCopy = (event: ClipboardEvent) => {
    event.clipboardData?.setData('text/plain', text);
    event.preventDefault();
  };
  document.addEventListener('copy', onCopy);
  try {
    return document.execCommand('copy');
  } finally {
    document.removeEventListener('copy', onCopy);
    area.remove();
  }
}

/** The clipboard's plain text, or null when it cannot be read. */
function readText(): string | null {
  const area = document.createElement('textarea');
  document.body.append(area);
  area.focus();
  let text: string | null = null;
  const onPaste = (event: ClipboardEvent) => {
    text = event.clipboardData?.getData('text/plain') ?? '';
    // Nothing is inserted: the text only passes through this function.
    event.preventDefault();
  };
  document.addEventListener('paste', onPaste);
  try {
    return document.execCommand('paste') ? text : null;
  } finally {
    document.removeEventListener('paste', onPaste);
    area.remove();
  }
}

async function carryOut(order: ClipboardOrder): Promise<ClipboardAnswer> {
  if (order.op === 'write') return writeText(order.text) ? { ok: true, cleared: false } : { ok: false };
  const held = readText();
  // Unreadable: it may hold anything the user copied since, so it is left alone.
  if (held === null) return { ok: false };
  if ((await sha256Hex(held)) !== order.digest) return { ok: true, cleared: false };
  return writeText('') ? { ok: true, cleared: true } : { ok: false };
}

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  // Not an order: no answer at all, so that whoever it is for can answer it.
  if (!isOrder(message)) return undefined;
  return fromBackground(sender).then((trusted) => (trusted ? carryOut(message) : { ok: false }));
});
