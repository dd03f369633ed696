import { describe, expect, it } from 'vitest';
import type { TabState } from './messages.ts';
import { popupAddressShowing, shownFrom, shownInHash } from './shown-state.ts';

const ready: TabState = {
  status: 'ready',
  origin: 'https://analytics.example.com',
  site: { id: 'gooddata', name: 'GoodData' },
  user: { id: 'demo', name: 'Demo User' },
  form: {},
  reveals: [],
};

describe('shownFrom', () => {
  it('keeps a ready state without its reveals, job or notice', () => {
    expect(shownFrom(ready)).toEqual({ status: 'ready', origin: ready.origin, site: ready.site, user: ready.user, form: {} });
  });

  it('keeps nothing while a reveal, a running mint or a notice waits: those must come from the background', () => {
    const reveal = { id: 'r1' } as TabState['reveals'][number];
    expect(shownFrom({ ...ready, reveals: [reveal] })).toBeUndefined();
    expect(shownFrom({ ...ready, job: { id: 'j1', name: 'x' } })).toBeUndefined();
    expect(shownFrom({ ...ready, notice: { code: 'interrupted', sentence: 'S.', next: 'N.' } })).toBeUndefined();
  });

  it('keeps nothing of a state that is not ready', () => {
    expect(shownFrom({ status: 'no-page', reveals: [] })).toBeUndefined();
    expect(shownFrom({ status: 'unsupported', origin: ready.origin, siteNames: [], reveals: [] })).toBeUndefined();
  });
});

describe('the popup address of a tab', () => {
  const ahead = { tabId: 7, shown: shownFrom(ready)! };

  const page = 'src/popup/index.html';

  it('carries the state and its tab in the fragment, and gives them back', () => {
    const address = popupAddressShowing(page, ahead);
    expect(address.startsWith(`${page}#`)).toBe(true);
    expect(shownInHash(new URL(address, 'chrome-extension://id/').hash)).toEqual(ahead);
  });

  it('survives names that mean something in an address', () => {
    const odd = { ...ahead, shown: { ...ahead.shown, user: { id: 'a#b', name: 'Ä %20 & ?x=1' } } };
    expect(shownInHash(new URL(popupAddressShowing(page, odd), 'chrome-extension://id/').hash)).toEqual(odd);
  });

  it('draws nothing from any other fragment', () => {
    const drawable = { status: 'ready', origin: 'o', site: { id: 's', name: 'S' }, user: { id: 'u', name: 'U' }, form: {} };
    expect(shownInHash(`#${encodeURIComponent(JSON.stringify({ tabId: 1, shown: drawable }))}`)).toEqual({ tabId: 1, shown: drawable });
    const broken = [{ tabId: '1', shown: drawable }, { tabId: 1, shown: { ...drawable, form: null } }, { tabId: 1, shown: { ...drawable, user: {} } }];
    const texts = ['', '#x', '%7B', 'null', '%7B%22tabId%22%3A1%7D', ...broken.map((ahead) => encodeURIComponent(JSON.stringify(ahead)))];
    for (const hash of ['', ...texts.map((text) => `#${text}`)]) {
      expect(shownInHash(hash)).toBeUndefined();
    }
  });
});
