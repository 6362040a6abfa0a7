/**
 * body_num over real HTTP: the real service (SQLite, worker, Fastify) on a real port, the real
 * models on committed fixtures. The official SDK's bodyNumV1, `area` (valid, malformed, too
 * many), `show`, photos without people, and bad input in Baidu's codes (HTTP 200).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { fixture, startBaiduTestServer, type BaiduTestServer } from '../../helpers/helpers.js';

let baidu: BaiduTestServer;
const skier = readFileSync(fixture('coco-000000000785.jpg'));
/** Three copies of the 640×425 skier side by side (1920×425): three people, one per third. */
let three: string;

before(async () => {
  baidu = await startBaiduTestServer('10000012');
  three = (await sharp({ create: { width: 1920, height: 425, channels: 3, background: '#888' } })
    .composite([0, 640, 1280].map((left) => ({ input: skier, left, top: 0 }))).jpeg().toBuffer()).toString('base64');
});

after(() => baidu?.close());

const LEFT = '1,1,639,1,639,424,1,424';
const MIDDLE = '641,1,1279,1,1279,424,641,424';
const LEFT_TWO = '1,1,1279,1,1279,424,1,424';

describe('body_num', () => {
  test('the official baidu-aip-sdk bodyNumV1: the whole image, then areas and the picture', async () => {
    const client = baidu.sdkClient();
    const plain = await client.bodyNumV1(three);
    assert.equal(plain.error_code, undefined, JSON.stringify(plain).slice(0, 300));
    assert.equal(typeof plain.log_id, 'number');
    assert.equal(plain.person_num, 3);
    assert.equal(plain.area_counts, undefined);
    assert.equal(plain.image, undefined);

    const r = await client.bodyNumV1(three, { area: `${LEFT};${LEFT_TWO}`, show: 'true' });
    assert.equal(r.error_code, undefined, JSON.stringify(r).slice(0, 300));
    assert.deepEqual(r.area_counts, [1, 2]);
    assert.equal(r.person_num, 2, 'the union of the areas: the left skier once');
    const meta = await sharp(Buffer.from(r.image, 'base64')).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', 1920, 425]);
  });

  test('separate areas add up; the union counts each person once', async () => {
    const r = await baidu.call('body_num', { image: three, area: `${LEFT};${MIDDLE}` });
    assert.deepEqual([r.person_num, r.area_counts], [2, [1, 1]]);
  });

  test('a malformed area is ignored: the whole image is counted, no area_counts, no error', async () => {
    for (const area of ['1,1,639,1,639', '1,1,639,1', '0,1,639,1,639,424', '1,1,1920,1,1919,424', '1,1,x,1,639,424', `${LEFT};1,1,2`, 'nonsense']) {
      const r = await baidu.call('body_num', { image: three, area });
      assert.equal(r.error_code, undefined, area);
      assert.equal(r.person_num, 3, area);
      assert.equal(r.area_counts, undefined, area);
    }
  });

  test('more than 10 areas: the first 10 are counted', async () => {
    const area = Array.from({ length: 12 }, () => LEFT).join(';');
    const r = await baidu.call('body_num', { image: three, area });
    assert.equal(r.area_counts.length, 10);
    assert.ok(r.area_counts.every((c: number) => c === 1));
    assert.equal(r.person_num, 1);
  });

  test('show other than "true" returns no picture', async () => {
    for (const show of ['false', '1', '']) {
      const r = await baidu.call('body_num', { image: skier.toString('base64'), show });
      assert.equal(r.image, undefined, show);
      assert.equal(r.person_num, 1);
    }
  });

  test('no people: 0, not an error (grey image, with and without the picture)', async () => {
    const grey = (await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } }).jpeg().toBuffer()).toString('base64');
    const r = await baidu.call('body_num', { image: grey, show: 'true', area: '1,1,100,1,100,100' });
    assert.equal(r.error_code, undefined);
    assert.deepEqual([r.person_num, r.area_counts], [0, [0]]);
    assert.equal((await sharp(Buffer.from(r.image, 'base64')).metadata()).format, 'jpeg');
  });

  test('bad input: no image 216101, not a picture 216201, too small 216202', async () => {
    assert.equal((await baidu.call('body_num', { area: LEFT })).error_code, 216101);
    assert.equal((await baidu.call('body_num', { image: Buffer.from('plain text').toString('base64') })).error_code, 216201);
    const tiny = (await sharp({ create: { width: 40, height: 40, channels: 3, background: '#888' } }).jpeg().toBuffer()).toString('base64');
    assert.equal((await baidu.call('body_num', { image: tiny })).error_code, 216202);
  });
});
