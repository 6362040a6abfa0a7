import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropRotatedToTensor, rotatedWindowToImage, type RotatedWindow } from '../../../src/vision/crop.js';
import type { RgbImage } from '../../../src/types.js';

/** A grey image with a smooth bright blob centred at (bx, by) in continuous pixel coordinates (pixel i spans i..i+1). */
function blobImage(width: number, height: number, bx: number, by: number, sigma: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d2 = (x + 0.5 - bx) ** 2 + (y + 0.5 - by) ** 2;
      data.fill(Math.round(250 * Math.exp(-d2 / (2 * sigma * sigma))), (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  return { width, height, data };
}

test('a point found in a rotated crop maps back to where it is in the image, at any scale and angle', () => {
  const bx = 83.3;
  const by = 61.8;
  const image = blobImage(180, 140, bx, by, 5);
  const target = 48;
  for (const size of [40, 90, 150]) {
    for (const angle of [0, 0.7, Math.PI / 2, -2.4]) {
      const window: RotatedWindow = { cx: bx + 4, cy: by - 3, size, angle };
      const tensor = cropRotatedToTensor(image, window, target);
      // Brightness-weighted centre in tensor pixels, counted from the first pixel's centre (as a model reports them).
      let sum = 0, su = 0, sv = 0;
      for (let v = 0; v < target; v++) {
        for (let u = 0; u < target; u++) {
          const w = tensor[(v * target + u) * 3];
          sum += w; su += w * u; sv += w * v;
        }
      }
      const p = rotatedWindowToImage(window, target, su / sum, sv / sum);
      const label = `size ${size}, angle ${angle}`;
      assert.ok(Math.abs(p.x - bx) < 0.15, `${label}: x ${p.x} vs ${bx}`);
      assert.ok(Math.abs(p.y - by) < 0.15, `${label}: y ${p.y} vs ${by}`);
    }
  }
});

test('crop samples past the image edge take the fill value, or repeat the edge pixel with replicate', () => {
  const image: RgbImage = { width: 4, height: 4, data: new Uint8Array(4 * 4 * 3).fill(200) };
  // A window twice the image's size centred on it: its outer ring of samples lies outside the image.
  const window: RotatedWindow = { cx: 2, cy: 2, size: 8, angle: 0 };
  const filled = cropRotatedToTensor(image, window, 8, { fill: 10 });
  const replicated = cropRotatedToTensor(image, window, 8, { fill: 10, replicate: true });
  assert.equal(filled[0], 10);
  assert.equal(replicated[0], 200);
  const centre = (4 * 8 + 4) * 3;
  assert.equal(filled[centre], 200);
  assert.equal(replicated[centre], 200);
});
