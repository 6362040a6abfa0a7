/**
 * driver_behavior over real HTTP: the real service (SQLite, a worker, Fastify) and the official
 * SDK's driverBehaviorV1 unmodified, on the committed cabin-style fixture and images derived from
 * it at test time; bad inputs answer Baidu error codes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { fixture, startBaiduTestServer, type BaiduTestServer } from '../../helpers/helpers.js';
import { DRIVER_BEHAVIORS } from '../../../src/capabilities/driver_behavior/index.js';

let baidu: BaiduTestServer;
const cabinFile = readFileSync(fixture('driver-cabin.jpg'));
const cabin = cabinFile.toString('base64');

before(async () => {
  baidu = await startBaiduTestServer('10000013');
});
after(() => baidu?.close());

describe('driver_behavior', () => {
  test('the official SDK driverBehaviorV1 unmodified: the seed fields in the seed order', async () => {
    const r = await baidu.sdkClient().driverBehaviorV1(cabin);
    assert.equal(r.error_code, undefined, JSON.stringify(r).slice(0, 300));
    assert.deepEqual(Object.keys(r), ['person_num', 'driver_num', 'person_info', 'log_id']);
    assert.equal(r.person_num, 2);
    assert.equal(r.driver_num, 1);
    const [p] = r.person_info;
    assert.deepEqual(Object.keys(p.location), ['left', 'top', 'width', 'height', 'score']);
    assert.ok(p.location.left > 500, 'the larger, right-hand man is the driver');
    assert.deepEqual(Object.keys(p.attributes), [...DRIVER_BEHAVIORS]);
    for (const [k, v] of Object.entries(p.attributes) as [string, { score: number; threshold: number }][]) {
      assert.deepEqual(Object.keys(v), ['score', 'threshold'], k);
      assert.ok(v.score >= 0 && v.score <= 1 && v.threshold > 0 && v.threshold < 1, `${k}: ${JSON.stringify(v)}`);
    }
  });

  test('type through the SDK options: only the named behaviours, unknown words ignored', async () => {
    const r = await baidu.sdkClient().driverBehaviorV1(cabin, { type: 'eyes_closed,wings,smoke', wheel_location: '0' });
    assert.deepEqual(Object.keys(r.person_info[0].attributes), ['smoke', 'eyes_closed']);
  });

  test('a type naming no behaviour → 216100', async () => {
    const r = await baidu.call('driver_behavior', { image: cabin, type: 'wings,halo' });
    assert.equal(r.error_code, 216100);
  });

  test('nobody in the frame: person_num 0, driver_num 0, person_info []', async () => {
    const empty = (await sharp({ create: { width: 640, height: 480, channels: 3, background: '#40454d' } }).jpeg().toBuffer()).toString('base64');
    const r = await baidu.call('driver_behavior', { image: empty });
    assert.deepEqual([r.person_num, r.driver_num, r.person_info], [0, 0, []]);
    assert.equal(typeof r.log_id, 'number');
  });

  test('a grey night-style frame answers the driver', async () => {
    const grey = (await sharp(cabinFile).greyscale().gamma(2.2).jpeg().toBuffer()).toString('base64');
    const r = await baidu.call('driver_behavior', { image: grey, wheel_location: 'x' });
    assert.equal(r.driver_num, 1);
    assert.equal(Object.keys(r.person_info[0].attributes).length, 9);
  });

  test('bad inputs: no image 216101, not a picture 216201, too small 216202, not base64 216203 (the dialect code of image_base64)', async () => {
    assert.equal((await baidu.call('driver_behavior', {})).error_code, 216101);
    assert.equal((await baidu.call('driver_behavior', { image: Buffer.from('not a picture').toString('base64') })).error_code, 216201);
    const tiny = (await sharp({ create: { width: 20, height: 20, channels: 3, background: '#808080' } }).png().toBuffer()).toString('base64');
    assert.equal((await baidu.call('driver_behavior', { image: tiny })).error_code, 216202);
    assert.equal((await baidu.call('driver_behavior', { image: '***' })).error_code, 216203);
  });
});
