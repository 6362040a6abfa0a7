/**
 * driver_behavior pieces: the driver choice, the Baidu `type` / `wheel_location` parsers and
 * response shape, the score models' ranges, and the capability on real images through the
 * in-process engine (the committed cabin-style fixture, a grey copy of it, a frame with nobody).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { fixture } from '../../helpers/helpers.js';
import { chooseDriver, DRIVER_BEHAVIORS, type DriverBehaviorResult } from '../../../src/capabilities/driver_behavior/index.js';
import { BEHAVIOR_MODELS, LOGISTIC, UNMEASURED_SHARE } from '../../../src/capabilities/driver_behavior/behaviors.js';
import { driverBehaviorResponse, parseDriverTypes, parseWheelLocation } from '../../../src/api/baidu/driver-format.js';
import { ServiceError } from '../../../src/errors.js';
import { beltLineEvidence, handsOffWheel, wheelRegion } from '../../../src/vision/driver-cues.js';
import { createInProcessEngine } from '../../../src/engine/in-process.js';
import type { Engine } from '../../../src/engine/engine.js';
import type { Box, Keypoint, RgbImage } from '../../../src/types.js';

const box = (left: number, width: number, height = width * 1.5): Box => ({ left, top: 10, width, height });

describe('driver choice', () => {
  const people = [box(600, 200), box(50, 210), box(300, 90)];
  test('wheel_location 1 (default): the rightmost of the similar-size people', () => {
    assert.equal(chooseDriver(people, 1), 0);
  });
  test('wheel_location 0: the leftmost of them', () => {
    assert.equal(chooseDriver(people, 0), 1);
  });
  test('a clearly larger person wins whatever the side', () => {
    const big = [box(600, 120), box(50, 300)];
    assert.equal(chooseDriver(big, 1), 1);
    assert.equal(chooseDriver(big, 0), 1);
  });
  test('nobody: -1', () => assert.equal(chooseDriver([], 1), -1));
  test('wheel_location parser: "0" is 0; "1", other values and absence are 1', () => {
    assert.equal(parseWheelLocation('0'), 0);
    for (const v of ['1', '2', 'left', '', undefined, ' 0']) assert.equal(parseWheelLocation(v), 1, String(v));
  });
});

describe('type', () => {
  test('absent or empty: all nine in the seed order', () => {
    assert.deepEqual(parseDriverTypes(undefined), [...DRIVER_BEHAVIORS]);
    assert.deepEqual(parseDriverTypes(' '), [...DRIVER_BEHAVIORS]);
  });
  test('a subset comes back in the seed order; unknown words are ignored', () => {
    assert.deepEqual(parseDriverTypes('yawning,wings,smoke, eyes_closed'), ['smoke', 'yawning', 'eyes_closed']);
  });
  test('no known word: invalid_param (216100)', () => {
    assert.throws(() => parseDriverTypes('wings,halo'), (e) => e instanceof ServiceError && e.kind === 'invalid_param');
  });
});

describe('response shape', () => {
  const result: DriverBehaviorResult = {
    image: { width: 640, height: 480 },
    persons: [{ box: { left: 10.4, top: -3, width: 300, height: 500 }, score: 0.912345 }, { box: box(400, 100), score: 0.6 }],
    driver: 0,
    hands: [],
    evidence: {},
    behaviors: { yawning: { score: 0.123456, threshold: 0.4 }, smoke: { score: 0.01, threshold: 0.6 } },
  };
  test('person_num, driver_num, person_info[{location, attributes}], log_id; attributes in the seed order', () => {
    const r = driverBehaviorResponse(7, result);
    assert.deepEqual(Object.keys(r), ['person_num', 'driver_num', 'person_info', 'log_id']);
    assert.deepEqual([r.person_num, r.driver_num, r.log_id], [2, 1, 7]);
    const [p] = r.person_info;
    assert.deepEqual(Object.keys(p), ['location', 'attributes']);
    assert.deepEqual(p.location, { left: 10, top: 0, width: 300, height: 480, score: 0.9123 });
    assert.deepEqual(Object.keys(p.attributes), ['smoke', 'yawning']);
    assert.deepEqual(p.attributes.yawning, { score: 0.1235, threshold: 0.4 });
  });
  test('no driver: person_num as found, driver_num 0, person_info []', () => {
    const r = driverBehaviorResponse(1, { ...result, persons: [], driver: -1 });
    assert.deepEqual(r, { person_num: 0, driver_num: 0, person_info: [], log_id: 1 });
  });
});

describe('score models', () => {
  test('every behaviour answers a probability and a threshold in (0, 1), with or without a face', () => {
    const face = { mouthOpening: 0.6, jawDrop: 1.1, ear: 0.1, yaw: 50, pitch: 20, yawOffset: 0.5, noseDrop: 0.6, handAtEar: 0.8, handAtMouth: 0.2, phoneNear: 0.5, maskChroma: 3, maskLuma: 10, maskTexture: 1, brightShare: 0, brightElongation: 0, beltCoherence: 0.7, beltSamples: 20, handsOff: 1 };
    for (const evidence of [{}, face]) {
      for (const b of DRIVER_BEHAVIORS) {
        const s = BEHAVIOR_MODELS[b].score(evidence);
        assert.ok(s > 0 && s < 1, `${b}: ${s}`);
        assert.ok(BEHAVIOR_MODELS[b].threshold > 0 && BEHAVIOR_MODELS[b].threshold < 1, b);
      }
    }
  });
  test('an unmeasured behaviour (no face, no shoulders) answers at most half its threshold, so it never fires', () => {
    for (const b of DRIVER_BEHAVIORS) {
      const { score, threshold } = { score: BEHAVIOR_MODELS[b].score({}), threshold: BEHAVIOR_MODELS[b].threshold };
      assert.ok(score <= UNMEASURED_SHARE * threshold + 1e-9, `${b}: ${score} vs threshold ${threshold}`);
    }
    // A face the mesh rejected leaves only its presence scores: still unmeasured.
    assert.ok(BEHAVIOR_MODELS.no_face_mask.score({ faceScore: 0.9, meshScore: 0.1 }) < BEHAVIOR_MODELS.no_face_mask.threshold);
  });
  test('monotone where it must be: a wider mouth yawns more, a narrower eye is more closed', () => {
    const base = { mouthOpening: 0.05, jawDrop: 0.9, ear: 0.3, yaw: 0, pitch: 0, yawOffset: 0, noseDrop: 0.5, handAtEar: 0, handAtMouth: 0, phoneNear: 0, maskChroma: 3, maskLuma: 10, maskTexture: 1, brightShare: 0, brightElongation: 0 };
    assert.ok(BEHAVIOR_MODELS.yawning.score({ ...base, mouthOpening: 0.6 }) > BEHAVIOR_MODELS.yawning.score(base));
    assert.ok(BEHAVIOR_MODELS.eyes_closed.score({ ...base, ear: 0.05 }) > BEHAVIOR_MODELS.eyes_closed.score(base));
    assert.ok(LOGISTIC.yawning.weights.mouth > 0);
  });
  test('wheel region from the shoulders; hands inside it are on the wheel, raised hands are off', () => {
    const kp: Keypoint[] = Array.from({ length: 17 }, () => ({ x: 0, y: 0, score: 0 }));
    kp[5] = { x: 300, y: 200, score: 0.9 };
    kp[6] = { x: 200, y: 200, score: 0.9 };
    const wheel = wheelRegion(kp)!;
    assert.ok(wheel.top > 200 && wheel.left < 200 && wheel.left + wheel.width > 300, JSON.stringify(wheel));
    const on = handsOffWheel([{ x: 220, y: wheel.top + 10, score: 0.9, side: 'right' }, { x: 290, y: wheel.top + 20, score: 0.9, side: 'left' }], wheel);
    const off = handsOffWheel([{ x: 180, y: 100, score: 0.9, side: 'right' }, { x: 320, y: 100, score: 0.9, side: 'left' }], wheel);
    assert.equal(on, 0);
    assert.ok(off > 0.9, String(off));
    assert.equal(handsOffWheel([], wheel), 0.3);
  });
});

describe('seat-belt band evidence', () => {
  /** Shoulders at y 100, hips at y 300, 100 px apart: the diagonals run (300,100)-(200,300) and (200,100)-(300,300). */
  const kp: Keypoint[] = Array.from({ length: 17 }, () => ({ x: 0, y: 0, score: 0 }));
  kp[5] = { x: 300, y: 100, score: 0.9 };
  kp[6] = { x: 200, y: 100, score: 0.9 };
  kp[11] = { x: 300, y: 300, score: 0.9 };
  kp[12] = { x: 200, y: 300, score: 0.9 };
  const paint = (f: (x: number, y: number) => number): RgbImage => {
    const width = 500, height = 400, data = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(f(x, y), (y * width + x) * 3, (y * width + x) * 3 + 3);
    return { width, height, data };
  };
  test('edges running across both bands: measured (samples > 0), coherence under 0.5, and not_buckling_up fires', () => {
    // Horizontal stripes 3 px wide: their edges cross the steep diagonals.
    const e = beltLineEvidence(paint((_x, y) => (Math.floor(y / 3) % 2 ? 200 : 60)), kp);
    assert.ok(e.samples > 0, JSON.stringify(e));
    assert.ok(e.coherence < 0.4, JSON.stringify(e));
    const s = BEHAVIOR_MODELS.not_buckling_up.score({ beltCoherence: e.coherence, beltSamples: e.samples });
    assert.ok(s >= BEHAVIOR_MODELS.not_buckling_up.threshold, String(s));
  });
  test('a dark strap along one diagonal: coherence near 1 on that one, and not_buckling_up stays under its threshold', () => {
    // Distance from the line (300,100)-(200,300) under 12 px: the strap.
    const strap = (x: number, y: number) => Math.abs(2 * (x - 300) + (y - 100)) / Math.sqrt(5) < 12;
    const e = beltLineEvidence(paint((x, y) => (strap(x, y) ? 40 : 170 + ((x * 7 + y * 13) % 5))), kp);
    assert.ok(e.samples > 0 && e.coherence > 0.8, JSON.stringify(e));
    assert.ok(BEHAVIOR_MODELS.not_buckling_up.score({ beltCoherence: e.coherence, beltSamples: e.samples }) < BEHAVIOR_MODELS.not_buckling_up.threshold);
  });
  test('shoulders not seen: nothing measured (samples 0)', () => {
    assert.equal(beltLineEvidence(paint(() => 128), kp.map((k, i) => (i === 5 ? { ...k, score: 0 } : k))).samples, 0);
  });
});

describe('on real images (in-process engine)', () => {
  let engine: Engine;
  const cabin = readFileSync(fixture('driver-cabin.jpg'));
  before(async () => {
    engine = createInProcessEngine({ capabilities: ['driver_behavior'], threads: 1, warmup: false });
    await engine.ready;
  });
  after(() => engine?.close());

  test('the cabin fixture: two people, the larger right one is the driver, face and hands found', async () => {
    const r = await engine.run('driver_behavior', { bytes: cabin });
    assert.equal(r.persons.length, 2);
    const d = r.persons[r.driver].box;
    assert.ok(d.left > 500, JSON.stringify(d));
    assert.ok(r.face && r.face.landmarks.length === 468, 'face mesh');
    assert.equal(r.face!.eyelids.length, 2);
    assert.deepEqual(Object.keys(r.behaviors), [...DRIVER_BEHAVIORS]);
    // Both palms are raised beside the chest, outside the wheel band: more off-wheel than hands not seen (0.3).
    assert.ok(r.evidence.handsOff! > 0.5, String(r.evidence.handsOff));
    assert.ok(r.behaviors.both_hands_leaving_wheel!.score > 0.3, JSON.stringify(r.behaviors.both_hands_leaving_wheel));
    // His mouth is closed and his eyes open, facing the camera.
    assert.ok(r.behaviors.yawning!.score < r.behaviors.yawning!.threshold);
    assert.ok(r.behaviors.eyes_closed!.score < r.behaviors.eyes_closed!.threshold);
    assert.ok(r.behaviors.not_facing_front!.score < r.behaviors.not_facing_front!.threshold);
    // The shoulders were seen, so the belt band was measured: a score from it, not the unmeasured answer.
    assert.ok(r.evidence.beltSamples! > 0, JSON.stringify(r.evidence));
    assert.notEqual(r.behaviors.not_buckling_up!.score, BEHAVIOR_MODELS.not_buckling_up.score({}));
    // He wears no seat belt (only a backpack strap runs down his chest): the band finds no belt line.
    assert.ok(r.behaviors.not_buckling_up!.score >= r.behaviors.not_buckling_up!.threshold, JSON.stringify(r.behaviors.not_buckling_up));
    const png = await (await import('../../../src/capabilities/index.js')).capability('driver_behavior').render!({ width: 1, height: 1, data: new Uint8Array(3) }, { ...r, persons: [], driver: -1 });
    assert.ok(png.length > 0);
  });

  test('wheel_location 0 picks the left passenger only when sizes are similar (here the right man is much larger)', async () => {
    const r = await engine.run('driver_behavior', { bytes: cabin }, { wheelLocation: 0 });
    assert.ok(r.persons[r.driver].box.left > 500);
  });

  test('two people of the same size: 1 → the right one, 0 → the left one', async () => {
    const half = await sharp(fixture('hands-96_pic00005.jpg')).resize({ height: 480 }).toBuffer();
    const meta = await sharp(half).metadata();
    const pair = await sharp({ create: { width: meta.width! * 2, height: 480, channels: 3, background: '#333' } })
      .composite([{ input: half, left: 0, top: 0 }, { input: await sharp(half).flop().toBuffer(), left: meta.width!, top: 0 }])
      .jpeg().toBuffer();
    const right = await engine.run('driver_behavior', { bytes: pair }, { wheelLocation: 1 });
    const left = await engine.run('driver_behavior', { bytes: pair }, { wheelLocation: 0 });
    assert.equal(right.persons.length, 2);
    assert.ok(right.persons[right.driver].box.left >= meta.width! * 0.8, JSON.stringify(right.persons));
    assert.ok(left.persons[left.driver].box.left < meta.width! * 0.5, JSON.stringify(left.persons));
  });

  test('a grey (infrared-like) copy still finds the driver and the face', async () => {
    const grey = await sharp(cabin).greyscale().linear(1.3, -30).jpeg().toBuffer();
    const r = await engine.run('driver_behavior', { bytes: grey });
    assert.ok(r.driver >= 0 && r.face, 'driver and face');
    for (const b of DRIVER_BEHAVIORS) assert.ok(r.behaviors[b]!.score > 0 && r.behaviors[b]!.score < 1);
  });

  test('a face the mesh does not confirm (presence under minMeshScore) is no face: face behaviours answer unmeasured', async () => {
    const r = await engine.run('driver_behavior', { bytes: cabin }, { minMeshScore: 1.01 });
    assert.equal(r.face, undefined);
    assert.ok(r.evidence.meshScore! > 0.5 && r.evidence.mouthOpening === undefined, JSON.stringify(r.evidence));
    for (const b of ['yawning', 'no_face_mask', 'not_facing_front'] as const) {
      assert.equal(r.behaviors[b]!.score, BEHAVIOR_MODELS[b].score({}), b);
      assert.ok(r.behaviors[b]!.score < r.behaviors[b]!.threshold, b);
    }
  });

  test('nobody in the frame: no persons, no driver, no behaviours, not an error', async () => {
    const empty = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#5a6070' } }).jpeg().toBuffer();
    const r = await engine.run('driver_behavior', { bytes: empty });
    assert.deepEqual([r.persons.length, r.driver, Object.keys(r.behaviors).length], [0, -1, 0]);
  });

  test('type restricts the behaviours computed', async () => {
    const r = await engine.run('driver_behavior', { bytes: cabin }, { types: ['yawning', 'cellphone'] });
    assert.deepEqual(Object.keys(r.behaviors), ['cellphone', 'yawning']);
  });
});
