/** Summary of one measured series: the median is the figure, the spread says how much to trust it. */
export interface Series {
  runs: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function summarise(values: number[]): Series {
  if (values.length === 0) throw new Error('nothing was measured');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    runs: sorted.length,
    median: quantile(sorted, 0.5),
    p10: quantile(sorted, 0.1),
    p90: quantile(sorted, 0.9),
    min: sorted[0]!,
    max: sorted.at(-1)!,
  };
}

export const ms = (value: number) => `${value.toFixed(1)} ms`;

/** "12.3 ms (p10–p90 11.0–14.1, n=25)" */
export function describe(series: Series, unit: (value: number) => string = ms): string {
  return `${unit(series.median)} (p10–p90 ${unit(series.p10).replace(/ ms$/, '')}–${unit(series.p90)}, n=${series.runs})`;
}
