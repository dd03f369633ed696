import browser, { type Runtime } from 'webextension-polyfill';
import { isRecord } from '../core/http.ts';
import { isEnvelope } from '../core/messages.ts';
import { PANEL_PORT_PREFIX, type BackgroundToPanel, type Push } from '../core/panel-port.ts';
import { dispatch, fromOwnPage, refused } from './router.ts';

/** Open panel ports by inspected tab id. */
const panels = new Map<number, Set<Runtime.Port>>();

function post(port: Runtime.Port, message: BackgroundToPanel): void {
  try {
    port.postMessage(message);
  } catch {
    // The panel closed while its answer was on the way.
  }
}

function push(tabId: number | 'all', what: Push): void {
  const targets = tabId === 'all' ? [...panels.values()].flatMap((set) => [...set]) : [...(panels.get(tabId) ?? [])];
  for (const port of targets) post(port, { push: what });
}

/** A panel may only ask about the tab its port is named after. */
function forThisTab(payload: unknown, tabId: number): boolean {
  return !isRecord(payload) || !('tabId' in payload) || payload.tabId === tabId;
}

export function servePanels(): void {
  browser.runtime.onConnect.addListener((port) => {
    const tabId = Number(port.name.slice(PANEL_PORT_PREFIX.length));
    if (!port.name.startsWith(PANEL_PORT_PREFIX) || !Number.isSafeInteger(tabId) || !fromOwnPage(port.sender)) {
      port.disconnect();
      return;
    }
    const open = panels.get(tabId) ?? new Set();
    panels.set(tabId, open.add(port));
    port.onDisconnect.addListener(() => {
      open.delete(port);
      if (open.size === 0) panels.delete(tabId);
    });
    port.onMessage.addListener(async (message: unknown) => {
      if (!isRecord(message) || typeof message.id !== 'number') return;
      const { id, envelope } = message;
      const valid = isEnvelope(envelope) && forThisTab(envelope.payload, tabId);
      post(port, { id, reply: valid ? await dispatch(envelope.kind, envelope.payload) : refused });
    });
  });
  // A finished load is also how a move to another site shows up, even where the new URL is not ours to read.
  browser.tabs.onUpdated.addListener((tabId, change) => {
    if (panels.has(tabId) && (change.status === 'complete' || change.url)) push(tabId, 'navigated');
  });
  browser.permissions.onAdded.addListener(() => push('all', 'access-changed'));
  browser.permissions.onRemoved.addListener(() => push('all', 'access-changed'));
}
