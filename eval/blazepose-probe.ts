/**
 * BlazePose as body_analysis's single-person refiner (src/vision/blazepose.ts, BodyOptions.single),
 * measured against today's keypoints in one sitting, one thread, photos interleaved across variants:
 *   node dist/eval/blazepose-probe.js [--set lsp,pose-studio-single,pose-coco,pose-coco-mini,pose-crowdpose] [--variants '{"name":{SinglePersonOptions}}']
 * One JSON line per set and variant: lsp-extended PCK@0.2 (overall, neck, top_head, per joint);
 * pose sets OKS AP (eval/oks.ts); ms per photo; `changed` = photos whose keypoints differ from
 * the first variant's (the photos the single-person gate passed, when the first is Thunder's).
 * Variants are overrides of DEFAULT_SINGLE_PERSON_OPTIONS (today's default: BlazePose heavy,
 * 'heavy-agree-face-hips' below); `{"refiner":"movenet"}` is Thunder alone.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { decodeImage } from '../src/intake/index.js';
import { loadModel, type Model } from '../src/runtime/session.js';
import type { Person, RgbImage } from '../src/types.js';
import { BODY_POSE_MODELS, analyzePeople, bodyModels, DEFAULT_BODY_OPTIONS, type SinglePersonOptions } from '../src/vision/body-pose.js';
import { POSE_SETS, loadPoseSet, personToDetection, type PoseSetName } from './datasets.js';
import { evaluateKeypoints, type ImageSample } from './oks.js';
import { LspTally, loadLsp } from './lsp.js';
import { BLAZEPOSE_MODELS } from '../src/vision/blazepose.js';
import { packageRoot } from '../src/runtime/models.js';
import { evalDataRoot, round } from './suite.js';

/** Pose sets the probe knows (`--set`; by default lsp, pose-studio-single and pose-coco run; coco-mini and crowdpose measure the 'dominant' scope). */
const POSE_DEFS: Record<string, PoseSetName> = { 'pose-studio-single': 'studio-single', 'pose-coco': 'coco', 'pose-coco-mini': 'coco-mini', 'pose-crowdpose': 'crowdpose' };
/** Thunder alone first (the pre-BlazePose keypoints), then the variants docs/person-finder.md reports. */
const HEAVY = { refiner: 'blazepose-heavy', refineHeatmap: true } as const;
const DEFAULT_VARIANTS: Record<string, Partial<SinglePersonOptions>> = {
  thunder: { refiner: 'movenet' },
  full: { refiner: 'blazepose-full', fusion: 'replace', keep: [], refineHeatmap: false },
  heavy: { refiner: 'blazepose-heavy', fusion: 'replace', keep: [], refineHeatmap: false },
  'heavy-heat': { ...HEAVY, fusion: 'replace', keep: [] },
  'heavy-agree': { ...HEAVY, fusion: 'agree', keep: [] },
  'heavy-agree-hips': { ...HEAVY, fusion: 'agree', keep: [11, 12] },
  'heavy-agree-face-hips': { ...HEAVY, fusion: 'agree', keep: [0, 1, 2, 3, 4, 11, 12] },
  'full-agree-face-hips': { ...HEAVY, refiner: 'blazepose-full', fusion: 'agree', keep: [0, 1, 2, 3, 4, 11, 12] },
  'heavy-detector': { ...HEAVY, roi: 'detector', fusion: 'agree', keep: [0, 1, 2, 3, 4, 11, 12] },
  'heavy-aux': { ...HEAVY, roi: 'keypoints+aux', fusion: 'agree', keep: [0, 1, 2, 3, 4, 11, 12] },
  'heavy-head': { ...HEAVY, fusion: 'keep', head: 'blazepose' },
};

const { values } = parseArgs({ options: { set: { type: 'string', multiple: true }, variants: { type: 'string' } } });
const sets = (values.set ?? []).flatMap((s) => s.split(',')).filter(Boolean);
const chosen = sets.length ? sets : ['lsp', 'pose-studio-single', 'pose-coco'];
const variants: Record<string, Partial<SinglePersonOptions>> = values.variants ? JSON.parse(values.variants) : DEFAULT_VARIANTS;
const evalRoot = evalDataRoot();
const emit = (l: Record<string, unknown>) => process.stdout.write(JSON.stringify(l) + '\n');

const used = new Set(Object.values(variants).flatMap((v) => [v.refiner, v.roi === 'detector' ? 'blazepose-detector' : undefined]));
const names = [...BODY_POSE_MODELS, ...[...BLAZEPOSE_MODELS, 'blazepose-detector'].filter((n) => used.has(n as never) && !(BODY_POSE_MODELS as readonly string[]).includes(n))];
const loaded = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await loadModel(n, { threads: 1 })] as const))) as Record<string, Model>;
const models = bodyModels(loaded as Parameters<typeof bodyModels>[0]);
const run = (image: RgbImage, single: Partial<SinglePersonOptions>) => analyzePeople(models, image, { ...DEFAULT_BODY_OPTIONS, single });
const decode = async (p: string) => decodeImage(new Uint8Array(await readFile(p)));

// The committed skier (a gated single person), so the probe runs with any subset of the eval sets.
const warm = await decode(join(packageRoot(), 'test', 'fixtures', 'coco-000000000785.jpg'));
for (const v of Object.values(variants)) { await run(warm, v); await run(warm, v); }

/** Runs every variant on one photo, timing each and counting the photos where it differs from the first. */
let turn = 0;
async function runAll(image: RgbImage, ms: Record<string, number>, changed: Record<string, number>): Promise<Record<string, Person[]>> {
  const out: Record<string, Person[]> = {};
  // Each photo starts with the next variant, so the first run's costs (image copies) fall on all alike.
  const keys = Object.keys(variants);
  const order = keys.map((_, i) => keys[(i + turn) % keys.length]);
  turn++;
  for (const k of order) {
    const t0 = performance.now();
    out[k] = await run(image, variants[k]);
    ms[k] += performance.now() - t0;
  }
  const first = JSON.stringify(out[keys[0]].map((p) => p.keypoints));
  for (const k of keys.slice(1)) if (JSON.stringify(out[k].map((p) => p.keypoints)) !== first) changed[k]++;
  return out;
}

for (const set of chosen) {
  const ms: Record<string, number> = {};
  const changed: Record<string, number> = {};
  for (const k of Object.keys(variants)) { ms[k] = 0; changed[k] = 0; }
  if (set === 'lsp') {
    const data = await loadLsp(evalRoot);
    if (!data) { emit({ eval: 'blazepose-probe', set, skipped: true }); continue; }
    const tallies = Object.fromEntries(Object.keys(variants).map((k) => [k, new LspTally(data.names)]));
    for (const sample of data.samples) {
      const people = await runAll(await decode(sample.path), ms, changed);
      for (const k of Object.keys(variants)) tallies[k].add(sample, people[k]);
    }
    for (const [k, t] of Object.entries(tallies)) {
      const perJoint = t.perJoint();
      emit({
        eval: 'blazepose-probe', set: 'lsp-extended', variant: k, options: variants[k], images: t.images, changed: changed[k],
        pck_0_2: round(t.pck(), 4), neck: perJoint.neck, top_head: perJoint.top_head, per_joint: perJoint, ms_per_image: round(ms[k] / Math.max(t.images, 1), 1),
      });
    }
    continue;
  }
  if (POSE_DEFS[set]) {
    const spec = POSE_SETS[POSE_DEFS[set]];
    if (!existsSync(join(evalRoot, spec.dir, spec.annotationFile))) { emit({ eval: 'blazepose-probe', set, skipped: true }); continue; }
    const data = await loadPoseSet(evalRoot, POSE_DEFS[set]);
    const samples: Record<string, ImageSample[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (const im of data.images) {
      const people = await runAll(await decode(im.path), ms, changed);
      for (const k of Object.keys(variants)) samples[k].push({ imageId: im.id, gts: im.gts, dts: people[k].map((p) => personToDetection(p, data.mapping, 'person')) });
    }
    for (const k of Object.keys(variants)) {
      const r = evaluateKeypoints(samples[k], { sigmas: spec.sigmas, maxDets: 20 });
      emit({
        eval: 'blazepose-probe', set: POSE_DEFS[set], variant: k, options: variants[k], images: data.images.length, changed: changed[k],
        AP: round(r.AP, 4), AP50: round(r.AP50, 4), AR: round(r.AR, 4), ms_per_image: round(ms[k] / Math.max(data.images.length, 1), 1),
      });
    }
    continue;
  }
  emit({ eval: 'blazepose-probe', set, skipped: true, reason: 'unknown set' });
}
await Promise.all(Object.values(loaded).map((m) => m.release()));
