/**
 * Head-finder probe (development, not part of `npm run eval`): what each head source adds to the
 * count on crowd/heads and MOT17 frames. Runs each source once per image with a loose cut and
 * sweeps the cuts and the merge offline.
 *   node dist/eval/heads-probe.js [--faces 2,3,4] [--people default,pose,fine]
 */
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { decodeImage } from '../src/intake/index.js';
import { loadModel } from '../src/runtime/session.js';
import type { RgbImage } from '../src/types.js';
import { dedupeHeads, findPoseHeads, findFaces, faceHead, mergeHeads, personHead, DEFAULT_HEAD_FACE_OPTIONS, type Head } from '../src/vision/heads.js';
import { findPeople, loadPersonFinderModels, type FoundPerson, type PersonFinderOptions } from '../src/vision/person-finder.js';
import { countErrors, countingSamples, type CountSample } from './counting.js';
import { evalDataRoot, round } from './suite.js';
import { DEFAULT_FUSION_OPTIONS } from '../src/vision/box-fusion.js';

const { values } = parseArgs({ options: { faces: { type: 'string', default: '2,3,4' }, people: { type: 'string', default: 'default,pose,fine' }, poses: { type: 'string', default: 'w,w1,w12,l2,l3,l23,wl2,wl2x320,wl1x320' } } });

const PEOPLE_CONFIGS: Record<string, Partial<PersonFinderOptions>> = {
  default: { pose: false },
  pose: { pose: true },
  fine: { pose: false, maxTileSide: 400 },
  // Crowds: overlapping people survive box NMS and fusion; heads are de-duplicated instead.
  loose: { pose: true, runNms: 0.7, fusion: { ...DEFAULT_FUSION_OPTIONS, iou: 0.7 }, duplicateIou: 0.85 },
  loosefine: { pose: true, runNms: 0.7, fusion: { ...DEFAULT_FUSION_OPTIONS, iou: 0.7 }, duplicateIou: 0.85, maxTileSide: 400 },
};

interface Cached {
  sample: CountSample;
  people: Record<string, FoundPerson[]>;
  faces: Record<number, Head[]>;
  poses: Record<string, Head[]>;
  ms: Record<string, number>;
}


const root = evalDataRoot();
const people = await loadPersonFinderModels(1);
const face = await loadModel('blazeface', { threads: 1 });
const multipose = await loadModel('movenet-multipose', { threads: 1 });
const multipose320 = await loadModel('movenet-multipose-320', { threads: 1 });
const POSE_PLANS: Record<string, { levels: number[]; whole: boolean }> = { w: { levels: [], whole: true }, w1: { levels: [1], whole: true }, w12: { levels: [1, 2], whole: true }, l2: { levels: [2], whole: false }, l3: { levels: [3], whole: false }, l23: { levels: [2, 3], whole: false }, wl2: { levels: [2], whole: true }, wl2x320: { levels: [2], whole: true }, wl1x320: { levels: [1], whole: true } };
const peopleNames = values.people!.split(',').filter((n) => n && n !== 'none');
const faceLevels = values.faces!.split(',').filter(Boolean).map(Number);

for (const set of ['heads', 'mot17'] as const) {
  const samples = await countingSamples(root, set);
  const cached: Cached[] = [];
  for (const sample of samples) {
    const image: RgbImage = await decodeImage(new Uint8Array(await readFile(sample.path)));
    const c: Cached = { sample, people: {}, faces: {}, poses: {}, ms: {} };
    for (const name of peopleNames) {
      const t0 = performance.now();
      c.people[name] = await findPeople(people, image, { ...PEOPLE_CONFIGS[name], minScore: 0.05 });
      c.ms[name] = performance.now() - t0;
    }
    for (const [pname, plan] of Object.entries(POSE_PLANS).filter(([n]) => values.poses!.split(',').includes(n))) {
      const t0 = performance.now();
      const big = pname.endsWith('x320');
      c.poses[pname] = await findPoseHeads(big ? multipose320 : multipose, image, { ...plan, maxTileSide: 640, overlap: 0.25, minScore: 0.05, minKeypointScore: 0.3, input: big ? 320 : 256 });
      c.ms[`poses${pname}`] = performance.now() - t0;
    }
    for (const level of faceLevels) {
      const t0 = performance.now();
      c.faces[level] = (await findFaces(face, image, { ...DEFAULT_HEAD_FACE_OPTIONS, levels: [level], minScore: 0.3 })).map(faceHead);
      c.ms[`faces${level}`] = performance.now() - t0;
    }
    cached.push(c);
  }
  const truth = cached.map((c) => c.sample);
  const countError = (found: number[], s: CountSample[]) => {
    const e = countErrors(found, s);
    return { mae: round(e.mae, 2), rel: round(e.rel_error, 4), range: round(e.rel_error_range, 4), bias: round(e.bias, 2) };
  };
  const sum = (hs: { score: number }[]) => hs.reduce((a, h) => a + h.score, 0);
  const ms = (k: string) => round(cached.reduce((s, c) => s + (c.ms[k] ?? 0), 0) / cached.length, 0);
  for (const name of peopleNames) {
    for (const t of [0.1, 0.2, 0.3, 0.4, 0.5]) {
      const heads = cached.map((c) => c.people[name].filter((p) => p.score >= t).map(personHead)).map((h) => dedupeHeads(h, 0.5));
      console.log(JSON.stringify({ set, source: `people:${name}`, min_score: t, ...countError(heads.map((h) => h.length), truth), ms: ms(name) }));
      console.log(JSON.stringify({ set, source: `people:${name}:expected`, min_score: t, ...countError(heads.map((h) => sum(h)), truth), ms: ms(name) }));
      for (const level of faceLevels) {
        for (const alone of [0.5, 0.65]) {
          for (const fmin of [0.5]) {
            const merged = cached.map((c, i) => mergeHeads(heads[i], c.faces[level].filter((f) => f.score >= fmin), 1, alone));
            console.log(JSON.stringify({ set, source: `people:${name}+faces${level}`, min_score: t, face_min: fmin, face_alone: alone, ...countError(merged.map((h) => h.length), truth), ms: ms(name) + ms(`faces${level}`) }));
            console.log(JSON.stringify({ set, source: `people:${name}+faces${level}:expected`, min_score: t, face_min: fmin, face_alone: alone, ...countError(merged.map((h) => sum(h)), truth), ms: ms(name) + ms(`faces${level}`) }));
          }
        }
      }
    }
  }
  for (const pname of Object.keys(POSE_PLANS).filter((n) => values.poses!.split(',').includes(n))) {
    for (const pmin of [0.05, 0.1, 0.15, 0.2, 0.3]) {
      const alone = cached.map((c) => dedupeHeads(c.poses[pname].filter((h) => h.score >= pmin), 0.5));
      console.log(JSON.stringify({ set, source: `poses${pname}`, min_score: pmin, ...countError(alone.map((h) => h.length), truth), ms: ms(`poses${pname}`) }));
      for (const level of faceLevels) {
        for (const falone of [0.5, 0.65, 0.8]) {
          const withFaces = alone.map((h, i) => mergeHeads(h, cached[i].faces[level].filter((f) => f.score >= 0.5), 1, falone));
          console.log(JSON.stringify({ set, source: `poses${pname}+faces${level}`, min_score: pmin, face_alone: falone, ...countError(withFaces.map((h) => h.length), truth), ms: ms(`poses${pname}`) + ms(`faces${level}`) }));
        }
      }
      for (const name of peopleNames) {
        for (const t of [0.3, 0.5]) {
          const merged = cached.map((c, i) => {
            const heads = dedupeHeads(c.people[name].filter((p) => p.score >= t).map(personHead), 0.5);
            const withPoses = mergeHeads(heads, dedupeHeads(c.poses[pname], 0.5), 1, pmin);
            return mergeHeads(withPoses, c.faces[faceLevels[0]].filter((f) => f.score >= 0.5), 1, 0.65);
          });
          console.log(JSON.stringify({ set, source: `people:${name}+poses${pname}+faces${faceLevels[0]}`, min_score: t, pose_alone: pmin, ...countError(merged.map((h) => h.length), truth), ms: ms(name) + ms(`poses${pname}`) + ms(`faces${faceLevels[0]}`) }));
        }
      }
    }
  }
  for (const level of faceLevels) {
    for (const fmin of [0.3, 0.5, 0.7]) {
      console.log(JSON.stringify({ set, source: `faces${level}`, face_min: fmin, ...countError(cached.map((c) => c.faces[level].filter((f) => f.score >= fmin).length), truth), ms: ms(`faces${level}`) }));
    }
  }
}
