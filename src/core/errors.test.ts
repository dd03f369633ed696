import { describe, expect, test } from 'vitest';
import { siteDetail, siteError, toUserError } from './errors.ts';

describe('toUserError', () => {
  test('passes a site error through as its plain data', () => {
    const link = { label: 'Sign in', url: 'https://x.test/login' };
    expect(toUserError(siteError('signed-out', 'Signed out.', 'Sign in.', link))).toEqual({
      code: 'signed-out',
      sentence: 'Signed out.',
      next: 'Sign in.',
      link,
    });
  });

  test('never shows the text or stack of an unexpected exception', () => {
    const error = toUserError(new TypeError("Cannot read properties of undefined (reading 'secret-value')"));
    expect(error.code).toBe('internal');
    expect(JSON.stringify(error)).not.toMatch(/secret-value|TypeError|undefined/);
  });
});

describe('siteDetail', () => {
  test('folds white space and drops a trailing full stop, so it fits inside a sentence', () => {
    expect(siteDetail('  Token id\n is   invalid. ')).toBe('Token id is invalid');
  });

  test('cuts long text', () => {
    expect(siteDetail('x'.repeat(500))).toHaveLength(158);
  });

  test('ignores what is not text', () => {
    expect(siteDetail({ nested: true })).toBeUndefined();
    expect(siteDetail('   ')).toBeUndefined();
  });
});
