/**
 * The body keypoint pipeline shared by every capability that needs people with Baidu's 21
 * points (body_analysis, video frames, body_seg, the ID photo): proposals from MoveNet
 * MultiPose, a MoveNet Thunder pass on a crop per person, duplicate removal by OKS, then the
 * derived Baidu points.
 */
import type { Model } from '../runtime/session.js';
import type { Keypoint, Person, RgbImage } from '../types.js';
import { detectPeople, type PersonProposal } from './person-proposals.js';
import { refinePose } from './pose-refiner.js';
import { toBody21 } from './body21.js';
import { oksNms, keypointBox, personScore } from './pose-geometry.js';
import { clampBox } from './box.js';

/** Tunables of the body pipeline, with the values the eval harness measured best. */
export interface BodyOptions {
  /** Drop people whose keypoint-based score is below this (0-1). */
  minPersonScore: number;
  /** OKS above which two results are the same person (the weaker one is dropped). */
  duplicateOks: number;
}

export const DEFAULT_BODY_OPTIONS: BodyOptions = {
  minPersonScore: 0.15,
  duplicateOks: 0.5,
};

export interface BodyModels {
  proposer: Model;
  refiner: Model;
}

/** The models of BodyModels, by registry name. */
export const BODY_POSE_MODELS = ['movenet-multipose', 'movenet-thunder'] as const;

/** BodyModels out of a set of loaded models keyed by registry name. */
export function bodyModels(models: Record<(typeof BODY_POSE_MODELS)[number], Model>): BodyModels {
  return { proposer: models['movenet-multipose'], refiner: models['movenet-thunder'] };
}

function clampPoint(p: Keypoint, image: RgbImage): Keypoint {
  return {
    x: Math.min(Math.max(p.x, 0), image.width - 1),
    y: Math.min(Math.max(p.y, 0), image.height - 1),
    score: p.score,
  };
}

export async function analyzePeople(
  models: BodyModels,
  image: RgbImage,
  options: BodyOptions = DEFAULT_BODY_OPTIONS,
): Promise<Person[]> {
  const proposals: PersonProposal[] = await detectPeople(models.proposer, image);
  const refined: { keypoints: Keypoint[]; score: number }[] = [];
  // Sequential on purpose: each worker owns one core; parallel runs would only contend.
  for (const proposal of proposals) {
    const keypoints = await refinePose(models.refiner, image, proposal);
    refined.push({ keypoints, score: personScore(keypoints, proposal.score) });
  }
  const kept = oksNms(
    refined.filter((r) => r.score >= options.minPersonScore),
    options.duplicateOks,
  );
  return kept.map(({ keypoints, score }) => {
    const named = toBody21(keypoints);
    const clamped = Object.fromEntries(
      Object.entries(named).map(([k, p]) => [k, clampPoint(p, image)]),
    ) as Person['keypoints'];
    return { box: clampBox(keypointBox(Object.values(named)), image), score, keypoints: clamped };
  });
}
