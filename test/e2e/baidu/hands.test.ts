/**
 * hand_analysis, fingertip and gesture end to end: the real service called by the official Baidu
 * SDK and by plain HTTP, checking the seed's response shapes and the error answers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { FINGERTIP_POINTS } from '../../../src/api/baidu/hands-format.js';
import { GESTURE_CLASSES } from '../../../src/vision/gesture.js';
import { fixture, startBaiduTestServer, type BaiduTestServer } from '../../helpers/helpers.js';

let baidu: BaiduTestServer;
const twoPalms = readFileSync(fixture('hands-96_pic00005.jpg'));
const vSign = readFileSync(fixture('hands-3_1528499009.07_pic00009.jpg'));
/** hands-labels.csv boxes (xmin, ymin, xmax, ymax) of the committed hand photos. */
const PALM_BOXES = [[163, 206, 349, 496], [520, 193, 696, 476]];

function assertPoint(p: any) {
  assert.deepEqual(Object.keys(p).sort(), ['score', 'x', 'y']);
  assert.ok(Number.isInteger(p.x) && Number.isInteger(p.y) && p.x >= 0 && p.y >= 0, JSON.stringify(p));
  assert.ok(p.score >= 0 && p.score <= 1);
}

/** hand_analysis scores its box 0-21 as Baidu documents (clients divide by 21); fingertip 0-1. */
function assertLocation(l: any, scale: 1 | 21) {
  assert.deepEqual(Object.keys(l), ['height', 'width', 'top', 'score', 'left']);
  for (const k of ['left', 'top', 'width', 'height']) assert.ok(Number.isInteger(l[k]), `${k} ${l[k]}`);
  assert.ok(l.score > 0 && l.score <= scale, `location score ${l.score} outside 0-${scale}`);
  if (scale === 21) assert.ok(l.score > 1, `a confident hand scores above 1 on the 0-21 scale, got ${l.score}`);
}

before(async () => {
  baidu = await startBaiduTestServer('10000002');
});

after(() => baidu?.close());

describe('official SDK', () => {
  const client = () => baidu.sdkClient();

  test('handAnalysisV1: every hand, 21 points each, boxes on the labelled palms', async () => {
    const r = await client().handAnalysisV1(twoPalms.toString('base64'));
    assert.equal(r.error_code, undefined, JSON.stringify(r));
    assert.equal(typeof r.log_id, 'number');
    assert.equal(r.hand_num, 2);
    assert.equal(r.hand_info.length, 2);
    for (const hand of r.hand_info) {
      assert.deepEqual(Object.keys(hand.hand_parts), Array.from({ length: 21 }, (_, i) => String(i)));
      Object.values(hand.hand_parts).forEach(assertPoint);
      assertLocation(hand.location, 21);
    }
    // Each labelled palm box holds the wrist and the middle fingertip of one returned hand.
    for (const [x1, y1, x2, y2] of PALM_BOXES) {
      const inside = (p: any) => p.x >= x1 - 10 && p.x <= x2 + 10 && p.y >= y1 - 10 && p.y <= y2 + 10;
      assert.ok(r.hand_info.some((h: any) => inside(h.hand_parts['0']) && inside(h.hand_parts['12'])), `no hand in ${[x1, y1, x2, y2]}`);
    }
  });

  test('fingertipV1: five points per hand, the index tip first', async () => {
    const [full, tips] = await Promise.all([
      client().handAnalysisV1(vSign.toString('base64')),
      client().fingertipV1(vSign.toString('base64')),
    ]);
    assert.equal(tips.error_code, undefined, JSON.stringify(tips));
    assert.equal(tips.hand_num, 1);
    const parts = tips.hand_info[0].hand_parts;
    assert.deepEqual(Object.keys(parts), ['0', '1', '2', '3', '4']);
    Object.values(parts).forEach(assertPoint);
    assertLocation(tips.hand_info[0].location, 1);
    assert.ok(Math.abs(tips.hand_info[0].location.score * 21 - full.hand_info[0].location.score) < 1e-3, 'the same hand, two scales');
    FINGERTIP_POINTS.forEach((k, i) => assert.deepEqual(parts[String(i)], full.hand_info[0].hand_parts[String(k)]));
    // The raised index finger: its tip is above its middle joint, which is above its root.
    assert.ok(parts['0'].y < parts['1'].y && parts['1'].y < parts['2'].y);
  });

  test('gestureV1: hands and the face, Baidu classnames', async () => {
    const r = await client().gestureV1(twoPalms.toString('base64'));
    assert.equal(r.error_code, undefined, JSON.stringify(r));
    assert.equal(r.result_num, r.result.length);
    const names = r.result.map((g: any) => g.classname).sort();
    assert.deepEqual(names, ['Face', 'Five', 'Five']);
    for (const g of r.result) {
      assert.deepEqual(Object.keys(g).sort(), ['classname', 'height', 'left', 'probability', 'top', 'width']);
      assert.ok([...GESTURE_CLASSES, 'other', 'Face'].includes(g.classname));
      assert.ok(g.probability > 0 && g.probability <= 1);
    }
  });
});

describe('bad input', () => {
  for (const api of ['hand_analysis', 'fingertip', 'gesture']) {
    test(`${api}: image field problems get Baidu error codes`, async () => {
      assert.equal((await baidu.call(api, 'other=1')).error_code, 216101);
      assert.equal((await baidu.call(api, { image: '' })).error_code, 216200);
      assert.equal((await baidu.call(api, { image: '###not base64###' })).error_code, 216203);
      assert.equal((await baidu.call(api, { image: Buffer.from('not a picture').toString('base64') })).error_code, 216201);
      const tiny = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#fff' } }).png().toBuffer();
      assert.equal((await baidu.call(api, { image: tiny.toString('base64') })).error_code, 216202);
    });
  }

  test('a picture without hands is an empty, well-formed answer', async () => {
    const blank = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#6a7' } }).jpeg().toBuffer();
    const hands = await baidu.call('hand_analysis', { image: blank.toString('base64') });
    assert.equal(hands.hand_num, 0);
    assert.deepEqual(hands.hand_info, []);
    const gestures = await baidu.call('gesture', { image: blank.toString('base64') });
    assert.equal(gestures.result_num, 0);
    assert.deepEqual(gestures.result, []);
    // The service keeps serving after bad input.
    assert.equal((await baidu.call('fingertip', { image: vSign.toString('base64') })).hand_num, 1);
  });
});
