/**
 * The nine behaviours as logistic models over the cue evidence, each with the threshold chosen
 * for it. Weights and thresholds come from the `driver` eval suite's tuning halves (eval/driver.ts
 * prints the fit; docs/driver.md lists what each was measured on). Where a behaviour has no
 * labelled positives on this machine its weights are set by hand on the cue's physical range and
 * kept shallow, and docs/driver.md says so.
 */

import type { FaceGeometry } from '../../vision/face-mesh.js';

/** The seed's order (also the response order). */
export const DRIVER_BEHAVIORS = [
  'smoke', 'cellphone', 'not_buckling_up', 'both_hands_leaving_wheel', 'not_facing_front',
  'no_face_mask', 'yawning', 'eyes_closed', 'head_lowered',
] as const;
export type DriverBehavior = (typeof DRIVER_BEHAVIORS)[number];

/** Raw cue values (docs/driver.md). Face cues are absent when no face was found. */
export interface Evidence extends Pick<FaceGeometry, 'mouthOpening' | 'jawDrop' | 'yaw' | 'pitch' | 'yawOffset' | 'noseDrop'> {
  faceScore: number;
  meshScore: number;
  /** Mean eyelid opening of the two eyes (iris model: lid gap over eye width). */
  ear: number;
  /** The same from the face mesh's eye points (a second, weaker reading). */
  meshEar: number;
  /** 0..1 closeness of the nearest hand to an ear / to the mouth. */
  handAtEar: number;
  handAtMouth: number;
  /** Best CenterNet `cell phone` score within 1.5 face sizes of the face. */
  phoneNear: number;
  maskChroma: number;
  maskLuma: number;
  maskTexture: number;
  brightShare: number;
  brightElongation: number;
  beltCoherence: number;
  beltSamples: number;
  handsOff: number;
}

export interface BehaviorModel {
  /** Probability from the evidence; where the cue could not be measured, `unmeasuredScore`. */
  score(e: Partial<Evidence>): number;
  threshold: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const clamp01 = (v: number) => Math.min(1, Math.max(0, v));

/** Logistic weights: z = bias + Σ w·feature; features are named functions of the evidence. */
export interface Logistic {
  bias: number;
  weights: Record<string, number>;
}

/** The features each model reads (the eval fits the same ones). */
export const FEATURES = {
  yawning: (e: Evidence) => ({ mouth: e.mouthOpening, jaw: e.jawDrop }),
  eyes_closed: (e: Evidence) => ({ ear: e.ear }),
  not_facing_front: (e: Evidence) => ({ yaw: Math.abs(e.yaw) / 45, offset: Math.abs(e.yawOffset) }),
  head_lowered: (e: Evidence) => ({ pitch: e.pitch / 30, drop: e.noseDrop }),
  cellphone: (e: Evidence) => ({ phone: e.phoneNear, ear: e.handAtEar }),
  smoke: (e: Evidence) => ({ mouth: e.handAtMouth, bright: e.handAtMouth * e.brightShare * e.brightElongation * 10 }),
  no_face_mask: (e: Evidence) => ({ chroma: e.maskChroma / 10, luma: e.maskLuma / 30 }),
} satisfies Partial<Record<DriverBehavior, (e: Evidence) => Record<string, number>>>;
type FaceBehavior = keyof typeof FEATURES;

/** Weights and thresholds per face/hand behaviour (see the header for where they come from). */
export const LOGISTIC: Record<FaceBehavior, Logistic & { threshold: number; prior: number }> = {
  yawning: { bias: -3.05, weights: { mouth: 20.09, jaw: -1.63 }, threshold: 0.35, prior: 0.05 },
  eyes_closed: { bias: 3.98, weights: { ear: -28.33 }, threshold: 0.41, prior: 0.1 },
  not_facing_front: { bias: -5.92, weights: { yaw: 6.91, offset: -0.2 }, threshold: 0.66, prior: 0.4 },
  head_lowered: { bias: -3, weights: { pitch: 3, drop: 0 }, threshold: 0.5, prior: 0.2 },
  cellphone: { bias: -3.72, weights: { phone: 3.81, ear: 5.64 }, threshold: 0.63, prior: 0.05 },
  smoke: { bias: -4.5, weights: { mouth: 1.5, bright: 1.5 }, threshold: 0.5, prior: 0.03 },
  no_face_mask: { bias: 4.65, weights: { chroma: -1.6, luma: -0.8 }, threshold: 0.5, prior: 0.5 },
};

export function logisticScore(model: Logistic, features: Record<string, number>): number {
  let z = model.bias;
  for (const [k, w] of Object.entries(model.weights)) z += w * (features[k] ?? 0);
  return sigmoid(z);
}

/**
 * What a behaviour answers when its cue was not measured (no face, no shoulders): its prior, but
 * never more than half its threshold, so nothing unmeasured reaches a threshold and an answer at
 * or over one always rests on a measurement. Below the threshold it says "not seen", not "absent".
 */
export const UNMEASURED_SHARE = 0.5;
export const unmeasuredScore = (prior: number, threshold: number): number => Math.min(prior, UNMEASURED_SHARE * threshold);

/** A face was measured: the mesh geometry is there (a face the mesh rejected carries none). */
const hasFace = (e: Partial<Evidence>): e is Evidence => e.mouthOpening !== undefined;

function faceModel(b: FaceBehavior): BehaviorModel {
  const m = LOGISTIC[b];
  const unmeasured = unmeasuredScore(m.prior, m.threshold);
  return {
    threshold: m.threshold,
    score: (e) => (hasFace(e) ? logisticScore(m, FEATURES[b](e)) : unmeasured),
  };
}

/**
 * Seat belt: hand-set, shallow (no labelled belt-less cabin frames here). Coherence 0.5 is
 * texture without direction; a belt edge along the diagonal lifts it towards 0.7 and beyond.
 */
export const BELT = { bias: 1.2, slope: -8, threshold: 0.6, prior: 0.5 };
/** Hands off the wheel: hand-set on the off-wheel evidence's range (0 on the rim, 0.3 unseen, 1 off). */
export const HANDS_OFF = { bias: -3, slope: 5, threshold: 0.6 };

export const BEHAVIOR_MODELS: Record<DriverBehavior, BehaviorModel> = {
  smoke: faceModel('smoke'),
  cellphone: faceModel('cellphone'),
  not_buckling_up: {
    threshold: BELT.threshold,
    score: (e) => (e.beltSamples ? sigmoid(BELT.bias + BELT.slope * (clamp01(e.beltCoherence ?? 0.5) - 0.5)) : unmeasuredScore(BELT.prior, BELT.threshold)),
  },
  both_hands_leaving_wheel: { threshold: HANDS_OFF.threshold, score: (e) => sigmoid(HANDS_OFF.bias + HANDS_OFF.slope * (e.handsOff ?? 0.3)) },
  not_facing_front: faceModel('not_facing_front'),
  no_face_mask: faceModel('no_face_mask'),
  yawning: faceModel('yawning'),
  eyes_closed: faceModel('eyes_closed'),
  head_lowered: faceModel('head_lowered'),
};
