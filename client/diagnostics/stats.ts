/** The `p`th percentile (0–100) of `values` by nearest rank, rounded to 0.1 ms; null for none. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = values.slice().sort(function (a, b) {
    return a - b;
  });
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[rank] * 10) / 10;
}

/** A clock in ms: `performance.now` where there is one. */
export function now(): number {
  return typeof performance !== 'undefined' && performance.now ? performance.now() : new Date().getTime();
}
