/**
 * Top-down pose on ground-truth person boxes: how good the refiner (top-down.ts) is when the
 * finder is perfect, per TopDownOptions variant, with the model runs each variant costs:
 *   node dist/eval/topdown-probe.js [--set coco-mini,coco,crowdpose] [--variants '{"name":{TopDownOptions overrides}}']
 * One JSON line per set and variant: OKS AP / AP50 / AR over the set's scored people (each GT box
 * with labelled keypoints becomes one detection, scored by its pose confidence), AP of the people
 * whose crop is under 96 / 96-200 / at least 200 px (the others ignored), and Thunder and
 * Lightning runs per person (a deterministic cost: wall time on a shared machine is not).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { decodeImage } from '../src/intake/index.js';
import type { Model } from '../src/runtime/session.js';
import type { Box } from '../src/types.js';
import { toBody21 } from '../src/vision/body21.js';
import { loadPersonFinderModels, poseConfidence, releasePersonFinderModels } from '../src/vision/person-finder.js';
import { DEFAULT_TOP_DOWN_OPTIONS, poseForBox, type PoseModels, type TopDownOptions } from '../src/vision/top-down.js';
import { loadPoseSet, type PoseSetName } from './datasets.js';
import { evaluateKeypoints, type Detection, type GroundTruth, type ImageSample } from './oks.js';
import { evalDataRoot, round } from './suite.js';

const { values } = parseArgs({ options: { set: { type: 'string', multiple: true }, variants: { type: 'string' }, 'eval-dir': { type: 'string' } } });
const sets = ((values.set ?? []).flatMap((s) => s.split(',')).filter(Boolean) as PoseSetName[]);
const chosen: PoseSetName[] = sets.length ? sets : ['coco-mini', 'coco', 'crowdpose'];
const variants: Record<string, Partial<TopDownOptions>> = values.variants ? JSON.parse(values.variants) : { default: {} };
const root = evalDataRoot(values['eval-dir']);
const emit = (l: Record<string, unknown>) => process.stdout.write(JSON.stringify(l) + '\n');

const models = await loadPersonFinderModels(1);
const runs = { thunder: 0, lightning: 0 };
const counted = (m: Model, k: keyof typeof runs): Model => ({ name: m.name, release: () => m.release(), run: (i, s) => { runs[k]++; return m.run(i, s); } });
const pose: PoseModels = { thunder: counted(models.pose!.thunder, 'thunder'), lightning: counted(models.pose!.lightning!, 'lightning') };

const scored = (g: GroundTruth) => !g.iscrowd && (g.numKeypoints ?? g.keypoints.filter((_, i) => i % 3 === 2 && g.keypoints[i] > 0).length) > 0;
const cropSide = (g: GroundTruth) => Math.max(g.bbox[2], g.bbox[3]) * DEFAULT_TOP_DOWN_OPTIONS.cropScale;
const BANDS: [string, number, number][] = [['under96', 0, 96], ['96to200', 96, 200], ['from200', 200, Infinity]];

for (const set of chosen) {
  const data = await loadPoseSet(root, set);
  const images = await Promise.all(data.images.map(async (im) => ({ im, image: await decodeImage(new Uint8Array(await readFile(im.path))) })));
  const people = images.reduce((n, { im }) => n + im.gts.filter(scored).length, 0);
  for (const [name, override] of Object.entries(variants)) {
    const opts = { ...DEFAULT_TOP_DOWN_OPTIONS, ...override };
    runs.thunder = runs.lightning = 0;
    const perImage: { im: (typeof images)[number]['im']; dts: { dt: Detection; side: number }[] }[] = [];
    for (const { im, image } of images) {
      const dts: { dt: Detection; side: number }[] = [];
      for (const g of im.gts.filter(scored)) {
        const box: Box = { left: g.bbox[0], top: g.bbox[1], width: g.bbox[2], height: g.bbox[3] };
        const keypoints = await poseForBox(pose, image, box, opts);
        const named = toBody21(keypoints);
        dts.push({ dt: { keypoints: data.mapping.flatMap((n) => [named[n].x, named[n].y, named[n].score]), score: poseConfidence(keypoints) }, side: cropSide(g) });
      }
      perImage.push({ im, dts });
    }
    const samples = (lo = 0, hi = Infinity): ImageSample[] =>
      perImage.map(({ im, dts }) => ({
        imageId: im.id,
        // People outside the band: their GT is marked crowd (ignored) and their detection dropped.
        gts: im.gts.map((g) => (scored(g) && (cropSide(g) < lo || cropSide(g) >= hi) ? { ...g, iscrowd: true } : g)),
        dts: dts.filter((d) => d.side >= lo && d.side < hi).map((d) => d.dt),
      }));
    const all = evaluateKeypoints(samples(), { sigmas: data.spec.sigmas, maxDets: 20 });
    const bands = Object.fromEntries(BANDS.map(([k, lo, hi]) => [k, round(evaluateKeypoints(samples(lo, hi), { sigmas: data.spec.sigmas, maxDets: 20 }).AP, 4)]));
    emit({ probe: 'topdown', set, variant: name, options: override, people, AP: round(all.AP, 4), AP50: round(all.AP50, 4), AR: round(all.AR, 4), AP_by_crop: bands, thunder_per_person: round(runs.thunder / Math.max(people, 1), 3), lightning_per_person: round(runs.lightning / Math.max(people, 1), 3) });
  }
}
await releasePersonFinderModels(models);
