import { describe, expect, it } from 'vitest';
import type { TabState } from './messages.ts';
import { shownFrom } from './shown-state.ts';

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
