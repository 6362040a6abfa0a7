/**
 * Attribute suite (issue 11): one JSON line per attribute and path, plus summaries.
 *   - peta-single / peta-body: PETA crops (CUHK and VIPeR subsets) mapped to Baidu attributes as
 *     ../shared/eval/README.md says. Crops are upscaled to 384 px tall first (many are under
 *     50 px wide, below the API's minimum), as a client would. peta-single runs
 *     person_attributes (the whole image is the person); peta-body runs body_attr (the finder on
 *     the crop, every third crop; its most probable person is scored, none found = every
 *     attribute wrong).
 *     Each line: accuracy, the majority-class baseline, balanced accuracy (mean recall over the
 *     classes present) and ECE of the answer's score (10 bins); the summary pools the ECE.
 *   - pennfudan: person_detection (people under 30 × 30 px dropped, as the service does)
 *     against boxes from the instance masks: recall and precision at IoU 0.5, every third image.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { RgbImage } from '../src/types.js';
import type { AttributeAnswer } from '../src/vision/attributes/index.js';
import { loadPersonSet, matchBoxes, personSetExists } from './person-sets.js';
import { round, type EvalSuite, type Score } from './suite.js';

const PETA_SUBSETS = ['CUHK', 'VIPeR'];
/** Crops are resized to this height before they are sent. */
export const UPSCALE_HEIGHT = 384;

/** The scored attributes and how PETA labels map to Baidu values (a set of acceptable values, or undefined = not scored). */
type Mapper = (labels: ReadonlySet<string>) => string[] | undefined;
const has = (l: ReadonlySet<string>, x: string) => l.has(x);
const COLOURS: Record<string, string> = {
  Black: '黑', Blue: '蓝', Brown: '棕', Green: '绿', Grey: '灰', Orange: '橙', Pink: '粉', Purple: '紫', Red: '红', White: '白', Yellow: '黄',
};
const colour = (part: string): Mapper => (l) => {
  const c = Object.entries(COLOURS).filter(([k]) => l.has(`${part}${k}`)).map(([, v]) => v);
  return c.length ? c : undefined;
};
export const PETA_MAPPING: Record<string, Mapper> = {
  gender: (l) => (has(l, 'personalMale') ? ['男性'] : has(l, 'personalFemale') ? ['女性'] : undefined),
  age: (l) => (has(l, 'personalLess15') ? ['幼儿', '青少年'] : has(l, 'personalLess30') ? ['青年'] : has(l, 'personalLess45') || has(l, 'personalLess60') ? ['中年'] : has(l, 'personalLarger60') ? ['老年'] : undefined),
  upper_wear: (l) => (has(l, 'upperBodyLongSleeve') ? ['长袖'] : has(l, 'upperBodyShortSleeve') ? ['短袖'] : undefined),
  lower_wear: (l) => (has(l, 'lowerBodyTrousers') || has(l, 'lowerBodyJeans') ? ['长裤'] : has(l, 'lowerBodyShorts') ? ['短裤'] : has(l, 'lowerBodyLongSkirt') ? ['长裙'] : has(l, 'lowerBodyShortSkirt') ? ['短裙'] : undefined),
  upper_color: colour('upperBody'),
  lower_color: colour('lowerBody'),
  headwear: (l) => (has(l, 'accessoryHat') ? ['普通帽'] : ['无帽']),
  bag: (l) => (has(l, 'carryingBackpack') ? ['双肩包'] : has(l, 'carryingMessengerBag') ? ['单肩包'] : ['无背包']),
};
const SCORED = Object.keys(PETA_MAPPING);
/** A helmet answers "wears a hat" for PETA's hat label. */
const asScored = (attr: string, name: string) => (attr === 'headwear' && name === '安全帽' ? '普通帽' : name);

export interface PetaSample {
  path: string;
  labels: Set<string>;
}

/** PETA samples: every image whose person ID has a Label.txt line (ID = file-name prefix before `_`, or the whole name for CUHK). */
export async function loadPeta(root: string): Promise<PetaSample[]> {
  const out: PetaSample[] = [];
  for (const subset of PETA_SUBSETS) {
    const dir = join(root, 'attributes', 'peta', subset, 'archive');
    if (!existsSync(dir)) continue;
    const labels = new Map<string, Set<string>>();
    for (const line of (await readFile(join(dir, 'Label.txt'), 'utf8')).split(/\r?\n/)) {
      const [id, ...attrs] = line.trim().split(/\s+/);
      if (id) labels.set(id, new Set(attrs));
    }
    const { readdirSync } = await import('node:fs');
    for (const file of readdirSync(dir).filter((f) => /\.(png|bmp|jpe?g)$/i.test(f)).sort()) {
      const l = labels.get(file) ?? labels.get(file.split('_')[0]);
      if (l) out.push({ path: join(dir, file), labels: l });
    }
  }
  return out;
}

/** The crop upscaled to UPSCALE_HEIGHT tall (Lanczos), as packed RGB. */
export async function upscaled(path: string): Promise<RgbImage> {
  const bytes = await readFile(path);
  // sharp cannot read BMP; the intake's decoder can.
  const { decodeImage } = await import('../src/intake/index.js');
  const image = await decodeImage(new Uint8Array(bytes), { minSide: 1 });
  const { data, info } = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize({ height: UPSCALE_HEIGHT, kernel: 'lanczos3' })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}

interface Outcome {
  predicted: string | undefined;
  score: number;
  truth: string[];
  /** PETA subset (CUHK, VIPeR) of the sample. */
  subset?: string;
}

/** Expected calibration error of (score, correct) pairs over 10 equal-width bins. */
export function ece(pairs: readonly { score: number; correct: boolean }[], bins = 10): number {
  if (pairs.length === 0) return NaN;
  let total = 0;
  for (let b = 0; b < bins; b++) {
    const inBin = pairs.filter((p) => Math.min(bins - 1, Math.floor(p.score * bins)) === b);
    if (!inBin.length) continue;
    const conf = inBin.reduce((s, p) => s + p.score, 0) / inBin.length;
    const acc = inBin.filter((p) => p.correct).length / inBin.length;
    total += (inBin.length / pairs.length) * Math.abs(conf - acc);
  }
  return total;
}

/** Accuracy, majority baseline, balanced accuracy and ECE of one attribute's outcomes. */
export function attributeMetrics(outcomes: readonly Outcome[]) {
  const correct = (o: Outcome) => o.predicted !== undefined && o.truth.includes(o.predicted);
  const n = outcomes.length;
  const accuracy = outcomes.filter(correct).length / Math.max(n, 1);
  // Each sample's class: the value it was answered correctly with, else its first true value.
  const classOf = (o: Outcome) => (correct(o) ? o.predicted! : o.truth[0]);
  const classes = [...new Set(outcomes.map(classOf))];
  const recall = classes.map((c) => {
    const of = outcomes.filter((o) => classOf(o) === c);
    return of.filter(correct).length / of.length;
  });
  const balanced = recall.reduce((a, b) => a + b, 0) / Math.max(recall.length, 1);
  // Majority baseline: always answer the value true for the most samples.
  const values = [...new Set(outcomes.flatMap((o) => o.truth))];
  const majorityHits = Math.max(0, ...values.map((v) => outcomes.filter((o) => o.truth.includes(v)).length));
  const majority = values.find((v) => outcomes.filter((o) => o.truth.includes(v)).length === majorityHits);
  // A constant answer's balanced accuracy: recall 1 on its class, 0 on the rest.
  const baselineBalanced = 1 / Math.max(classes.length, 1);
  const answered: Record<string, number> = {};
  for (const o of outcomes) answered[o.predicted ?? 'none'] = (answered[o.predicted ?? 'none'] ?? 0) + 1;
  return {
    n,
    answered,
    accuracy: round(accuracy, 3),
    majority_value: majority,
    majority_baseline: round(majorityHits / Math.max(n, 1), 3),
    balanced_accuracy: round(balanced, 3),
    baseline_balanced: round(baselineBalanced, 3),
    ece: round(ece(outcomes.map((o) => ({ score: o.score, correct: correct(o) }))), 3),
    pairs: outcomes.map((o) => ({ score: o.score, correct: correct(o) })),
  };
}

export const attributesSuite: EvalSuite = {
  name: 'attributes',
  sets: ['peta-single', 'peta-body', 'pennfudan'],
  async run(ctx, sets) {
    const scores: Score[] = [];
    const engine = await ctx.engine();
    const peta = sets.some((s) => s.startsWith('peta')) ? await loadPeta(ctx.evalRoot) : [];
    for (const set of sets) {
      if (set === 'pennfudan') {
        if (!personSetExists(ctx.evalRoot, 'pennfudan')) {
          ctx.emit({ eval: 'attributes', set, skipped: true, reason: `no pennfudan data under ${ctx.evalRoot}` });
          continue;
        }
        // Every third image (the persons suite scores the finder on all 85): keeps the suite near 3 min.
        const samples = (await loadPersonSet(ctx.evalRoot, 'pennfudan', 0)).filter((_, i) => i % 3 === 0);
        let tp = 0, fp = 0, gt = 0, ms = 0, found = 0;
        for (const s of samples) {
          // The service drops people under 30 × 30 px: so are ground-truth boxes that small (ignore regions).
          const gts = s.gts.map((g) => (g.box.width < 30 || g.box.height < 30 ? { ...g, ignore: true } : g));
          const t0 = performance.now();
          const r = await engine.run('person_detection', { bytes: new Uint8Array(await readFile(s.path)) }, { returnCrop: true });
          ms += performance.now() - t0;
          found += r.persons.length;
          const m = matchBoxes(r.persons.map((p) => ({ box: p.box, score: p.probability })), gts);
          tp += m.tp; fp += m.fp; gt += m.gt;
        }
        const recall = tp / Math.max(gt, 1), precision = tp / Math.max(tp + fp, 1);
        ctx.emit({ eval: 'attributes', set, capability: 'person_detection', images: samples.length, gt, found, recall: round(recall, 3), precision: round(precision, 3), ms_per_image: round(ms / samples.length, 1) });
        scores.push({ key: `attributes/${set}`, metric: 'recall', value: recall });
        continue;
      }
      if (peta.length === 0) {
        ctx.emit({ eval: 'attributes', set, skipped: true, reason: `no PETA data under ${ctx.evalRoot}` });
        continue;
      }
      const single = set === 'peta-single';
      const outcomes: Record<string, Outcome[]> = Object.fromEntries(SCORED.map((a) => [a, []]));
      let ms = 0, missed = 0;
      // body_attr (the finder on each crop) costs ~5x person_attributes: every third crop keeps the suite near 3 min.
      const samples = single ? peta : peta.filter((_, i) => i % 3 === 0);
      for (const s of samples) {
        const image = await upscaled(s.path);
        const t0 = performance.now();
        let answers: Partial<Record<string, AttributeAnswer>> | undefined;
        if (single) answers = (await engine.run('person_attributes', { image }, { attributes: SCORED as never })).person.attributes;
        else {
          const r = await engine.run('body_attr', { image }, { attributes: SCORED as never });
          answers = [...r.persons].sort((a, b) => b.score * b.box.height - a.score * a.box.height)[0]?.attributes;
        }
        ms += performance.now() - t0;
        if (!answers) missed++;
        for (const a of SCORED) {
          const truth = PETA_MAPPING[a](s.labels);
          if (!truth) continue;
          const ans = answers?.[a];
          outcomes[a].push({ predicted: ans ? asScored(a, ans.name) : undefined, score: ans?.score ?? 0, truth, subset: PETA_SUBSETS.find((x) => s.path.includes(`/${x}/`)) });
        }
      }
      const pooled: { score: number; correct: boolean }[] = [];
      const balanced: number[] = [];
      let beatBaseline = 0;
      for (const a of SCORED) {
        const { pairs, ...m } = attributeMetrics(outcomes[a]);
        pooled.push(...pairs);
        balanced.push(m.balanced_accuracy);
        if (m.balanced_accuracy > m.baseline_balanced) beatBaseline++;
        ctx.emit({ eval: 'attributes', set, capability: single ? 'person_attributes' : 'body_attr', attribute: a, ...m });
      }
      // Gender per subset too (the face fusion was fitted on both pooled: docs/attributes.md has the out-of-subset fit).
      for (const subset of PETA_SUBSETS) {
        const { pairs: _pairs, ...m } = attributeMetrics(outcomes.gender.filter((o) => o.subset === subset));
        if (m.n) ctx.emit({ eval: 'attributes', set, capability: single ? 'person_attributes' : 'body_attr', attribute: 'gender', subset, ...m });
      }
      const meanBalanced = balanced.reduce((x, y) => x + y, 0) / balanced.length;
      ctx.emit({
        eval: 'attributes', set, capability: single ? 'person_attributes' : 'body_attr', images: samples.length, upscaled_to: UPSCALE_HEIGHT,
        ...(single ? {} : { no_person_found: missed }),
        mean_balanced_accuracy: round(meanBalanced, 3), attributes_above_baseline: `${beatBaseline}/${SCORED.length}`,
        ece: round(ece(pooled), 3), ms_per_image: round(ms / samples.length, 1),
      });
      scores.push({ key: `attributes/${set}`, metric: 'mean_balanced_accuracy', value: meanBalanced });
    }
    return scores;
  },
};
