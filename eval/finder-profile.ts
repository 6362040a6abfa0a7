/**
 * Where the person finder's time goes, per image (one thread):
 *   node dist/eval/finder-profile.js [--set mot17] [--images 6] [--options '{...}'] [--threads 1]
 * One JSON line: ms per image in stage 1 (detectors on the whole image and the tiles, with the
 * tensor building, decoding, NMS and fusion) and stage 2 (top-down pose of every candidate), the
 * candidates per image, and per model input: runs per image and ms per run. What is left of a
 * stage after its model runs is JavaScript (crops, tensors, decoding, fusion).
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decodeImage } from '../src/intake/index.js';
import { RunLane, type Model } from '../src/runtime/session.js';
import {
  DEFAULT_PERSON_FINDER_OPTIONS,
  estimatePoses,
  loadPersonFinderModels,
  personCandidates,
  releasePersonFinderModels,
} from '../src/vision/person-finder.js';
import { loadPersonSet, type PersonSetName } from './person-sets.js';
import { mergeOptions } from '../src/capabilities/capability.js';
import { evalDataRoot, round } from './suite.js';

const { values } = parseArgs({ options: { set: { type: 'string' }, images: { type: 'string' }, options: { type: 'string' }, threads: { type: 'string' }, 'eval-dir': { type: 'string' } } });
const set = (values.set ?? 'mot17') as PersonSetName;
// Deep-merged onto the defaults: `{"topDown":{"refineMaxIou":0.7}}` keeps topDown's other fields.
const options = mergeOptions(DEFAULT_PERSON_FINDER_OPTIONS, values.options ? JSON.parse(values.options) : {});
const samples = (await loadPersonSet(evalDataRoot(values['eval-dir']), set)).slice(0, Number(values.images ?? 6));
const threads = Number(values.threads ?? 1);
const models = await loadPersonFinderModels(threads);
const runs = new Map<string, { n: number; ms: number }>();
// One run at a time, so each run's time is its own (the finder issues its runs together).
const lane = new RunLane();
const timed = (m: Model): Model =>
  lane.wrap(m, (name, shape, seconds) => {
    const key = `${name} ${shape.join('x')}`;
    const r = runs.get(key) ?? { n: 0, ms: 0 };
    r.n++;
    r.ms += seconds * 1000;
    runs.set(key, r);
  });
for (const k of Object.keys(models.detectors) as (keyof typeof models.detectors)[]) models.detectors[k] = timed(models.detectors[k]!);
const pose = { thunder: timed(models.pose!.thunder), lightning: timed(models.pose!.lightning!) };
const images = await Promise.all(samples.map(async (s) => decodeImage(new Uint8Array(await readFile(s.path)))));
await estimatePoses(pose, images[0], await personCandidates(models, images[0], options), options.topDown); // warm-up
runs.clear();
let candMs = 0, poseMs = 0, candidates = 0;
const c0 = process.cpuUsage();
for (const image of images) {
  const t0 = performance.now();
  const cands = await personCandidates(models, image, options);
  const t1 = performance.now();
  await estimatePoses(pose, image, cands, options.topDown);
  poseMs += performance.now() - t1;
  candMs += t1 - t0;
  candidates += cands.length;
}
const cpu = process.cpuUsage(c0);
const n = images.length;
await releasePersonFinderModels(models);
process.stdout.write(
  JSON.stringify({
    probe: 'finder-profile', set, threads, images: n, width: images[0].width, height: images[0].height,
    detectors_ms: round(candMs / n, 0), pose_ms: round(poseMs / n, 0), cpu_ms: round((cpu.user + cpu.system) / 1000 / n, 0), candidates: round(candidates / n, 1),
    runs: Object.fromEntries([...runs].map(([k, r]) => [k, { per_image: round(r.n / n, 1), ms_per_run: round(r.ms / r.n, 1), ms_per_image: round(r.ms / n, 0) }])),
  }) + '\n',
);
