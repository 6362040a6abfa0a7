/**
 * Face-detector layouts (src/vision/blazeface.ts): facemesh-detection-full's rows (a score logit,
 * then box and points) decode to the right anchor and image pixels; on a real photo both
 * detectors find the one face (the full-range model only when it has been built: `npm run models`
 * builds what the capabilities use, and no capability uses it; `build-models.js
 * facemesh-detection-full` adds it).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { BLAZEFACE_256, FULL_RANGE_192_FACE, FULL_RANGE_192_PERSON, detectFaces } from '../../../src/vision/blazeface.js';
import { decodeImage } from '../../../src/intake/index.js';
import { loadModel, type Model } from '../../../src/runtime/session.js';
import { modelPath } from '../../../src/runtime/models.js';
import { fixture } from '../../helpers/helpers.js';

/** A stand-in for the 192 px model whose face head fires at one anchor with a known box. */
function fullRangeOutputs(anchor: number, row: number[]): Model {
  const face = new Float32Array(2304 * 17).fill(-20);
  face.set(row, anchor * 17);
  const person = new Float32Array(2304 * 17).fill(-20);
  return { name: 'fake', run: async () => ({ face: { data: face, dims: [1, 2304, 17] }, person: { data: person, dims: [1, 2304, 17] } }), release: async () => {} };
}

describe('face detector layouts', () => {
  test('full-range rows: score first, box relative to the stride-4 anchor, scaled to the window', async () => {
    // Anchor (row 10, column 20) of the 48x48 grid: centre (82, 42) in model pixels.
    const anchor = 10 * 48 + 20;
    const model = fullRangeOutputs(anchor, [3, 2, -2, 16, 20, ...new Array(12).fill(0)]);
    const image = { width: 384, height: 384, data: new Uint8Array(384 * 384 * 3) };
    const faces = await detectFaces(model, image, { layout: FULL_RANGE_192_FACE, window: { x: 0, y: 0, width: 384, height: 384 }, minScore: 0.5 });
    assert.equal(faces.length, 1);
    const f = faces[0];
    assert.ok(Math.abs(f.score - 1 / (1 + Math.exp(-3))) < 1e-6);
    // Centre (84, 40) model px -> (168, 80) image px; 16x20 -> 32x40.
    assert.ok(Math.abs(f.box.left + f.box.width / 2 - 168) < 1e-3 && Math.abs(f.box.top + f.box.height / 2 - 80) < 1e-3);
    assert.ok(Math.abs(f.box.width - 32) < 1e-3 && Math.abs(f.box.height - 40) < 1e-3);
    assert.equal((await detectFaces(model, image, { layout: FULL_RANGE_192_PERSON, minScore: 0.5 })).length, 0);
  });

  const built = existsSync(modelPath('facemesh-detection-full'));
  test('both detectors find the one face of a real photo', { skip: built ? false : 'facemesh-detection-full not built' }, async () => {
    const image = await decodeImage(new Uint8Array(readFileSync(fixture('hands-96_pic00005.jpg'))));
    const blaze = await loadModel('blazeface', { threads: 1 });
    const full = await loadModel('facemesh-detection-full', { threads: 1 });
    try {
      const a = await detectFaces(blaze, image, { layout: BLAZEFACE_256 });
      const b = await detectFaces(full, image, { layout: FULL_RANGE_192_FACE });
      assert.equal(a.length, 1);
      assert.equal(b.length, 1);
      const centre = (f: (typeof a)[number]) => ({ x: f.box.left + f.box.width / 2, y: f.box.top + f.box.height / 2 });
      assert.ok(Math.hypot(centre(a[0]).x - centre(b[0]).x, centre(a[0]).y - centre(b[0]).y) < a[0].box.width / 2, 'the same face');
    } finally {
      await blaze.release();
      await full.release();
    }
  });
});
