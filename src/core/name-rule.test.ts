import { describe, expect, test } from 'vitest';
import { nameProblem, type NameRule } from './name-rule.ts';

const rule: NameRule = { pattern: '^(?!\\.)[.A-Za-z0-9_-]{1,255}$', maxLength: 255, hint: 'letters only' };

describe('nameProblem', () => {
  test.each(['a', 'ext-20261122-ab12', 'a.b_c-d', 'x'.repeat(255)])('accepts %s', (name) => {
    expect(nameProblem(rule, name)).toBeNull();
  });

  test.each([
    ['', 'Enter a name for the token.'],
    ['.hidden', 'letters only'],
    ['has space', 'letters only'],
    ['user:name', 'letters only'],
    ['x'.repeat(256), 'Use at most 255 characters.'],
  ])('refuses %j with %s', (name, message) => {
    expect(nameProblem(rule, name)).toBe(message);
  });
});
