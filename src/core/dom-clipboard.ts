import { sha256Hex } from './digest.ts';

/**
 * The clipboard as a page with a DOM reaches it: Chromium's offscreen document, and Firefox's background page. Such a
 * page never has focus, so the async Clipboard API refuses it; `document.execCommand('copy' | 'paste')` works without
 * focus, given the `clipboardWrite` and `clipboardRead` permissions. Nothing is kept: a secret is in memory only for
 * the moment it is written.
 */

/** What the background orders: write this text; or clear the clipboard if what it holds has this SHA-256 (hex). */
export type ClipboardOp = { op: 'write'; text: string } | { op: 'clear-if'; digest: string };

/** `cleared`: for clear-if, whether the clipboard still held that text and is now empty. */
export type ClipboardAnswer = { ok: true; cleared: boolean } | { ok: false };

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

/** The clipboard's plain text, or null when it cannot be read (no paste event came). */
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
    // What the command answers is not used: Firefox's background page gets the paste event and still answers false.
    document.execCommand('paste');
    return text;
  } finally {
    document.removeEventListener('paste', onPaste);
    area.remove();
  }
}

export async function carryOut(order: ClipboardOp): Promise<ClipboardAnswer> {
  if (order.op === 'write') return writeText(order.text) ? { ok: true, cleared: false } : { ok: false };
  const held = readText();
  // Unreadable: it may hold anything the user copied since, so it is left alone.
  if (held === null) return { ok: false };
  if ((await sha256Hex(held)) !== order.digest) return { ok: true, cleared: false };
  return writeText('') ? { ok: true, cleared: true } : { ok: false };
}
