import browser, { type Runtime } from 'webextension-polyfill';
import type { Answer, Envelope, MessageKind, Payload, Reply } from '../core/messages.ts';
import { panelPortName, type BackgroundToPanel, type PanelToBackground, type Push } from '../core/panel-port.ts';
import { t } from '../core/i18n.ts';

export interface PanelConnection {
  request<K extends MessageKind>(kind: K, payload: Payload<K>): Promise<Reply<Answer<K>>>;
  close(): void;
}

const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5_000;

/** Said when a request's port dropped before its answer came: the request may or may not have been carried out. */
const dropped: Reply<never> = {
  ok: false,
  error: {
    code: 'interrupted',
    sentence: t('error_backgroundRestarted'),
    next: t('error_backgroundRestartedNext'),
  },
};

/**
 * A port to the background named after the inspected tab. The browser stops an idle service worker, which drops the
 * port: it is opened again with growing pauses, and `onPush('reconnected')` tells the panel to refresh. A request
 * in flight when the port drops is answered as interrupted, never sent twice: revoke and regenerate are not safe
 * to repeat blindly.
 */
export function connectPanel(tabId: number, onPush: (push: Push | 'reconnected') => void): PanelConnection {
  let port: Runtime.Port | null = null;
  let nextId = 1;
  let retries = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const pending = new Map<number, (reply: Reply<unknown>) => void>();

  function open(): Runtime.Port {
    const opened = browser.runtime.connect({ name: panelPortName(tabId) });
    opened.onMessage.addListener((message: unknown) => {
      retries = 0;
      const received = message as BackgroundToPanel;
      if ('push' in received) return onPush(received.push);
      pending.get(received.id)?.(received.reply);
      pending.delete(received.id);
    });
    opened.onDisconnect.addListener(() => {
      port = null;
      for (const answer of pending.values()) answer(dropped);
      pending.clear();
      if (closed) return;
      const wait = Math.min(FIRST_RETRY_MS * 2 ** retries++, LAST_RETRY_MS);
      timer = setTimeout(() => {
        port = open();
        onPush('reconnected');
      }, wait);
    });
    return opened;
  }

  port = open();
  return {
    request(kind, payload) {
      if (!port) {
        // Asked before the scheduled reopen: open now, once.
        clearTimeout(timer);
        port = open();
      }
      const id = nextId++;
      const envelope = { kind, payload } as Envelope;
      const sent: PanelToBackground = { id, envelope };
      return new Promise((resolve) => {
        pending.set(id, resolve as (reply: Reply<unknown>) => void);
        port!.postMessage(sent);
      });
    },
    close() {
      closed = true;
      clearTimeout(timer);
      port?.disconnect();
    },
  };
}
