/** Small helpers for attribute distributions (a probability per value name). */

export const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
export const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Scaled so the values sum to 1 (flat over the keys when they sum to 0). */
export function normalise(p: Record<string, number>): Record<string, number> {
  const keys = Object.keys(p);
  const sum = keys.reduce((s, k) => s + Math.max(0, p[k]), 0);
  return Object.fromEntries(keys.map((k) => [k, sum > 0 ? Math.max(0, p[k]) / sum : 1 / keys.length]));
}

export const flat = (names: readonly string[]): Record<string, number> => Object.fromEntries(names.map((n) => [n, 1 / names.length]));

/** trust × p + (1 - trust) × q, key by key (p's keys). */
export function softmix(p: Record<string, number>, q: Record<string, number>, trust: number): Record<string, number> {
  return Object.fromEntries(Object.keys(p).map((k) => [k, trust * p[k] + (1 - trust) * (q[k] ?? 0)]));
}

/** Two-value distribution from the probability of the second. */
export const binary = (no: string, yes: string, pYes: number): Record<string, number> => ({ [no]: 1 - clamp01(pYes), [yes]: clamp01(pYes) });

/** The most probable value and its probability. */
export function argmax(p: Record<string, number>): { name: string; score: number } {
  let name = '', score = -1;
  for (const [k, v] of Object.entries(p)) if (v > score) { name = k; score = v; }
  return { name, score };
}
