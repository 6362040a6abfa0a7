/**
 * Renders readable on any background: label sizes scale with the image, label text contrasts
 * with its filled box, labels stay inside the frame, and the Kakao drawing uses the box it is given.
 * Real sharp renders of synthetic images, read back pixel by pixel.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { drawScale, labelSvg, placeLabel, textColourOn } from '../../../src/render/svg.js';
import { renderPersons } from '../../../src/render/skeleton.js';
import { renderTracking } from '../../../src/render/tracking.js';
import { BODY21_KEYPOINTS, type Box, type Person, type RgbImage } from '../../../src/types.js';

const plain = (width: number, height: number, value: number): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3).fill(value) });

function person(box: Box): Person {
  const keypoints = Object.fromEntries(BODY21_KEYPOINTS.map((name, i) => [name, { x: box.left + box.width / 2, y: box.top + (i / 21) * box.height, score: 0.9 }]));
  return { box, score: 0.87, keypoints } as Person;
}

async function pixel(png: Buffer, x: number, y: number): Promise<[number, number, number]> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * 3;
  return [data[i], data[i + 1], data[i + 2]];
}

const near = (a: number[], b: number[], tol = 12) => a.every((v, i) => Math.abs(v - b[i]) <= tol);
const YELLOW = [0xf1, 0xc4, 0x0f];

describe('label geometry', () => {
  test('font and stroke grow with the image and never fall below a legible size', () => {
    const small = drawScale(160, 120), photo = drawScale(640, 425), uhd = drawScale(3840, 2160);
    assert.ok(small.font >= 12 && small.stroke >= 2);
    assert.ok(uhd.font > 4 * photo.font * 0.9, `${uhd.font} vs ${photo.font}`);
    assert.ok(uhd.stroke > photo.stroke);
  });

  test('text is black on light fills and white on dark ones', () => {
    assert.equal(textColourOn('#f1c40f'), '#000');
    assert.equal(textColourOn('#ffffff'), '#000');
    assert.equal(textColourOn('#000000'), '#fff');
    assert.equal(textColourOn('#111827'), '#fff');
    assert.equal(textColourOn('#3498db'), '#000');
  });

  test('a label goes above its box when there is room, else inside; always inside the frame', () => {
    const frame = { width: 200, height: 100 };
    const size = { width: 60, height: 20 };
    assert.deepEqual(placeLabel({ left: 50, top: 40, width: 30, height: 30 }, size, frame), { x: 50, y: 20, ...size });
    assert.deepEqual(placeLabel({ left: 50, top: 5, width: 30, height: 30 }, size, frame), { x: 50, y: 5, ...size });
    for (const box of [{ left: 190, top: 0, width: 10, height: 10 }, { left: -20, top: 95, width: 40, height: 30 }, { left: 180, top: 90, width: 50, height: 50 }]) {
      const at = placeLabel(box, size, frame);
      assert.ok(at.x >= 0 && at.y >= 0 && at.x + at.width <= frame.width && at.y + at.height <= frame.height, JSON.stringify({ box, at }));
    }
    // Wider than the frame: cut to the frame, not pushed out of it.
    const wide = placeLabel({ left: 10, top: 10, width: 5, height: 5 }, { width: 500, height: 20 }, frame);
    assert.equal(wide.x, 0);
    assert.equal(wide.width, 200);
  });

  test('the label box is filled, with escaped text', () => {
    const svg = labelSvg(['a<b & c'], { left: 0, top: 0, width: 0, height: 0 }, '#000000', { width: 100, height: 100 }, 12);
    assert.match(svg, /<rect [^>]*fill="#000000"/);
    assert.match(svg, /fill="#fff">a&lt;b &amp; c<\/text>/);
  });
});

describe('rendered labels', () => {
  for (const [name, value] of [['white', 255], ['black', 0]] as const) {
    test(`on a ${name} photo, a person at the top-right corner gets a filled yellow label inside the frame`, async () => {
      const image = plain(320, 240, value);
      const png = await renderPersons(image, [person({ left: 260, top: 0, width: 60, height: 120 })]);
      // The label cannot go above the box (top 0) or past the right edge: it sits in the corner, filled.
      assert.ok(near(await pixel(png, 318, 2), YELLOW), `corner pixel ${await pixel(png, 318, 2)}`);
      // And the photo elsewhere is untouched.
      assert.deepEqual(await pixel(png, 10, 230), [value, value, value]);
    });
  }

  test('the drawn box is the one the caller names (Kakao bbox), not the detection box', async () => {
    const image = plain(320, 240, 128);
    const p = person({ left: 40, top: 60, width: 100, height: 150 });
    const kakao = { left: 70, top: 80, width: 50, height: 120 };
    const png = await renderPersons(image, [p], { box: () => kakao });
    assert.ok(near(await pixel(png, 70, 150), YELLOW), 'left edge of the Kakao box is drawn');
    assert.deepEqual(await pixel(png, 40, 150), [128, 128, 128], 'the detection box is not');
  });

  test('tracking IDs are filled tags in the track colour; the legend is a dark block in the corner', async () => {
    const image = plain(400, 300, 255);
    const jpeg = await renderTracking(image, { boxes: [{ box: { left: 100, top: 100, width: 50, height: 50 }, id: 1, confirmed: true }], areas: [], lines: [], legend: ['in 3  out 1'] }, 'png');
    const tag = await pixel(jpeg, 102, 95);
    assert.ok(near(tag, [0x2e, 0xcc, 0x71]), `ID tag pixel ${tag}`);
    const legend = await pixel(jpeg, 2, 2);
    assert.ok(legend.every((v) => v < 140), `legend pixel ${legend}`);
  });
});
