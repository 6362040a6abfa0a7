/**
 * Head-probability fit (development, not part of `npm run eval`): reads eval/heads-dump.ts's
 * file, turns the proposals of a window plan into head candidates (eval/head-candidates.ts),
 * labels each by the ground truth (a true head within 1.5 head sizes, each true head matched
 * once; MOT17's optional people neither true nor false), fits the logistic head probability on
 * one set and counts the other with it (leave one set out), then fits on both. Prints one JSON
 * line per plan × fit; then the hard-rule variants on the same proposals (`rule` lines:
 * mean-keypoint cut, a head-size floor in heat-map cells, the duplicate radius, mirrored or
 * level-3 tiles counted where two runs agree or the centre score is high, level 3 only where
 * heads are small, pose-OKS duplicates, whole-image heads only for big people); then the face
 * detectors as a head source (`faces` lines: alone, and merged into today's pose heads where no
 * pose head claims them), when the dump has faces.
 *   node dist/eval/heads-fit.js [--dump /tmp/heads-dump.json] [--plans whole+l2,whole+l2+l2flip] [--radius 1.5]
 */
import { fitLogistic } from './logistic.js';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_PROPOSAL_OPTIONS, type PersonProposal } from '../src/vision/person-proposals.js';
import { DEFAULT_HEAD_FACE_OPTIONS, DEFAULT_HEAD_OPTIONS, DEFAULT_HEAD_POSE_OPTIONS, dedupeHeads, faceHead, mergeFaces, mergeHeads, poseHead, type Head } from '../src/vision/heads.js';
import type { Face } from '../src/vision/blazeface.js';
import { headCandidates, headProbability, type HeadCandidate, type HeadProbabilityModel } from './head-candidates.js';
import type { CropWindow } from '../src/vision/crop.js';
import { countErrors, type CountSample, type CountingSetName } from './counting.js';
import type { DumpImage } from './heads-dump.js';
import { round } from './suite.js';
import { COCO_SIGMAS, oks, type GroundTruth } from './oks.js';

const { values } = parseArgs({ options: { dump: { type: 'string', default: '/tmp/heads-dump.json' }, plans: { type: 'string', default: 'whole+l2,whole+l2+l2flip,whole+l2+l3,whole+l2+l2flip+l3' }, l2: { type: 'string', default: '0.01' }, radius: { type: 'string', default: '1.5' } } });
const dump = JSON.parse(await readFile(values.dump!, 'utf8')) as DumpImage[];
const SETS: CountingSetName[] = ['heads', 'mot17'];

/**
 * Today's hard head rule, from the service's own defaults: a pose's centre peak from
 * DEFAULT_HEAD_POSE_OPTIONS.minScore, its mean keypoint score from the proposals'
 * minKeypointScore, a face keypoint from minKeypointScore to place the head, heads of one source
 * within duplicateRadius × head size one, faces of several windows merged above mergeIos.
 */
const TODAY = {
  minCentre: DEFAULT_HEAD_POSE_OPTIONS.minScore,
  minMeanKeypoint: DEFAULT_PROPOSAL_OPTIONS.minKeypointScore,
  faceKeypoint: DEFAULT_HEAD_POSE_OPTIONS.minKeypointScore,
  duplicateRadius: DEFAULT_HEAD_OPTIONS.duplicateRadius,
  faceMergeIos: DEFAULT_HEAD_FACE_OPTIONS.mergeIos,
};

const asProposal = (p: DumpImage['proposals'][number]): PersonProposal => ({ score: p.score, keypoints: p.kp.map(([x, y, score]) => ({ x, y, score })) });
const meanKp = (p: DumpImage['proposals'][number]) => p.kp.reduce((s, k) => s + k[2], 0) / p.kp.length;
/** A proposal today's rule keeps (centre and mean keypoint score). */
const isToday = (p: DumpImage['proposals'][number]) => p.score >= TODAY.minCentre && meanKp(p) >= TODAY.minMeanKeypoint;
/** Today's proposals of the default plan (whole image + level 2). */
const todayProposals = (d: DumpImage) => d.proposals.filter((p) => ['whole', 'l2'].includes(d.windows[p.w].kind) && isToday(p));

interface Labelled {
  set: CountingSetName;
  image: DumpImage;
  candidates: HeadCandidate[];
  /** 1 true head, 0 false or a double, -1 an optional person (not fitted). */
  labels: number[];
}

const sample = (d: DumpImage): CountSample => ({ name: d.name, path: '', count: d.gt.length, heads: d.gt, optional: d.optional.length, optionalHeads: d.optional });

/** Greedy matching, closest pairs first, within `--radius` (1.5) head sizes (the larger of the two; ground-truth and candidate head sizes are rough). */
function label(cands: readonly HeadCandidate[], d: DumpImage): number[] {
  const labels = cands.map(() => 0);
  const pairs: { i: number; j: number; dist: number; optional: boolean }[] = [];
  const gts = [...d.gt.map((g) => ({ g, optional: false })), ...d.optional.map((g) => ({ g, optional: true }))];
  cands.forEach((c, i) => gts.forEach(({ g, optional }, j) => {
    const size = Number(values.radius) * Math.max(c.head.box.width, g.size ?? 0);
    const dist = Math.hypot(c.head.point.x - g.x, c.head.point.y - g.y);
    if (dist < size) pairs.push({ i, j, dist, optional });
  }));
  pairs.sort((a, b) => a.dist - b.dist);
  const usedC = new Set<number>();
  const usedG = new Set<number>();
  for (const p of pairs) {
    if (usedC.has(p.i) || usedG.has(p.j)) continue;
    usedC.add(p.i);
    usedG.add(p.j);
    labels[p.i] = p.optional ? -1 : 1;
  }
  return labels;
}

function candidatesFor(d: DumpImage, kinds: readonly string[]): HeadCandidate[] {
  const runs: { window: CropWindow | null; proposals: PersonProposal[] }[] = [];
  d.windows.forEach((w, i) => {
    if (!kinds.includes(w.kind)) return;
    const proposals = d.proposals.filter((p) => p.w === i).map((p) => ({ score: p.score, keypoints: p.kp.map(([x, y, score]) => ({ x, y, score })) }));
    runs.push({ window: w.kind === 'whole' ? null : w, proposals });
  });
  return headCandidates(runs, d, { ...DEFAULT_HEAD_POSE_OPTIONS, input: d.input ?? DEFAULT_HEAD_POSE_OPTIONS.input }, DEFAULT_HEAD_OPTIONS.duplicateRadius);
}

/** L2-regularised logistic regression (the suite's fitLogistic, Newton) on standardised features. */
function fit(rows: { x: number[]; y: number }[], l2: number): HeadProbabilityModel {
  const n = rows[0].x.length;
  const mean = Array.from({ length: n }, (_, k) => rows.reduce((s, r) => s + r.x[k], 0) / rows.length);
  const std = Array.from({ length: n }, (_, k) => Math.sqrt(rows.reduce((s, r) => s + (r.x[k] - mean[k]) ** 2, 0) / rows.length) || 1);
  // fitLogistic sums the loss over rows: its ridge is l2 per row.
  const [b, ...w] = fitLogistic(rows.map((r) => r.x.map((v, k) => (v - mean[k]) / std[k])), rows.map((r) => r.y), l2 * rows.length);
  // Back to raw features: w·(x - mean)/std + b.
  const weights = w.map((v, k) => v / std[k]);
  return { weights: weights.map((v) => round(v, 4)), bias: round(b - weights.reduce((s, v, k) => s + v * mean[k], 0), 4) };
}

const brier = (ls: Labelled[], m: HeadProbabilityModel) => {
  let s = 0, n = 0;
  for (const l of ls) l.candidates.forEach((c, i) => {
    if (l.labels[i] < 0) return;
    s += (headProbability(c.features, m) - l.labels[i]) ** 2;
    n++;
  });
  return round(s / Math.max(n, 1), 4);
};

function errors(ls: Labelled[], count: (l: Labelled) => number) {
  const e = countErrors(ls.map(count), ls.map((l) => sample(l.image)));
  return { rel: round(e.rel_error, 4), range: round(e.rel_error_range, 4), bias: round(e.bias, 2) };
}

const l2 = Number(values.l2);
for (const plan of values.plans!.split(',')) {
  const kinds = plan.split('+');
  const all: Labelled[] = dump.map((d) => {
    const candidates = candidatesFor(d, kinds);
    return { set: d.set, image: d, candidates, labels: label(candidates, d) };
  });
  const bySet = (set: CountingSetName) => all.filter((l) => l.set === set);
  const rowsOf = (ls: Labelled[]) => ls.flatMap((l) => l.candidates.map((c, i) => ({ x: c.features, y: l.labels[i] })).filter((r) => r.y >= 0));
  // The hard rule of today (TODAY) on the same proposals.
  const hard = (l: Labelled) => {
    const heads = l.image.proposals.filter((p) => kinds.includes(l.image.windows[p.w].kind) && isToday(p))
      .map((p) => poseHead(asProposal(p), TODAY.faceKeypoint)).filter((h) => h !== null);
    return dedupeHeads(heads, TODAY.duplicateRadius).length;
  };
  const truePerSet = Object.fromEntries(SETS.map((s) => [s, { candidates: bySet(s).reduce((a, l) => a + l.candidates.length, 0), true_found: bySet(s).reduce((a, l) => a + l.labels.filter((v) => v === 1).length, 0), people: bySet(s).reduce((a, l) => a + l.image.gt.length, 0) }]));
  console.log(JSON.stringify({ plan, rule: 'hard (today)', heads: errors(bySet('heads'), hard), mot17: errors(bySet('mot17'), hard), recall_ceiling: truePerSet }));
  // Leave one set out needs both sets in the dump.
  if (SETS.some((set) => rowsOf(bySet(set)).length === 0)) continue;
  const models: Record<string, HeadProbabilityModel> = {
    'fit heads': fit(rowsOf(bySet('heads')), l2),
    'fit mot17': fit(rowsOf(bySet('mot17')), l2),
    'fit both': fit(rowsOf(all), l2),
  };
  for (const [name, m] of Object.entries(models)) {
    const soft = (l: Labelled) => Math.round(l.candidates.reduce((s, c) => s + headProbability(c.features, m), 0));
    const half = (l: Labelled) => l.candidates.filter((c) => headProbability(c.features, m) >= 0.5).length;
    if (name === 'fit heads' || name === 'fit mot17') {
      // Leave one set out: the count-level calibration (a scale on the soft count, or the
      // probability cut of the hard list) is chosen on the fitted set and applied to the other.
      const train = name === 'fit heads' ? bySet('heads') : bySet('mot17');
      const test = name === 'fit heads' ? bySet('mot17') : bySet('heads');
      const sumP = (l: Labelled) => l.candidates.reduce((s, c) => s + headProbability(c.features, m), 0);
      const k = train.reduce((s, l) => s + l.image.gt.length, 0) / Math.max(train.reduce((s, l) => s + sumP(l), 0), 1e-9);
      const cuts = Array.from({ length: 19 }, (_, i) => 0.05 * (i + 1));
      const relAt = (ls: Labelled[], t: number) => errors(ls, (l) => l.candidates.filter((c) => headProbability(c.features, m) >= t).length).rel;
      const cut = cuts.reduce((a, b) => (relAt(train, b) < relAt(train, a) ? b : a));
      console.log(JSON.stringify({ plan, rule: `${name} -> other set`, scale: round(k, 3), scaled: { train: errors(train, (l) => Math.round(k * sumP(l))), test: errors(test, (l) => Math.round(k * sumP(l))) }, cut, at_cut: { train: errors(train, (l) => l.candidates.filter((c) => headProbability(c.features, m) >= cut).length), test: errors(test, (l) => l.candidates.filter((c) => headProbability(c.features, m) >= cut).length) } }));
    }
    console.log(JSON.stringify({ plan, rule: name, soft: { heads: errors(bySet('heads'), soft), mot17: errors(bySet('mot17'), soft) }, p05: { heads: errors(bySet('heads'), half), mot17: errors(bySet('mot17'), half) }, brier: { heads: brier(bySet('heads'), m), mot17: brier(bySet('mot17'), m) }, model: m }));
  }
}

// Hard-rule variants on the same proposals (whole + level 2 unless named).
const cases: { name: string; count: (d: DumpImage) => number }[] = [];
for (const minMean of [0.1, 0.15, 0.2]) {
  for (const cell of [0, 1, 2]) {
    for (const radius of [0.5, 0.7]) {
      cases.push({
        name: `mean keypoint >= ${minMean}, head size >= ${cell} heat-map cells, duplicate radius ${radius}`,
        count: (d) => {
          const heads = d.proposals.flatMap((p) => {
            const w = d.windows[p.w];
            if (!['whole', 'l2'].includes(w.kind) || p.score < TODAY.minCentre || meanKp(p) < minMean) return [];
            const side = w.kind === 'whole' ? Math.max(d.width, d.height) : w.width;
            const h = poseHead(asProposal(p), TODAY.faceKeypoint, Math.max(4, (cell * 4 * side) / (d.input ?? DEFAULT_HEAD_POSE_OPTIONS.input)));
            return h ? [h] : [];
          });
          return dedupeHeads(heads, radius).length;
        },
      });
    }
  }
}
for (const extra of ['l2flip', 'l3']) {
  for (const alone of [0.3, 0.4, 0.5]) {
    cases.push({
      name: `whole + l2 + ${extra}: a head where two runs agree or from centre score ${alone}`,
      count: (d) => {
        const cands = candidatesFor({ ...d, proposals: d.proposals.filter(isToday) }, ['whole', 'l2', extra]);
        // features[2]: a face keypoint >= 0.3 (TODAY.faceKeypoint); features[6]: log(1 + heads merged).
        return cands.filter((c) => c.features[2] > 0 && (c.head.score >= alone || Math.exp(c.features[6]) - 1 >= 2)).length;
      },
    });
  }
}
// A second scale only where people are small: level-3 heads (from their own centre cut) join
// today's heads, where none claims them, in level-3 windows whose heads today are smaller than
// `small` model pixels (median; 1000 = every window).
for (const small of [8, 14, 1000]) {
  for (const alone of [0.3, 0.5]) {
    cases.push({
      name: `whole + l2, + l3 where today's median head < ${small} model px, l3 heads alone from ${alone}`,
      count: (d) => {
        const withPx = (p: DumpImage['proposals'][number]) => {
          const h = poseHead(asProposal(p), TODAY.faceKeypoint);
          const w = d.windows[p.w];
          return h ? { h, px: (h.box.width * (d.input ?? DEFAULT_HEAD_POSE_OPTIONS.input)) / (w.kind === 'whole' ? Math.max(d.width, d.height) : w.width) } : null;
        };
        const today = todayProposals(d).map(withPx).filter((x) => x !== null);
        const kept = dedupeHeads(today.map((x) => x.h), TODAY.duplicateRadius);
        const px = new Map(today.map((x) => [x.h, x.px]));
        const chosen = new Set(d.windows.flatMap((w, i) => {
          if (w.kind !== 'l3') return [];
          const sizes = kept.filter((h) => h.point.x >= w.x && h.point.x < w.x + w.width && h.point.y >= w.y && h.point.y < w.y + w.height).map((h) => px.get(h)!).sort((a, b) => a - b);
          return sizes.length && sizes[Math.floor(sizes.length / 2)] < small ? [i] : [];
        }));
        const fine = d.proposals.filter((p) => chosen.has(p.w) && p.score >= alone && meanKp(p) >= TODAY.minMeanKeypoint).map((p) => poseHead(asProposal(p), TODAY.faceKeypoint)).filter((h): h is Head => h !== null);
        return mergeHeads(kept, dedupeHeads(fine, TODAY.duplicateRadius), DEFAULT_HEAD_OPTIONS.claimRadius, alone).length;
      },
    });
  }
}
// Doubles of one person from the whole image and a tile: also one when their poses agree (OKS of
// the confident keypoints, >= 3 shared, scale = the kept pose's keypoint box), or whole-image
// heads only for people too big for the tiles (keypoint extent >= `big` × the tile side).
const asGt = (p: DumpImage['proposals'][number]): GroundTruth | null => {
  const conf = p.kp.filter((k) => k[2] >= 0.3);
  if (conf.length < 3) return null;
  const xs = conf.map((k) => k[0]);
  const ys = conf.map((k) => k[1]);
  const bbox: [number, number, number, number] = [Math.min(...xs), Math.min(...ys), Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)];
  return { keypoints: p.kp.flatMap(([x, y, s]) => [x, y, s >= 0.3 ? 2 : 0]), bbox, area: Math.max(1, bbox[2] * bbox[3]) };
};
for (const same of [0.8, 0.6]) {
  cases.push({
    name: `duplicates also by pose OKS >= ${same}`,
    count: (d) => {
      const kept: { h: Head; gt: GroundTruth | null }[] = [];
      const cands = todayProposals(d).map((p) => ({ p, h: poseHead(asProposal(p), TODAY.faceKeypoint) })).filter((x) => x.h !== null).sort((a, b) => b.h!.score - a.h!.score);
      for (const { p, h } of cands) {
        const near = kept.some((k) => Math.hypot(k.h.point.x - h!.point.x, k.h.point.y - h!.point.y) < TODAY.duplicateRadius * Math.max(k.h.box.width, h!.box.width));
        const samePose = kept.some((k) => k.gt !== null && oks(k.gt, p.kp.flat(), COCO_SIGMAS) >= same);
        if (!near && !samePose) kept.push({ h: h!, gt: asGt(p) });
      }
      return kept.length;
    },
  });
}
for (const big of [0.3, 0.5, 0.7, Infinity]) {
  cases.push({
    name: `whole-image heads only for people over ${big} × the tile side`,
    count: (d) => {
      const tile = d.windows.find((w) => w.kind === 'l2');
      const keep = (p: DumpImage['proposals'][number]) => {
        if (d.windows[p.w].kind !== 'whole' || !tile) return true;
        const conf = p.kp.filter((k) => k[2] >= 0.2);
        if (conf.length < 2) return false;
        const xs = conf.map((k) => k[0]);
        const ys = conf.map((k) => k[1]);
        return Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) >= big * tile.width;
      };
      return dedupeHeads(todayProposals(d).filter(keep).map((p) => poseHead(asProposal(p), TODAY.faceKeypoint)).filter((h): h is Head => h !== null), TODAY.duplicateRadius).length;
    },
  });
}
for (const c of cases) {
  const e = (set: CountingSetName) => errors(dump.filter((d) => d.set === set).map((d) => ({ set, image: d, candidates: [], labels: [] })), (l) => c.count(l.image));
  console.log(JSON.stringify({ rule: c.name, heads: e('heads'), mot17: e('mot17') }));
}

// Face detectors as a head source (dumps with faces): merged across windows by intersection over
// the smaller box (as findFaces), alone and added to today's pose heads (mergeHeads).
const todayHeads = (d: DumpImage): Head[] =>
  dedupeHeads(todayProposals(d).map((p) => poseHead(asProposal(p), TODAY.faceKeypoint)).filter((h): h is Head => h !== null), TODAY.duplicateRadius);
if (dump[0]?.faces) {
  const matched = (heads: readonly Head[], d: DumpImage) => label(heads.map((head) => ({ head, features: [] })), d).filter((v) => v === 1).length;
  for (const src of [...new Set(dump.flatMap((d) => d.faces.map((f) => f.src)))]) {
    for (const plan of ['whole+l2', 'l2', 'whole+l2+l3']) {
      const kinds = plan.split('+');
      for (const minScore of [0.3, 0.5, 0.7]) {
        const facesOf = (d: DumpImage): Head[] => mergeFaces(d.faces.filter((f) => f.src === src && f.score >= minScore && kinds.includes(d.windows[f.w].kind)).map((f) => ({ score: f.score, box: { left: f.box[0], top: f.box[1], width: f.box[2], height: f.box[3] } }) as Face), TODAY.faceMergeIos).map(faceHead);
        const e = (set: CountingSetName, count: (d: DumpImage) => number) => errors(dump.filter((d) => d.set === set).map((d) => ({ set, image: d, candidates: [], labels: [] })), (l) => count(l.image));
        const trueFound = (set: CountingSetName) => dump.filter((d) => d.set === set).reduce((a, d) => a + matched(facesOf(d), d), 0);
        console.log(JSON.stringify({ faces: src, plan, min_score: minScore, alone: { heads: e('heads', (d) => facesOf(d).length), mot17: e('mot17', (d) => facesOf(d).length) }, true_found: { heads: trueFound('heads'), mot17: trueFound('mot17') } }));
        for (const aloneCut of [0.5, 0.7, 0.9]) {
          if (aloneCut < minScore) continue;
          const merged = (d: DumpImage) => mergeHeads(todayHeads(d), facesOf(d), DEFAULT_HEAD_OPTIONS.claimRadius, aloneCut);
          const trueMerged = (set: CountingSetName) => dump.filter((d) => d.set === set).reduce((a, d) => a + matched(merged(d), d), 0);
          console.log(JSON.stringify({ faces: `poses + ${src}`, plan, min_score: minScore, alone_from: aloneCut, heads: e('heads', (d) => merged(d).length), mot17: e('mot17', (d) => merged(d).length), true_found: { heads: trueMerged('heads'), mot17: trueMerged('mot17') } }));
        }
      }
    }
  }
  const todayTrue = (set: CountingSetName) => dump.filter((d) => d.set === set).reduce((a, d) => a + matched(todayHeads(d), d), 0);
  console.log(JSON.stringify({ faces: 'none (poses today)', true_found: { heads: todayTrue('heads'), mot17: todayTrue('mot17') } }));
}
