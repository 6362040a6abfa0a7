/**
 * Segmentation and ID photo in-process, with the real models on the committed fixtures: the three
 * PNG formats, the empty image, the ID-photo errors and points, plus the pure helpers.
 */
import { baiduCode } from '../../../src/api/baidu/errors.js';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { bodyPose, facePose, idPhotoCut, ID_PHOTO_LAYOUT, ID_PHOTO_POINTS } from '../../../src/capabilities/body_seg_photo/index.js';
import { createInProcessEngine } from '../../../src/engine/in-process.js';
import type { Engine } from '../../../src/engine/engine.js';
import { parseSegTypes } from '../../../src/api/baidu/seg-format.js';
import { ServiceError } from '../../../src/errors.js';
import { BAIDU_INTAKE } from '../../../src/intake/index.js';
import { alphaFor } from '../../../src/render/seg-images.js';
import { BODY21_KEYPOINTS, type Keypoint, type Person } from '../../../src/types.js';
import { labelComponents } from '../../../src/vision/components.js';
import { boxMean, guidedFilter } from '../../../src/vision/guided-filter.js';
import { fixture } from '../../helpers/helpers.js';

const skier = readFileSync(fixture('coco-000000000785.jpg'));
/** Public COCO val2017 annotation 442619 (the skier): outline polygon, rounded to pixels. */
const SKIER_POLYGON = [
  353, 68, 358, 52, 363, 48, 374, 45, 390, 52, 390, 68, 390, 76, 393, 84, 396, 89, 397, 92, 407, 99, 414, 105, 452, 149,
  458, 154, 462, 166, 467, 174, 463, 181, 450, 183, 449, 192, 456, 226, 449, 255, 454, 286, 476, 324, 492, 362, 495, 383,
  499, 391, 416, 391, 424, 384, 439, 374, 445, 361, 436, 334, 421, 304, 416, 289, 410, 268, 396, 281, 406, 299, 417, 325,
  425, 349, 425, 358, 419, 361, 394, 368, 363, 370, 347, 368, 360, 363, 370, 361, 383, 341, 355, 271, 360, 266, 387, 220,
  369, 162, 349, 176, 309, 187, 302, 193, 288, 194, 283, 194, 281, 187, 281, 175, 287, 172, 291, 172, 295, 172, 307, 167,
  312, 165, 346, 142, 351, 117, 351, 102, 351, 91, 353, 66,
];
/** The same annotation's keypoints (COCO-17 order, x y v). */
const SKIER_KEYPOINTS = [
  367, 81, 2, 374, 73, 2, 360, 75, 2, 386, 78, 2, 356, 81, 2, 399, 108, 2, 358, 129, 2, 433, 142, 2, 341, 159, 2,
  449, 165, 2, 309, 178, 2, 424, 203, 2, 393, 214, 2, 429, 294, 2, 367, 273, 2, 466, 362, 2, 396, 341, 2,
];

/** Decoded pixels in the PNG's own channel count (sharp would otherwise expand grey to RGB). */
async function raw(png: Uint8Array) {
  const meta = await sharp(png).metadata();
  const { data, info } = await (meta.channels === 1 ? sharp(png).extractChannel(0) : sharp(png)).raw().toBuffer({ resolveWithObject: true });
  return { data, info, meta };
}

async function jpegOf(width: number, height: number, background: string): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background } }).jpeg().toBuffer());
}

function kp(x: number, y: number, score = 0.9): Keypoint {
  return { x, y, score };
}

/** A frontal head-and-shoulders pose; image-left is the person's right. */
function pose(overrides: Partial<Record<string, Keypoint>> = {}): Person['keypoints'] {
  const base: Record<string, Keypoint> = Object.fromEntries(BODY21_KEYPOINTS.map((n) => [n, kp(100, 300, 0)]));
  Object.assign(base, {
    right_eye: kp(85, 100), left_eye: kp(115, 100), nose: kp(100, 115), right_ear: kp(70, 105), left_ear: kp(130, 105),
    right_shoulder: kp(40, 190), left_shoulder: kp(160, 190), neck: kp(100, 175),
  }, overrides);
  return base as Person['keypoints'];
}

describe('pure helpers', () => {
  test('type option: default all three, subsets, bad values', () => {
    assert.deepEqual(parseSegTypes(undefined), ['labelmap', 'scoremap', 'foreground']);
    assert.deepEqual(parseSegTypes(''), ['labelmap', 'scoremap', 'foreground']);
    assert.deepEqual(parseSegTypes('scoremap, labelmap,scoremap'), ['scoremap', 'labelmap']);
    assert.throws(() => parseSegTypes('labelmap,mask'), (e: ServiceError) => e.kind === 'invalid_param');
  });

  test('boxMean equals the brute-force clipped window mean', () => {
    const w = 7, h = 5, r = 2;
    const src = Float32Array.from({ length: w * h }, (_, i) => (i * 37) % 11);
    const fast = boxMean(src, w, h, r);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0, n = 0;
        for (let v = Math.max(0, y - r); v <= Math.min(h - 1, y + r); v++) {
          for (let u = Math.max(0, x - r); u <= Math.min(w - 1, x + r); u++) { sum += src[v * w + u]; n++; }
        }
        assert.ok(Math.abs(fast[y * w + x] - sum / n) < 1e-4);
      }
    }
  });

  test('guided filter moves a misplaced mask edge onto the photo edge', () => {
    // Photo: dark left half, bright right half (edge between x=15 and 16); mask edge at x=12.
    const w = 32, h = 8;
    const data = new Uint8Array(w * h * 3);
    const mask = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        data.fill(x >= 16 ? 220 : 30, 3 * (y * w + x), 3 * (y * w + x) + 3);
        mask[y * w + x] = x >= 12 ? 1 : 0;
      }
    }
    const out = guidedFilter({ width: w, height: h, data }, { width: w, height: h, data: mask }, { radius: 6, eps: 1e-4 });
    const row = Array.from(out.data.slice(4 * w, 5 * w));
    const shown = row.map((v) => v.toFixed(2)).join(' ');
    // The step now sits at the photo's edge (15 → 16), not at the mask's old edge (11 → 12).
    assert.ok(row[16] - row[15] > 0.3, shown);
    assert.ok(Math.abs(row[12] - row[11]) < 0.1, shown);
    assert.ok(row[20] > 0.95, shown);
  });

  test('connected components', () => {
    const on = Uint8Array.from([1, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1]);
    const { count, sizes, labels } = labelComponents(on, 4, 3);
    assert.equal(count, 3);
    assert.deepEqual(sizes.slice(1).sort(), [1, 2, 3].map(String).map(Number).sort());
    assert.equal(labels[3], labels[7]); // (3,0) and (3,1) touch vertically
  });

  test('foreground opacity ramps around 0.5', () => {
    assert.equal(alphaFor(0.1), 0);
    assert.ok(Math.abs(alphaFor(0.5) - 0.5) < 1e-9);
    assert.equal(alphaFor(0.95), 1);
    assert.ok(alphaFor(0.45) > 0 && alphaFor(0.45) < 0.5);
  });

  test('ID-photo cut follows the documented proportions and stays inside the photo', () => {
    const face = { left: 400, top: 300, width: 150, height: 200 };
    const cut = idPhotoCut(face, 2000, 2000);
    assert.ok(Math.abs(cut.width / cut.height - ID_PHOTO_LAYOUT.aspect) < 0.01);
    assert.ok(Math.abs(face.height / cut.height - ID_PHOTO_LAYOUT.faceHeight) < 0.01);
    assert.ok(Math.abs((face.top - cut.y) / cut.height - ID_PHOTO_LAYOUT.faceTop) < 0.01);
    const edge = idPhotoCut({ left: 0, top: 0, width: 150, height: 200 }, 300, 350);
    assert.ok(edge.x >= 0 && edge.y >= 0 && edge.x + edge.width <= 300 && edge.y + edge.height <= 350);
  });

  test('face and shoulder pose classes', () => {
    assert.equal(facePose(pose()), 1);
    assert.equal(facePose(pose({ right_eye: kp(85, 92), left_eye: kp(115, 108) })), 2); // eye line ~28°
    assert.equal(facePose(pose({ nose: kp(112, 115) })), 3); // nose far off the eye midline
    assert.equal(facePose(pose({ right_eye: kp(85, 92), left_eye: kp(115, 108), nose: kp(114, 118) })), 4);
    assert.equal(facePose(pose({ left_eye: kp(115, 100, 0.05) })), -1);
    const faceWidth = 50;
    assert.equal(bodyPose(pose(), faceWidth), 1); // span 120 = 2.4 face widths
    assert.equal(bodyPose(pose({ left_shoulder: kp(125, 190) }), faceWidth), 2); // 1.7
    assert.equal(bodyPose(pose({ left_shoulder: kp(90, 190) }), faceWidth), 3); // 1.0
    assert.equal(bodyPose(pose({ left_shoulder: kp(160, 215) }), faceWidth), 4); // tilted ~12°
    assert.equal(bodyPose(pose({ left_shoulder: kp(160, 190, 0.1) }), faceWidth), -1);
  });
});

describe('with the real models', () => {
  let engine: Engine;
  before(async () => {
    engine = createInProcessEngine({ capabilities: ['body_seg', 'body_seg_photo'] });
    await engine.ready;
  });
  after(async () => {
    await engine.close();
  });

  test('body_seg on the skier: three PNGs at the photo size, in their formats, matching the COCO outline', async () => {
    const result = await engine.run('body_seg', { bytes: skier, intake: BAIDU_INTAKE }, { types: ['labelmap', 'scoremap', 'foreground'] });
    assert.deepEqual(result.image, { width: 640, height: 425 });
    assert.equal(result.persons.length, 1);

    const label = await raw(result.images.labelmap!);
    assert.equal(label.meta.format, 'png');
    assert.equal(label.meta.channels, 1);
    assert.deepEqual([label.info.width, label.info.height], [640, 425]);
    assert.deepEqual([...new Set(label.data)].sort(), [0, 1], 'labelmap holds only 0 and 1');

    const score = await raw(result.images.scoremap!);
    assert.equal(score.meta.channels, 1);
    assert.deepEqual([score.info.width, score.info.height], [640, 425]);
    assert.ok(new Set(score.data).size > 20, 'scoremap is a grey ramp, not binary');

    const fg = await raw(result.images.foreground!);
    assert.equal(fg.meta.channels, 4);
    assert.ok(fg.meta.hasAlpha);
    assert.deepEqual([fg.info.width, fg.info.height], [640, 425]);
    let partial = 0, opaque = 0;
    for (let i = 3; i < fg.data.length; i += 4) {
      if (fg.data[i] === 255) opaque++;
      else if (fg.data[i] > 0) partial++;
    }
    assert.ok(opaque > 10000 && partial > 200, `anti-aliased edge: ${opaque} opaque, ${partial} partial`);

    // labelmap and scoremap agree (confidence > 0.5 ⇔ label 1), and the mask matches the outline.
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="425"><rect width="100%" height="100%"/><polygon points="${SKIER_POLYGON.join(' ')}" fill="white"/></svg>`;
    const truth = await sharp(Buffer.from(svg)).extractChannel(0).raw().toBuffer();
    let inter = 0, union = 0, disagree = 0;
    for (let i = 0; i < truth.length; i++) {
      const ours = label.data[i] === 1, theirs = truth[i] > 127;
      if (ours && theirs) inter++;
      if (ours || theirs) union++;
      if (ours !== score.data[i] > 127 && Math.abs(score.data[i] - 127.5) > 1) disagree++;
    }
    assert.equal(disagree, 0);
    assert.ok(inter / union > 0.7, `IoU with the COCO outline ${(inter / union).toFixed(3)}`);
  });

  test('only the requested images are made', async () => {
    const result = await engine.run('body_seg', { bytes: skier }, { types: ['scoremap'] });
    assert.deepEqual(Object.keys(result.images), ['scoremap']);
  });

  test('a photo without people: no boxes and an all-zero mask, still full-size PNGs', async () => {
    const empty = await jpegOf(300, 200, '#6a7f95');
    const result = await engine.run('body_seg', { bytes: empty }, { types: ['labelmap', 'scoremap', 'foreground'] });
    assert.equal(result.persons.length, 0);
    for (const type of ['labelmap', 'scoremap', 'foreground'] as const) {
      const { data, info } = await raw(result.images[type]!);
      assert.deepEqual([info.width, info.height], [300, 200]);
      assert.ok(data.every((v) => v === 0), `${type} is empty`);
    }
  });

  test('bad input is a catalogue error', async () => {
    await assert.rejects(engine.run('body_seg', { bytes: new TextEncoder().encode('not a picture'), intake: BAIDU_INTAKE }, { types: ['labelmap'] }),
      (e: ServiceError) => e.kind === 'image_format');
    await assert.rejects(engine.run('body_seg', { bytes: await jpegOf(20, 20, '#fff'), intake: BAIDU_INTAKE }, { types: ['labelmap'] }),
      (e: ServiceError) => e.kind === 'image_size');
  });

  test('ID photo on the skier: the ten points by name, near the COCO keypoints, inside the cut', async () => {
    const r = await engine.run('body_seg_photo', { bytes: skier, intake: BAIDU_INTAKE });
    const { cutBox } = r;
    assert.deepEqual(Object.keys(r.points), [...ID_PHOTO_POINTS]);
    const gt = (k: number) => ({ x: SKIER_KEYPOINTS[3 * k] - cutBox.left, y: SKIER_KEYPOINTS[3 * k + 1] - cutBox.top });
    // The skier faces the camera: their right side is the image's left, which the seed calls left.
    const expected: Record<string, { x: number; y: number }> = {
      nose_tip: gt(0), left_eye: gt(2), right_eye: gt(1), left_ear: gt(4), right_ear: gt(3), left_shoulder: gt(6), right_shoulder: gt(5),
    };
    const headSize = Math.hypot(gt(3).x - gt(4).x, gt(3).y - gt(4).y); // ~30 px
    for (const [name, want] of Object.entries(expected)) {
      const got = r.points[name as keyof typeof r.points];
      // Shoulders may be clamped to the cut's edge.
      const clamped = { x: Math.min(Math.max(want.x, 0), cutBox.width - 1), y: Math.min(Math.max(want.y, 0), cutBox.height - 1) };
      const d = Math.hypot(got.x - clamped.x, got.y - clamped.y);
      assert.ok(d < 0.5 * headSize, `${name}: (${got.x.toFixed(0)},${got.y.toFixed(0)}) vs (${clamped.x},${clamped.y}), ${d.toFixed(1)} px`);
    }
    for (const name of ID_PHOTO_POINTS) {
      const p = r.points[name];
      assert.ok(p.x >= 0 && p.y >= 0 && p.x < cutBox.width && p.y < cutBox.height, name);
    }
    assert.ok(r.points.left_mouth.x < r.points.right_mouth.x);
    assert.ok(r.points.neck.y > r.points.nose_tip.y && r.points.neck.y < Math.max(r.points.left_shoulder.y, r.points.right_shoulder.y) + 1);
    // Face box inside the cut, and the cut follows the layout.
    assert.ok(r.face.score > 0.5);
    assert.ok(Math.abs(cutBox.width / cutBox.height - ID_PHOTO_LAYOUT.aspect) < 0.03);
    const cut = await sharp(r.cut).metadata();
    assert.deepEqual([cut.format, cut.width, cut.height], ['jpeg', cutBox.width, cutBox.height]);
    const scoremap = await sharp(r.scoremap).metadata();
    assert.deepEqual([scoremap.format, scoremap.channels, scoremap.width, scoremap.height], ['png', 1, cutBox.width, cutBox.height]);
    assert.ok([1, 2, 3, 4].includes(r.facepose));
    assert.ok([1, 2, 3, 4, 5, 6].includes(r.bodypose));
  });

  test('ID photo on a close-up portrait: frontal face, shoulders in the frame', async () => {
    const r = await engine.run('body_seg_photo', { bytes: readFileSync(fixture('hands-96_pic00005.jpg')), intake: BAIDU_INTAKE });
    assert.equal(r.facepose, 1);
    assert.ok([1, 2].includes(r.bodypose), `bodypose ${r.bodypose}`);
    assert.ok(r.points.left_eye.x < r.points.right_eye.x && r.points.left_shoulder.x < r.points.right_shoulder.x);
  });

  test('ID-photo errors: nobody, two people, upside down', async () => {
    const detectError = (detail: RegExp) => (e: ServiceError) => e.kind === 'detect_error' && baiduCode(e.kind) === 216634 && detail.test(e.detail ?? '');
    await assert.rejects(engine.run('body_seg_photo', { bytes: await jpegOf(300, 200, '#6a7f95') }), detectError(/no person/));
    const two = await sharp({ create: { width: 1280, height: 425, channels: 3, background: '#888' } })
      .composite([{ input: skier, left: 0, top: 0 }, { input: skier, left: 640, top: 0 }]).jpeg().toBuffer();
    await assert.rejects(engine.run('body_seg_photo', { bytes: two }), detectError(/2 people/));
    const upsideDown = await sharp(skier).rotate(180).jpeg().toBuffer();
    await assert.rejects(engine.run('body_seg_photo', { bytes: upsideDown }), detectError(/upside down|no person/));
  });
});
