/**
 * Counting suite (issue 12): people counts against ground truth, one JSON line per set.
 *   - heads: crowd/heads, the count of annotated head points per image;
 *   - mot17: tracking/mot17-mini frames, pedestrians (class 1) with consider = 1 and visibility
 *     >= 0.25 whose head (the top centre of the box, a tenth of its height down) lies inside the
 *     frame: a pedestrian whose box is mostly cut off at the border but whose head is in view
 *     counts; one whose head is outside does not. Tiny far people count like any other.
 * Metrics: count MAE, mean relative error |found - true| / max(true, 1), mean signed error.
 * `countingLine` is exported so another counter (body_tracking with dynamic=false) can add its
 * line on the same samples.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { round, type EvalContext, type EvalSuite, type Score } from './suite.js';

export type CountingSetName = 'heads' | 'mot17';
export const COUNTING_SETS: readonly CountingSetName[] = ['heads', 'mot17'];

const DIRS: Record<CountingSetName, string> = { heads: 'crowd/heads', mot17: 'tracking/mot17-mini' };

export interface CountSample {
  name: string;
  path: string;
  count: number;
  /** Ground-truth head points, image pixels (0-based); `size`: head size where the ground truth gives one (MOT17 boxes). */
  heads: GtHead[];
  /**
   * People in view the strict count leaves out (MOT17: pedestrians below the visibility cut or
   * not considered, people on vehicles, static people, distractors, reflections, as the persons
   * suite's ignore regions): a count between `count` and `count + optional` is also reported.
   */
  optional: number;
  /** Where the optional people's heads are (MOT17), for labelling candidates in probes. */
  optionalHeads: GtHead[];
}

export interface GtHead {
  x: number;
  y: number;
  size?: number;
}

export function countingSetExists(root: string, set: CountingSetName): boolean {
  return existsSync(join(root, DIRS[set]));
}

/** MOT17 classes that are people but not scored pedestrians (as eval/person-sets.ts). */
const MOT_OTHER_PEOPLE = new Set([2, 7, 8, 12]);

/** MOT17 ground truth of one frame: scored pedestrians as head points, and the optional others (see the header). */
export function motHeads(rows: readonly number[][], frame: number, size: { width: number; height: number }): { heads: GtHead[]; optional: number; optionalHeads: GtHead[] } {
  const heads: GtHead[] = [];
  const optionalHeads: GtHead[] = [];
  for (const [f, , x, y, w, h, consider, cls, vis] of rows) {
    if (f !== frame) continue;
    const hx = x - 1 + w / 2;
    const hy = y - 1 + h * 0.1;
    if (!(hx >= 0 && hx < size.width && hy >= 0 && hy < size.height)) continue;
    // An upright pedestrian's head is about a third of the box width (as personHead).
    const head = { x: hx, y: hy, size: Math.min(w * 0.4, h * 0.25) };
    if (cls === 1 && consider === 1 && vis >= 0.25) heads.push(head);
    else if (cls === 1 || MOT_OTHER_PEOPLE.has(cls)) optionalHeads.push(head);
  }
  return { heads, optional: optionalHeads.length, optionalHeads };
}

function iniSize(text: string): { width: number; height: number } {
  const get = (k: string) => Number(new RegExp(`^${k}=(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { width: get('imWidth'), height: get('imHeight') };
}

export async function countingSamples(root: string, set: CountingSetName): Promise<CountSample[]> {
  const dir = join(root, DIRS[set]);
  if (set === 'heads') {
    const json = JSON.parse(await readFile(join(dir, 'annotations.json'), 'utf8')) as { file_name: string; heads: [number, number][] }[];
    return json.map((e) => ({ name: e.file_name, path: join(dir, e.file_name), count: e.heads.length, heads: e.heads.map(([x, y]) => ({ x, y })), optional: 0, optionalHeads: [] }));
  }
  const out: CountSample[] = [];
  for (const seq of readdirSync(dir).filter((d) => d.startsWith('MOT17-')).sort()) {
    const rows = (await readFile(join(dir, seq, 'gt', 'gt.txt'), 'utf8')).trim().split('\n').map((l) => l.split(',').map(Number));
    const size = iniSize(await readFile(join(dir, seq, 'seqinfo.ini'), 'utf8'));
    for (const f of readdirSync(join(dir, seq, 'img1')).filter((x) => x.endsWith('.jpg')).sort()) {
      const { heads, optional, optionalHeads } = motHeads(rows, Number(f.replace('.jpg', '')), size);
      out.push({ name: `${seq}/${f}`, path: join(dir, seq, 'img1', f), count: heads.length, heads, optional, optionalHeads });
    }
  }
  return out;
}

/**
 * Count errors of `found` against the samples' true counts; `rel_error_range`: the distance to
 * the range [count, count + optional] relative to count.
 */
export function countErrors(found: readonly number[], samples: readonly CountSample[]): { mae: number; rel_error: number; bias: number; rel_error_range: number } {
  let mae = 0, rel = 0, bias = 0, range = 0;
  samples.forEach((s, i) => {
    mae += Math.abs(found[i] - s.count);
    rel += Math.abs(found[i] - s.count) / Math.max(s.count, 1);
    bias += found[i] - s.count;
    const off = found[i] < s.count ? s.count - found[i] : Math.max(0, found[i] - s.count - s.optional);
    range += off / Math.max(s.count, 1);
  });
  const n = Math.max(samples.length, 1);
  return { mae: mae / n, rel_error: rel / n, bias: bias / n, rel_error_range: range / n };
}

/**
 * One counter measured on one set: `count(sample)` per image, then one JSON line
 * `{eval: 'counting', set, counter, images, people_true, people_found, mae, rel_error, bias,
 * ms_per_image}` and the score `counting/<set>[/<counter>]` = 1 - rel_error.
 */
export async function countingLine(
  ctx: EvalContext,
  set: CountingSetName,
  counter: string,
  samples: readonly CountSample[],
  count: (sample: CountSample) => Promise<number>,
  scoreKey = `counting/${set}`,
): Promise<Score> {
  const found: number[] = [];
  let ms = 0;
  for (const s of samples) {
    const t0 = performance.now();
    found.push(await count(s));
    ms += performance.now() - t0;
  }
  const e = countErrors(found, samples);
  ctx.emit({
    eval: 'counting', set, counter, images: samples.length,
    people_true: samples.reduce((a, s) => a + s.count, 0), people_found: found.reduce((a, b) => a + b, 0),
    mae: round(e.mae, 2), rel_error: round(e.rel_error, 4), bias: round(e.bias, 2), rel_error_range: round(e.rel_error_range, 4),
    ms_per_image: round(ms / Math.max(samples.length, 1), 0),
  });
  return { key: scoreKey, metric: 'count_accuracy', value: 1 - e.rel_error };
}

/** body_num's count on one image file, through the shared engine. */
async function bodyNumCount(ctx: EvalContext, path: string): Promise<number> {
  const engine = await ctx.engine();
  const result = await engine.run('body_num', { bytes: new Uint8Array(await readFile(path)) });
  return result.count;
}

export const countingSuite: EvalSuite = {
  name: 'counting',
  sets: COUNTING_SETS,
  async run(ctx, sets) {
    const scores: Score[] = [];
    for (const set of sets as CountingSetName[]) {
      if (!countingSetExists(ctx.evalRoot, set)) {
        ctx.emit({ eval: 'counting', set, skipped: true, reason: `no ${DIRS[set]} under ${ctx.evalRoot}` });
        continue;
      }
      const samples = await countingSamples(ctx.evalRoot, set);
      // One untimed call so first-run kernel set-up does not land in ms_per_image.
      if (samples[0]) await bodyNumCount(ctx, samples[0].path);
      scores.push(await countingLine(ctx, set, 'body_num', samples, (s) => bodyNumCount(ctx, s.path)));
    }
    return scores;
  },
};
