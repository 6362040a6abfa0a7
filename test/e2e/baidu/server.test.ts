/**
 * End to end: the real service (SQLite, inference worker, Fastify) on a real port, called by the
 * official Baidu SDK and by plain HTTP for every error the dialect promises.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { BODY21_KEYPOINTS, COCO_KEYPOINTS } from '../../../src/types.js';
import { fixture, startBaiduTestServer, type BaiduTestServer } from '../../helpers/helpers.js';

/** Public COCO val2017 annotation 442619 (the skier), COCO-17 order, x y v. */
const SKIER_GT = [
  367, 81, 2, 374, 73, 2, 360, 75, 2, 386, 78, 2, 356, 81, 2, 399, 108, 2, 358, 129, 2, 433, 142, 2, 341, 159, 2,
  449, 165, 2, 309, 178, 2, 424, 203, 2, 393, 214, 2, 429, 294, 2, 367, 273, 2, 466, 362, 2, 396, 341, 2,
];

let baidu: BaiduTestServer;
const skier = readFileSync(fixture('coco-000000000785.jpg'));

before(async () => {
  baidu = await startBaiduTestServer('10000001');
});

after(() => baidu?.close());

describe('official baidu-aip-sdk', () => {
  test('fetches a token and runs bodyAnalysisV1 on a real photo', async () => {
    const client = baidu.sdkClient();
    const result = await client.bodyAnalysisV1(skier.toString('base64'));
    assert.equal(result.error_code, undefined, JSON.stringify(result));
    assert.equal(typeof result.log_id, 'number');
    assert.equal(result.person_num, 1);
    const person = result.person_info[0];
    assert.deepEqual(Object.keys(person.body_parts).sort(), [...BODY21_KEYPOINTS].sort());
    for (const key of ['left', 'top', 'width', 'height', 'score']) assert.equal(typeof person.location[key], 'number');
    // Key order as Baidu's real answers (seeds 000 and 003).
    assert.deepEqual(Object.keys(result), ['person_num', 'person_info', 'log_id']);
    assert.deepEqual(Object.keys(person), ['body_parts', 'location']);
    assert.deepEqual(Object.keys(person.location), ['height', 'width', 'top', 'score', 'left']);
    for (const name of BODY21_KEYPOINTS) assert.deepEqual(Object.keys(person.body_parts[name]), ['y', 'x', 'score']);
    // Most COCO points land within 10% of the skier's height of the public annotation.
    const height = 347;
    const close = COCO_KEYPOINTS.filter((name, k) => {
      const p = person.body_parts[name];
      return Math.hypot(p.x - SKIER_GT[3 * k], p.y - SKIER_GT[3 * k + 1]) < 0.1 * height;
    });
    assert.ok(close.length >= 14, `only ${close.length}/17 keypoints near the annotation: ${close}`);
    // Derived points sit where anatomy puts them.
    const bp = person.body_parts;
    assert.ok(bp.top_head.y < bp.nose.y && bp.neck.y > bp.nose.y && bp.neck.y < bp.left_hip.y);
    assert.ok(bp.left_mouth_corner.y > bp.nose.y - 5 && bp.left_mouth_corner.y < bp.neck.y);
  });
});

describe('Baidu errors over HTTP', () => {
  test('token problems', async () => {
    assert.equal((await baidu.call('body_analysis', { image: 'x' }, '')).error_code, 100);
    assert.equal((await baidu.call('body_analysis', { image: 'x' }, 'access_token=24.nope')).error_code, 110);
  });

  test('unknown API path → 3', async () => {
    const r = await baidu.call('no_such_api', { image: 'x' });
    assert.equal(r.error_code, 3);
    assert.equal(typeof r.log_id, 'number');
    const deeper = await fetch(`${baidu.base}/rest/2.0/image-classify/v2/whatever`, { method: 'POST' });
    assert.equal((await deeper.json()).error_code, 3);
  });

  test('a body that is not a form → 282004; a JSON array is not parameters', async () => {
    const r = await fetch(`${baidu.base}/rest/2.0/image-classify/v1/body_analysis?access_token=${baidu.token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[1,2]',
    });
    const body = await r.json();
    assert.deepEqual([body.error_code, body.error_msg], [282004, 'invalid parameter(s)']);
  });

  test('a field that is not one text value (JSON array or object, repeated form field) → 216100, never 282000', async () => {
    const post = async (api: string, type: string, body: string) => {
      const r = await fetch(`${baidu.base}/rest/2.0/image-classify/v1/${api}?access_token=${baidu.token}`, { method: 'POST', headers: { 'content-type': type }, body });
      return r.json();
    };
    for (const [api, body] of [
      ['driver_behavior', { image: 'x', type: ['smoke'] }],
      ['body_attr', { image: 'x', type: { gender: true } }],
      ['body_num', { image: 'x', area: [[1, 1, 9, 1, 9, 9]] }],
    ] as const) {
      const r = await post(api, 'application/json', JSON.stringify(body));
      assert.equal(r.error_code, 216100, `${api}: ${JSON.stringify(r)}`);
    }
    assert.equal((await post('body_attr', 'application/x-www-form-urlencoded', 'image=x&type=gender&type=age')).error_code, 216100);
    // JSON numbers and booleans are read as their text, as a form would carry them.
    const tiny = (await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer()).toString('base64');
    assert.equal((await post('body_num', 'application/json', JSON.stringify({ image: tiny, show: true, area: 5 }))).error_code, 216202);
  });

  test('image field problems', async () => {
    assert.equal((await baidu.call('body_analysis', 'other=1')).error_code, 216101);
    assert.equal((await baidu.call('body_analysis', { image: '' })).error_code, 216200);
    assert.equal((await baidu.call('body_analysis', { image: '###not base64###' })).error_code, 216203);
    assert.equal((await baidu.call('body_analysis', { image: Buffer.from('plain text, not a picture').toString('base64') })).error_code, 216201);
    const tiny = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } }).png().toBuffer();
    assert.equal((await baidu.call('body_analysis', { image: tiny.toString('base64') })).error_code, 216202);
    const truncated = skier.subarray(0, skier.length >> 1);
    assert.equal((await baidu.call('body_analysis', { image: truncated.toString('base64') })).error_code, 216201);
  });

  test('over 4 MB of base64 → 216202, also beyond the transport limit', async () => {
    const big = Buffer.alloc(3_200_000, 7).toString('base64'); // ~4.3 MB encoded
    assert.equal((await baidu.call('body_analysis', { image: big })).error_code, 216202);
    const huge = 'a'.repeat(13 * 1024 * 1024);
    assert.equal((await baidu.call('body_analysis', `image=${huge}`)).error_code, 216202);
  });

  test('a data: header and a missing content type are tolerated', async () => {
    const r = await baidu.call('body_analysis', { image: `data:image/jpeg;base64,${skier.toString('base64')}` });
    assert.equal(r.person_num, 1);
    const res = await fetch(`${baidu.base}/rest/2.0/image-classify/v1/body_analysis?access_token=${baidu.token}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: new URLSearchParams({ image: skier.toString('base64') }).toString(),
    });
    assert.equal((await res.json()).person_num, 1);
  });

  test('an image with nobody in it → person_num 0', async () => {
    const empty = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#8899aa' } }).jpeg().toBuffer();
    const r = await baidu.call('body_analysis', { image: empty.toString('base64') });
    assert.deepEqual({ person_num: r.person_num, person_info: r.person_info }, { person_num: 0, person_info: [] });
  });

  test('healthz is 200 once workers are warm', async () => {
    const res = await fetch(`${baidu.base}/healthz`);
    assert.equal(res.status, 200);
  });
});
