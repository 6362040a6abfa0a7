/** Zones, lines and the shared crossing rule: in/out exactly once per real crossing, never for flicker, loitering or unconfirmed tracks. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crossingStep, initialCrossingState, NEW_CROSSING, type CrossingRecord, type Side } from '../../../src/tracking/crossing.js';
import { boxInPolygon, pointInPolygon, zoneStep, type Polygon } from '../../../src/tracking/zones.js';
import { boxSideOfLine, lineStep } from '../../../src/tracking/lines.js';
import type { Box } from '../../../src/types.js';

/** Events of one track over a sequence of observed sides ('.' = straddling), all confirmed unless told. */
function events(sides: string, confirmedFrom = 0): string {
  let r: CrossingRecord = NEW_CROSSING;
  let out = '';
  [...sides].forEach((c, i) => {
    const step = crossingStep(r, c === '.' ? undefined : (c as Side), i >= confirmedFrom);
    r = step.record;
    out += step.entered ?? '-';
  });
  return out;
}

describe('crossing rule', () => {
  test('a real crossing fires once, after the new side is held for two observations', () => {
    assert.equal(events('aaabbbb'), '----b--');
    assert.equal(events('aa..bbb'), '-----b-');
    assert.equal(events('aabbaa'), '---b-a');
  });
  test('the first settled side is a start, not a crossing', () => {
    assert.equal(events('bbbbbb'), '------');
    assert.equal(events('..bbb'), '------'.slice(0, 5));
  });
  test('one-frame flicker to the far side and back never counts (supervision #2598)', () => {
    assert.equal(events('aaabaaabaaab'), '------------');
    assert.equal(events('aaa.b.aaa'), '---------');
  });
  test('loitering on the boundary never counts', () => {
    assert.equal(events('aa' + '.'.repeat(50) + 'aa'), '-'.repeat(54));
    assert.equal(events('aa' + '.b'.repeat(10)), '-----b' + '-'.repeat(16));
  });
  test('an unconfirmed track never fires; its crossing fires once when it is confirmed', () => {
    assert.equal(events('aabbbb', 99), '------');
    assert.equal(events('aabbbb', 5), '-----b');
    // Out and back before confirmation: nothing happened overall.
    assert.equal(events('aabbaaaa', 6), '--------');
  });
});

const square: Polygon = [{ x: 100, y: 100 }, { x: 300, y: 100 }, { x: 300, y: 300 }, { x: 100, y: 300 }];
// A U shape: the notch (150..250, 100..250) is outside.
const u: Polygon = [{ x: 100, y: 100 }, { x: 150, y: 100 }, { x: 150, y: 250 }, { x: 250, y: 250 }, { x: 250, y: 100 }, { x: 300, y: 100 }, { x: 300, y: 300 }, { x: 100, y: 300 }];
const box = (left: number, top: number, width = 20, height = 20): Box => ({ left, top, width, height });

describe('zone geometry', () => {
  test('points', () => {
    assert.equal(pointInPolygon({ x: 200, y: 200 }, square), true);
    assert.equal(pointInPolygon({ x: 50, y: 200 }, square), false);
    assert.equal(pointInPolygon({ x: 200, y: 150 }, u), false);
    assert.equal(pointInPolygon({ x: 120, y: 150 }, u), true);
  });
  test('a box is inside only when wholly inside, outside only when not touching', () => {
    assert.equal(boxInPolygon(box(150, 150), square), 'inside');
    assert.equal(boxInPolygon(box(20, 20), square), 'outside');
    assert.equal(boxInPolygon(box(90, 150), square), 'straddle');
    assert.equal(boxInPolygon(box(80, 150), square), 'straddle'); // touching the edge
    assert.equal(boxInPolygon(box(50, 50, 400, 400), square), 'straddle'); // polygon within the box
    // Concave: corners all inside the U's hull but the box spans the notch.
    assert.equal(boxInPolygon(box(120, 200, 160, 20), u), 'straddle');
    assert.equal(boxInPolygon(box(180, 150), u), 'outside');
    assert.equal(boxInPolygon(box(110, 260), u), 'inside');
  });
});

describe('zone counting', () => {
  /** Moves track boxes through frames: positions[frame][track] = box or null. */
  function run(polygon: Polygon, frames: Array<Array<Box | null>>, confirmed = () => true) {
    let state = initialCrossingState();
    const perFrame: Array<{ in: number; out: number; inside: number }> = [];
    frames.forEach((boxes) => {
      const tracks = boxes.flatMap((b, id) => (b ? [{ id: id + 1, box: b, confirmed: confirmed() }] : []));
      const f = zoneStep(state, polygon, tracks, boxes.map((_, id) => id + 1));
      state = f.state;
      perFrame.push({ ...f.counts, inside: f.inside });
    });
    return { perFrame, totals: state.totals };
  }
  test('walking in, then out: one in, one out, at the frames the box is wholly in / wholly out', () => {
    const xs = [0, 40, 80, 120, 160, 200, 240, 280, 320, 360, 400];
    const r = run(square, xs.map((x) => [box(x, 190)]));
    assert.deepEqual(r.totals, { in: 1, out: 1 });
    assert.equal(r.perFrame.findIndex((f) => f.in === 1), 4); // wholly in at x=120, held at 160
    assert.equal(r.perFrame.findIndex((f) => f.out === 1), 9); // wholly out at 320, held at 360
  });
  test('two people crossing each other count once each, in their own directions', () => {
    const frames = Array.from({ length: 12 }, (_, i) => [box(i * 40, 150), box(440 - i * 40, 250)]);
    assert.deepEqual(run(square, frames).totals, { in: 2, out: 2 });
  });
  test('a track no longer alive is forgotten; a new id inside is not an entry', () => {
    let state = initialCrossingState();
    state = zoneStep(state, square, [{ id: 1, box: box(10, 10), confirmed: true }], [1]).state;
    state = zoneStep(state, square, [{ id: 1, box: box(10, 10), confirmed: true }], [1]).state;
    assert.ok(state.tracks['1']);
    state = zoneStep(state, square, [{ id: 2, box: box(150, 150), confirmed: true }], [2]).state;
    assert.equal(state.tracks['1'], undefined);
    const f = zoneStep(state, square, [{ id: 2, box: box(150, 150), confirmed: true }], [2]);
    assert.deepEqual(f.state.totals, { in: 0, out: 0 });
    assert.equal(f.inside, 1);
  });
});

describe('line counting', () => {
  const line = { from: { x: 0, y: 200 }, to: { x: 400, y: 200 } };
  test('sides, straddling and beyond the ends', () => {
    assert.equal(boxSideOfLine(box(100, 250), line), 'b'); // below a left-to-right line: the in side
    assert.equal(boxSideOfLine(box(100, 100), line), 'a');
    assert.equal(boxSideOfLine(box(100, 190), line), undefined);
    assert.equal(boxSideOfLine(box(500, 250), line), undefined);
  });
  test('down is in, up is out; jitter around the line is nothing', () => {
    let state = initialCrossingState();
    const ys = [100, 140, 185, 195, 185, 195, 240, 280, 240, 195, 150, 100];
    for (const y of ys) state = lineStep(state, line, [{ id: 1, box: box(100, y), confirmed: true }], [1]).state;
    assert.deepEqual(state.totals, { in: 1, out: 1 });
    state = initialCrossingState();
    for (const y of [100, 120, 185, 190, 185, 190, 120, 100]) state = lineStep(state, line, [{ id: 1, box: box(100, y), confirmed: true }], [1]).state;
    assert.deepEqual(state.totals, { in: 0, out: 0 });
  });
});

describe('tracker at low frame rates', () => {
  test('a walker moving 1.5 box widths per frame keeps one id with the distance stage, not without', async () => {
    const { DEFAULT_TRACKER_OPTIONS, initialTrackerState, track } = await import('../../../src/tracking/tracker.js');
    const run = (maxDistance?: number) => {
      let state = initialTrackerState();
      const ids: Array<number | undefined> = [];
      for (let f = 0; f < 6; f++) {
        const out = track(state, [{ box: box(100 + f * 90, 100, 60, 60), score: 0.9 }], f / 2, { ...DEFAULT_TRACKER_OPTIONS, maxDistance });
        state = out.state;
        ids.push(out.tracks[0].trackId);
      }
      return { ids, hits: state.tracks.find((t) => t.id === ids[5])?.hits };
    };
    assert.deepEqual(run(2).ids, [1, 1, 1, 1, 1, 1]);
    assert.equal(run(2).hits, 6);
    assert.notDeepEqual(run().ids, [1, 1, 1, 1, 1, 1]);
  });
  test('the distance stage never pairs across a size jump or beyond its limit', async () => {
    const { DEFAULT_TRACKER_OPTIONS, initialTrackerState, track } = await import('../../../src/tracking/tracker.js');
    const o = { ...DEFAULT_TRACKER_OPTIONS, maxDistance: 2 };
    const first = track(initialTrackerState(), [{ box: box(100, 100, 60, 60), score: 0.9 }], 0, o);
    assert.notEqual(track(first.state, [{ box: box(180, 100, 200, 200), score: 0.9 }], 0.5, o).tracks[0].trackId, 1);
    assert.notEqual(track(first.state, [{ box: box(400, 100, 60, 60), score: 0.9 }], 0.5, o).tracks[0].trackId, 1);
  });
});
