/**
 * The body keypoint pipeline shared by every capability that needs people with Baidu's 21
 * points (body_analysis, video frames, body_seg, the ID photo).
 *
 * Combined pipeline (default):
 *   1. MultiPose 256 proposals (the old pipeline's first stage);
 *   2. gate: when MultiPose has exactly one proposal and its Thunder-refined person scores at
 *      least 0.5 (old scale) and is at least a quarter of the image tall, the old pipeline
 *      explains the image and the detectors do not run (studio-single, the studio video), and that
 *      person's keypoints are refined by BlazePose heavy on a body-aligned ROI (`SinglePersonOptions`,
 *      blazepose.ts; docs/person-finder.md "Seventh pass": one heavy run, ~+60 ms per photo; not
 *      when a hip is unsure or BlazePose sees no pose there);
 *      Relaxing "exactly one proposal" to "one proposal of centre score >= 0.3" cost coco-mini
 *      box recall 0.41 -> 0.37 and was dropped;
 *   3. otherwise the person finder's detectors in boxes-only mode (person-finder.ts
 *      `personCandidates`): CenterNet on the whole image, plus CenterNet on level-1 tiles when
 *      the long side exceeds 1100 px (1080p: three 1080 px tiles; against the finder's 700 px
 *      rule same MOT17 recall, 2/3 of the time);
 *   4. each proposal is refined by Thunder as before, except that a proposal no candidate box
 *      matches (IoU >= 0.5 with its rough keypoint box) is refined only from centre score 0.3
 *      (the rest almost never survived: -46 ms per coco-mini image for -0.005 AP);
 *   5. candidate boxes no proposal covers (IoU < 0.5) with detector support >= 0.25 get the
 *      finder's box-tied top-down pose (top-down.ts; Lightning under 96 px);
 *   6. one score scale, the old one: personScore(keypoints, s) with s = the proposal's centre
 *      score for MultiPose people and the finder's calibrated probability for finder people
 *      (measured against the calibrated probability for everyone: equal on coco-mini, keeps
 *      coco(4) and studio-single exactly at the old AP, and keeps the meaning of the score the
 *      tracker and the ID photo thresholds were set on); minPersonScore, then OKS-NMS.
 * `pipeline: 'multipose'` runs MultiPose + Thunder alone (the pre-finder pipeline).
 *
 * Measured (eval/hybrid-probe.ts, 1 thread, old vs combined in one sitting, box = keypoint
 * extent): pose AP coco-mini 0.332 -> 0.369, coco(4) 0.794 = 0.794, crowdpose 0.588 -> 0.753,
 * studio-single 0.909 = 0.909; box recall (>= 30 px) coco-mini 0.33 -> 0.41, mot17 0.15 ->
 * 0.45, pennfudan 0.89 -> 0.91; ms/image coco-mini 134 -> 173, studio-single 58 = 58, one
 * 1080p MOT17 frame 191 ms / 3 people -> 583 ms / 12 people. NanoDet beside CenterNet on
 * photos (`combined.detectors`, loaded when the models record has `nanodet`): coco-mini AP
 * 0.389, recall 0.46 at +35 ms, but crowdpose 0.59; not the default.
 */
import { mapInFlight } from './in-flight.js';
import type { Model } from '../runtime/session.js';
import type { Keypoint, Person, RgbImage } from '../types.js';
import { detectPeople, type PersonProposal } from './person-proposals.js';
import { refinePose } from './pose-refiner.js';
import { toBody21 } from './body21.js';
import { oksNms, keypointBox, personScore } from './pose-geometry.js';
import { boxIou, clampBox } from './box.js';
import type { DetectorName } from './detectors.js';
import {
  CENTERNET_TILES,
  DEFAULT_PERSON_FINDER_OPTIONS,
  calibratedScore,
  personCandidates,
  poseConfidence,
  type Candidate,
  type PersonFinderModels,
} from './person-finder.js';
import { DEFAULT_TOP_DOWN_OPTIONS, poseForBox, type TopDownOptions } from './top-down.js';
import {
  BLAZEPOSE_MODELS,
  MIN_POSEFLAG,
  auxWindow,
  blazePoseToCoco17,
  detectPoses,
  fuseKeypoints,
  hipCentre,
  hipsSure,
  keypointsWindow,
  runBlazePose,
  type BlazePoseModelName,
  type KeypointFusion,
} from './blazepose.js';

/** How the old and the finder's people are combined (measured: docs/person-finder.md). */
export interface CombinedOptions {
  /** Detectors of the finder on the whole image (the tiles run CenterNet). */
  detectors: DetectorName[];
  /** Finder's tiles (CenterNet) for images whose long side exceeds this; 0 = never. */
  maxTileSide: number;
  /** A candidate box with at least this IoU with an old person's box is that person (no pose run). */
  coverIou: number;
  /**
   * Skip the detectors when the old pipeline found exactly one person, of at least this old
   * score, at least `skipMinHeight` of the image tall, and no other proposal; 0 = never skip.
   */
  skipMinScore: number;
  skipMinHeight: number;
  /** Uncovered candidates get a top-down pass only with at least this detector support. */
  freshMinSupport: number;
  /** Proposals no candidate box matches are refined only with at least this centre score (0 = all). */
  unmatchedMinProposal: number;
  topDown: TopDownOptions;
}

export const DEFAULT_COMBINED_OPTIONS: CombinedOptions = {
  detectors: ['centernet'],
  maxTileSide: 1100,
  coverIou: 0.5,
  skipMinScore: 0.5,
  skipMinHeight: 0.25,
  freshMinSupport: 0.25,
  unmatchedMinProposal: 0.3,
  topDown: DEFAULT_TOP_DOWN_OPTIONS,
};

/** How the gated single person's keypoints are refined (measured: docs/person-finder.md, "Seventh pass"). */
export interface SinglePersonOptions {
  /** 'movenet' (Thunder's keypoints as they are) or a BlazePose landmark model on an aligned ROI. */
  refiner: 'movenet' | BlazePoseModelName;
  /**
   * BlazePose's ROI: from Thunder's keypoints ('keypoints'), from the pose detector ('detector',
   * the detection nearest Thunder's hips; Thunder's ROI when it finds none), or Thunder's and then
   * a second pass on the ROI of the first pass's auxiliary points ('keypoints+aux').
   */
  roi: 'keypoints' | 'detector' | 'keypoints+aux';
  /** Per joint, Thunder's and BlazePose's estimates combined (blazepose.ts fuseKeypoints). */
  fusion: KeypointFusion;
  /** 'agree' fusion: the two estimates agree within this share of the person's size. */
  agreeShare: number;
  /** COCO-17 indices that always keep Thunder's estimate (e.g. the hips, 11 and 12: BlazePose's sit elsewhere). */
  keep: number[];
  /** The keypoints ROI's body radius: the farthest confident joint from the hips × this. */
  beyondJoints: number;
  /** BlazePose's keypoint score (blazepose.ts blazePoseToCoco17): visibility or heat-map peak. */
  score: 'visibility' | 'heat';
  /** MediaPipe's heat-map refinement of the landmarks. */
  refineHeatmap: boolean;
  /**
   * Which keypoints top_head and neck are derived from (body21.ts's rule): the fused ones
   * ('keypoints') or BlazePose's own face and shoulder points ('blazepose').
   */
  head: 'keypoints' | 'blazepose';
  /**
   * Who is refined: 'gate' only the person of the single-person gate; 'dominant' also, on photos
   * the gate did not pass, the tallest person left after duplicate removal when they pass the
   * gate's score and height rules and everyone else is at most `dominance` × their height.
   */
  scope: 'gate' | 'dominant';
  dominance: number;
}

/**
 * Measured best (eval/blazepose-probe.ts, docs/person-finder.md "Seventh pass"): BlazePose heavy on
 * the ROI from Thunder's keypoints, heat-map refined, fused per joint where the two agree, with
 * Thunder's face points and hips kept (BlazePose's hips sit lower than COCO's and LSP's, and its
 * face points are looser than Thunder's). lsp-extended PCK@0.2 0.739 -> 0.757, studio-single AP
 * 0.909 -> 0.915, coco (4) 0.794 -> 0.807, at +~60 ms per gated photo.
 */
export const DEFAULT_SINGLE_PERSON_OPTIONS: SinglePersonOptions = {
  refiner: 'blazepose-heavy',
  roi: 'keypoints',
  fusion: 'agree',
  agreeShare: 0.05,
  keep: [0, 1, 2, 3, 4, 11, 12],
  beyondJoints: 1.15,
  score: 'visibility',
  refineHeatmap: true,
  head: 'keypoints',
  scope: 'gate',
  dominance: 0.5,
};

/** Tunables of the body pipeline, with the values the eval harness measured best. */
export interface BodyOptions {
  /** Drop people whose score is below this (0-1). */
  minPersonScore: number;
  /** OKS above which two results are the same person (the weaker one is dropped). */
  duplicateOks: number;
  /** 'combined' (default) or 'multipose' (MultiPose + Thunder alone, the pre-finder pipeline). */
  pipeline?: 'combined' | 'multipose';
  /** Overrides of DEFAULT_COMBINED_OPTIONS (measurement). */
  combined?: Partial<CombinedOptions>;
  /** Overrides of DEFAULT_SINGLE_PERSON_OPTIONS: the gated single person's refiner. */
  single?: Partial<SinglePersonOptions>;
}

export const DEFAULT_BODY_OPTIONS: BodyOptions = {
  minPersonScore: 0.15,
  duplicateOks: 0.5,
};

export interface BodyModels {
  proposer: Model;
  refiner: Model;
  /** The person finder's detectors and top-down models; without them the old pipeline runs. */
  finder?: PersonFinderModels;
  /** BlazePose landmark models for the single-person refiner (SinglePersonOptions.refiner). */
  blazepose?: Partial<Record<BlazePoseModelName, Model>>;
  /** The BlazePose pose detector (SinglePersonOptions.roi 'detector'). */
  poseDetector?: Model;
}

/** The models of BodyModels, by registry name. */
export const BODY_POSE_MODELS = ['movenet-multipose', 'movenet-thunder', 'centernet', 'movenet-lightning', 'blazepose-heavy'] as const;

type BodyModelName = (typeof BODY_POSE_MODELS)[number];

/** BodyModels out of a set of loaded models keyed by registry name (nanodet and the BlazePose models are used when present). */
export function bodyModels(models: Record<BodyModelName, Model> & { nanodet?: Model } & Partial<Record<BlazePoseModelName | 'blazepose-detector', Model>>): BodyModels {
  const blazepose = Object.fromEntries(BLAZEPOSE_MODELS.filter((n) => models[n]).map((n) => [n, models[n]]));
  return {
    blazepose,
    poseDetector: models['blazepose-detector'],
    proposer: models['movenet-multipose'],
    refiner: models['movenet-thunder'],
    finder: models.centernet
      ? {
          detectors: { centernet: models.centernet, ...(models.nanodet ? { nanodet: models.nanodet } : {}) },
          pose: { thunder: models['movenet-thunder'], lightning: models['movenet-lightning'] },
        }
      : undefined,
  };
}

function clampPoint(p: Keypoint, image: RgbImage): Keypoint {
  return {
    x: Math.min(Math.max(p.x, 0), image.width - 1),
    y: Math.min(Math.max(p.y, 0), image.height - 1),
    score: p.score,
  };
}

interface Posed {
  keypoints: Keypoint[];
  score: number;
  /** COCO-17 points top_head and neck are derived from, when not `keypoints`. */
  head?: Keypoint[];
  /** Refined by the single-person refiner already. */
  single?: boolean;
}

/** Old pipeline: MultiPose proposals, each refined by Thunder; scores on the old scale. */
async function multiPosePeople(models: BodyModels, image: RgbImage): Promise<Posed[]> {
  const proposals: PersonProposal[] = await detectPeople(models.proposer, image);
  // Issued together: in a pool worker idle peers take some of the runs (engine/assist.ts).
  return mapInFlight(proposals, async (proposal) => {
    const keypoints = await refinePose(models.refiner, image, proposal);
    return { keypoints, score: personScore(keypoints, proposal.score) };
  });
}

/** The gated single person's keypoints: Thunder's, or BlazePose's on an ROI aligned from them (fused per options). */
async function singlePerson(models: BodyModels, image: RgbImage, thunder: Keypoint[], score: number, options: Partial<SinglePersonOptions> = {}): Promise<Posed> {
  const o = { ...DEFAULT_SINGLE_PERSON_OPTIONS, ...options };
  const thunderOnly: Posed = { keypoints: thunder, score, single: true };
  // The ROI hangs on the hips: with either hip a guess (an upper-body or ID photo) Thunder's stand.
  if (o.refiner === 'movenet' || !hipsSure(thunder)) return thunderOnly;
  const model = models.blazepose?.[o.refiner];
  if (!model) throw new Error(`body pipeline: single-person refiner ${o.refiner} is not loaded`);
  let window = keypointsWindow(thunder, o.beyondJoints);
  if (o.roi === 'detector') {
    if (!models.poseDetector) throw new Error('body pipeline: the ROI from blazepose-detector needs that model loaded');
    const hips = hipCentre(thunder);
    const found = await detectPoses(models.poseDetector, image);
    const nearest = found.sort((a, b) => Math.hypot(a.hips.x - hips.x, a.hips.y - hips.y) - Math.hypot(b.hips.x - hips.x, b.hips.y - hips.y))[0];
    if (nearest) window = nearest.window;
  }
  let pose = await runBlazePose(model, image, window, o);
  if (o.roi === 'keypoints+aux') pose = await runBlazePose(model, image, auxWindow(pose), o);
  // The ROI missed the person: its landmarks are noise.
  if (pose.poseflag < MIN_POSEFLAG) return thunderOnly;
  const blaze = blazePoseToCoco17(pose, o.score);
  const fused = fuseKeypoints(thunder, blaze, o.fusion, o.agreeShare).map((p, i) => (o.keep.includes(i) ? thunder[i] : p));
  return { keypoints: fused, score, head: o.head === 'blazepose' ? blaze : undefined, single: true };
}

type Evidence = { support: number; maxScore: number; votes: number };

/** The gate's rule: a person this confident (old scale) and at least `skipMinHeight` of the image tall. */
const passesGate = (score: number, height: number, image: RgbImage, gate: CombinedOptions) => score >= gate.skipMinScore && height >= gate.skipMinHeight * image.height;

async function combinedPeople(models: BodyModels, finder: PersonFinderModels, image: RgbImage, options: BodyOptions): Promise<Posed[]> {
  const o = { ...DEFAULT_COMBINED_OPTIONS, ...options.combined };
  const proposals = await detectPeople(models.proposer, image);
  // One score scale, the old one: personScore of the keypoints, fed with the proposal's centre
  // score (MultiPose people) or the finder's calibrated probability (finder people).
  const oldPerson = (keypoints: Keypoint[], proposal: PersonProposal): Posed => ({ keypoints, score: personScore(keypoints, proposal.score) });
  const finderPerson = (keypoints: Keypoint[], e: Evidence): Posed =>
    ({ keypoints, score: personScore(keypoints, calibratedScore({ ...e, pose: poseConfidence(keypoints) }, true)) });
  let single: Keypoint[] | undefined;
  if (proposals.length === 1 && o.skipMinScore > 0) {
    // The old pipeline explains the image: one large, confident person and no other proposal.
    single = await refinePose(models.refiner, image, proposals[0]);
    const score = personScore(single, proposals[0].score);
    if (passesGate(score, clampBox(keypointBox(single), image).height, image, o)) {
      // The score stays Thunder's (the scale the gate, the tracker and the ID photo were set on).
      return [await singlePerson(models, image, single, score, options.single)];
    }
  }
  const maxTileSide = o.maxTileSide > 0 ? o.maxTileSide : Number.POSITIVE_INFINITY;
  const tiled = Math.max(image.width, image.height) > maxTileSide;
  const detectors = (tiled ? ['centernet' as const] : o.detectors).filter((d) => finder.detectors[d]);
  // CenterNet alone on the tiles (the finder's default adds NanoDet): body_analysis keeps its speed.
  const candidates: Candidate[] = await personCandidates(finder, image, { ...DEFAULT_PERSON_FINDER_OPTIONS, detectors, tileDetectors: CENTERNET_TILES, maxTileSide });
  const covered = new Set<number>();
  const kept: number[] = [];
  for (let j = 0; j < proposals.length; j++) {
    const rough = clampBox(keypointBox(proposals[j].keypoints), image);
    let best = -1;
    let bestIou = o.coverIou;
    for (let i = 0; i < candidates.length; i++) {
      const v = boxIou(candidates[i].box, rough);
      if (v >= o.coverIou) covered.add(i);
      if (v >= bestIou) { bestIou = v; best = i; }
    }
    if (best >= 0 || proposals[j].score >= o.unmatchedMinProposal) kept.push(j);
  }
  const fresh = finder.pose ? candidates.filter((c, i) => !covered.has(i) && c.support >= o.freshMinSupport) : [];
  // Every refinement and top-down crop issued together: in a pool worker idle peers take some
  // of the runs (engine/assist.ts); the people keep their order.
  const jobs: Array<() => Promise<Posed>> = [
    ...kept.map((j) => async () => oldPerson(j === 0 && single ? single : await refinePose(models.refiner, image, proposals[j]), proposals[j])),
    ...fresh.map((c) => async () => finderPerson(await poseForBox(finder.pose!, image, c.box, o.topDown), c)),
  ];
  return mapInFlight(jobs, (job) => job());
}

export async function analyzePeople(
  models: BodyModels,
  image: RgbImage,
  options: BodyOptions = DEFAULT_BODY_OPTIONS,
): Promise<Person[]> {
  const all: Posed[] =
    options.pipeline === 'multipose' || !models.finder
      ? await multiPosePeople(models, image)
      : await combinedPeople(models, models.finder, image, options);
  const kept = oksNms(
    all.filter((r) => r.score >= options.minPersonScore),
    options.duplicateOks,
  );
  const single = { ...DEFAULT_SINGLE_PERSON_OPTIONS, ...options.single };
  if (single.scope === 'dominant' && kept.length && !kept.some((p) => p.single)) {
    const gate = { ...DEFAULT_COMBINED_OPTIONS, ...options.combined };
    const heights = kept.map((p) => clampBox(keypointBox(p.keypoints), image).height);
    const tallest = heights.indexOf(Math.max(...heights));
    const p = kept[tallest];
    const dominant = heights.every((h, i) => i === tallest || h <= single.dominance * heights[tallest]);
    if (dominant && passesGate(p.score, heights[tallest], image, gate)) {
      kept[tallest] = await singlePerson(models, image, p.keypoints, p.score, single);
    }
  }
  return kept.map(({ keypoints, score, head }) => {
    const named = toBody21(keypoints);
    if (head) {
      const { top_head, neck } = toBody21(head);
      Object.assign(named, { top_head, neck });
    }
    const clamped = Object.fromEntries(
      Object.entries(named).map(([k, p]) => [k, clampPoint(p, image)]),
    ) as Person['keypoints'];
    return { box: clampBox(keypointBox(Object.values(named)), image), score, keypoints: clamped };
  });
}
