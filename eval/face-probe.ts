/**
 * Face attribute probe (issue 11 experiment, not part of the suite): for every PETA crop, the
 * body-cue gender, the BlazeFace face (if any) and each face model's reading on several crops,
 * one JSON line per crop on stdout (every reading averaged with the mirror image). Analysed by
 * eval/face-fusion-fit.ts to pick the model, the crop and the fusion's parameters:
 *   node dist/eval/face-probe.js ../shared/eval > /tmp/face-probe.jsonl
 *   node dist/eval/face-probe.js ../shared/eval --mirror > /tmp/face-mirror.jsonl   # crop vs mirror
 *   node dist/eval/face-probe.js ../shared/eval --loose > /tmp/face-loose.jsonl     # lower BlazeFace score, tighter window
 */
import { join } from 'node:path';
import { loadModel } from '../src/runtime/session.js';
import { DEFAULT_ATTRIBUTE_OPTIONS, describeBodies } from '../src/vision/attributes/index.js';
import type { Model } from '../src/runtime/session.js';
import type { RgbImage } from '../src/types.js';
import type { CropWindow } from '../src/vision/crop.js';
import { faceWindow, findPersonFace, readFaceres, runOnWindow } from '../src/vision/attributes/face-attributes.js';
import { KP, seen, skeleton } from '../src/vision/attributes/regions.js';
import { DEFAULT_TOP_DOWN_OPTIONS, poseForBox } from '../src/vision/top-down.js';
import { loadPeta, upscaled } from './attributes.js';

const root = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? join(process.cwd(), '..', 'shared', 'eval');
const m = async (n: string) => loadModel(n, { threads: 1 });
const models = { centernet: await m('centernet'), selfie: await m('selfie'), blazeface: await m('blazeface'), faceres: await m('faceres') };
const pose = { thunder: await m('movenet-thunder'), lightning: await m('movenet-lightning') };
const faceres = models.faceres, gear = await m('gear'), ssr = await m('gender-ssrnet-imdb');
/** gear (198 px, 0..1; upstream drops 10 % at the sides and bottom): (male, female) softmax and 7 age classes. */
const GEAR_AGE_YEARS = [15, 23, 28, 35.5, 45.5, 55.5, 65];
async function readGear(model: Model, image: RgbImage, w: CropWindow) {
  const inner = { x: w.x + 0.1 * w.width, y: w.y, width: 0.8 * w.width, height: 0.9 * w.height };
  const outs = await runOnWindow(model, image, inner, 198, { scale: 1 / 255, offset: 0 }, true);
  let age = 0;
  for (const o of outs) for (let k = 0; k < 7; k++) age += (GEAR_AGE_YEARS[k] * o.age.data[k]) / outs.length;
  return { male: outs.reduce((a, o) => a + o.gender.data[0], 0) / outs.length, age };
}
/** gender-ssrnet-imdb (64 px, -1..1): a regression near 0 (female) .. 1 (male). */
async function readSsrnet(model: Model, image: RgbImage, w: CropWindow) {
  const outs = await runOnWindow(model, image, w, 64, { scale: 1 / 127.5, offset: -1 }, true);
  return { male: Math.min(1, Math.max(0, outs.reduce((a, o) => a + o.gender.data[0], 0) / outs.length)) };
}
const sq = (cx: number, cy: number, side: number) => ({ x: cx - side / 2, y: cy - side / 2, width: side, height: side });
for (const s of await loadPeta(root)) {
  const image = await upscaled(s.path);
  const box = { left: 0, top: 0, width: image.width, height: image.height };
  const keypoints = await poseForBox(pose, image, box, DEFAULT_TOP_DOWN_OPTIONS);
  // The body cues alone, before the face's fusion (no face search there: the probe makes its own below).
  const [{ distributions: d }] = await describeBodies(models, image, [{ box, keypoints }], ['gender', 'age'], { ...DEFAULT_ATTRIBUTE_OPTIONS, faceMinRadius: Infinity });
  const bodyFemale = d.gender!['女性'];
  const view = { image, box, keypoints };
  const sk = skeleton(view);
  const faceKps = [KP.nose, KP.leftEye, KP.rightEye, KP.leftEar, KP.rightEar].filter((i) => seen(view, i)).length;
  const head = { point: sk.head, radius: sk.headRadius };
  const face = await findPersonFace(models.blazeface, image, head);
  // Looser searches (lower score, tighter window): how many more faces, and do they read?
  const loose: Record<string, unknown> = {};
  if (process.argv.includes('--mirror')) {
    // The crop alone vs its mirror alone vs both (does the mirror pass earn its cost?).
    const outs = face ? await runOnWindow(faceres, image, faceWindow(face), 224, { scale: 1, offset: 0 }, true) : [];
    console.log(JSON.stringify({ file: s.path.split('/').slice(-3).join('/'), male: s.labels.has('personalMale') ? 1 : s.labels.has('personalFemale') ? 0 : null, score: face?.score, plain: outs[0]?.gender.data[0], mirrored: outs[1]?.gender.data[0] }));
    continue;
  }
  if (process.argv.includes('--loose')) {
    for (const k of [6, 4]) {
      const f2 = await findPersonFace(models.blazeface, image, head, { windowScale: k, minScore: 0.25 });
      const fside = f2 ? Math.max(f2.box.width, f2.box.height) : 0;
      loose[`w${k}`] = f2 ? { score: f2.score, side: fside, faceres: await readFaceres(faceres, image, sq(f2.box.left + f2.box.width / 2, f2.box.top + f2.box.height / 2 - 0.1 * fside, 1.3 * fside)) } : null;
    }
    console.log(JSON.stringify({ file: s.path.split('/').slice(-3).join('/'), male: s.labels.has('personalMale') ? 1 : s.labels.has('personalFemale') ? 0 : null, loose }));
    continue;
  }
  const crops: Record<string, CropWindow> = {};
  for (const k of [1.8, 2.4, 3.2]) crops[`pose${k}`] = sq(sk.head.x, sk.head.y + 0.1 * k * sk.headRadius, k * sk.headRadius);
  if (face) {
    const fs = Math.max(face.box.width, face.box.height);
    for (const k of [1.3, 1.8]) crops[`bf${k}`] = sq(face.box.left + face.box.width / 2, face.box.top + face.box.height / 2 - 0.1 * fs, k * fs);
  }
  const reads: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(crops)) {
    reads[name] = { faceres: await readFaceres(faceres, image, c, true), gear: await readGear(gear, image, c), ssr: await readSsrnet(ssr, image, c) };
  }
  const file = s.path.split('/').slice(-3).join('/');
  const l = s.labels;
  const age = l.has('personalLess15') ? 'child' : l.has('personalLess30') ? 'young' : l.has('personalLess45') || l.has('personalLess60') ? 'middle' : l.has('personalLarger60') ? 'old' : null;
  console.log(JSON.stringify({
    file, subset: file.split('/')[0], male: l.has('personalMale') ? 1 : l.has('personalFemale') ? 0 : null, age,
    orig: s.path, width: image.width, headRadius: sk.headRadius, faceKps, noseScore: keypoints[0]?.score ?? 0,
    face: face ? { score: face.score, side: Math.max(face.box.width, face.box.height) } : null,
    bodyFemale, bodyAge: d.age, reads,
  }));
}
