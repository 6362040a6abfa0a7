/**
 * Person-box ground truth for the person-finder suite (eval/persons.ts) and probe
 * (eval/persons-probe.ts), read from ../shared/eval at run time:
 *   - coco-mini: COCO person boxes; iscrowd boxes are ignore regions;
 *   - pennfudan: one box per instance id of segmentation/pennfudan/masks/*_mask.png;
 *   - mot17: tracking/mot17-mini gt.txt pedestrians (class 1, consider 1, visibility >= 0.25);
 *     other people-like rows (pedestrians below that visibility or not considered, person on
 *     vehicle, static person, distractor, reflection) are ignore regions;
 *   - heads: crowd/heads head counts.
 * Boxes shorter than `minHeight` are ignore regions too (they count neither as misses nor, when
 * matched, as false positives); the suite reports recall over all boxes as well.
 */
import { boxIou } from '../src/vision/box.js';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Box, RgbImage } from '../src/types.js';
import type { Engine } from '../src/engine/engine.js';
import { decodeImage } from '../src/intake/index.js';
import type { FoundPerson } from '../src/vision/person-finder.js';

export interface GtBox {
  box: Box;
  /** Ignore region: neither a miss nor a false positive when matched. */
  ignore: boolean;
  /** COCO crowd region: matched by intersection over the detection's area. */
  crowd?: boolean;
}

export interface PersonSample {
  name: string;
  path: string;
  gts: GtBox[];
  /** Head count (crowd/heads), when the set has one instead of boxes. */
  count?: number;
}

export type PersonSetName = 'coco-mini' | 'pennfudan' | 'mot17' | 'heads';
export const PERSON_SET_NAMES: readonly PersonSetName[] = ['coco-mini', 'pennfudan', 'mot17', 'heads'];

const DIRS: Record<PersonSetName, string> = {
  'coco-mini': 'pose/coco-mini',
  pennfudan: 'segmentation/pennfudan',
  mot17: 'tracking/mot17-mini',
  heads: 'crowd/heads',
};

export function personSetDir(root: string, set: PersonSetName): string {
  return join(root, DIRS[set]);
}

const xywh = (b: readonly number[]): Box => ({ left: b[0], top: b[1], width: b[2], height: b[3] });

async function cocoMini(dir: string): Promise<PersonSample[]> {
  const json = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8')) as {
    images: { id: number; file_name: string }[];
    annotations: { image_id: number; category_id: number; bbox: number[]; iscrowd?: number }[];
  };
  return json.images.map((im) => ({
    name: im.file_name,
    path: join(dir, im.file_name),
    gts: json.annotations
      .filter((a) => a.image_id === im.id && a.category_id === 1)
      .map((a) => ({ box: xywh(a.bbox), ignore: Boolean(a.iscrowd), crowd: Boolean(a.iscrowd) })),
  }));
}

async function pennfudan(dir: string): Promise<PersonSample[]> {
  const files = readdirSync(join(dir, 'images')).filter((f) => f.endsWith('.jpg')).sort();
  const out: PersonSample[] = [];
  for (const f of files) {
    const mask = join(dir, 'masks', f.replace(/\.jpg$/, '_mask.png'));
    const { data, info } = await sharp(mask).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const ext = new Map<number, [number, number, number, number]>();
    for (let y = 0; y < info.height; y++) {
      for (let x = 0; x < info.width; x++) {
        const id = data[y * info.width + x];
        if (!id) continue;
        const e = ext.get(id);
        if (!e) ext.set(id, [x, y, x, y]);
        else {
          e[0] = Math.min(e[0], x); e[1] = Math.min(e[1], y);
          e[2] = Math.max(e[2], x); e[3] = Math.max(e[3], y);
        }
      }
    }
    const gts = [...ext.values()].map(([x0, y0, x1, y1]) => ({ box: { left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }, ignore: false }));
    out.push({ name: f, path: join(dir, 'images', f), gts });
  }
  return out;
}

/** MOT17 classes that are people but not scored pedestrians. */
const MOT_PEOPLE_IGNORED = new Set([2, 7, 8, 12]);

async function mot17(dir: string): Promise<PersonSample[]> {
  const out: PersonSample[] = [];
  for (const seq of readdirSync(dir).filter((d) => d.startsWith('MOT17-')).sort()) {
    const rows = (await readFile(join(dir, seq, 'gt', 'gt.txt'), 'utf8')).trim().split('\n').map((l) => l.split(',').map(Number));
    for (const f of readdirSync(join(dir, seq, 'img1')).filter((x) => x.endsWith('.jpg')).sort()) {
      const frame = Number(f.replace('.jpg', ''));
      const gts: GtBox[] = [];
      for (const r of rows) {
        if (r[0] !== frame) continue;
        const [, , x, y, w, h, consider, cls, vis] = r;
        const scored = cls === 1 && consider === 1 && vis >= 0.25;
        if (scored) gts.push({ box: xywh([x - 1, y - 1, w, h]), ignore: false });
        else if (cls === 1 || MOT_PEOPLE_IGNORED.has(cls)) gts.push({ box: xywh([x - 1, y - 1, w, h]), ignore: true });
      }
      out.push({ name: `${seq}/${f}`, path: join(dir, seq, 'img1', f), gts });
    }
  }
  return out;
}

async function heads(dir: string): Promise<PersonSample[]> {
  const json = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8')) as { file_name: string; count: number }[];
  return json.map((e) => ({ name: e.file_name, path: join(dir, e.file_name), gts: [], count: e.count }));
}

export function personSetExists(root: string, set: PersonSetName): boolean {
  return existsSync(personSetDir(root, set));
}

/** Loads a set; boxes shorter than minHeight become ignore regions. */
export async function loadPersonSet(root: string, set: PersonSetName, minHeight = 0): Promise<PersonSample[]> {
  const dir = personSetDir(root, set);
  const samples = set === 'coco-mini' ? await cocoMini(dir) : set === 'pennfudan' ? await pennfudan(dir) : set === 'mot17' ? await mot17(dir) : await heads(dir);
  for (const s of samples) for (const g of s.gts) if (g.box.height < minHeight) g.ignore = true;
  return samples;
}

export interface MatchCounts {
  tp: number;
  fp: number;
  /** Scored (non-ignored) ground-truth boxes. */
  gt: number;
}

function iodt(dt: Box, crowd: Box): number {
  const iw = Math.min(dt.left + dt.width, crowd.left + crowd.width) - Math.max(dt.left, crowd.left);
  const ih = Math.min(dt.top + dt.height, crowd.top + crowd.height) - Math.max(dt.top, crowd.top);
  if (iw <= 0 || ih <= 0) return 0;
  return (iw * ih) / Math.max(dt.width * dt.height, 1e-9);
}

/**
 * COCO-style greedy matching at IoU `thr`: detections by descending score each take the best
 * unmatched scored box; failing that, a detection on an ignore region (IoU >= thr, or for crowd
 * regions intersection over the detection >= thr) is dropped; anything else is a false positive.
 */
export function matchBoxes(dts: readonly { box: Box; score: number }[], gts: readonly GtBox[], thr = 0.5): MatchCounts {
  const labels = labelBoxes(dts, gts, thr);
  return { tp: labels.filter((l) => l.label === 1).length, fp: labels.filter((l) => l.label === 0).length, gt: gts.filter((g) => !g.ignore).length };
}

/**
 * The same matching, per detection (by descending score): 1 = true positive, 0 = false
 * positive, null = dropped on an ignore region.
 */
export function labelBoxes<T extends { box: Box; score: number }>(dts: readonly T[], gts: readonly GtBox[], thr = 0.5): { dt: T; label: 1 | 0 | null }[] {
  const sorted = [...dts].sort((a, b) => b.score - a.score);
  const used = new Array(gts.length).fill(false);
  return sorted.map((d) => {
    let best = -1;
    let bestIou = thr;
    for (let g = 0; g < gts.length; g++) {
      if (used[g] || gts[g].ignore) continue;
      const v = boxIou(d.box, gts[g].box);
      if (v >= bestIou) { bestIou = v; best = g; }
    }
    if (best >= 0) {
      used[best] = true;
      return { dt: d, label: 1 as const };
    }
    const onIgnore = gts.some((g) => g.ignore && (g.crowd ? iodt(d.box, g.box) : boxIou(d.box, g.box)) >= thr);
    return { dt: d, label: onIgnore ? null : (0 as const) };
  });
}

/**
 * Runs the finder (`body_detection`, minScore 0) on every image of `set` and hands each candidate
 * with its label (labelBoxes) to `visit`, awaited, in score order per image; returns the scored
 * ground-truth count (for recall). The candidate dumps (persons-dump, verifier-probe) use it.
 */
export async function eachLabelledCandidate(
  engine: Engine,
  root: string,
  set: PersonSetName,
  minHeight: number,
  options: object,
  visit: (name: string, image: RgbImage, person: FoundPerson, label: 1 | 0 | null) => void | Promise<void>,
): Promise<number> {
  let gt = 0;
  for (const s of await loadPersonSet(root, set, minHeight)) {
    const image = await decodeImage(new Uint8Array(await readFile(s.path)));
    const people: FoundPerson[] = (await engine.run('body_detection', { image }, { ...options, minScore: 0 })).persons;
    gt += s.gts.filter((g) => !g.ignore).length;
    for (const { dt, label } of labelBoxes(people, s.gts)) await visit(s.name, image, dt, label);
  }
  return gt;
}
