/**
 * body_seg and body_seg_photo over real HTTP: the real service (SQLite, worker, Fastify) on a real
 * port; response shapes, the `type` option and the errors in Baidu's dialect (HTTP 200).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { fixture, startBaiduTestServer, type BaiduTestServer } from '../../helpers/helpers.js';

let baidu: BaiduTestServer;
const skier = readFileSync(fixture('coco-000000000785.jpg'));

before(async () => {
  baidu = await startBaiduTestServer('10000002');
});

after(() => baidu?.close());

describe('body_seg', () => {
  test('default: all three images as base64 PNGs, plus person boxes', async () => {
    const r = await baidu.call('body_seg', { image: skier.toString('base64') });
    assert.equal(r.error_code, undefined, JSON.stringify(r).slice(0, 300));
    assert.equal(typeof r.log_id, 'number');
    assert.equal(r.person_num, 1);
    assert.deepEqual(Object.keys(r.person_info[0]).sort(), ['height', 'left', 'score', 'top', 'width']);
    for (const [key, channels] of [['labelmap', 1], ['scoremap', 1], ['foreground', 4]] as const) {
      const meta = await sharp(Buffer.from(r[key], 'base64')).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 640, 425, channels], key);
    }
  });

  test('the official baidu-aip-sdk bodySegV1 with a type option', async () => {
    const client = baidu.sdkClient();
    const r = await client.bodySegV1(skier.toString('base64'), { type: 'labelmap,scoremap' });
    assert.equal(r.error_code, undefined, JSON.stringify(r).slice(0, 300));
    assert.equal(r.person_num, 1);
    assert.deepEqual([typeof r.labelmap, typeof r.scoremap, r.foreground], ['string', 'string', undefined]);
  });

  test('type picks the images', async () => {
    const r = await baidu.call('body_seg', { image: skier.toString('base64'), type: 'foreground' });
    assert.equal(typeof r.foreground, 'string');
    assert.equal(r.labelmap, undefined);
    assert.equal(r.scoremap, undefined);
  });

  test('bad input: unknown type 216100, no image 216101, not a picture 216201', async () => {
    assert.equal((await baidu.call('body_seg', { image: skier.toString('base64'), type: 'labelmap,alpha' })).error_code, 216100);
    assert.equal((await baidu.call('body_seg', { image: skier.toString('base64'), type: ' , ' })).error_code, 216100);
    assert.equal((await baidu.call('body_seg', { type: 'labelmap' })).error_code, 216101);
    assert.equal((await baidu.call('body_seg', { image: Buffer.from('plain text').toString('base64') })).error_code, 216201);
  });
});

describe('body_seg_photo', () => {
  test('a portrait: seg_info, face_location, and the ten points in the documented order', async () => {
    const r = await baidu.call('body_seg_photo', { image: readFileSync(fixture('hands-96_pic00005.jpg')).toString('base64') });
    assert.equal(r.error_code, undefined, JSON.stringify(r).slice(0, 300));
    assert.deepEqual(Object.keys(r.seg_info).sort(), ['cut', 'demo', 'scoremap']);
    const cut = await sharp(Buffer.from(r.seg_info.cut, 'base64')).metadata();
    const scoremap = await sharp(Buffer.from(r.seg_info.scoremap, 'base64')).metadata();
    assert.deepEqual([scoremap.width, scoremap.height, scoremap.channels], [cut.width, cut.height, 1]);
    for (const k of ['left', 'top', 'width', 'height']) assert.ok(Number.isInteger(r.face_location[k]), k);
    assert.deepEqual(r.pose_info.body_parts.map((p: object) => Object.keys(p)[0]), [
      'left_ear', 'right_ear', 'left_eye', 'right_eye', 'nose_tip', 'left_mouth', 'right_mouth', 'right_shoulder', 'left_shoulder', 'neck',
    ]);
    for (const part of r.pose_info.body_parts) {
      const p = Object.values(part)[0] as { x: number; y: number; score: number };
      assert.ok(Number.isInteger(p.x) && Number.isInteger(p.y) && p.score >= 0 && p.score <= 1);
    }
    assert.ok([1, 2, 3, 4, -1].includes(r.pose_info.facepose));
    assert.ok([1, 2, 3, 4, 5, 6, -1].includes(r.pose_info.bodypose));
  });

  test('no person / two people → 216634', async () => {
    const empty = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#6a7f95' } }).jpeg().toBuffer();
    assert.equal((await baidu.call('body_seg_photo', { image: empty.toString('base64') })).error_code, 216634);
    const two = await sharp({ create: { width: 1280, height: 425, channels: 3, background: '#888' } })
      .composite([{ input: skier, left: 0, top: 0 }, { input: skier, left: 640, top: 0 }]).jpeg().toBuffer();
    const r = await baidu.call('body_seg_photo', { image: two.toString('base64') });
    assert.deepEqual([r.error_code, r.error_msg], [216634, 'detect error']);
  });
});
