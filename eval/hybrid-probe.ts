/**
 * Old vs combined body pipeline (src/vision/body-pose.ts), one thread, one sitting, images
 * interleaved across variants so CPU noise hits all alike:
 *   node dist/eval/hybrid-probe.js [--set pose-coco-mini,coco-mini,...] [--variants '{"name":{BodyOptions}}'] [--mot-frame] [--nanodet]
 * (--nanodet also loads NanoDet, for variants with combined.detectors naming it).
 * One JSON line per set and variant: pose AP (pose-* sets), box recall/precision at IoU 0.5 for
 * people >= 30 px (coco-mini, mot17, pennfudan; at the default output and at score >= 0.4), ms/image.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { decodeImage } from '../src/intake/index.js';
import { loadModel, type Model } from '../src/runtime/session.js';
import type { Person, RgbImage } from '../src/types.js';
import { BODY_POSE_MODELS, analyzePeople, bodyModels, DEFAULT_BODY_OPTIONS, type BodyOptions } from '../src/vision/body-pose.js';
import { POSE_SETS, loadPoseSet, personToDetection, type PoseSetName } from './datasets.js';
import { evaluateKeypoints, type ImageSample } from './oks.js';
import { loadPersonSet, matchBoxes, type PersonSetName } from './person-sets.js';
import { evalDataRoot, round } from './suite.js';

const POSE_DEFS: Record<string, PoseSetName> = { 'pose-coco-mini': 'coco-mini', 'pose-coco': 'coco', 'pose-crowdpose': 'crowdpose', 'pose-studio-single': 'studio-single' };
const BOX_SETS = ['coco-mini', 'mot17', 'pennfudan'];

const { values } = parseArgs({ options: { set: { type: 'string', multiple: true }, variants: { type: 'string' }, 'mot-frame': { type: 'boolean' }, nanodet: { type: 'boolean' } } });
const sets = (values.set ?? []).flatMap((s) => s.split(',')).filter(Boolean);
const chosen = sets.length ? sets : values['mot-frame'] ? [] : [...Object.keys(POSE_DEFS), ...BOX_SETS];
const variants: Record<string, Partial<BodyOptions>> = values.variants ? JSON.parse(values.variants) : { old: { pipeline: 'multipose' }, combined: {} };
const evalRoot = evalDataRoot();
const emit = (l: Record<string, unknown>) => process.stdout.write(JSON.stringify(l) + '\n');

const names = [...BODY_POSE_MODELS, ...(values.nanodet ? ['nanodet'] : [])];
const loaded = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await loadModel(n, { threads: 1 })] as const))) as Record<string, Model>;
const models = bodyModels(loaded as Parameters<typeof bodyModels>[0]);
const run = (image: RgbImage, v: Partial<BodyOptions>) => analyzePeople(models, image, { ...DEFAULT_BODY_OPTIONS, ...v });
const decode = async (p: string) => decodeImage(new Uint8Array(await readFile(p)));

const warm = await decode(join(evalRoot, 'pose/coco/000000000785.jpg'));
for (const v of Object.values(variants)) { await run(warm, v); await run(warm, v); }

for (const set of chosen) {
  const ms: Record<string, number> = {};
  const ndt: Record<string, number> = {};
  for (const k of Object.keys(variants)) { ms[k] = 0; ndt[k] = 0; }
  if (POSE_DEFS[set]) {
    const spec = POSE_SETS[POSE_DEFS[set]];
    if (!existsSync(join(evalRoot, spec.dir, spec.annotationFile))) { emit({ set, skipped: true }); continue; }
    const data = await loadPoseSet(evalRoot, POSE_DEFS[set]);
    const samples: Record<string, ImageSample[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (const im of data.images) {
      const image = await decode(im.path);
      for (const [k, v] of Object.entries(variants)) {
        const t0 = performance.now();
        const people: Person[] = await run(image, v);
        ms[k] += performance.now() - t0;
        ndt[k] += people.length;
        samples[k].push({ imageId: im.id, gts: im.gts, dts: people.map((p) => personToDetection(p, data.mapping, 'person')) });
      }
    }
    const n = Math.max(data.images.length, 1);
    const out: Record<string, unknown> = { eval: 'hybrid', set, images: data.images.length };
    for (const k of Object.keys(variants)) {
      const r = evaluateKeypoints(samples[k], { sigmas: spec.sigmas, maxDets: 20 });
      out[k] = { AP: round(r.AP, 4), AP50: round(r.AP50, 4), AR: round(r.AR, 4), persons_dt: ndt[k], ms_per_image: round(ms[k] / n, 1) };
    }
    emit(out);
    continue;
  }
  if (BOX_SETS.includes(set)) {
    const samples = await loadPersonSet(evalRoot, set as PersonSetName, 30);
    const c: Record<string, { tp: number; fp: number; gt: number; tp4: number; fp4: number }> = {};
    for (const k of Object.keys(variants)) c[k] = { tp: 0, fp: 0, gt: 0, tp4: 0, fp4: 0 };
    for (const s of samples) {
      const image = await decode(s.path);
      for (const [k, v] of Object.entries(variants)) {
        const t0 = performance.now();
        const people = await run(image, v);
        ms[k] += performance.now() - t0;
        ndt[k] += people.length;
        const m = matchBoxes(people, s.gts);
        const m4 = matchBoxes(people.filter((p) => p.score >= 0.4), s.gts);
        c[k].tp += m.tp; c[k].fp += m.fp; c[k].gt += m.gt; c[k].tp4 += m4.tp; c[k].fp4 += m4.fp;
      }
    }
    const out: Record<string, unknown> = { eval: 'hybrid', set, images: samples.length, gt_boxes: c[Object.keys(variants)[0]].gt, min_height: 30 };
    for (const [k, x] of Object.entries(c)) {
      out[k] = { recall: round(x.tp / Math.max(x.gt, 1), 4), precision: round(x.tp / Math.max(x.tp + x.fp, 1), 4), at04: { recall: round(x.tp4 / Math.max(x.gt, 1), 4), precision: round(x.tp4 / Math.max(x.tp4 + x.fp4, 1), 4) }, persons_dt: ndt[k], ms_per_image: round(ms[k] / Math.max(samples.length, 1), 1) };
    }
    emit(out);
    continue;
  }
  emit({ set, skipped: true, reason: 'unknown set' });
}
if (values['mot-frame']) {
  const frame = await decode(join(evalRoot, 'tracking/mot17-mini/MOT17-13-FRCNN/img1/000001.jpg'));
  const out: Record<string, unknown> = { eval: 'hybrid', set: 'mot17-frame', frame: 'MOT17-13-FRCNN/000001.jpg', size: `${frame.width}x${frame.height}` };
  for (const [k, v] of Object.entries(variants)) {
    const t: number[] = [];
    let n = 0;
    for (let i = 0; i < 3; i++) { const t0 = performance.now(); n = (await run(frame, v)).length; t.push(performance.now() - t0); }
    out[k] = { ms: Math.round(t.sort((a, b) => a - b)[1]), people: n };
  }
  emit(out);
}
await Promise.all(Object.values(loaded).map((m) => m.release()));
