import type { Envelope, Reply } from './messages.ts';

/**
 * The devtools panel's connection: a port named after the inspected tab, carrying the same typed envelopes as
 * one-off messages, plus pushes from the background when the tab or the extension's access changes.
 */
export const PANEL_PORT_PREFIX = 'panel:';

export const panelPortName = (tabId: number) => `${PANEL_PORT_PREFIX}${tabId}`;

export type Push = 'navigated' | 'access-changed';

export type PanelToBackground = { id: number; envelope: Envelope };
export type BackgroundToPanel = { id: number; reply: Reply<unknown> } | { push: Push };
