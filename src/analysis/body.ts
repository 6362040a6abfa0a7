import { availableParallelism } from 'node:os';
import { decodeImage, type IntakeOptions } from '../intake/index.js';
import { loadModel, type Model } from '../runtime/session.js';
import type { Box, Keypoint, Person, RgbImage } from '../types.js';
import type { BodyAnalysis } from './types.js';
import { detectPeople, type PersonProposal } from '../vision/person-proposals.js';
import { refinePose } from '../vision/pose-refiner.js';
import { toBody21 } from '../vision/body21.js';
import { oksNms, keypointBox, personScore } from '../vision/pose-geometry.js';
import { clampBox } from '../vision/box.js';

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

export interface BodyAnalyzer {
  /** Decodes and analyses an encoded image (JPEG/PNG/BMP/...); intake errors are ServiceErrors. */
  analyze(bytes: Uint8Array, intake?: IntakeOptions): Promise<BodyAnalysis>;
  /** Analyses an already decoded image. */
  analyzeImage(image: RgbImage): Promise<Person[]>;
  close(): Promise<void>;
}

export interface BodyModels {
  proposer: Model;
  refiner: Model;
}

export async function loadBodyModels(threads: number): Promise<BodyModels> {
  const [proposer, refiner] = await Promise.all([
    loadModel('movenet-multipose', { threads }),
    loadModel('movenet-thunder', { threads }),
  ]);
  return { proposer, refiner };
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

/** `models`: share already loaded body models (the caller then owns them; close() leaves them). */
export async function createBodyAnalyzer(opts: { threads?: number; models?: BodyModels } = {}): Promise<BodyAnalyzer> {
  const models = opts.models ?? (await loadBodyModels(opts.threads ?? availableParallelism()));
  return {
    async analyze(bytes, intake) {
      const image = await decodeImage(bytes, intake);
      const persons = await analyzePeople(models, image);
      return { image: { width: image.width, height: image.height }, persons };
    },
    analyzeImage: (image) => analyzePeople(models, image),
    async close() {
      if (!opts.models) await Promise.all([models.proposer.release(), models.refiner.release()]);
    },
  };
}
