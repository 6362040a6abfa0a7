/**
 * Head candidates with their evidence, for eval/heads-fit.ts (development; body_num does not use
 * them: the calibrated soft count they allow measured worse than the hard rule, docs/counting.md).
 * The heads are src/vision/heads.ts `poseHead`s, grouped as its `dedupeHeads`.
 */
import type { CropWindow } from '../src/vision/crop.js';
import { FACE_KEYPOINTS, groupHeads, headSize, poseHead, type Head, type HeadPoseOptions } from '../src/vision/heads.js';
import type { PersonProposal } from '../src/vision/person-proposals.js';


/** One MultiPose run: its window (null = the whole image, letterboxed) and its proposals. */
export interface PoseRun {
  window: CropWindow | null;
  proposals: readonly PersonProposal[];
}

/** A head candidate: the best head of a group of pose heads of one place, and its evidence. */
export interface HeadCandidate {
  head: Head;
  /** The evidence, in HEAD_FEATURES order. */
  features: number[];
}

/** What a candidate's probability is fitted on (eval/heads-fit.ts), in this order. */
export const HEAD_FEATURES = [
  'logit of the best centre score',
  'best face keypoint score',
  'face keypoints >= 0.3 of the best pose / 5',
  'mean keypoint score of the best pose',
  'log2 head size in model pixels',
  'runs that saw it / runs whose window holds it',
  'log(1 + pose heads merged)',
] as const;

/** Face keypoints below this never place a head (a candidate's head uses >= minKeypointScore when it has such points). */
const CANDIDATE_KEYPOINT = 0.1;

const logit = (p: number) => Math.log(Math.max(p, 1e-4) / Math.max(1 - p, 1e-4));
const inside = (w: CropWindow | null, x: number, y: number) => w === null || (x >= w.x && x < w.x + w.width && y >= w.y && y < w.y + w.height);

/**
 * Head candidates from MultiPose runs: a head per pose (its confident face keypoints, else its
 * weak ones from 0.1), grouped best first within `duplicateRadius` × head size as dedupeHeads, with
 * the evidence of each group (HEAD_FEATURES).
 */
export function headCandidates(runs: readonly PoseRun[], size: { width: number; height: number }, o: Pick<HeadPoseOptions, 'minKeypointScore' | 'input'>, duplicateRadius: number): HeadCandidate[] {
  const raw: { head: Head; pose: PersonProposal; run: number; modelPx: number }[] = [];
  runs.forEach((r, run) => {
    const side = r.window ? r.window.width : Math.max(size.width, size.height);
    for (const pose of r.proposals) {
      const head = poseHead(pose, o.minKeypointScore) ?? poseHead(pose, CANDIDATE_KEYPOINT);
      if (head) raw.push({ head, pose, run, modelPx: (headSize(head) * o.input) / side });
    }
  });
  return groupHeads(raw, (r) => r.head, duplicateRadius).map((g) => {
    const best = g[0];
    const face = (p: PersonProposal) => FACE_KEYPOINTS.map((i) => p.keypoints[i].score);
    const seen = new Set(g.map((h) => h.run)).size;
    const holding = runs.filter((r) => inside(r.window, best.head.point.x, best.head.point.y)).length;
    return {
      head: best.head,
      features: [
        logit(best.head.score),
        Math.max(...g.flatMap((h) => face(h.pose))),
        face(best.pose).filter((s) => s >= 0.3).length / 5,
        best.pose.keypoints.reduce((s, k) => s + k.score, 0) / best.pose.keypoints.length,
        Math.log2(Math.max(best.modelPx, 1)),
        seen / Math.max(holding, 1),
        Math.log(1 + g.length),
      ],
    };
  });
}

/** Logistic model over HEAD_FEATURES. */
export interface HeadProbabilityModel {
  weights: number[];
  bias: number;
}

export function headProbability(features: readonly number[], m: HeadProbabilityModel): number {
  return 1 / (1 + Math.exp(-(m.bias + features.reduce((s, v, k) => s + v * m.weights[k], 0))));
}

