import { describe, expect, test } from 'vitest';
import { isEnvelope } from './messages.ts';

describe('isEnvelope', () => {
  test('accepts each declared kind with its payload shape', () => {
    expect(isEnvelope({ kind: 'tab-state', payload: { tabId: 3 } })).toBe(true);
    expect(isEnvelope({ kind: 'mint', payload: { tabId: 3, origin: 'https://a.test', siteId: 'gooddata', name: 'x' } })).toBe(true);
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
    ['a missing field', { kind: 'mint', payload: { tabId: 3, origin: 'https://a.test', siteId: 'gooddata' } }],
    ['not an object', 'tab-state'],
    ['null', null],
  ])('refuses %s', (_, message) => {
    expect(isEnvelope(message)).toBe(false);
  });
});
