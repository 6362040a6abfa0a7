/**
 * The person finder: every person in an image as a box with a calibrated score, a head point and
 * (where pose ran) COCO-17 keypoints.
 *
 * 1. Candidates: the COCO detectors (NanoDet 416, CenterNet 512) run on the whole image and on a
 *    level of overlapping square tiles (tiles.ts) so small people are seen near native scale;
 *    greedy NMS inside each run, then weighted box fusion across runs and detectors with tile
 *    seam handling (box-fusion.ts). Each fused box carries its support: the mean person score
 *    over the runs whose window contained it.
 * 2. Verification: top-down MoveNet on every candidate (top-down.ts) gives keypoints and a pose
 *    confidence.
 * 3. Score: a logistic model of (support, best single-run score, pose confidence), fitted on the
 *    development sets (see PERSON_SCORE_WEIGHTS), so `score` reads as the probability that the
 *    box is a person at IoU ≥ 0.5. Duplicates are removed by box IoU and by keypoint OKS.
 */
import { loadModel, type Model } from '../runtime/session.js';
import type { Box, Keypoint, RgbImage } from '../types.js';
import { clampBox } from './box.js';
import { DEFAULT_FUSION_OPTIONS, fuseBoxes, nms, type FusionOptions, type RunBox } from './box-fusion.js';
import { DETECTOR_INPUT, runDetector, type DetectorName } from './detectors.js';
import { oksNms } from './pose-geometry.js';
import { planWindows, type TilePlan } from './tiles.js';
import { DEFAULT_TOP_DOWN_OPTIONS, poseForBox, type PoseModels, type TopDownOptions } from './top-down.js';

/** A found person. */
export interface FoundPerson {
  /** Image pixels, clamped to the image. */
  box: Box;
  /** Calibrated probability that this is a person (0-1). */
  score: number;
  /** Head centre estimate (from the face keypoints where pose ran, else from the box). */
  head: { x: number; y: number; score: number };
  /** COCO-17 keypoints in image pixels, where pose ran. */
  keypoints?: Keypoint[];
  /** The raw evidence the score is computed from. */
  evidence: { support: number; maxScore: number; votes: number; pose: number };
}

export interface PersonFinderOptions {
  /** Detectors run on the whole image. */
  detectors: DetectorName[];
  /**
   * Detectors run on the tiles. Both: on MOT17 (1080p) NanoDet tiles raised recall at minScore
   * 0.4 from 0.41 to 0.50 at the same precision (docs/person-finder.md), for about 1.5× the time.
   */
  tileDetectors: DetectorName[];
  /**
   * Tiles: none when the image's long side is at most this; otherwise the coarsest level whose
   * tiles are at most this big (1080p with 700: level 2, 617 px tiles).
   */
  maxTileSide: number;
  /**
   * Per-detector override of maxTileSide for its tile runs (e.g. NanoDet on coarser tiles than
   * CenterNet); a detector not listed uses maxTileSide.
   */
  tileSides?: Partial<Record<DetectorName, number>>;
  /** Maximum tile level. */
  maxLevel: number;
  /** Tile overlap (fraction of the tile side). */
  overlap: number;
  /** Raw detector boxes below this are dropped before fusion. */
  minRawScore: number;
  /** IoU of the per-run NMS. */
  runNms: number;
  fusion: FusionOptions;
  /** Fused boxes with support below this are not verified (not worth a pose run). */
  minCandidateSupport: number;
  /** Run pose on the candidates (without it the score uses the detector evidence alone). */
  pose: boolean;
  /**
   * Candidates whose detector-only probability (DETECTOR_ONLY_WEIGHTS) is below this are dropped
   * before pose runs (0 = every candidate is posed). Pose is most of the finder's cost on busy
   * frames; body_attr uses a gate.
   */
  poseGate: number;
  topDown: TopDownOptions;
  /** People below this calibrated score are dropped. */
  minScore: number;
  /** Final duplicate removal: box IoU and keypoint OKS above which the weaker one goes. */
  duplicateIou: number;
  duplicateOks: number;
}

export const DEFAULT_DETECTORS: DetectorName[] = ['nanodet', 'centernet'];
export const DEFAULT_TILE_DETECTORS: DetectorName[] = ['centernet', 'nanodet'];
/** CenterNet alone on the tiles: the cheaper plan body_analysis and body_tracking keep. */
export const CENTERNET_TILES: DetectorName[] = ['centernet'];
export const DEFAULT_MAX_TILE_SIDE = 700;
export const DEFAULT_MAX_LEVEL = 4;
export const DEFAULT_OVERLAP = 0.25;
export const DEFAULT_MIN_SCORE = 0.4;

export const DEFAULT_PERSON_FINDER_OPTIONS: PersonFinderOptions = {
  detectors: DEFAULT_DETECTORS,
  tileDetectors: DEFAULT_TILE_DETECTORS,
  maxTileSide: DEFAULT_MAX_TILE_SIDE,
  maxLevel: DEFAULT_MAX_LEVEL,
  overlap: DEFAULT_OVERLAP,
  minRawScore: 0.1,
  runNms: 0.5,
  fusion: DEFAULT_FUSION_OPTIONS,
  minCandidateSupport: 0.15,
  pose: true,
  poseGate: 0,
  topDown: DEFAULT_TOP_DOWN_OPTIONS,
  minScore: DEFAULT_MIN_SCORE,
  duplicateIou: 0.7,
  duplicateOks: 0.5,
};

/**
 * The finder for callers that need boxes more than every keypoint (attributes, person
 * detection): candidates the detectors alone rate under 0.2 are not posed. Measured: no recall
 * loss on pennfudan / mot17 (every third image), 15-35 % less time. Lightning for crops under
 * 160 px (96 in the default): the small people of surveillance frames cost a third as much to
 * pose (measured in docs/attributes.md); big people keep Thunder and its keypoint-centred second
 * pass, which the garment regions need (without it PETA's lower_wear fell below chance).
 */
export const GATED_PERSON_FINDER_OPTIONS: PersonFinderOptions = {
  ...DEFAULT_PERSON_FINDER_OPTIONS,
  poseGate: 0.2,
  topDown: { ...DEFAULT_TOP_DOWN_OPTIONS, lightningBelow: 160 },
};

/** Models the finder uses (the pose models only when options.pose). */
export const PERSON_FINDER_MODELS = ['nanodet', 'centernet', 'movenet-thunder', 'movenet-lightning'] as const;

export interface PersonFinderModels {
  detectors: Partial<Record<DetectorName, Model>>;
  pose?: PoseModels;
}

/** PersonFinderModels out of a set of loaded models keyed by registry name (an engine's hub). */
export function personFinderModels(models: Record<(typeof PERSON_FINDER_MODELS)[number], Model>): PersonFinderModels {
  return {
    detectors: { nanodet: models.nanodet, centernet: models.centernet },
    pose: { thunder: models['movenet-thunder'], lightning: models['movenet-lightning'] },
  };
}

/** The finder's models loaded on their own (tests, probes); an engine's hub shares them instead. */
export async function loadPersonFinderModels(threads: number): Promise<PersonFinderModels> {
  const loaded = await Promise.all(PERSON_FINDER_MODELS.map(async (n) => [n, await loadModel(n, { threads })] as const));
  return personFinderModels(Object.fromEntries(loaded) as Record<(typeof PERSON_FINDER_MODELS)[number], Model>);
}

export async function releasePersonFinderModels(models: PersonFinderModels): Promise<void> {
  const all = [...Object.values(models.detectors), models.pose?.thunder, models.pose?.lightning].filter((m): m is Model => Boolean(m));
  await Promise.all(all.map((m) => m.release()));
}

/** The tile plan for an image: the whole image, plus the coarsest tile level small enough. */
export function tilePlanFor(width: number, height: number, opts: Pick<PersonFinderOptions, 'maxTileSide' | 'maxLevel' | 'overlap'>): TilePlan {
  const plan: TilePlan = { whole: true, levels: [], overlap: opts.overlap };
  if (Math.max(width, height) <= opts.maxTileSide) return plan;
  const short = Math.min(width, height);
  for (let k = 1; k <= opts.maxLevel; k++) {
    const side = k === 1 ? short : short / (k - (k - 1) * opts.overlap);
    if (side <= opts.maxTileSide || k === opts.maxLevel) return { ...plan, levels: [k] };
  }
  return plan;
}

export interface Candidate {
  box: Box;
  support: number;
  maxScore: number;
  votes: number;
}

/** Stage 1: fused detector boxes over the whole image and the tiles. */
export async function personCandidates(models: PersonFinderModels, image: RgbImage, options: PersonFinderOptions = DEFAULT_PERSON_FINDER_OPTIONS): Promise<Candidate[]> {
  const plan = tilePlanFor(image.width, image.height, options);
  const whole = planWindows(image.width, image.height, { ...plan, levels: [] });
  const tilesFor = (name: DetectorName) => {
    const side = options.tileSides?.[name];
    const p = side === undefined ? plan : tilePlanFor(image.width, image.height, { ...options, maxTileSide: side });
    return planWindows(image.width, image.height, { ...p, whole: false });
  };
  const jobs = [
    ...options.detectors.flatMap((name) => whole.map((window) => ({ name, window }))),
    ...options.tileDetectors.flatMap((name) => tilesFor(name).map((window) => ({ name, window }))),
  ];
  const runs = jobs.map(({ name, window }) => ({ window, side: DETECTOR_INPUT[name] }));
  // Issued together: in a pool worker idle peers take some of the runs (engine/assist.ts).
  const perRun = await Promise.all(
    jobs.map(async ({ name, window }, run) => {
      const model = models.detectors[name];
      if (!model) throw new Error(`person finder: detector ${name} is not loaded`);
      const raw = await runDetector(name, model, image, window, options.minRawScore);
      return nms(raw, options.runNms).map((b): RunBox => ({ box: b.box, score: b.score, window, run }));
    }),
  );
  const boxes = perRun.flat();
  const fused = fuseBoxes(boxes, runs, image, options.fusion);
  return nms(
    fused.filter((f) => f.support >= options.minCandidateSupport).map((f) => ({ box: clampBox(f.box, image), score: f.support, support: f.support, maxScore: f.maxScore, votes: f.votes })),
    options.duplicateIou,
  )
    .filter((c) => c.box.width > 1 && c.box.height > 1)
    .map(({ box, support, maxScore, votes }) => ({ box, support, maxScore, votes }));
}

/** Pose confidence: mean of the 12 best keypoint scores (occluded limbs do not sink a person). */
export function poseConfidence(keypoints: readonly Keypoint[]): number {
  const s = keypoints.map((k) => k.score).sort((a, b) => b - a).slice(0, 12);
  return s.reduce((a, b) => a + b, 0) / Math.max(s.length, 1);
}

/**
 * Logistic weights of the calibrated score: z = w0 + w1·support + w2·maxScore + w3·pose
 * (pose = 0 weight when pose did not run: DETECTOR_ONLY weights). Fitted by logistic regression
 * on the development sets' candidates (label = matches a person at IoU ≥ 0.5).
 */
export const PERSON_SCORE_WEIGHTS = { bias: -3.62, support: 3.26, maxScore: 2.68, pose: 2.92 };
export const DETECTOR_ONLY_WEIGHTS = { bias: -3.37, support: 3.86, maxScore: 3.92, pose: 0 };

export function calibratedScore(e: FoundPerson['evidence'], posed: boolean): number {
  const w = posed ? PERSON_SCORE_WEIGHTS : DETECTOR_ONLY_WEIGHTS;
  const z = w.bias + w.support * e.support + w.maxScore * e.maxScore + w.pose * e.pose;
  return 1 / (1 + Math.exp(-z));
}

const NOSE = 0, LEFT_EYE = 1, RIGHT_EYE = 2, LEFT_EAR = 3, RIGHT_EAR = 4;

/** Head centre: the mean of the confident face keypoints, else a point a tenth down the box. */
export function headPoint(box: Box, keypoints?: readonly Keypoint[]): FoundPerson['head'] {
  if (keypoints) {
    const face = [NOSE, LEFT_EYE, RIGHT_EYE, LEFT_EAR, RIGHT_EAR].map((i) => keypoints[i]).filter((k) => k.score >= 0.3);
    if (face.length >= 2) {
      const n = face.length;
      return { x: face.reduce((s, k) => s + k.x, 0) / n, y: face.reduce((s, k) => s + k.y, 0) / n, score: face.reduce((s, k) => s + k.score, 0) / n };
    }
  }
  return { x: box.left + box.width / 2, y: box.top + Math.min(box.width, box.height) * 0.25, score: 0 };
}

/** Stage 2: top-down keypoints for every person (or candidate), and their pose confidence. */
export async function estimatePoses<T extends { box: Box }>(
  models: PoseModels,
  image: RgbImage,
  people: readonly T[],
  opts: TopDownOptions = DEFAULT_TOP_DOWN_OPTIONS,
): Promise<(T & { keypoints: Keypoint[]; poseScore: number })[]> {
  // One crop per run (batching measured no faster, top-down.ts), issued together so idle pool
  // workers can take some (engine/assist.ts); the answers keep the people's order.
  return Promise.all(
    people.map(async (p) => {
      const keypoints = await poseForBox(models, image, p.box, opts);
      return { ...p, keypoints, poseScore: poseConfidence(keypoints) };
    }),
  );
}

/** Every person in the image. */
export async function findPeople(
  models: PersonFinderModels,
  image: RgbImage,
  options: Partial<PersonFinderOptions> = {},
): Promise<FoundPerson[]> {
  const o = { ...DEFAULT_PERSON_FINDER_OPTIONS, ...options };
  const posed = o.pose && models.pose;
  const all = await personCandidates(models, image, o);
  const candidates = posed && o.poseGate > 0
    ? all.filter((c) => calibratedScore({ support: c.support, maxScore: c.maxScore, votes: c.votes, pose: 0 }, false) >= o.poseGate)
    : all;
  const withPose = posed ? await estimatePoses(models.pose!, image, candidates, o.topDown) : candidates.map((c) => ({ ...c, keypoints: undefined, poseScore: 0 }));
  const people: FoundPerson[] = withPose.map((c) => {
    const evidence = { support: c.support, maxScore: c.maxScore, votes: c.votes, pose: c.poseScore };
    return { box: c.box, score: calibratedScore(evidence, Boolean(posed)), head: headPoint(c.box, c.keypoints), keypoints: c.keypoints, evidence };
  });
  const kept = people.filter((p) => p.score >= o.minScore);
  if (!posed) return kept.sort((a, b) => b.score - a.score);
  return oksNms(kept as (FoundPerson & { keypoints: Keypoint[] })[], o.duplicateOks);
}

/** Expected number of people: the sum of the calibrated probabilities (use a low minScore). */
export function expectedCount(people: readonly { score: number }[]): number {
  return people.reduce((s, p) => s + p.score, 0);
}
