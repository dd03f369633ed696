import { describe, expect, test } from 'vitest';
import { mask, suggestName } from './token.ts';

describe('mask', () => {
  test('shows the first and last four characters only', () => {
    expect(mask('ZGVtbzp0ZXN0X3Rva2VuOkZuVVluMWtqUm9ydjM1ZENEK2lmM3djWmN5WktGbUNa')).toBe('ZGVt…bUNa');
  });

  test('hides a short secret entirely, since eight characters would be most of it', () => {
    expect(mask('abcdefghijklmno')).toBe('••••••••');
    expect(mask('')).toBe('••••••••');
  });
});

describe('suggestName', () => {
  test('is the date and four random characters', () => {
    const values = [0, 0.5, 0.999, 0.1];
    expect(suggestName(new Date('2026-11-22T10:00:00Z'), () => values.shift()!)).toBe('tokenmint-20261122-as9d');
  });

  test('differs from one call to the next', () => {
    const names = new Set(Array.from({ length: 50 }, () => suggestName(new Date())));
    expect(names.size).toBeGreaterThan(45);
  });
});
