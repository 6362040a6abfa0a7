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
import { POSE_SETS, loadPoseSet, personToDetection, type PoseSetName } from './datasets.js';
import { evaluateKeypoints, type ImageSample } from './oks.js';
import { loadPersonSet, matchBoxes, personSetExists, type PersonSample, type PersonSetName } from './person-sets.js';
import { round, type EvalSuite, type Score } from './suite.js';

/** People shorter than this are ignore regions for `recall` and `precision`. */
export const MIN_HEIGHT = 30;
/** Score cuts at which box recall/precision are also reported. */
const SWEEP = [0.2, 0.25, 0.3, 0.35, 0.5];

const BOX_SETS: PersonSetName[] = ['coco-mini', 'pennfudan', 'mot17'];

/** Pose sets scored here (the finder's own pose), by the pose suite's set names. */
const POSE_DEFS: Record<string, PoseSetName> = {
  'pose-coco-mini': 'coco-mini',
  'pose-coco': 'coco',
  'pose-crowdpose': 'crowdpose',
  'pose-studio-single': 'studio-single',
};

/** Lowest score kept from the one finder run per image; every operating point filters from it. */
const LOOSE_SCORE = 0.02;

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
}

/** People of a box set ≥ MIN_HEIGHT tall are scored; shorter ones become ignore regions. */
function withMinHeight(samples: PersonSample[]): PersonSample[] {
  return samples.map((s) => ({ ...s, gts: s.gts.map((g) => (g.box.height < MIN_HEIGHT ? { ...g, ignore: true } : g)) }));
}

export function makePersonsSuite(deps: PersonSuiteDeps = {}): EvalSuite {
  return {
    name: 'persons',
    sets: PERSON_SUITE_SETS,
    async run(ctx, sets) {
      const scores: Score[] = [];
      const engine = await ctx.engine();
      // The finder alone (body_detection), run once per image with a loose cut (findPeople drops
      // low scores before its greedy OKS-NMS, so filtering afterwards gives every higher cut), and
      // beside it what the API runs (body_analysis, shared with the pose suite through ctx).
      const runs = new Map<string, Promise<{ image: RgbImage; people: FoundPerson[] }>>();
      const find = (path: string) => {
        let run = runs.get(path);
        if (!run) {
          run = decodeFile(path).then(async (image) => ({
            image,
            people: (await engine.run('body_detection', { image }, { ...deps.options, minScore: LOOSE_SCORE })).persons,
          }));
          runs.set(path, run);
        }
        return run;
      };
      const minScore = deps.options?.minScore ?? DEFAULT_MIN_SCORE;
      const above = (people: FoundPerson[], t: number) => people.filter((p) => p.score >= t);
      for (const set of sets) {
        if (BOX_SETS.includes(set as PersonSetName) || set === 'heads') {
          const name = set as PersonSetName;
          if (!personSetExists(ctx.evalRoot, name)) {
            ctx.emit({ eval: 'persons', set, skipped: true, reason: `no ${set} data under ${ctx.evalRoot}` });
            continue;
          }
          const all = await loadPersonSet(ctx.evalRoot, name, 0);
          const samples = withMinHeight(all);
          const sweep = Object.fromEntries(SWEEP.map((t) => [t, { tp: 0, fp: 0 }]));
          let oldTp = 0, oldFp = 0, oldRelErr = 0;
          let tp = 0, fp = 0, gt = 0, tpAll = 0, gtAll = 0, found = 0, ms = 0, relErr = 0, relErrExpected = 0;
          for (let i = 0; i < samples.length; i++) {
            const t0 = performance.now();
            const { people } = await find(samples[i].path);
            ms += performance.now() - t0;
            const kept = above(people, minScore);
            found += kept.length;
            const old = (await ctx.bodyAnalysis(samples[i].path)).persons;
            if (name === 'heads') {
              const count = samples[i].count ?? 0;
              oldRelErr += Math.abs(old.length - count) / Math.max(count, 1);
              relErr += Math.abs(kept.length - count) / Math.max(count, 1);
              // Scores are probabilities: their sum over all candidates is the expected count.
              relErrExpected += Math.abs(expectedCount(people) - count) / Math.max(count, 1);
              continue;
            }
            const m = matchBoxes(kept, samples[i].gts);
            tp += m.tp; fp += m.fp; gt += m.gt;
            const a = matchBoxes(kept, all[i].gts);
            tpAll += a.tp; gtAll += a.gt;
            const o = matchBoxes(old, samples[i].gts);
            oldTp += o.tp; oldFp += o.fp;
            for (const t of SWEEP) {
              const s = matchBoxes(above(people, t), samples[i].gts);
              sweep[t].tp += s.tp; sweep[t].fp += s.fp;
            }
          }
          const n = samples.length;
          if (name === 'heads') {
            const err = n ? relErr / n : 0;
            ctx.emit({ eval: 'persons', set, images: n, people_found: found, people_true: samples.reduce((s, x) => s + (x.count ?? 0), 0), count_rel_error: round(err, 4), expected_count_rel_error: round(n ? relErrExpected / n : 0, 4), ms_per_image: round(ms / Math.max(n, 1), 1), body_analysis: { count_rel_error: round(n ? oldRelErr / n : 0, 4) } });
            scores.push({ key: `persons/${set}`, metric: 'count_accuracy', value: 1 - err });
            continue;
          }
          const recall = gt ? tp / gt : 0;
          const precision = tp + fp ? tp / (tp + fp) : 1;
          ctx.emit({ eval: 'persons', set, images: n, gt_boxes: gt, found, recall: round(recall, 4), precision: round(precision, 4), recall_all: round(gtAll ? tpAll / gtAll : 0, 4), gt_boxes_all: gtAll, min_height: MIN_HEIGHT, min_score: minScore,
            sweep: Object.fromEntries(SWEEP.map((t) => [t, { recall: round(gt ? sweep[t].tp / gt : 0, 4), precision: round(sweep[t].tp + sweep[t].fp ? sweep[t].tp / (sweep[t].tp + sweep[t].fp) : 1, 4) }])), ms_per_image: round(ms / Math.max(n, 1), 1),
            body_analysis: { recall: round(gt ? oldTp / gt : 0, 4), precision: round(oldTp + oldFp ? oldTp / (oldTp + oldFp) : 1, 4) } });
          scores.push({ key: `persons/${set}`, metric: 'recall', value: recall });
          continue;
        }
        const poseSet = POSE_DEFS[set];
        const spec = poseSet ? POSE_SETS[poseSet] : undefined;
        if (!poseSet || !spec || !existsSync(join(ctx.evalRoot, spec.dir, spec.annotationFile))) {
          ctx.emit({ eval: 'persons', set, skipped: true, reason: `no ${spec?.dir}/${spec?.annotationFile} under ${ctx.evalRoot}` });
          continue;
        }
        const data = await loadPoseSet(ctx.evalRoot, poseSet);
        const newSamples: ImageSample[] = [];
        const oldSamples: ImageSample[] = [];
        let msNew = 0, dtNew = 0, dtOld = 0;
        for (const im of data.images) {
          const t0 = performance.now();
          const { image, people } = await find(im.path);
          msNew += performance.now() - t0;
          const persons = above(people, minScore).filter((p): p is FoundPerson & { keypoints: NonNullable<FoundPerson['keypoints']> } => Boolean(p.keypoints)).map((p) => foundToPerson(p, image));
          const old = (await ctx.bodyAnalysis(im.path)).persons;
          dtNew += persons.length;
          dtOld += old.length;
          newSamples.push({ imageId: im.id, gts: im.gts, dts: persons.map((p) => personToDetection(p, data.mapping, ctx.options.scoreMode)) });
          oldSamples.push({ imageId: im.id, gts: im.gts, dts: old.map((p) => personToDetection(p, data.mapping, ctx.options.scoreMode)) });
        }
        const rNew = evaluateKeypoints(newSamples, { sigmas: spec.sigmas, maxDets: 20 });
        const rOld = evaluateKeypoints(oldSamples, { sigmas: spec.sigmas, maxDets: 20 });
        const n = Math.max(data.images.length, 1);
        ctx.emit({
          eval: 'persons', set, images: data.images.length, persons_scored: data.personsScored,
          new: { AP: round(rNew.AP, 4), AP50: round(rNew.AP50, 4), AR: round(rNew.AR, 4), persons_dt: dtNew, ms_per_image: round(msNew / n, 1) },
          body_analysis: { AP: round(rOld.AP, 4), AP50: round(rOld.AP50, 4), AR: round(rOld.AR, 4), persons_dt: dtOld },
        });
        scores.push({ key: `persons/${set}`, metric: 'AP', value: rNew.AP });
      }
      return scores;
    },
  };
}

export const personsSuite = makePersonsSuite();
