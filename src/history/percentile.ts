/**
 * Percentiles of durations, for the /tasklist pages. Linear interpolation between the two closest ranks
 * (PostgreSQL's percentile_cont, numpy's default), so p50 of an even count is the mean of the middle
 * two. Computed here rather than in SQL: SQLite and MySQL have no percentile function.
 */

/** The `p`-th percentile (0..100) of `values`; null when there are none. `values` need not be sorted. */
export function percentile(values: readonly number[], p: number): number | null {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: ${p} is not between 0 and 100`);
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return percentileOfSorted(sorted, p);
}

/** As percentile, for values already sorted ascending (several percentiles of one list sort once). */
export function percentileOfSorted(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  const a = sorted[low] as number;
  const b = sorted[high] as number;
  return a + (b - a) * (rank - low);
}
