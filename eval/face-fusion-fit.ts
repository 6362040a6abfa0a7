/**
 * Gender fusion fit for src/vision/attributes/face-attributes.ts (issue 11), from
 * eval/face-probe.ts output (not part of the suite):
 *
 *   node dist/eval/face-fusion-fit.js /tmp/face-probe.jsonl [/tmp/face-mirror.jsonl]
 *
 * Prints each face model's raw gender AUC per PETA subset and crop; the fusion
 * P(male) = sigmoid(bias + body · logit(body male) + face · score · logit(faceres male)), the face
 * term only where BlazeFace found the face, fitted on both subsets pooled (the GENDER_FUSION
 * constants) and out of subset (fit on CUHK, score VIPeR and the reverse), with the body cues
 * alone for comparison. With the mirror file, the service's single-pass faceres reading replaces
 * the mirror-averaged one.
 */
import { readFileSync } from 'node:fs';
import { fitLogistic } from './logistic.js';
import { ece } from './attributes.js';
import { sigmoid } from '../src/vision/attributes/probability.js';

interface Read { male: number }
interface Row {
  file: string;
  subset: 'CUHK' | 'VIPeR';
  male: number | null;
  bodyFemale: number;
  face: { score: number } | null;
  reads: Record<string, Record<string, Read>>;
  plain?: number | null;
}

const lines = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Row);
const rows = lines(process.argv[2]).filter((r): r is Row & { male: number } => r.male !== null);
if (process.argv[3]) {
  const plain = new Map(lines(process.argv[3]).map((r) => [r.file, r]));
  for (const r of rows) {
    const p = plain.get(r.file)?.plain;
    if (r.face && p !== undefined && p !== null) r.reads['bf1.3'].faceres.male = p;
  }
}
const PRIOR = rows.reduce((s, r) => s + r.male, 0) / rows.length;

/** Area under the ROC curve (ties count half). */
function auc(y: readonly number[], s: readonly number[]): number {
  let wins = 0, pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      wins += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return pairs ? wins / pairs : NaN;
}
const logit = (p: number) => { const q = Math.min(Math.max(p, 1e-4), 1 - 1e-4); return Math.log(q / (1 - q)); };
const round = (v: number) => Math.round(v * 1000) / 1000;

function design(R: readonly Row[], withFace: boolean): number[][] {
  return R.map((r) => {
    const body = -logit(r.bodyFemale);
    if (!withFace) return [body];
    return [body, r.face ? logit(r.reads['bf1.3'].faceres.male) * r.face.score : 0];
  });
}

/** Accuracy, balanced accuracy and ECE (of the answer's confidence) of P(male) against the labels. */
function report(p: readonly number[], y: readonly number[]): string {
  const said = p.map((v) => v > 0.5);
  const acc = said.filter((s, i) => s === (y[i] === 1)).length / y.length;
  const rate = (label: number) => { const idx = y.flatMap((v, i) => (v === label ? [i] : [])); return idx.filter((i) => said[i] === (label === 1)).length / idx.length; };
  const calibration = ece(p.map((v, i) => ({ score: Math.max(v, 1 - v), correct: said[i] === (y[i] === 1) })));
  return `acc ${acc.toFixed(3)} balanced ${(0.5 * (rate(1) + rate(0))).toFixed(3)} ece ${calibration.toFixed(3)}`;
}

const apply = (w: readonly number[], X: readonly number[][]) => X.map((x) => sigmoid(w[0] + x.reduce((s, v, k) => s + v * w[k + 1], 0)));

console.log(JSON.stringify({ people: rows.length, male_share: round(PRIOR), blazeface_faces: rows.filter((r) => r.face).length }));
const MODELS_READ = ['faceres', 'gear', 'ssr'];
for (const sub of ['CUHK', 'VIPeR'] as const) {
  const R = rows.filter((r) => r.subset === sub);
  const F = R.filter((r) => r.face);
  const N = R.filter((r) => !r.face);
  const out: Record<string, unknown> = { subset: sub, people: R.length, faces: F.length, body_auc: round(auc(R.map((r) => r.male), R.map((r) => -r.bodyFemale))) };
  const aucs = (S: readonly (Row & { male: number })[], crop: string) =>
    Object.fromEntries(MODELS_READ.map((m) => [m, round(auc(S.map((r) => r.male), S.map((r) => r.reads[crop][m].male)))]));
  for (const crop of ['bf1.3', 'bf1.8']) out[crop] = aucs(F, crop);
  for (const crop of ['pose1.8', 'pose2.4', 'pose3.2']) out[`${crop}_no_blazeface`] = aucs(N, crop);
  console.log(JSON.stringify(out));
}

const y = rows.map((r) => r.male);
const w = fitLogistic(design(rows, true), y, 0.1);
console.log(`pooled fit (GENDER_FUSION): bias ${w[0].toFixed(3)} body ${w[1].toFixed(3)} face ${w[2].toFixed(3)}; in sample ${report(apply(w, design(rows, true)), y)}`);
for (const [tr, te] of [['CUHK', 'VIPeR'], ['VIPeR', 'CUHK']] as const) {
  const A = rows.filter((r) => r.subset === tr);
  const B = rows.filter((r) => r.subset === te);
  const yB = B.map((r) => r.male);
  for (const [name, face] of [['body only', false], ['body + face', true]] as const) {
    const wA = fitLogistic(design(A, face), A.map((r) => r.male), 0.1);
    const s = design(B, face).map((x) => x.reduce((acc, v, k) => acc + v * wA[k + 1], 0));
    const own = s.map((v) => sigmoid(wA[0] + v));
    // The same slopes with the intercept set to the pooled male share (a held-out set's prior is unknown).
    let b = wA[0];
    for (let i = 0; i < 50; i++) {
      const q = s.map((v) => sigmoid(b + v));
      const mean = q.reduce((a, v) => a + v, 0) / q.length;
      const slope = Math.max(1e-3, q.reduce((a, v) => a + v * (1 - v), 0) / q.length);
      b -= (mean - PRIOR) / slope;
    }
    const pooled = s.map((v) => sigmoid(b + v));
    console.log(`${tr} -> ${te} ${name}: auc ${auc(yB, s).toFixed(3)}; own intercept ${report(own, yB)}; pooled-prior intercept ${report(pooled, yB)}`);
  }
}
