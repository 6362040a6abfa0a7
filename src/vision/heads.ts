/**
 * The head finder: one point per person's head, for counting people in medium and far views
 * (body_num, later body_tracking's static count). No model here detects heads as such, so heads
 * come from what the models give, merged so nobody is counted twice:
 *
 * 1. Poses (default, the only source on by default): MoveNet MultiPose on the whole image and on
 *    tiles of at most 640 px (tiles.ts; level 2 = 617 px tiles on 1080p, level 5 on 4K), every centre peak from 0.1, a head per
 *    pose from its face keypoints (nose, eyes, ears). MultiPose finds people facing away and
 *    half hidden in crowds that the box detectors miss.
 * 2. People (optional): the person finder (`findPeople`: detectors on the whole image and tiles,
 *    seam-aware fusion, top-down pose) gives each person's head point; ten times the cost, and
 *    measured to add little on top of the poses.
 * 3. Faces (optional): BlazeFace (the 256 px back-camera model) on tiles, merged across tiles by
 *    intersection over the smaller box; measured to add nothing on top of the poses.
 * Merging: heads of one source closer than `duplicateRadius` × head size are one (tile seams,
 * two poses of one person); a head of a later source within `claimRadius` × head size of an
 * unclaimed earlier one is that head; otherwise it is a head of its own if its score is high
 * enough. What each source adds is measured in docs/counting.md (eval/heads-probe.ts).
 */
import type { Model } from '../runtime/session.js';
import type { Box, RgbImage } from '../types.js';
import { boxIos } from './box-fusion.js';
import { detectFaces, type Face } from './blazeface.js';
import type { CropWindow } from './crop.js';
import { DEFAULT_PERSON_FINDER_OPTIONS, findPeople, tilePlanFor, type FoundPerson, type PersonFinderModels, type PersonFinderOptions } from './person-finder.js';
import { planWindows } from './tiles.js';
import { DEFAULT_PROPOSAL_OPTIONS, detectPeople, type PersonProposal } from './person-proposals.js';

/** A found head. */
export interface Head {
  /** Approximate head box, image pixels (not clamped). */
  box: Box;
  /** Head centre, image pixels. */
  point: { x: number; y: number };
  /** Evidence strength 0-1: the pose's centre score, the person's calibrated probability or the face score (the best of those merged). */
  score: number;
  /** Which sources saw it. */
  sources: { pose: boolean; person: boolean; face: boolean };
}

export interface HeadFaceOptions {
  /** Tile levels BlazeFace runs on (tiles.ts `tileLevel`); [] = faces off. */
  levels: number[];
  /** Also run it on the whole image. */
  whole: boolean;
  overlap: number;
  /** Raw face score kept from each window. */
  minScore: number;
  /** Faces of one place seen in several windows merge above this intersection over the smaller box. */
  mergeIos: number;
  /** A face no person claims becomes a head only at this score or above. */
  minAloneScore: number;
}

export interface HeadPoseOptions {
  /** MultiPose on the whole image (letterboxed). */
  whole: boolean;
  /**
   * Tiles: the coarsest level (tiles.ts `tileLevel`) whose tiles are at most this many pixels, so
   * people are seen at the same scale in any frame size (1080p and 1024×768: level 2; 4K: level
   * 5); none when the image's long side is at most this. `levels` overrides it.
   */
  maxTileSide: number;
  /** Explicit tile levels instead of maxTileSide (probes). */
  levels?: number[];
  overlap: number;
  /** Centre-peak score from which a pose gives a head. */
  minScore: number;
  /** Face keypoints at or above this place the head. */
  minKeypointScore: number;
  /** The MultiPose model's input side (256, or 320 for movenet-multipose-320). */
  input: number;
}

export interface HeadOptions {
  /** MultiPose heads; null = off. */
  poses: HeadPoseOptions | null;
  /** Person-finder heads (its options); null = off. */
  people: Partial<PersonFinderOptions> | null;
  /** People below this calibrated score give no head of their own. */
  minPersonScore: number;
  /** BlazeFace heads; null = off. */
  faces: HeadFaceOptions | null;
  /** A later source's head is an earlier one's when their centres are closer than this × the larger head size. */
  claimRadius: number;
  /** Two heads of one source closer than this × the larger head size are one (dedupeHeads). */
  duplicateRadius: number;
  /** Heads below this score are dropped from the answer. */
  minScore: number;
}

/** Measured (eval/heads-probe.ts): level 2 as good as 3 at 60 % of the cost. */
export const DEFAULT_HEAD_FACE_OPTIONS: HeadFaceOptions = { levels: [2], whole: false, overlap: 0.25, minScore: 0.5, mergeIos: 0.5, minAloneScore: 0.8 };
/**
 * Measured on crowd/heads and MOT17 (where 640 px means level 2): whole + level 2 beat level 2
 * alone, levels 1, 3 and 2+3 (finer tiles add clutter).
 */
export const DEFAULT_HEAD_POSE_OPTIONS: HeadPoseOptions = { whole: true, maxTileSide: 640, overlap: 0.25, minScore: 0.1, minKeypointScore: 0.3, input: 256 };

/** Highest tile level maxTileSide may pick (4096 px images need 7). */
const MAX_POSE_LEVEL = 8;

/** The tile windows MultiPose runs on (besides the whole image). */
export function poseTiles(width: number, height: number, o: Pick<HeadPoseOptions, 'maxTileSide' | 'levels' | 'overlap'>): CropWindow[] {
  const levels = o.levels ?? tilePlanFor(width, height, { maxTileSide: o.maxTileSide, maxLevel: MAX_POSE_LEVEL, overlap: o.overlap }).levels;
  return planWindows(width, height, { whole: false, levels, overlap: o.overlap });
}

export const DEFAULT_HEAD_OPTIONS: HeadOptions = {
  poses: DEFAULT_HEAD_POSE_OPTIONS,
  people: null,
  minPersonScore: 0.5,
  faces: null,
  claimRadius: 1,
  duplicateRadius: 0.5,
  minScore: 0,
};

/** Models of the default sources (poses); people and faces need theirs when switched on. */
export const HEAD_FINDER_MODELS = ['movenet-multipose'] as const;

export interface HeadFinderModels {
  multipose?: Model;
  people?: PersonFinderModels;
  face?: Model;
}

/** A person's head box: around its head point, sized from the face keypoints or the box. */
export function personHead(p: FoundPerson): Head {
  const b = p.box;
  // An upright person's head is about a third of the box width and an eighth of its height;
  // a box cut by the frame keeps the smaller of the two.
  const size = Math.max(2, Math.min(b.width * 0.4, b.height * 0.25));
  return {
    box: { left: p.head.x - size / 2, top: p.head.y - size / 2, width: size, height: size },
    point: { x: p.head.x, y: p.head.y },
    score: p.score,
    sources: { pose: false, person: true, face: false },
  };
}

/** A face's head: the face box grown upwards by a third (forehead and hair). */
export function faceHead(f: Face): Head {
  const size = Math.max(f.box.width, f.box.height * 1.3);
  const cx = f.box.left + f.box.width / 2;
  const cy = f.box.top + f.box.height / 2 - f.box.height * 0.15;
  return { box: { left: cx - size / 2, top: cy - size / 2, width: size, height: size }, point: { x: cx, y: cy }, score: f.score, sources: { pose: false, person: false, face: true } };
}

export const FACE_KEYPOINTS = [0, 1, 2, 3, 4]; // COCO nose, eyes, ears

/**
 * A multi-person pose's head: the mean of its confident face keypoints, sized from their spread
 * (ears about a head apart) or, failing that, from the shoulders, at least `minSize` px (probes
 * try a floor of one heat-map cell); null without a visible face point.
 */
export function poseHead(p: PersonProposal, minKeypointScore: number, minSize = 4): Head | null {
  const face = FACE_KEYPOINTS.map((i) => p.keypoints[i]).filter((k) => k.score >= minKeypointScore);
  if (face.length === 0) return null;
  const x = face.reduce((s, k) => s + k.x, 0) / face.length;
  const y = face.reduce((s, k) => s + k.y, 0) / face.length;
  const spread = face.length > 1 ? Math.max(...face.map((k) => Math.hypot(k.x - x, k.y - y))) * 2.2 : 0;
  const [ls, rs] = [p.keypoints[5], p.keypoints[6]];
  const shoulders = ls.score >= minKeypointScore && rs.score >= minKeypointScore ? Math.hypot(ls.x - rs.x, ls.y - rs.y) * 0.6 : 0;
  const size = Math.max(spread, shoulders, minSize);
  return { box: { left: x - size / 2, top: y - size / 2, width: size, height: size }, point: { x, y }, score: p.score, sources: { pose: true, person: false, face: false } };
}

/** MultiPose on the whole image and the tiles: one head per pose with a visible face point (not yet de-duplicated). */
export async function findPoseHeads(model: Model, image: RgbImage, o: HeadPoseOptions): Promise<Head[]> {
  // No cap on people per window (the proposals' default of 40 is for body_analysis).
  const opts = { ...DEFAULT_PROPOSAL_OPTIONS, minCenterScore: o.minScore, input: o.input, maxPeople: Infinity };
  const windows = poseTiles(image.width, image.height, o);
  // Every window issued together: in a pool worker idle peers take some (engine/assist.ts).
  const perWindow = await Promise.all([
    o.whole ? detectPeople(model, image, opts) : Promise.resolve([]),
    ...windows.map((window) => detectPeople(model, image, opts, window)),
  ]);
  const proposals: PersonProposal[] = perWindow.flat();
  return proposals.map((p) => poseHead(p, o.minKeypointScore)).filter((h): h is Head => h !== null);
}

/** Faces over the windows of the plan, merged across windows (best score first). */
export async function findFaces(model: Model, image: RgbImage, o: HeadFaceOptions): Promise<Face[]> {
  const windows = planWindows(image.width, image.height, { whole: o.whole, levels: o.levels, overlap: o.overlap });
  const all = (await Promise.all(windows.map((window) => detectFaces(model, image, { window, minScore: o.minScore })))).flat();
  return mergeFaces(all, o.mergeIos);
}

/** Greedy merge of one face seen in several windows: by intersection over the smaller box. */
export function mergeFaces(faces: readonly Face[], mergeIos: number): Face[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept: Face[] = [];
  for (const f of sorted) if (kept.every((k) => boxIos(k.box, f.box) <= mergeIos)) kept.push(f);
  return kept;
}

export const headSize = (h: Head) => Math.max(h.box.width, h.box.height);

/**
 * Items grouped by their heads' place, best head first: an item joins the first group whose
 * leading head has its centre within `radius` × the larger of the two head sizes, else leads a
 * new group.
 */
export function groupHeads<T>(items: readonly T[], headOf: (item: T) => Head, radius: number): T[][] {
  const groups: T[][] = [];
  for (const item of [...items].sort((a, b) => headOf(b).score - headOf(a).score)) {
    const h = headOf(item);
    const g = groups.find((g) => {
      const k = headOf(g[0]);
      return Math.hypot(k.point.x - h.point.x, k.point.y - h.point.y) < radius * Math.max(headSize(k), headSize(h));
    });
    if (g) g.push(item);
    else groups.push([item]);
  }
  return groups;
}

/**
 * Heads of one place from several person boxes (loose box NMS keeps overlapping people in a
 * crowd, so it also keeps some doubles): the best head of each group (groupHeads) is kept.
 */
export function dedupeHeads(heads: readonly Head[], radius: number): Head[] {
  return groupHeads(heads, (h) => h, radius).map((g) => g[0]);
}

/**
 * Heads of a later source merged into earlier ones: each (best first) claims the nearest
 * unclaimed earlier head within `claimRadius` × the larger of the two head sizes; unclaimed ones
 * at or above `minAloneScore` are heads of their own.
 */
export function mergeHeads(people: readonly Head[], faces: readonly Head[], claimRadius: number, minAloneScore: number): Head[] {
  const out = people.map((h) => ({ ...h, sources: { ...h.sources } }));
  const claimed = new Set<number>();
  const alone: Head[] = [];
  for (const f of [...faces].sort((a, b) => b.score - a.score)) {
    let best = -1;
    let bestDist = Infinity;
    for (let i = 0; i < out.length; i++) {
      if (claimed.has(i)) continue;
      const d = Math.hypot(out[i].point.x - f.point.x, out[i].point.y - f.point.y);
      if (d < claimRadius * Math.max(headSize(out[i]), headSize(f)) && d < bestDist) {
        best = i;
        bestDist = d;
      }
    }
    if (best >= 0) {
      claimed.add(best);
      const p = out[best];
      out[best] = { ...p, score: Math.max(p.score, f.score), sources: { pose: p.sources.pose || f.sources.pose, person: p.sources.person || f.sources.person, face: p.sources.face || f.sources.face } };
    } else if (f.score >= minAloneScore && alone.every((a) => boxIos(a.box, f.box) <= 0.5)) {
      alone.push(f);
    }
  }
  return [...out, ...alone];
}

/** Every head in the image, best first. */
export async function findHeads(models: HeadFinderModels, image: RgbImage, options: Partial<HeadOptions> = {}): Promise<Head[]> {
  const o = { ...DEFAULT_HEAD_OPTIONS, ...options };
  const need = <T>(model: T | undefined, name: string): T => {
    if (!model) throw new Error(`head finder: ${name} is not loaded`);
    return model;
  };
  let heads: Head[] = [];
  if (o.poses) heads = dedupeHeads(await findPoseHeads(need(models.multipose, 'movenet-multipose'), image, o.poses), o.duplicateRadius);
  if (o.people) {
    const people = await findPeople(need(models.people, 'the person finder'), image, { ...DEFAULT_PERSON_FINDER_OPTIONS, ...o.people });
    heads = mergeHeads(heads, dedupeHeads(people.map(personHead), o.duplicateRadius), o.claimRadius, o.minPersonScore);
  }
  if (o.faces) {
    const faces = (await findFaces(need(models.face, 'blazeface'), image, o.faces)).map(faceHead);
    heads = mergeHeads(heads, faces, o.claimRadius, o.faces.minAloneScore);
  }
  return heads.filter((h) => h.score >= o.minScore).sort((a, b) => b.score - a.score);
}
