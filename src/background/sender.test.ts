import { describe, expect, test } from 'vitest';
import type { Runtime } from 'webextension-polyfill';
import { isOwnPage } from './sender.ts';

const id = 'abcdefghijklmnopabcdefghijklmnop';
const own = `chrome-extension://${id}`;

describe('isOwnPage', () => {
  test.each<[string, Runtime.MessageSender]>([
    ['the popup', { id, url: `${own}/src/popup/index.html`, origin: own } as Runtime.MessageSender],
    ['the popup opened in a tab', { id, url: `${own}/src/popup/index.html?tabId=4`, tab: { id: 4 } } as Runtime.MessageSender],
    ['a Firefox page known by url only', { id, url: `moz-extension://${id}/popup.html` }],
  ])('accepts %s', (_, sender) => {
    const origin = sender.url?.startsWith('moz-') ? `moz-extension://${id}` : own;
    expect(isOwnPage(sender, id, origin)).toBe(true);
  });

  test.each<[string, Runtime.MessageSender]>([
    ['our content script in a web page', { id, url: 'https://evil.test/', origin: 'https://evil.test' } as Runtime.MessageSender],
    ['a web page claiming our path', { id, url: `https://evil.test/${own}` }],
    ['another extension', { id: 'other', url: `chrome-extension://other/page.html` }],
    ['a sender with no url or origin', { id }],
  ])('refuses %s', (_, sender) => {
    expect(isOwnPage(sender, id, own)).toBe(false);
  });
});
