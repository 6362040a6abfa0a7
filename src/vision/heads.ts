/**
 * The head finder: one point per person's head, for counting people in medium and far views
 * (body_num, later body_tracking's static count). No model here detects heads directly, so heads
 * come from what the models give, merged so nobody is counted twice:
 *
 * 1. People (person-finder.ts `findPeople`, whole image + tiles, seam-aware fusion): each person's
 *    head point, from the face keypoints where pose ran, else from the top of the box.
 * 2. Faces (blazeface.ts, the 256 px back-camera BlazeFace) on levels of overlapping tiles
 *    (tiles.ts), so faces of 15-20 px in a 1080p frame reach the model near its native scale;
 *    merged across tiles by intersection over the smaller box (a face cut at a seam is a fragment
 *    of the whole one).
 * 3. Merge: a face within reach of a person's head point is that person's head (the person keeps
 *    the better score); a face no person claims is a head of its own.
 *
 * What each source adds was measured on crowd/heads and MOT17 frames (docs/counting.md).
 */
import type { Model } from '../runtime/session.js';
import type { Box, RgbImage } from '../types.js';
import { boxIos } from './box-fusion.js';
import { detectFaces, type Face } from './blazeface.js';
import { DEFAULT_PERSON_FINDER_OPTIONS, findPeople, type FoundPerson, type PersonFinderModels, type PersonFinderOptions } from './person-finder.js';
import { planWindows } from './tiles.js';

/** A found head. */
export interface Head {
  /** Approximate head box, image pixels (not clamped). */
  box: Box;
  /** Head centre, image pixels. */
  point: { x: number; y: number };
  /** Evidence strength 0-1: the person's calibrated probability, or the face score. */
  score: number;
  /** Which sources saw it. */
  sources: { person: boolean; face: boolean };
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

export interface HeadOptions {
  /** The person finder's options (pose on or off, tiling, its own cut). */
  people: Partial<PersonFinderOptions>;
  /** People below this calibrated score give no head. */
  minPersonScore: number;
  faces: HeadFaceOptions;
  /** A face claims a person's head when their centres are closer than this × the larger head size. */
  claimRadius: number;
  /** Heads below this score are dropped from the answer. */
  minScore: number;
}

/** Measured (eval/heads-probe.ts, docs/counting.md): level 2 as good as 3 at 60 % of the cost. */
export const DEFAULT_HEAD_FACE_OPTIONS: HeadFaceOptions = { levels: [2], whole: false, overlap: 0.25, minScore: 0.5, mergeIos: 0.5, minAloneScore: 0.65 };

/**
 * Pose on: the top-down keypoints both place the head and, through the calibrated score, reject
 * detector clutter (without them MOT17's count error doubled); people from 0.3 (the best
 * compromise between crowd/heads, which undercounts, and MOT17, where lower cuts add clutter).
 */
export const DEFAULT_HEAD_OPTIONS: HeadOptions = {
  people: { pose: true },
  minPersonScore: 0.3,
  faces: DEFAULT_HEAD_FACE_OPTIONS,
  claimRadius: 1,
  minScore: 0,
};

/** Models the head finder uses: the person finder's and BlazeFace. */
export const HEAD_FINDER_MODELS = ['nanodet', 'centernet', 'movenet-thunder', 'movenet-lightning', 'blazeface'] as const;
export type HeadFinderModelName = (typeof HEAD_FINDER_MODELS)[number];

export interface HeadFinderModels {
  people: PersonFinderModels;
  face?: Model;
}

/** HeadFinderModels out of loaded models keyed by registry name (an engine's hub). */
export function headFinderModels(models: Readonly<Record<HeadFinderModelName, Model>>): HeadFinderModels {
  return {
    people: {
      detectors: { nanodet: models.nanodet, centernet: models.centernet },
      pose: { thunder: models['movenet-thunder'], lightning: models['movenet-lightning'] },
    },
    face: models.blazeface,
  };
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
    sources: { person: true, face: false },
  };
}

/** A face's head: the face box grown upwards by a third (forehead and hair). */
export function faceHead(f: Face): Head {
  const size = Math.max(f.box.width, f.box.height * 1.3);
  const cx = f.box.left + f.box.width / 2;
  const cy = f.box.top + f.box.height / 2 - f.box.height * 0.15;
  return { box: { left: cx - size / 2, top: cy - size / 2, width: size, height: size }, point: { x: cx, y: cy }, score: f.score, sources: { person: false, face: true } };
}

/** Faces over the windows of the plan, merged across windows (best score first). */
export async function findFaces(model: Model, image: RgbImage, o: HeadFaceOptions): Promise<Face[]> {
  const windows = planWindows(image.width, image.height, { whole: o.whole, levels: o.levels, overlap: o.overlap });
  const all: Face[] = [];
  for (const window of windows) all.push(...(await detectFaces(model, image, { window, minScore: o.minScore })));
  return mergeFaces(all, o.mergeIos);
}

/** Greedy merge of one face seen in several windows: by intersection over the smaller box. */
export function mergeFaces(faces: readonly Face[], mergeIos: number): Face[] {
  const sorted = [...faces].sort((a, b) => b.score - a.score);
  const kept: Face[] = [];
  for (const f of sorted) if (kept.every((k) => boxIos(k.box, f.box) <= mergeIos)) kept.push(f);
  return kept;
}

const headSize = (h: Head) => Math.max(h.box.width, h.box.height);

/**
 * Person heads and face heads merged: each face (best first) claims the nearest unclaimed person
 * head within `claimRadius` × the larger of the two head sizes; unclaimed faces at or above
 * `minAloneScore` are heads of their own.
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
      out[best] = { ...p, score: Math.max(p.score, f.score), sources: { person: true, face: true } };
    } else if (f.score >= minAloneScore && alone.every((a) => boxIos(a.box, f.box) <= 0.5)) {
      alone.push(f);
    }
  }
  return [...out, ...alone];
}

/** Every head in the image, best first. */
export async function findHeads(models: HeadFinderModels, image: RgbImage, options: Partial<HeadOptions> = {}): Promise<Head[]> {
  const o = { ...DEFAULT_HEAD_OPTIONS, ...options, faces: { ...DEFAULT_HEAD_FACE_OPTIONS, ...options.faces } };
  const people = await findPeople(models.people, image, { ...DEFAULT_PERSON_FINDER_OPTIONS, ...o.people, minScore: Math.min(o.minPersonScore, o.people.minScore ?? 1) });
  const personHeads = people.filter((p) => p.score >= o.minPersonScore).map(personHead);
  const faceHeads = o.faces.levels.length || o.faces.whole ? await faceHeadsOf(models, image, o.faces) : [];
  return mergeHeads(personHeads, faceHeads, o.claimRadius, o.faces.minAloneScore)
    .filter((h) => h.score >= o.minScore)
    .sort((a, b) => b.score - a.score);
}

async function faceHeadsOf(models: HeadFinderModels, image: RgbImage, o: HeadFaceOptions): Promise<Head[]> {
  if (!models.face) throw new Error('head finder: blazeface is not loaded');
  return (await findFaces(models.face, image, o)).map(faceHead);
}
