/**
 * Gender from the face (src/vision/attributes/face-attributes.ts): the fusion's behaviour, the
 * crop geometry, and faceres on a real face (the committed hands-96 fixture: a man facing the
 * camera), its mirror image, a face too small to read, and no face.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fixture } from '../../helpers/helpers.js';
import { decodeImage } from '../../../src/intake/index.js';
import { loadModel } from '../../../src/runtime/session.js';
import type { Model } from '../../../src/runtime/session.js';
import { detectFaces, type Face } from '../../../src/vision/blazeface.js';
import { resizeImage } from '../../../src/vision/crop.js';
import { FACE_CROP_MARGIN, MIN_FACE_SIDE, faceGender, faceWindow, fuseGender } from '../../../src/vision/attributes/face-attributes.js';
import { genderAnswer } from '../../../src/vision/attributes/head.js';
import { describeBodies, describePeople } from '../../../src/vision/attributes/index.js';
import type { RgbImage } from '../../../src/types.js';

const male = (d: Record<string, number>) => d['男性'];

describe('gender fusion', () => {
  const body = genderAnswer({ skirt: 0, shoulderBag: 0, warmUpper: 0 });
  test('no face: the body cues alone, a distribution over the two values', () => {
    const d = fuseGender(body, undefined);
    assert.deepEqual(Object.keys(d).sort(), ['女性', '男性']);
    assert.ok(Math.abs(d['男性'] + d['女性'] - 1) < 1e-9);
    // Body-only order is kept: a skirt and a pink top still lean female.
    const dressed = fuseGender(genderAnswer({ skirt: 1, shoulderBag: 1, warmUpper: 1 }), undefined);
    assert.ok(male(dressed) < male(d));
  });
  test('a confident female face overturns the male-leaning prior; a male face raises it', () => {
    const none = male(fuseGender(body, undefined));
    assert.ok(male(fuseGender(body, { male: 0.1, trust: 0.8 })) < 0.5);
    assert.ok(male(fuseGender(body, { male: 0.9, trust: 0.8 })) > none);
  });
  test('the face term grows with BlazeFace trust and vanishes at trust 0', () => {
    const none = male(fuseGender(body, undefined));
    assert.equal(male(fuseGender(body, { male: 0.05, trust: 0 })), none);
    assert.ok(male(fuseGender(body, { male: 0.05, trust: 0.9 })) < male(fuseGender(body, { male: 0.05, trust: 0.5 })));
  });
  test('a female body and a male face meet in between', () => {
    const fBody = genderAnswer({ skirt: 1, shoulderBag: 1, warmUpper: 1 });
    const both = male(fuseGender(fBody, { male: 0.95, trust: 0.7 }));
    assert.ok(both > male(fuseGender(fBody, undefined)) && both < male(fuseGender(body, { male: 0.95, trust: 0.7 })));
  });
});

describe('face crop', () => {
  const face: Face = { box: { left: 100, top: 50, width: 40, height: 50 }, score: 0.9, points: {} as Face['points'] };
  test('square, the margin times the longer side, holding the face box', () => {
    const w = faceWindow(face);
    assert.equal(w.width, w.height);
    assert.ok(Math.abs(w.width - 50 * FACE_CROP_MARGIN) < 1e-9);
    assert.ok(w.x <= 100 && w.x + w.width >= 140 && w.y <= 50 && w.y + w.height >= 95);
  });
});

describe('faceres on a real face', () => {
  let blazeface: Model, faceres: Model, image: RgbImage, face: Face | undefined;
  before(async () => {
    blazeface = await loadModel('blazeface', { threads: 1 });
    faceres = await loadModel('faceres', { threads: 1 });
    image = await decodeImage(new Uint8Array(readFileSync(fixture('hands-96_pic00005.jpg'))), { minSide: 1 });
    [face] = await detectFaces(blazeface, image);
  });
  after(async () => {
    await blazeface?.release();
    await faceres?.release();
  });
  test('BlazeFace finds the face and faceres reads the man as male', async () => {
    assert.ok(face, 'no face found on the fixture');
    const g = await faceGender(faceres, image, face);
    assert.ok(g);
    assert.equal(g.trust, face.score);
    assert.ok(g.male > 0.6, `male ${g.male}`);
  });
  test('the mirrored photo reads about the same', async () => {
    const flipped: RgbImage = { width: image.width, height: image.height, data: new Uint8Array(image.data.length) };
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const a = (y * image.width + x) * 3, b = (y * image.width + image.width - 1 - x) * 3;
        flipped.data[a] = image.data[b]; flipped.data[a + 1] = image.data[b + 1]; flipped.data[a + 2] = image.data[b + 2];
      }
    }
    const [f2] = await detectFaces(blazeface, flipped);
    assert.ok(f2);
    const a = await faceGender(faceres, image, face), b = await faceGender(faceres, flipped, f2);
    assert.ok(a && b && Math.abs(a.male - b.male) < 0.1, `${a?.male} vs ${b?.male}`);
  });
  test('describeBodies gives the body cues\' own gender and the face; describePeople fuses faceres into it', async () => {
    assert.ok(face);
    const [centernet, selfie] = await Promise.all(['centernet', 'selfie'].map((n) => loadModel(n, { threads: 1 })));
    try {
      const models = { centernet, selfie, blazeface, faceres };
      // The head keypoints where BlazeFace put the eyes, nose and ears (the rest unseen).
      const p = face.points;
      const keypoints = Array.from({ length: 17 }, () => ({ x: 0, y: 0, score: 0 }));
      [p.nose_tip, p.left_eye, p.right_eye, p.left_ear, p.right_ear].forEach((q, i) => { keypoints[i] = { x: q.x, y: q.y, score: 0.9 }; });
      const person = { box: { left: 0, top: 0, width: image.width, height: image.height }, keypoints };
      const [body] = await describeBodies(models, image, [person], ['gender']);
      assert.ok(body.face, 'the face is found on the head');
      const [fused] = await describePeople(models, image, [person], ['gender']);
      assert.deepEqual(fused.gender, fuseGender(body.distributions.gender!, await faceGender(faceres, image, body.face)));
      assert.ok(male(fused.gender!) > male(fuseGender(body.distributions.gender!, undefined)), 'the male face raises P(male)');
    } finally {
      await Promise.all([centernet.release(), selfie.release()]);
    }
  });
  test('a 12 px face (as small as most PETA faces in their own pixels) is read', async () => {
    assert.ok(face);
    const k = 12 / Math.max(face.box.width, face.box.height);
    const small = resizeImage(image, Math.round(image.width * k), Math.round(image.height * k));
    const scaled: Face = { ...face, box: { left: face.box.left * k, top: face.box.top * k, width: face.box.width * k, height: face.box.height * k } };
    const g = await faceGender(faceres, small, scaled);
    assert.ok(g && g.male >= 0 && g.male <= 1);
  });
  test('a face under the minimum side and no face are not read', async () => {
    assert.ok(face);
    const k = (MIN_FACE_SIDE - 2) / Math.max(face.box.width, face.box.height);
    const small = resizeImage(image, Math.round(image.width * k), Math.round(image.height * k));
    const tiny: Face = { ...face, box: { left: face.box.left * k, top: face.box.top * k, width: face.box.width * k, height: face.box.height * k } };
    assert.equal(await faceGender(faceres, small, tiny), undefined);
    assert.equal(await faceGender(faceres, image, undefined), undefined);
  });
});
