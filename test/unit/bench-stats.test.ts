import { describe as group, expect, it } from 'vitest';
import { describe, summarise } from '../../bench/stats.ts';

group('bench statistics', () => {
  it('takes nearest-rank quantiles of unsorted runs', () => {
    const series = summarise([9, 1, 5, 3, 7, 2, 8, 4, 6, 10]);
    expect(series).toEqual({ runs: 10, median: 5, p10: 1, p90: 9, min: 1, max: 10 });
  });

  it('summarises a single run as itself', () => {
    expect(summarise([4.2])).toEqual({ runs: 1, median: 4.2, p10: 4.2, p90: 4.2, min: 4.2, max: 4.2 });
  });

  it('refuses an empty series rather than printing NaN', () => {
    expect(() => summarise([])).toThrow('nothing was measured');
  });

  it('describes a series as median with its spread', () => {
    expect(describe(summarise([10, 12, 11]))).toBe('11.0 ms (p10–p90 10.0–12.0 ms, n=3)');
  });
});
