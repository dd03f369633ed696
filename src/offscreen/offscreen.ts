import browser, { type Runtime } from 'webextension-polyfill';
import { carryOut, type ClipboardOp } from '../core/dom-clipboard.ts';

/**
 * The clipboard's offscreen document (Chromium, reason CLIPBOARD): it carries out the clipboard commands of
 * core/dom-clipboard.ts on orders from the extension's own service worker only.
 */

/** Marks the background's orders, so that no other extension page answers them and this page answers nothing else. */
export type ClipboardTarget = 'tokenmint-offscreen-clipboard';

export type ClipboardOrder = ClipboardOp & { target: ClipboardTarget };

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

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  // Not an order: no answer at all, so that whoever it is for can answer it.
  if (!isOrder(message)) return undefined;
  return fromBackground(sender).then((trusted) => (trusted ? carryOut(message) : { ok: false }));
});
