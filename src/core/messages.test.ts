import { describe, expect, test } from 'vitest';
import { isEnvelope } from './messages.ts';

const mint = {
  tabId: 3,
  origin: 'https://a.test',
  siteId: 'cds',
  name: 'x',
  description: '',
  scopes: ['Project', 'Run'],
  groups: ['12'],
  expiresInDays: 30,
  replace: false,
};

describe('isEnvelope', () => {
  test('accepts each declared kind with its payload shape', () => {
    expect(isEnvelope({ kind: 'tab-state', payload: { tabId: 3 } })).toBe(true);
    expect(isEnvelope({ kind: 'mint', payload: mint })).toBe(true);
    expect(isEnvelope({ kind: 'mint', payload: { ...mint, name: '', scopes: [], expiresInDays: null } })).toBe(true);
    expect(isEnvelope({ kind: 'await-job', payload: { jobId: 'j' } })).toBe(true);
    expect(isEnvelope({ kind: 'end-reveal', payload: { revealId: 'r' } })).toBe(true);
  });

  test.each([
    ['an unknown kind', { kind: 'eval', payload: {} }],
    ['an inherited key as kind', { kind: 'toString', payload: {} }],
    ['a missing payload', { kind: 'tab-state' }],
    ['a wrong type', { kind: 'tab-state', payload: { tabId: '3' } }],
    ['a negative tab id', { kind: 'tab-state', payload: { tabId: -1 } }],
    ['an extra field', { kind: 'tab-state', payload: { tabId: 3, url: 'https://evil.test' } }],
    ['a missing field', { kind: 'mint', payload: { ...mint, replace: undefined } }],
    ['scopes that are not strings', { kind: 'mint', payload: { ...mint, scopes: [1] } }],
    ['a fractional expiry', { kind: 'mint', payload: { ...mint, expiresInDays: 1.5 } }],
    ['not an object', 'tab-state'],
    ['null', null],
  ])('refuses %s', (_, message) => {
    expect(isEnvelope(message)).toBe(false);
  });
});
