import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cropRotatedToTensor, type RotatedWindow } from '../src/vision/crop.js';
import type { RgbImage } from '../src/types.js';

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
