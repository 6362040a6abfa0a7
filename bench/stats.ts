/** Small statistics shared by the bench cases. */

/** Nearest rank: the smallest value with at least p% of samples at or below it (0 when empty). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}
