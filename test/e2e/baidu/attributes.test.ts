/**
 * body_attr over real HTTP (the real service: SQLite, a worker, Fastify, the official SDK), and
 * the two capabilities the private dialect will serve alone (person_detection with crops,
 * person_attributes) on an in-process engine. Inputs are the committed skier photo and images
 * derived from it at test time: cropped (truncated), painted over (occluded), grey (infrared-like),
 * a crop with nobody in it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp, { type Sharp } from 'sharp';
import { fixture, startBaiduTestServer, type BaiduTestServer } from '../../helpers/helpers.js';
import { ATTRIBUTE_NAMES, ATTRIBUTE_VALUES, DEFAULT_ATTRIBUTES } from '../../../src/vision/attributes/index.js';
import { createInProcessEngine } from '../../../src/engine/in-process.js';
import type { Engine } from '../../../src/engine/engine.js';

let baidu: BaiduTestServer;
const skierFile = readFileSync(fixture('coco-000000000785.jpg'));
const skier = skierFile.toString('base64');
/** The skier's box is about x 280-500, y 40-380 of the 640 × 425 photo. */
const derived = async (make: (s: Sharp) => Sharp) => (await make(sharp(skierFile)).jpeg({ quality: 92 }).toBuffer()).toString('base64');

/** Every answered attribute is {name, score} with a value name of its own list and a probability. */
function assertValidAttributes(attributes: Record<string, { name: string; score: number }>, expected: readonly string[]) {
  assert.deepEqual(Object.keys(attributes).sort(), [...expected].sort());
  for (const [key, v] of Object.entries(attributes)) {
    assert.deepEqual(Object.keys(v).sort(), ['name', 'score'], key);
    assert.ok((ATTRIBUTE_VALUES[key as keyof typeof ATTRIBUTE_VALUES] as readonly string[]).includes(v.name), `${key}: ${v.name}`);
    assert.ok(v.score > 0 && v.score <= 1, `${key} score ${v.score}`);
  }
}

before(async () => {
  baidu = await startBaiduTestServer('10000011');
});

after(() => baidu?.close());

describe('body_attr', () => {
  test('the official SDK bodyAttrV1 unmodified: the skier with exactly the 17 default attributes', async () => {
    const r = await baidu.sdkClient().bodyAttrV1(skier);
    assert.equal(r.error_code, undefined, JSON.stringify(r).slice(0, 300));
    assert.equal(r.person_num, 1);
    const [p] = r.person_info;
    assert.deepEqual(Object.keys(p.location).sort(), ['height', 'left', 'score', 'top', 'width']);
    assert.ok(p.location.left > 240 && p.location.left < 320 && p.location.width > 150, JSON.stringify(p.location));
    assertValidAttributes(p.attributes, DEFAULT_ATTRIBUTES);
    // What the photo plainly shows: a red long-sleeved top, dark trousers, whole body, facing the camera.
    assert.equal(p.attributes.upper_color.name, '红');
    assert.equal(p.attributes.upper_wear.name, '长袖');
    assert.equal(p.attributes.lower_color.name, '黑');
    assert.equal(p.attributes.is_human.name, '正常人体');
    assert.equal(p.attributes.upper_cut.name, '无上方截断');
    assert.equal(p.attributes.lower_cut.name, '无下方截断');
    assert.equal(p.attributes.side_cut.name, '无侧方截断');
  });

  test('gender from the face: the hands-96 man, face to the camera, is 男性 with more confidence than the body cues give', async () => {
    const r = await baidu.sdkClient().bodyAttrV1(readFileSync(fixture('hands-96_pic00005.jpg')).toString('base64'), { type: 'gender' });
    assert.equal(r.error_code, undefined, JSON.stringify(r).slice(0, 300));
    assert.ok(r.person_num >= 1);
    const p = [...r.person_info].sort((a, b) => b.location.height * b.location.width - a.location.height * a.location.width)[0];
    assert.equal(p.attributes.gender.name, '男性');
    // Body cues alone top out near 0.67 for a man without cues (the fitted prior); the face lifts it.
    assert.ok(p.attributes.gender.score > 0.8, `score ${p.attributes.gender.score}`);
  });

  test('type: exactly the requested attributes (SDK options), any of the 28, unknown words ignored', async () => {
    const client = baidu.sdkClient();
    const r = await client.bodyAttrV1(skier, { type: 'gender,upper_wear_fg,vehicle,action,hat' });
    assert.equal(r.error_code, undefined, JSON.stringify(r).slice(0, 300));
    assertValidAttributes(r.person_info[0].attributes, ['gender', 'upper_wear_fg', 'vehicle', 'action']);
    const all = await baidu.call('body_attr', { image: skier, type: ATTRIBUTE_NAMES.join(',') });
    assertValidAttributes(all.person_info[0].attributes, ATTRIBUTE_NAMES);
  });

  test('a type with no valid word is 216100; no image 216101', async () => {
    assert.equal((await baidu.call('body_attr', { image: skier, type: 'hat,colour' })).error_code, 216100);
    assert.equal((await baidu.call('body_attr', { image: skier, type: ',' })).error_code, 216100);
    assert.equal((await baidu.call('body_attr', { type: 'gender' })).error_code, 216101);
  });

  test('a photo with nobody in it: an empty list, not an error', async () => {
    const empty = await derived((s) => s.extract({ left: 0, top: 120, width: 250, height: 300 }));
    const r = await baidu.call('body_attr', { image: empty });
    assert.equal(r.error_code, undefined, JSON.stringify(r).slice(0, 300));
    assert.deepEqual([r.person_num, r.person_info], [0, []]);
  });

  test('truncated: the legs cut off by the bottom edge, the body cut by the right edge', async () => {
    const top = await baidu.call('body_attr', { image: await derived((s) => s.extract({ left: 0, top: 0, width: 640, height: 230 })) });
    assert.equal(top.person_num, 1, JSON.stringify(top).slice(0, 300));
    assert.equal(top.person_info[0].attributes.lower_cut.name, '有下方截断');
    assert.equal(top.person_info[0].attributes.upper_cut.name, '无上方截断');
    const side = await baidu.call('body_attr', { image: await derived((s) => s.extract({ left: 0, top: 0, width: 370, height: 425 })) });
    assert.ok(side.person_num >= 1, JSON.stringify(side).slice(0, 300));
    assert.equal(side.person_info[0].attributes.side_cut.name, '有侧方截断');
  });

  test('occluded: a board over the legs is not 无遮挡', async () => {
    const board = await sharp({ create: { width: 260, height: 160, channels: 3, background: { r: 90, g: 70, b: 50 } } }).png().toBuffer();
    const r = await baidu.call('body_attr', { image: await derived((s) => s.composite([{ input: board, left: 260, top: 230 }])) });
    assert.equal(r.person_num, 1, JSON.stringify(r).slice(0, 300));
    assert.notEqual(r.person_info[0].attributes.occlusion.name, '无遮挡');
  });

  test('a grey (infrared-like) image works: the person is found and colours are achromatic', async () => {
    const r = await baidu.call('body_attr', { image: await derived((s) => s.greyscale()) });
    assert.equal(r.error_code, undefined);
    assert.equal(r.person_num, 1);
    assertValidAttributes(r.person_info[0].attributes, DEFAULT_ATTRIBUTES);
    assert.ok(['黑', '白', '灰'].includes(r.person_info[0].attributes.upper_color.name));
    assert.ok(r.person_info[0].attributes.upper_color.score < 0.9, 'colour from a grey image is not confident');
  });
});

describe('person_detection and person_attributes (engine)', () => {
  let engine: Engine;
  before(async () => {
    engine = createInProcessEngine({ capabilities: ['person_detection', 'person_attributes'], warmup: false });
    await engine.ready;
  });
  after(() => engine?.close());

  test('person_detection: integer boxes with a probability, JPEG crops of the box on request', async () => {
    const plain = await engine.run('person_detection', { bytes: skierFile });
    assert.equal(plain.persons.length, 1);
    assert.equal(plain.persons[0].crop, undefined);
    const r = await engine.run('person_detection', { bytes: skierFile }, { returnCrop: true });
    const p = r.persons[0];
    for (const v of Object.values(p.box)) assert.ok(Number.isInteger(v));
    assert.ok(p.probability > 0.5 && p.probability <= 1);
    const meta = await sharp(Buffer.from(p.crop!)).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', p.box.width, p.box.height]);
  });

  test('person_detection drops people under 30 × 30 px', async () => {
    const small = await sharp(skierFile).resize({ width: 96 }).png().toBuffer();
    const r = await engine.run('person_detection', { bytes: small }, { minSide: 30 });
    for (const p of r.persons) assert.ok(p.box.width >= 30 && p.box.height >= 30);
    const loose = await engine.run('person_detection', { bytes: small }, { minSide: 1 });
    assert.ok(loose.persons.length >= r.persons.length);
  });

  test('person_attributes: the whole image is one person, score 1, any of the 28', async () => {
    const crop = await sharp(skierFile).extract({ left: 270, top: 30, width: 240, height: 360 }).png().toBuffer();
    const r = await engine.run('person_attributes', { bytes: crop }, { attributes: ATTRIBUTE_NAMES });
    assert.deepEqual(r.person.box, { left: 0, top: 0, width: 240, height: 360 });
    assert.equal(r.person.score, 1);
    assertValidAttributes(r.person.attributes as Record<string, { name: string; score: number }>, ATTRIBUTE_NAMES);
    assert.equal(r.person.attributes.upper_color?.name, '红');
  });
});
