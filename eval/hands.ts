/**
 * Hand suite: 21-point hand keypoints (PCK@0.2 of the ground-truth box's longer side, mean pixel
 * error) on OneHand10K / FreiHAND samples, and gesture top-1 accuracy on HaGRID frames mapped to
 * Baidu classes (../shared/eval/README.md), with a per-class confusion table.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Engine } from '../src/engine/engine.js';
import type { Box } from '../src/types.js';
import { boxIou } from '../src/vision/box.js';
import { round, type EvalContext, type EvalSuite, type Score } from './suite.js';

const KEYPOINT_SETS = {
  onehand10k: 'pose/onehand10k/test_onehand10k.json',
  freihand: 'pose/freihand/test_freihand.json',
  // Small hands in whole photos: COCO-WholeBody's 21-point hands of the people in pose/coco.
  coco_hands: 'pose/coco/test_coco_wholebody.json',
} as const;
type KeypointSet = keyof typeof KEYPOINT_SETS;

/** HaGRID folder → Baidu classname; `mute` (finger on lips) has no Baidu class and is not scored. */
export const HAGRID_TO_BAIDU: Record<string, string> = {
  like: 'Thumb_up',
  dislike: 'Thumb_down',
  fist: 'Fist',
  ok: 'OK',
  one: 'One',
  palm: 'Five',
  stop: 'Five',
  stop_inverted: 'Five',
  peace: 'Two',
  peace_inverted: 'Two',
  two_up: 'Two',
  two_up_inverted: 'Two',
  three: 'Three',
  three2: 'Three',
  four: 'Four',
  rock: 'Rock',
  call: 'Six',
};

interface HandGt { image_id: number; bbox: number[]; keypoints: number[] }
interface CocoHands {
  images: { id: number; file_name: string }[];
  annotations: (HandGt & WholeBodyHands)[];
}
interface WholeBodyHands {
  lefthand_valid?: boolean;
  righthand_valid?: boolean;
  lefthand_box?: number[];
  righthand_box?: number[];
  lefthand_kpts?: number[];
  righthand_kpts?: number[];
}

/** One ground-truth hand per annotation, or the valid hands of a COCO-WholeBody person. */
function handsOf(a: HandGt & WholeBodyHands): HandGt[] {
  if (a.lefthand_kpts === undefined && a.righthand_kpts === undefined) return [a];
  const out: HandGt[] = [];
  if (a.lefthand_valid && a.lefthand_box && a.lefthand_kpts) out.push({ image_id: a.image_id, bbox: a.lefthand_box, keypoints: a.lefthand_kpts });
  if (a.righthand_valid && a.righthand_box && a.righthand_kpts) out.push({ image_id: a.image_id, bbox: a.righthand_box, keypoints: a.righthand_kpts });
  return out;
}

interface PointError { matched: boolean; errors: number[]; threshold: number }

/** PCK and pixel error of one ground-truth hand against the closest predicted hand. */
export function scoreHand(gt: { bbox: number[]; keypoints: number[] }, predictions: { x: number; y: number }[][]): PointError {
  const threshold = 0.2 * Math.max(gt.bbox[2], gt.bbox[3]);
  const visible = [...Array(21).keys()].filter((k) => gt.keypoints[3 * k + 2] > 0);
  let best: number[] | undefined;
  let bestMean = Infinity;
  for (const pred of predictions) {
    const errors = visible.map((k) => Math.hypot(pred[k].x - gt.keypoints[3 * k], pred[k].y - gt.keypoints[3 * k + 1]));
    const mean = errors.reduce((s, e) => s + e, 0) / Math.max(1, errors.length);
    if (mean < bestMean) { bestMean = mean; best = errors; }
  }
  return best ? { matched: true, errors: best, threshold } : { matched: false, errors: visible.map(() => Infinity), threshold };
}

async function runKeypointSet(ctx: EvalContext, engine: Engine, set: KeypointSet): Promise<Score | undefined> {
  const file = join(ctx.evalRoot, KEYPOINT_SETS[set]);
  if (!existsSync(file)) {
    ctx.emit({ eval: 'hands', set, skipped: true, reason: `no ${KEYPOINT_SETS[set]} under ${ctx.evalRoot}` });
    return undefined;
  }
  const data = JSON.parse(await readFile(file, 'utf8')) as CocoHands;
  const dir = join(file, '..');
  const gts = data.annotations.flatMap(handsOf);
  let correct = 0, total = 0, errorSum = 0, errorCount = 0, missed = 0, handsDt = 0, ms = 0;
  for (const image of data.images) {
    const bytes = new Uint8Array(await readFile(join(dir, image.file_name)));
    const start = performance.now();
    const result = await engine.run('hand_analysis', { bytes });
    ms += performance.now() - start;
    handsDt += result.hands.length;
    const predictions = result.hands.map((h) => h.keypoints);
    for (const gt of gts.filter((a) => a.image_id === image.id)) {
      const s = scoreHand(gt, predictions);
      if (!s.matched) missed++;
      for (const e of s.errors) {
        total++;
        if (e <= s.threshold) correct++;
        if (Number.isFinite(e)) { errorSum += e; errorCount++; }
      }
    }
  }
  const pck = total ? correct / total : -1;
  ctx.emit({
    eval: 'hands',
    set,
    images: data.images.length,
    hands_gt: gts.length,
    hands_dt: handsDt,
    hands_missed: missed,
    pck_0_2: round(pck, 4),
    mean_px_error: round(errorCount ? errorSum / errorCount : -1, 2),
    ms_per_image: round(ms / Math.max(1, data.images.length), 1),
  });
  return { key: `hands/${set}`, metric: 'pck_0_2', value: pck };
}

interface HagridItem { image: string; folder_class: string; bboxes?: number[][]; labels?: string[] }

async function runGestureSet(ctx: EvalContext, engine: Engine): Promise<Score[]> {
  const root = join(ctx.evalRoot, 'gesture/hagrid');
  if (!existsSync(join(root, 'dataset'))) {
    ctx.emit({ eval: 'hands', set: 'hagrid', skipped: true, reason: `no gesture/hagrid/dataset under ${ctx.evalRoot}` });
    return [];
  }
  const labels = existsSync(join(root, 'labels.json'))
    ? (JSON.parse(await readFile(join(root, 'labels.json'), 'utf8')) as { items: Record<string, HagridItem> }).items
    : {};
  const confusion: Record<string, Record<string, number>> = {};
  const calibration: { p: number; ok: boolean }[] = [];
  let ms = 0, images = 0, correct = 0;
  for (const folder of readdirSync(join(root, 'dataset')).sort()) {
    const truth = HAGRID_TO_BAIDU[folder];
    if (!truth) continue;
    for (const file of readdirSync(join(root, 'dataset', folder)).filter((f) => /\.jpe?g$/i.test(f)).sort()) {
      const bytes = new Uint8Array(await readFile(join(root, 'dataset', folder, file)));
      const start = performance.now();
      const result = await engine.run('gesture', { bytes });
      ms += performance.now() - start;
      images++;
      const hands = result.gestures.filter((g) => g.classname !== 'Face');
      // With a labelled box, score the result on that hand; otherwise the most confident gesture.
      const item = labels[file.replace(/\.[^.]+$/, '')];
      const k = item?.labels?.indexOf(folder) ?? -1;
      let pick;
      if (item?.bboxes && k >= 0) {
        const [x, y, w, h] = item.bboxes[k];
        const box = { left: x * result.image.width, top: y * result.image.height, width: w * result.image.width, height: h * result.image.height };
        pick = hands.map((g) => ({ g, o: boxIou(g.box, box) })).filter((c) => c.o > 0.1).sort((a, b) => b.o - a.o)[0]?.g;
      } else {
        pick = [...hands].sort((a, b) => Number(b.classname !== 'other') - Number(a.classname !== 'other') || b.probability - a.probability)[0];
      }
      const predicted = pick?.classname ?? 'none';
      (confusion[truth] ??= {})[predicted] = (confusion[truth][predicted] ?? 0) + 1;
      if (predicted === truth) correct++;
      if (pick) calibration.push({ p: pick.probability, ok: predicted === truth });
    }
  }
  const perClass = Object.fromEntries(
    Object.entries(confusion).map(([cls, row]) => {
      const n = Object.values(row).reduce((s, v) => s + v, 0);
      return [cls, round((row[cls] ?? 0) / n, 3)];
    }),
  );
  const minClass = Math.min(...Object.values(perClass));
  // Expected calibration error over 5 probability bins: does probability match the hit rate?
  let ece = 0;
  for (let b = 0; b < 5; b++) {
    const bin = calibration.filter((c) => c.p >= b / 5 && (c.p < (b + 1) / 5 || b === 4));
    if (bin.length === 0) continue;
    const conf = bin.reduce((s, c) => s + c.p, 0) / bin.length;
    const acc = bin.filter((c) => c.ok).length / bin.length;
    ece += (bin.length / calibration.length) * Math.abs(conf - acc);
  }
  const accuracy = images ? correct / images : -1;
  ctx.emit({
    eval: 'hands',
    set: 'hagrid',
    images,
    top1: round(accuracy, 4),
    min_class: round(minClass, 3),
    per_class: perClass,
    ece: round(ece, 3),
    ms_per_image: round(ms / Math.max(1, images), 1),
  });
  ctx.emit({ eval: 'hands', set: 'hagrid', confusion });
  return [
    { key: 'hands/hagrid', metric: 'top1', value: accuracy },
    { key: 'hands/hagrid/min_class', metric: 'min_class_accuracy', value: minClass },
  ];
}

export const handsSuite: EvalSuite = {
  name: 'hands',
  sets: ['onehand10k', 'freihand', 'coco_hands', 'hagrid'],
  async run(ctx, sets) {
    const engine = await ctx.engine();
    const scores: Score[] = [];
    for (const set of sets) {
      if (set === 'hagrid') scores.push(...(await runGestureSet(ctx, engine)));
      else {
        const s = await runKeypointSet(ctx, engine, set as KeypointSet);
        if (s) scores.push(s);
      }
    }
    return scores;
  },
};
