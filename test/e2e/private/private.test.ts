/**
 * Baidu's private-deployment dialect end to end: the real service (SQLite, a worker, Fastify)
 * with BODYLENS_PRIVATE=on, every service under /private/<service>/ on the main port and the
 * keypoints and hand services also on their own (ephemeral) ports. Replies are decoded as a
 * client of the appliance would: `result` as an object, a JSON string or base64 of JSON.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { fixture, testConfig } from '../../helpers/helpers.js';
import type { RunningServer } from '../../../src/server.js';
import { loadPrivateSettings } from '../../../src/config.js';
import { ATTRIBUTE_NAMES } from '../../../src/vision/attributes/index.js';

let server: RunningServer;
let dir: string;
const skier = readFileSync(fixture('coco-000000000785.jpg'));
const palms = readFileSync(fixture('hands-96_pic00005.jpg'));
const fist = readFileSync(fixture('hands-2_pic00474.jpg'));

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');
/** The seed's envelope: {"data": base64(JSON({image: base64(bytes), ...options}))}. */
const envelope = (image: Buffer, options: Record<string, unknown> = {}) => JSON.stringify({ data: b64(JSON.stringify({ image: b64(image), ...options })) });
const decodeB64Json = (s: string) => JSON.parse(Buffer.from(s, 'base64').toString('utf8'));

async function post(url: string, body: string, type = 'application/json'): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  assert.equal(res.status, 200, 'the private dialect answers HTTP 200');
  return res.json();
}
const at = (service: string) => `${server.address}/private/${service}/GeneralClassifyService/classify`;
const call = (service: string, body: string) => post(at(service), body);

before(async () => {
  const { startServer } = await import('../../../src/server.js');
  dir = mkdtempSync(join(tmpdir(), 'bodylens-private-'));
  server = await startServer(testConfig(dir, { BODYLENS_PRIVATE: 'on', BODYLENS_PRIVATE_PORTS: 'keypoints:0,hand:0' }));
  await server.engine.ready;
});

after(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('settings', () => {
  test('off by default; on = every service on its seed port; a list; off; bad names fail', () => {
    assert.deepEqual(loadPrivateSettings({}), { enabled: false, ports: [], concurrency: 32 });
    assert.throws(() => loadPrivateSettings({ BODYLENS_PRIVATE: 'on', BODYLENS_PRIVATE_KEY: 'short' }), /at least 16/);
    const all = loadPrivateSettings({ BODYLENS_PRIVATE: 'on' });
    assert.deepEqual(Object.fromEntries(all.ports.map((p) => [p.service, p.port])), {
      gesture: 8120, crowd: 8122, keypoints: 8124, detection: 8125, attributes: 8126, segmentation: 8127, hand: 8128, driver: 8132,
    });
    assert.deepEqual(loadPrivateSettings({ BODYLENS_PRIVATE: 'on', BODYLENS_PRIVATE_PORTS: 'off' }).ports, []);
    assert.deepEqual(loadPrivateSettings({ BODYLENS_PRIVATE: 'on', BODYLENS_PRIVATE_PORTS: 'hand, keypoints:9000' }).ports, [
      { service: 'hand', port: 8128 },
      { service: 'keypoints', port: 9000 },
    ]);
    assert.throws(() => loadPrivateSettings({ BODYLENS_PRIVATE: 'on', BODYLENS_PRIVATE_PORTS: 'pose:1' }), /unknown service "pose"/);
    assert.throws(() => loadPrivateSettings({ BODYLENS_PRIVATE: 'yes' }), /on or off/);
  });
});

describe('services', () => {
  test('keypoints: result is a plain object, 21 parts, the reply keys in the seed order', async () => {
    const r = await call('keypoints', envelope(skier));
    assert.deepEqual(Object.keys(r), ['err_no', 'err_msg', 'result', 'format']);
    assert.deepEqual([r.err_no, r.err_msg, r.format], [0, 'Succeed!', 'json']);
    assert.equal(r.result.person_num, 1);
    assert.equal(Object.keys(r.result.person_info[0].body_parts).length, 21);
    assert.equal(r.result.log_id, undefined);
    const { location } = r.result.person_info[0];
    assert.ok(location.width > 50 && location.height > 100 && location.score > 0.3, JSON.stringify(location));
  });

  test('keypoints on its own port: the same answer at /GeneralClassifyService/classify', async () => {
    const own = server.privateAddresses.keypoints;
    assert.ok(own && own !== server.address);
    const r = await post(`${own}/GeneralClassifyService/classify`, envelope(skier));
    const viaPrefix = await call('keypoints', envelope(skier));
    assert.equal(r.err_no, 0);
    assert.deepEqual(r.result, viaPrefix.result);
    // Only its own path there.
    const other = await post(`${own}/private/hand/GeneralClassifyService/classify`, envelope(skier));
    assert.equal(other.err_no, 216203);
  });

  test('segmentation: labelmap, scoremap, foreground PNGs; also `data` as the image itself', async () => {
    for (const body of [envelope(skier), JSON.stringify({ data: b64(skier) })]) {
      const r = await call('segmentation', body);
      assert.deepEqual([r.err_no, r.err_msg, r.format], [0, 'ParseService[status:succeed]', 'json']);
      assert.deepEqual(Object.keys(r.result), ['labelmap', 'scoremap', 'type', 'foreground']);
      assert.equal(r.result.type, 'person');
      for (const [key, channels] of [['labelmap', 1], ['scoremap', 1], ['foreground', 4]] as const) {
        const meta = await sharp(Buffer.from(r.result[key], 'base64')).metadata();
        assert.deepEqual([meta.format, meta.width, meta.height, meta.channels], ['png', 640, 425, channels], key);
      }
    }
  });

  test('gesture: result is a JSON string of {object: [...]} with the seed labels; plain forms too', async () => {
    const forms = [
      envelope(palms),
      JSON.stringify({ appid: '123456', logid: 42, format: 'json', from: 'test-python', cmdid: '123', clientip: '0.0.0.0', image: b64(palms) }),
      JSON.stringify({ appid: '123456', logid: 42, data: b64(palms) }),
    ];
    let first: unknown;
    for (const body of forms) {
      const r = await call('gesture', body);
      assert.deepEqual([r.err_no, r.err_msg, r.format], [0, 'DetectionSsd [status:succeed]', 'json']);
      assert.equal(typeof r.result, 'string');
      const result = JSON.parse(r.result);
      assert.ok(Array.isArray(result.object) && result.object.length >= 2, r.result);
      for (const o of result.object) {
        assert.deepEqual(Object.keys(o), ['classname', 'height', 'label', 'left', 'probability', 'top', 'width']);
        if (o.classname === 'Face') assert.equal(o.label, 13);
        if (o.classname === 'Five') assert.equal(o.label, 2);
      }
      assert.ok(result.object.some((o: any) => o.classname === 'Face'));
      if (first) assert.deepEqual(result, first);
      first = result;
    }
  });

  test('hand: result is base64 of JSON, score on 0-21, no format key; plain form and own port', async () => {
    for (const url of [at('hand'), `${server.privateAddresses.hand}/GeneralClassifyService/classify`]) {
      for (const body of [envelope(fist), JSON.stringify({ image: b64(fist), logid: 7 })]) {
        const r = await post(url, body);
        assert.deepEqual(Object.keys(r), ['err_no', 'err_msg', 'result']);
        assert.equal(r.err_msg, 'Succeed! Congrats, May the force be with you ...');
        const result = decodeB64Json(r.result);
        assert.equal(result.hand_num, 1);
        assert.equal(Object.keys(result.hand_info[0].hand_parts).length, 21);
        const score = result.hand_info[0].location.score;
        assert.ok(score > 1 && score <= 21, `score ${score} on the 0-21 scale`);
      }
    }
  });

  test('detection: base64 det_res; return_crop 1 gives JPEG crops, unknown words none', async () => {
    const plain = await call('detection', envelope(skier));
    assert.deepEqual([plain.err_no, plain.err_msg], [0, 'GeneralClassify [status: human detect succeed]']);
    const res = decodeB64Json(plain.result);
    assert.equal(res.person_num, 1);
    assert.deepEqual(Object.keys(res.det_res[0]), ['classname', 'crop', 'left', 'top', 'width', 'height', 'probability', 'label']);
    assert.equal(res.det_res[0].crop, '');
    const cropped = decodeB64Json((await call('detection', envelope(skier, { return_crop: 1 }))).result);
    const meta = await sharp(Buffer.from(cropped.det_res[0].crop, 'base64')).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', cropped.det_res[0].width, cropped.det_res[0].height]);
    assert.equal(decodeB64Json((await call('detection', envelope(skier, { return_crop: 'maybe' }))).result).det_res[0].crop, '');
  });

  test('attributes: the whole image is one person; type picks attributes (all 28 on request)', async () => {
    const r = await call('attributes', envelope(skier, { type: 'gender,headwear,carrying_item,cellphone,nonsense' }));
    assert.deepEqual([r.err_no, r.err_msg], [0, 'GeneralClassify [status: human attrib succeed]']);
    const res = decodeB64Json(r.result);
    assert.equal(res.person_num, 1);
    assert.deepEqual(res.person_info[0].location, { height: 425, width: 640, top: 0, score: 1, left: 0 });
    assert.deepEqual(Object.keys(res.person_info[0].attributes).sort(), ['carrying_item', 'cellphone', 'gender', 'headwear']);
    const all = decodeB64Json((await call('attributes', envelope(skier))).result);
    assert.equal(Object.keys(all.person_info[0].attributes).length, 17, 'the 17 defaults');
    const every = decodeB64Json((await call('attributes', envelope(skier, { type: ATTRIBUTE_NAMES.join(',') }))).result);
    assert.equal(Object.keys(every.person_info[0].attributes).length, 28, 'the private table has no lower_wear_texture');
    for (const a of Object.values(every.person_info[0].attributes) as Array<{ name: string; score: number }>) {
      assert.ok(typeof a.name === 'string' && a.score >= 0 && a.score <= 1);
    }
  });

  test('crowd: area as JSON arrays gives area_counts; show 0 no picture, 2 a JPEG', async () => {
    const r = await call('crowd', envelope(skier, { area: [[1, 1, 639, 1, 639, 424, 1, 424], [1, 1, 100, 1, 100, 100]], show: 0 }));
    assert.deepEqual([r.err_no, r.err_msg], [0, 'fg-crowd-counting [status:succeed]']);
    const res = decodeB64Json(r.result);
    assert.equal(typeof res.person_num, 'number');
    assert.equal(res.area_counts.length, 2);
    assert.equal(res.image, undefined);
    const shown = decodeB64Json((await call('crowd', envelope(skier, { show: 2 }))).result);
    const meta = await sharp(Buffer.from(shown.image, 'base64')).metadata();
    assert.deepEqual([meta.width, meta.height], [640, 425]);
    // A bad area is ignored (the whole image is counted), never an error.
    const bad = decodeB64Json((await call('crowd', envelope(skier, { area: [[1, 2, 3]] }))).result);
    assert.equal(bad.area_counts, undefined);
  });

  test('driver: base64 result with the online shape minus log_id; type and wheel_location read', async () => {
    const cabin = readFileSync(fixture('driver-cabin.jpg'));
    const r = await call('driver', envelope(cabin, { type: 'yawning,cellphone,nope', wheel_location: '0' }));
    assert.deepEqual([r.err_no, r.err_msg, r.format], [0, 'GeneralClassify [status: human attrib succeed]', 'json']);
    const result = decodeB64Json(r.result);
    assert.deepEqual(Object.keys(result), ['person_num', 'driver_num', 'person_info']);
    assert.deepEqual([result.person_num, result.driver_num], [2, 1]);
    assert.deepEqual(Object.keys(result.person_info[0].attributes), ['cellphone', 'yawning']);
    for (const type of ['wings', 3]) assert.equal((await call('driver', envelope(cabin, { type }))).err_no, 8, String(type));
  });
});

describe('errors: every err_no path per service', () => {
  const tiny = () => sharp({ create: { width: 20, height: 20, channels: 3, background: '#808080' } }).png().toBuffer();
  // service → [bad JSON, inner not JSON, no image, image not base64, empty image, not a picture, too small]
  const expected: Record<string, number[]> = {
    keypoints: [216100, 216100, 216100, 216201, 216200, 216201, 216202],
    detection: [216401, 216401, 216101, 216401, 216200, 216401, 216202],
    attributes: [5, 5, 4, 5, 6, 5, 7],
    driver: [5, 5, 4, 5, 6, 5, 7],
    crowd: [2, 2, 1, 2, 3, 2, 4],
    gesture: [216100, 216100, 216101, 216101, 216200, 216201, 216202],
    hand: [216100, 216100, 216101, 216101, 216200, 216201, 216202],
    segmentation: [216100, 216100, 216100, 216201, 216200, 216201, 216200],
  };
  for (const [service, codes] of Object.entries(expected)) {
    test(service, async () => {
      const bodies = [
        '{"data": ',
        JSON.stringify({ data: b64('{not json') }),
        JSON.stringify({ data: b64(JSON.stringify({ type: 'gender' })) }),
        JSON.stringify({ data: b64(JSON.stringify({ image: '***not base64***' })) }),
        JSON.stringify({ data: b64(JSON.stringify({ image: '' })) }),
        envelope(Buffer.from('plain text, not a picture')),
        envelope(await tiny()),
      ];
      const got: number[] = [];
      for (const body of bodies) {
        const r = await call(service, body);
        assert.equal(typeof r.err_msg, 'string');
        assert.equal(r.result, undefined);
        got.push(r.err_no);
      }
      assert.deepEqual(got, codes);
    });
  }

  test('attributes: a type with no known word is err_no 8', async () => {
    for (const type of ['wings,halo', 'lower_wear_texture', 7]) {
      const r = await call('attributes', envelope(skier, { type }));
      assert.deepEqual([r.err_no, r.err_msg], [8, 'fg_human_attribute [status:attrib type parsing failed]'], String(type));
    }
  });

  test('crowd and detection: no body at all, and a body over the limit, answer the service error', async () => {
    assert.equal((await call('crowd', '')).err_no, 1);
    assert.equal((await call('detection', '')).err_no, 216101);
    const huge = JSON.stringify({ data: 'A'.repeat(9 * 1024 * 1024) });
    assert.deepEqual(await call('crowd', huge), { err_no: 4, err_msg: 'fg-crowd-counting [status:image size < 50]', format: 'json' });
    const ownHand = await post(`${server.privateAddresses.hand}/GeneralClassifyService/classify`, huge);
    assert.equal(ownHand.err_no, 216202);
  });

  test('a bare image of a non-plain service is a parse error; unknown service paths are 404', async () => {
    assert.equal((await call('keypoints', JSON.stringify({ image: b64(skier) }))).err_no, 216100);
    assert.equal((await call('keypoints', JSON.stringify({ data: b64(skier) }))).err_no, 216100);
    const res = await fetch(`${server.address}/private/pose/GeneralClassifyService/classify`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 404);
  });
});

describe('a process serving only keypoints, with a shared key and a concurrency cap of 1', () => {
  let small: RunningServer;
  let smallDir: string;
  const KEY = 'private-key-0123456789';
  before(async () => {
    const { startServer } = await import('../../../src/server.js');
    smallDir = mkdtempSync(join(tmpdir(), 'bodylens-private-small-'));
    small = await startServer(testConfig(smallDir, {
      BODYLENS_PRIVATE: 'on',
      BODYLENS_PRIVATE_PORTS: 'keypoints:0',
      BODYLENS_CAPABILITIES: 'body_analysis',
      BODYLENS_PRIVATE_KEY: KEY,
      BODYLENS_PRIVATE_CONCURRENCY: '1',
    }));
    await small.engine.ready;
  });
  after(async () => {
    await small?.close();
    rmSync(smallDir, { recursive: true, force: true });
  });
  const send = (path: string, key?: string) =>
    fetch(`${small.address}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-private-key': key } : {}) }, body: envelope(skier) }).then((r) => r.json());

  test('without the key: each service\'s own refusal', async () => {
    assert.equal((await send('/private/gesture/GeneralClassifyService/classify')).err_no, 216204);
    assert.equal((await send('/private/hand/GeneralClassifyService/classify', 'wrong-key-0123456789')).err_no, 216401);
    assert.equal((await send('/private/keypoints/GeneralClassifyService/classify')).err_no, 216100);
  });

  test('with the key: keypoints answers; detection, not served here, answers its conf error', async () => {
    assert.equal((await send('/private/keypoints/GeneralClassifyService/classify', KEY)).err_no, 0);
    const own = await fetch(`${small.privateAddresses.keypoints}/GeneralClassifyService/classify`, { method: 'POST', headers: { 'x-private-key': KEY }, body: envelope(skier) }).then((r) => r.json());
    assert.equal(own.err_no, 0);
    assert.deepEqual(await send('/private/detection/GeneralClassifyService/classify', KEY), { err_no: 216401, err_msg: 'GeneralClassifyProcessorFactory [status:reading conf file error]', format: 'json' });
  });

  test('over the cap: the busy number, never a queue pile-up', async () => {
    const answers = await Promise.all(Array.from({ length: 4 }, () => send('/private/keypoints/GeneralClassifyService/classify', KEY)));
    const codes = answers.map((a) => a.err_no).sort();
    assert.ok(codes.includes(0), JSON.stringify(codes));
    assert.ok(codes.includes(216203), JSON.stringify(codes));
  });
});
