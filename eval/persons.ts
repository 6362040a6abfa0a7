/**
 * Person-finder suite (issue 10): one JSON line per set.
 *   - boxes on coco-mini / pennfudan / mot17: recall and precision at IoU 0.5 of findPeople's
 *     people (score ≥ its default minScore), ignore regions as in eval/person-sets.ts; `recall`
 *     counts people ≥ MIN_HEIGHT px tall (the 30-100 px and up), `recall_all` every box;
 *   - heads: mean relative error of the person count on crowd/heads;
 *   - pose-* sets: OKS AP of the new pipeline (findPeople + top-down keypoints, Baidu 21 points via
 *     toBody21) and, in the same run, of body_analysis (the combined pipeline), on coco-mini, coco (4),
 *     crowdpose and studio-single.
 * Runs in-process with one thread per model (as a worker does).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeImage } from '../src/intake/index.js';
import type { Person, RgbImage } from '../src/types.js';
import { toBody21 } from '../src/vision/body21.js';
import { clampBox } from '../src/vision/box.js';
import { keypointBox } from '../src/vision/pose-geometry.js';
import { DEFAULT_MIN_SCORE, expectedCount, type FoundPerson, type PersonFinderOptions } from '../src/vision/person-finder.js';
import { POSE_SETS, parsePoseSet, personToDetection, type PoseSetSpec } from './datasets.js';
import { COCO_SIGMAS, evaluateKeypoints, type ImageSample } from './oks.js';
import { loadPersonSet, matchBoxes, personSetExists, type PersonSetName } from './person-sets.js';
import { round, type EvalSuite, type Score } from './suite.js';

/** People shorter than this are ignore regions for `recall` and `precision`. */
export const MIN_HEIGHT = 30;
/** Score cuts at which box recall/precision are also reported. */
const SWEEP = [0.3, 0.5];

const BOX_SETS: PersonSetName[] = ['coco-mini', 'pennfudan', 'mot17'];

interface PoseSetDef {
  dir: string;
  file: string;
  spec: PoseSetSpec;
}

const POSE_DEFS: Record<string, PoseSetDef> = {
  'pose-coco-mini': { dir: 'pose/coco-mini', file: 'annotations.json', spec: { ...POSE_SETS.coco, dir: 'pose/coco-mini', annotationFile: 'annotations.json' } },
  'pose-coco': { dir: 'pose/coco', file: 'test_coco.json', spec: POSE_SETS.coco },
  'pose-crowdpose': { dir: 'pose/crowdpose', file: 'test_crowdpose.json', spec: POSE_SETS.crowdpose },
  'pose-studio-single': { dir: 'pose/studio-single', file: 'annotations.json', spec: { ...POSE_SETS.coco, dir: 'pose/studio-single', annotationFile: 'annotations.json' } },
};

export const PERSON_SUITE_SETS = [...BOX_SETS, 'heads', ...Object.keys(POSE_DEFS)];

/** A found person with keypoints in the service's Person shape (21 Baidu points). */
export function foundToPerson(p: FoundPerson & { keypoints: NonNullable<FoundPerson['keypoints']> }, image: { width: number; height: number }): Person {
  const named = toBody21(p.keypoints);
  return { box: clampBox(keypointBox(Object.values(named)), image), score: p.score, keypoints: named };
}

async function decodeFile(path: string): Promise<RgbImage> {
  return decodeImage(new Uint8Array(await readFile(path)));
}

export interface PersonSuiteDeps {
  options?: Partial<PersonFinderOptions>;
  /** Also score body_analysis (the combined pipeline the API runs) on the box sets, for comparison. */
  compareOld?: boolean;
}

export function makePersonsSuite(deps: PersonSuiteDeps = {}): EvalSuite {
  return {
    name: 'persons',
    sets: PERSON_SUITE_SETS,
    async run(ctx, sets) {
      const scores: Score[] = [];
      const engine = await ctx.engine();
      // The finder alone (body_detection) beside what the API runs (body_analysis: MultiPose +
      // Thunder combined with the finder's boxes, src/vision/body-pose.ts).
      const find = async (image: RgbImage, options: Partial<PersonFinderOptions> = {}) =>
        (await engine.run('body_detection', { image }, { ...deps.options, ...options })).persons;
      const findOld = async (image: RgbImage) => (await engine.run('body_analysis', { image })).persons;
      {
        for (const set of sets) {
          if (BOX_SETS.includes(set as PersonSetName) || set === 'heads') {
            const name = set as PersonSetName;
            if (!personSetExists(ctx.evalRoot, name)) {
              ctx.emit({ eval: 'persons', set, skipped: true, reason: `no ${set} data under ${ctx.evalRoot}` });
              continue;
            }
            const samples = await loadPersonSet(ctx.evalRoot, name, MIN_HEIGHT);
            const all = await loadPersonSet(ctx.evalRoot, name, 0);
            const minScore = deps.options?.minScore ?? DEFAULT_MIN_SCORE;
            const sweep = Object.fromEntries(SWEEP.map((t) => [t, { tp: 0, fp: 0 }]));
            const compareOld = deps.compareOld !== false;
            let oldTp = 0, oldFp = 0, oldRelErr = 0, msOld = 0;
            let tp = 0, fp = 0, gt = 0, tpAll = 0, gtAll = 0, found = 0, ms = 0, relErr = 0, relErrExpected = 0;
            for (let i = 0; i < samples.length; i++) {
              const image = await decodeFile(samples[i].path);
              const t0 = performance.now();
              // One run with a low cut gives the default operating point and the sweep.
              const people = await find(image, { ...deps.options, minScore: Math.min(minScore, ...SWEEP) });
              ms += performance.now() - t0;
              found += people.filter((p) => p.score >= minScore).length;
              if (name === 'heads') {
                const count = samples[i].count ?? 0;
                if (compareOld) {
                  const t1 = performance.now();
                  oldRelErr += Math.abs((await findOld(image)).length - count) / Math.max(count, 1);
                  msOld += performance.now() - t1;
                }
                relErr += Math.abs(people.filter((p) => p.score >= minScore).length - count) / Math.max(count, 1);
                // Scores are probabilities: their sum over all candidates is the expected count.
                const loose = await find(image, { ...deps.options, minScore: 0.02 });
                relErrExpected += Math.abs(expectedCount(loose) - count) / Math.max(count, 1);
                continue;
              }
              const kept = people.filter((p) => p.score >= minScore);
              const m = matchBoxes(kept, samples[i].gts);
              tp += m.tp; fp += m.fp; gt += m.gt;
              const a = matchBoxes(kept, all[i].gts);
              tpAll += a.tp; gtAll += a.gt;
              if (compareOld) {
                const t1 = performance.now();
                const o = matchBoxes(await findOld(image), samples[i].gts);
                msOld += performance.now() - t1;
                oldTp += o.tp; oldFp += o.fp;
              }
              for (const t of SWEEP) {
                const s = matchBoxes(people.filter((p) => p.score >= t), samples[i].gts);
                sweep[t].tp += s.tp; sweep[t].fp += s.fp;
              }
            }
            const n = samples.length;
            if (name === 'heads') {
              const err = n ? relErr / n : 0;
              ctx.emit({ eval: 'persons', set, images: n, people_found: found, people_true: samples.reduce((s, x) => s + (x.count ?? 0), 0), count_rel_error: round(err, 4), expected_count_rel_error: round(n ? relErrExpected / n : 0, 4), ms_per_image: round(ms / Math.max(n, 1), 1), ...(compareOld ? { body_analysis: { count_rel_error: round(n ? oldRelErr / n : 0, 4), ms_per_image: round(msOld / Math.max(n, 1), 1) } } : {}) });
              scores.push({ key: `persons/${set}`, metric: 'count_accuracy', value: 1 - err });
              continue;
            }
            const recall = gt ? tp / gt : 0;
            const precision = tp + fp ? tp / (tp + fp) : 1;
            ctx.emit({ eval: 'persons', set, images: n, gt_boxes: gt, found, recall: round(recall, 4), precision: round(precision, 4), recall_all: round(gtAll ? tpAll / gtAll : 0, 4), gt_boxes_all: gtAll, min_height: MIN_HEIGHT, min_score: minScore,
              sweep: Object.fromEntries(SWEEP.map((t) => [t, { recall: round(gt ? sweep[t].tp / gt : 0, 4), precision: round(sweep[t].tp + sweep[t].fp ? sweep[t].tp / (sweep[t].tp + sweep[t].fp) : 1, 4) }])), ms_per_image: round(ms / Math.max(n, 1), 1),
              ...(compareOld ? { body_analysis: { recall: round(gt ? oldTp / gt : 0, 4), precision: round(oldTp + oldFp ? oldTp / (oldTp + oldFp) : 1, 4), ms_per_image: round(msOld / Math.max(n, 1), 1) } } : {}) });
            scores.push({ key: `persons/${set}`, metric: 'recall', value: recall });
            continue;
          }
          const def = POSE_DEFS[set];
          if (!def || !existsSync(join(ctx.evalRoot, def.dir, def.file))) {
            ctx.emit({ eval: 'persons', set, skipped: true, reason: `no ${def?.dir}/${def?.file} under ${ctx.evalRoot}` });
            continue;
          }
          const dir = join(ctx.evalRoot, def.dir);
          const data = parsePoseSet(JSON.parse(await readFile(join(dir, def.file), 'utf8')), def.spec, dir);
          const newSamples: ImageSample[] = [];
          const oldSamples: ImageSample[] = [];
          let msNew = 0, msOld = 0, dtNew = 0, dtOld = 0;
          for (const im of data.images) {
            const image = await decodeFile(im.path);
            let t0 = performance.now();
            const people = await find(image, deps.options);
            msNew += performance.now() - t0;
            const persons = people.filter((p): p is FoundPerson & { keypoints: NonNullable<FoundPerson['keypoints']> } => Boolean(p.keypoints)).map((p) => foundToPerson(p, image));
            t0 = performance.now();
            const old = await findOld(image);
            msOld += performance.now() - t0;
            dtNew += persons.length;
            dtOld += old.length;
            newSamples.push({ imageId: im.id, gts: im.gts, dts: persons.map((p) => personToDetection(p, data.mapping, ctx.options.scoreMode)) });
            oldSamples.push({ imageId: im.id, gts: im.gts, dts: old.map((p) => personToDetection(p, data.mapping, ctx.options.scoreMode)) });
          }
          const rNew = evaluateKeypoints(newSamples, { sigmas: def.spec.sigmas ?? COCO_SIGMAS, maxDets: 20 });
          const rOld = evaluateKeypoints(oldSamples, { sigmas: def.spec.sigmas ?? COCO_SIGMAS, maxDets: 20 });
          const n = Math.max(data.images.length, 1);
          ctx.emit({
            eval: 'persons', set, images: data.images.length, persons_scored: data.personsScored,
            new: { AP: round(rNew.AP, 4), AP50: round(rNew.AP50, 4), AR: round(rNew.AR, 4), persons_dt: dtNew, ms_per_image: round(msNew / n, 1) },
            body_analysis: { AP: round(rOld.AP, 4), AP50: round(rOld.AP50, 4), AR: round(rOld.AR, 4), persons_dt: dtOld, ms_per_image: round(msOld / n, 1) },
          });
          scores.push({ key: `persons/${set}`, metric: 'AP', value: rNew.AP });
        }
      }
      return scores;
    },
  };
}

export const personsSuite = makePersonsSuite();
