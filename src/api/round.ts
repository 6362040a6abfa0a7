/** Decimal rounding for API responses: compact JSON that stays sub-pixel exact. */
export function round(v: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
