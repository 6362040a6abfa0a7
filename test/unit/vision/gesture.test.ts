/**
 * Gesture rules on real detections (the committed hand photos) and on poses built from them for
 * the classes without evaluation images (see test/hand-poses.ts and docs/hands.md).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Hand } from '../../../src/vision/hands.js';
import { createInProcessEngine } from '../../../src/engine/in-process.js';
import type { Engine } from '../../../src/engine/engine.js';
import { classifyGestures, handFacts, singleHandEvidence, type FaceBox } from '../../../src/vision/gesture.js';
import { fixture } from '../../helpers/helpers.js';
import { alignInPlane, bend, midpoint, mirror, place, setPoint, spreadThumb, turn, withFingers } from '../../helpers/hand-poses.js';

let engine: Engine;
let open: Hand;
let fist: Hand;
let vSign: Hand;

const only = (hands: Hand[], faces: FaceBox[] = []) => classifyGestures(hands, faces).filter((g) => g.classname !== 'Face');
const classOf = (hand: Hand) => only([hand])[0].classname;

before(async () => {
  engine = createInProcessEngine({ capabilities: ['hand_analysis', 'gesture'] });
  const palms = await engine.run('hand_analysis', { bytes: readFileSync(fixture('hands-96_pic00005.jpg')) });
  // Of the two real open hands, build from the one holding its thumb away from the palm.
  open = [...palms.hands].sort((a, b) => handFacts(b).thumbOut - handFacts(a).thumbOut)[0];
  fist = (await engine.run('hand_analysis', { bytes: readFileSync(fixture('hands-2_pic00474.jpg')) })).hands[0];
  vSign = (await engine.run('hand_analysis', { bytes: readFileSync(fixture('hands-3_1528499009.07_pic00009.jpg')) })).hands[0];
});

after(() => engine.close());

describe('gestures on real photos', () => {
  test('two open palms and a face', async () => {
    const r = await engine.run('gesture', { bytes: readFileSync(fixture('hands-96_pic00005.jpg')) });
    assert.deepEqual(r.gestures.map((g) => g.classname).sort(), ['Face', 'Five', 'Five']);
    for (const g of r.gestures) assert.ok(g.probability > 0.5 && g.probability <= 1, `${g.classname} ${g.probability}`);
  });

  test('two fingers and a fist', () => {
    assert.equal(classOf(vSign), 'Two');
    assert.equal(classOf(fist), 'Fist');
  });

  test('four hands in one image are four results', async () => {
    const r = await engine.run('gesture', { bytes: readFileSync(fixture('hands-four.jpg')) });
    const hands = r.gestures.filter((g) => g.classname !== 'Face').map((g) => g.classname).sort();
    assert.deepEqual(hands, ['Fist', 'Five', 'Five', 'Two']);
  });
});

describe('classes without evaluation images, on poses built from the real hands', () => {
  test('Insult: middle finger only', () => {
    assert.equal(classOf(withFingers(open, fist, ['thumb', 'index', 'ring', 'little'])), 'Insult');
  });

  test('ILY: thumb, index and little finger', () => {
    // The photo's thumbs rest near the palm (Rock); ILY holds the thumb out.
    const base = withFingers(open, fist, ['middle', 'ring']);
    assert.equal(classOf(base), 'Rock');
    assert.equal(classOf(spreadThumb(base, 30)), 'ILY');
  });

  test('Eight (Chinese): thumb and index out', () => {
    assert.equal(classOf(spreadThumb(withFingers(open, fist, ['middle', 'ring', 'little']), 30)), 'Eight');
  });

  test('Six (Chinese): thumb and little finger out', () => {
    assert.equal(classOf(spreadThumb(withFingers(open, fist, ['index', 'middle', 'ring']), 30)), 'Six');
  });

  test('Nine (Chinese): index hooked', () => {
    const base = withFingers(open, fist, ['thumb', 'middle', 'ring', 'little']);
    assert.equal(classOf(base), 'One', 'straight index first');
    assert.equal(classOf(bend(bend(base, 'index', 1, 90), 'index', 2, 60)), 'Nine');
  });

  test('Seven (Chinese): thumb, index and middle tips pinched', () => {
    let hand = withFingers(open, fist, ['ring', 'little']);
    hand = bend(bend(hand, 'index', 0, 40), 'middle', 0, 40);
    const tip = midpoint(hand.points[8], hand.points[12]);
    const tipWorld = midpoint(hand.world[8], hand.world[12]);
    hand = setPoint(hand, 4, tip, tipWorld);
    hand = setPoint(hand, 3, midpoint(hand.points[2], tip), midpoint(hand.world[2], tipWorld));
    assert.equal(classOf(hand), 'Seven');
  });

  test('Heart_single: thumb crossed over a bent index, other fingers closed', () => {
    let hand = withFingers(fist, open, ['index']);
    hand = bend(bend(hand, 'index', 0, 50), 'index', 1, 30);
    hand = setPoint(hand, 4, hand.points[7], hand.world[7]);
    hand = setPoint(hand, 3, midpoint(hand.points[2], hand.points[7]), midpoint(hand.world[2], hand.world[7]));
    assert.equal(classOf(hand), 'Heart_single');
  });

  test('Palm_up: open hand turned palm to the sky', () => {
    const candidates = [90, -90].map((deg) => turn(open, { x: 1, y: 0, z: 0 }, deg));
    const up = candidates.find((h) => handFacts(h).shape.palmNormal.y < -0.8)!;
    assert.equal(classOf(up), 'Palm_up');
  });

  test('Prayer: two open hands, palms together', () => {
    const side = [90, -90].map((deg) => turn(open, { x: 0, y: 1, z: 0 }, deg)).find((h) => handFacts(h).shape.palmNormal.x > 0.8)!;
    const other = mirror(side, side.points[12].x + 4);
    const r = only([side, other]);
    assert.equal(r.length, 1);
    assert.equal(r[0].classname, 'Prayer');
  });

  test('Heart_1: thumbs and index fingers of two hands meet, other fingers closed', () => {
    const lHand = alignInPlane(spreadThumb(withFingers(open, fist, ['middle', 'ring', 'little']), 30), 4, 8, 0, -1);
    const r = only([lHand, mirror(lHand, lHand.points[8].x + 2)]);
    assert.deepEqual(r.map((g) => g.classname), ['Heart_1']);
  });

  test('Heart_2: the same meeting points with the other fingers open', () => {
    const hand = alignInPlane(open, 4, 8, 0, -1);
    const r = only([hand, mirror(hand, hand.points[8].x + 2)]);
    assert.deepEqual(r.map((g) => g.classname), ['Heart_2']);
  });

  test('Heart_3: fingertips meet above a face, thumbs apart', () => {
    const hand = alignInPlane(open, 0, 12, 1, -0.3);
    const pair = [hand, mirror(hand, hand.points[12].x + 2)];
    const bottom = Math.max(...pair.map((h) => h.box.top + h.box.height));
    const face: FaceBox = { box: { left: hand.points[12].x - 60, top: bottom + 10, width: 120, height: 150 }, score: 0.9 };
    const r = only(pair, [face]);
    assert.deepEqual(r.map((g) => g.classname), ['Heart_3']);
    assert.deepEqual(only(pair, []).map((g) => g.classname).includes('Heart_3'), false, 'needs the face below');
  });

  test('Congratulation: two closed hands clasped together', () => {
    const other = place(mirror(fist, fist.points[0].x), 0, fist.points[0].x + fist.box.width * 0.3, fist.points[0].y);
    assert.deepEqual(only([fist, other]).map((g) => g.classname), ['Congratulation']);
  });

  test('Honour: a fist covered by an open palm', () => {
    const palm = place(mirror(open, 0), 9, fist.points[9].x, fist.points[9].y);
    const scaled = palm; // same photo scale: the palm covers the fist
    assert.deepEqual(only([fist, scaled]).map((g) => g.classname), ['Honour']);
  });
});

describe('honest other', () => {
  test('an open hand seen edge-on is not forced into a class', () => {
    const edge = turn(open, { x: 0, y: 1, z: 0 }, 90);
    assert.equal(classOf(edge), 'other');
  });

  test('a half-closed hand is not forced into a class', () => {
    let hand = open;
    for (const f of ['index', 'middle', 'ring', 'little'] as const) hand = bend(bend(hand, f, 0, 40), f, 1, 30);
    assert.equal(classOf(hand), 'other');
  });

  test('probability follows the evidence', () => {
    const clean = only([open])[0];
    let weaker = open;
    for (const f of ['index', 'middle'] as const) weaker = bend(weaker, f, 0, 25);
    const evidence = singleHandEvidence(handFacts(weaker));
    assert.ok((evidence.Five ?? 0) < (singleHandEvidence(handFacts(open)).Five ?? 0));
    const w = only([weaker])[0];
    assert.ok(w.classname !== 'Five' || w.probability < clean.probability, `${w.classname} ${w.probability} vs ${clean.probability}`);
  });
});
