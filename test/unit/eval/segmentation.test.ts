/** The segmentation eval's own arithmetic: COCO RLE decoding, painting, IoU, cropping. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cropMask, decodeRleString, maskIou, paintCoco } from '../../../eval/segmentation.js';

/** pycocotools' rleToString, ported: the reference encoder the decoder must invert. */
function encodeRle(counts: number[]): string {
  let s = '';
  counts.forEach((count, i) => {
    let x = i > 2 ? count - counts[i - 2] : count;
    let more = true;
    while (more) {
      let c = x & 0x1f;
      x >>= 5;
      more = c & 0x10 ? x !== -1 : x !== 0;
      if (more) c |= 0x20;
      s += String.fromCharCode(c + 48);
    }
  });
  return s;
}

test('compressed RLE strings decode to their run lengths (incl. negative deltas and long runs)', () => {
  for (const counts of [[0, 5, 3], [7, 2, 40, 1, 3, 1000, 2, 0, 65000]]) {
    assert.deepEqual(decodeRleString(encodeRle(counts)), counts);
  }
});

test('RLE is column-major; polygons are painted; both union', async () => {
  // 3 wide × 2 high: skip 1, then 3 on → (0,1), (1,0), (1,1) in (x,y) column-major order.
  const rle = await paintCoco([{ image_id: 1, segmentation: { counts: [1, 3, 2], size: [2, 3] } }], 3, 2);
  assert.deepEqual([...rle], [0, 1, 0, 1, 1, 0]);
  const poly = await paintCoco([{ image_id: 1, segmentation: [[0, 0, 10, 0, 10, 10, 0, 10]] }], 20, 20);
  const on = poly.reduce((a, b) => a + b, 0);
  assert.ok(on >= 90 && on <= 121, `square of ~100 px, got ${on}`);
  assert.equal(poly[5 * 20 + 5], 1);
  assert.equal(poly[15 * 20 + 15], 0);
});

test('IoU of scoremap (>127) against truth; empty vs empty is 1', () => {
  assert.equal(maskIou(Uint8Array.from([255, 200, 0, 0]), Uint8Array.from([1, 0, 1, 0])), 1 / 3);
  assert.equal(maskIou(Uint8Array.from([127, 0]), Uint8Array.from([0, 0])), 1);
});

test('cropMask takes a frame out of a full mask', () => {
  const full = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]); // 3×3
  assert.deepEqual([...cropMask(full, 3, { left: 1, top: 1, width: 2, height: 2 })], [4, 5, 7, 8]);
  // Full-width frames that do not reach the bottom (or start lower) keep only their own rows.
  assert.deepEqual([...cropMask(full, 3, { left: 0, top: 0, width: 3, height: 2 })], [0, 1, 2, 3, 4, 5]);
  assert.deepEqual([...cropMask(full, 3, { left: 0, top: 1, width: 3, height: 2 })], [3, 4, 5, 6, 7, 8]);
});
