/**
 * Score calibration of the answers PETA can check: the reported score of an answer is
 * sigmoid(a + b · logit(p)), p the evidence model's probability of that answer, fitted by
 * logistic regression (Platt) on the PETA development crops (both capabilities' answers pooled,
 * slope kept ≥ 0). A slope of 0 means the evidence did not rank right from wrong answers: the
 * score is then the measured hit rate, the honest answer for a cue that carries no signal.
 * Leave-one-subset-out (CUHK ↔ VIPeR) ECE before → after: docs/attributes.md. Attributes PETA
 * does not label, headwear (the map did not help out of subset) and gender (its fusion logistic
 * in face-attributes.ts is itself the fitted model: ECE 0.061 person_attributes) keep p.
 */
import type { AttributeName } from './vocabulary.js';

export const SCORE_CALIBRATION: Partial<Record<AttributeName, { a: number; b: number }>> = {
  age: { a: 1.203, b: 1.895 },
  upper_wear: { a: 1.193, b: 0.072 },
  lower_wear: { a: 0.416, b: 1.07 },
  // Refitted for the PETA-fitted colour namer (colour.ts DEFAULT_COLOUR_NAMING): the vote's
  // share ranks right from wrong answers only weakly, lower colour hardly at all.
  upper_color: { a: 0.125, b: 0.174 },
  lower_color: { a: 0.241, b: 0.082 },
  // The bag cue ranks kinds (balanced accuracy ~0.48 against 1/3) but its confidence does not
  // rank right from wrong: the score is the measured hit rate, 0.46.
  bag: { a: -0.17, b: 0 },
};

/** The calibrated score of an answer with evidence probability `p`. */
export function calibratedScore(attribute: AttributeName, p: number): number {
  const c = SCORE_CALIBRATION[attribute];
  if (!c) return p;
  const q = Math.min(Math.max(p, 1e-4), 1 - 1e-4);
  return 1 / (1 + Math.exp(-(c.a + c.b * Math.log(q / (1 - q)))));
}
