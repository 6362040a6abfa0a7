/** The tracker's occlusion handling: two people whose boxes merge into one detection keep their own ids. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TRACKER_OPTIONS, initialTrackerState, track, type TrackerOptions } from '../../../src/tracking/tracker.js';
import type { Box } from '../../../src/types.js';
import { zoneStep } from '../../../src/tracking/zones.js';
import { initialCrossingState } from '../../../src/tracking/crossing.js';

const box = (left: number, top: number, width = 100, height = 90): Box => ({ left, top, width, height });
const union = (a: Box, b: Box): Box => {
  const left = Math.min(a.left, b.left);
  const top = Math.min(a.top, b.top);
  return { left, top, width: Math.max(a.left + a.width, b.left + b.width) - left, height: Math.max(a.top + a.height, b.top + b.height) - top };
};

const OCCLUSION: TrackerOptions = { ...DEFAULT_TRACKER_OPTIONS, maxAgeSeconds: 1.5, maxDistance: 2, occlusionCover: 0.5, occlusionPartnerSeconds: 0.5, maxSizeChange: 1.5, velocitySeconds: 0.5 };

/**
 * An overtaking at `fps`: `front` walks at 230 px/s, `back` at 100 px/s on a row 60 px higher,
 * both seen apart for about 1.7 s first (a track's velocity starts at zero). As the front one
 * comes near, only the back one's head and right part show (its box shrinks and shifts, as a
 * partly hidden person's does); while they are less than `mergeGap` px apart the detector sees one
 * box, their union. Returns, per frame, the ids given to [front, back] (a merged box's id twice).
 */
function overtake(options: TrackerOptions, fps = 10, mergeGap = 60): Array<[number | undefined, number | undefined]> {
  let state = initialTrackerState();
  const ids: Array<[number | undefined, number | undefined]> = [];
  for (let k = 0; k <= 4 * fps; k++) {
    const t = k / fps;
    const front = box(230 * t, 100);
    let back = box(300 + 100 * t, 40);
    const gap = back.left - front.left;
    const merged = Math.abs(gap) < mergeGap;
    if (!merged && gap > 0 && gap < mergeGap + 60) back = box(front.left + 70, 40, back.left + 30 - front.left, 60);
    const detections = merged ? [{ box: union(front, back), score: 0.9 }] : [{ box: front, score: 0.9 }, { box: back, score: 0.9 }];
    const out = track(state, detections, t, options);
    state = out.state;
    ids.push(merged ? [out.tracks[0].trackId, out.tracks[0].trackId] : [out.tracks[0].trackId, out.tracks[1].trackId]);
  }
  return ids;
}

describe('tracker occlusions', () => {
  test('through a merged detection both people keep their ids; the merged box has no id', () => {
    const ids = overtake(OCCLUSION);
    const [front, back] = ids[0];
    assert.ok(front !== undefined && back !== undefined && front !== back);
    const separate = ids.filter(([a, b]) => a !== b);
    // Every frame where the two are seen apart, each has its first id.
    for (const [a, b] of separate) assert.deepEqual([a, b], [front, back]);
    assert.ok(separate.length < ids.length, 'some frames are merged');
    // The merged box is not given either id (it is both people).
    for (const [a, b] of ids.filter(([x, y]) => x === y)) assert.equal(a ?? b, undefined);
    // Nothing new was started for the merged box.
    assert.equal(Math.max(...ids.flat().filter((x): x is number => x !== undefined)), Math.max(front, back));
  });

  test('both people of a merged box are reported hidden, gain no hits, and still count inside an area', () => {
    let state = initialTrackerState();
    const area = [{ x: -500, y: -500 }, { x: 2000, y: -500 }, { x: 2000, y: 1000 }, { x: -500, y: 1000 }];
    let merges = 0;
    for (let k = 0; k <= 40; k++) {
      const t = k / 10;
      const front = box(230 * t, 100);
      const back = box(300 + 100 * t, 40);
      const merged = Math.abs(back.left - front.left) < 60;
      const before = new Map(state.tracks.map((tr) => [tr.id, tr.hits]));
      const out = track(state, merged ? [{ box: union(front, back), score: 0.9 }] : [{ box: front, score: 0.9 }, { box: back, score: 0.9 }], t, OCCLUSION);
      state = out.state;
      const counted = out.tracks.flatMap((d) => (d.trackId !== undefined ? [{ id: d.trackId, box: d.detection.box, confirmed: true }] : []));
      const hidden = out.hidden.map((h) => ({ id: h.id, box: h.box, confirmed: true }));
      const zone = zoneStep(initialCrossingState(), area, counted, state.tracks.map((tr) => tr.id), undefined, hidden);
      assert.equal(zone.inside, 2, `t=${t}: two people inside, merged or not`);
      if (out.hidden.length) {
        merges++;
        assert.deepEqual(out.hidden.map((h) => h.id).sort(), [1, 2]);
        for (const h of out.hidden) assert.equal(state.tracks.find((tr) => tr.id === h.id)!.hits, before.get(h.id), 'a merged box is no observation');
      }
    }
    assert.ok(merges > 0, 'the merge happened');
  });

  test('with the earlier settings (no occlusion coasting, size or time-based velocity) the same overtaking loses an id', () => {
    for (const fps of [10, 5]) {
      const ids = overtake({ ...OCCLUSION, occlusionCover: 0, maxSizeChange: 0, velocitySeconds: 0 }, fps);
      assert.notDeepEqual(ids[ids.length - 1], ids[0], `${fps} fps`);
      // The merged box went to one of them as an observation.
      assert.ok(ids.some(([a, b]) => a === b && a !== undefined));
    }
  });

  test('at 1 fps a partner seen in the previous frame still counts: the window is at least 1.5 frame gaps', () => {
    // The overtaking slowed down five times (46 and 20 px/s), so that 1 fps is like 5 fps above;
    // the partner was last seen one second (one frame) before the merge, twice the 0.5 s window.
    let state = initialTrackerState();
    const hiddenPerMerge: number[] = [];
    for (let t = 0; t <= 20; t++) {
      const front = box(46 * t, 100);
      const back = box(300 + 20 * t, 40);
      const merged = Math.abs(back.left - front.left) < 30;
      const out = track(state, merged ? [{ box: union(front, back), score: 0.9 }] : [{ box: front, score: 0.9 }, { box: back, score: 0.9 }], t, OCCLUSION);
      state = out.state;
      if (merged) hiddenPerMerge.push(out.hidden.length);
    }
    assert.ok(hiddenPerMerge.length > 0, 'the merge happened');
    assert.equal(hiddenPerMerge[0], 2, 'the first merged frame holds both people');
  });

  test('the same at 5 fps and 2 fps', () => {
    for (const fps of [5, 2]) {
      const ids = overtake(OCCLUSION, fps, 80);
      assert.deepEqual(ids[ids.length - 1], ids[0], `${fps} fps`);
      assert.ok(ids.some(([a, b]) => a === b), `${fps} fps: some frames are merged`);
    }
  });

  test('a stale lost track drifting onto a real detection is no partner: the person keeps its id', () => {
    // B walks right at 100 px/s and is lost at t = 1 s (it left through a door, 30 px short of A);
    // its prediction drifts on and covers A, who stands still, from t = 1.8 s, 0.8 s after B was
    // last seen (B is retired at 2.5 s).
    const run = (options: TrackerOptions) => {
      let state = initialTrackerState();
      const frames: { t: number; id: number | undefined; hidden: number }[] = [];
      for (let k = 0; k <= 25; k++) {
        const t = k / 10;
        const a = { box: box(330, 100), score: 0.9 };
        const out = track(state, t <= 1 ? [a, { box: box(100 + 100 * t, 100), score: 0.9 }] : [a], t, options);
        state = out.state;
        frames.push({ t, id: out.tracks[0].trackId, hidden: out.hidden.length });
      }
      return frames;
    };
    const frames = run(OCCLUSION);
    for (const f of frames) assert.deepEqual([f.id, f.hidden], [1, 0], `t=${f.t}`);
    // Without the partner window (any live track), A coasts under B's stale prediction.
    const before = run({ ...OCCLUSION, occlusionPartnerSeconds: undefined });
    assert.ok(before.some((f) => f.t > 1.7 && f.id === undefined && f.hidden === 2), 'the stale track made A coast');
  });

  test('a merge longer than the partner window keeps its partner (each merged frame renews it)', () => {
    // At 10 fps the overtaking's merge lasts about 0.9 s, longer than occlusionPartnerSeconds.
    const ids = overtake(OCCLUSION);
    const merged = ids.filter(([a, b]) => a === b).length;
    assert.ok(merged / 10 > OCCLUSION.occlusionPartnerSeconds!, `${merged} merged frames`);
    assert.deepEqual(ids[ids.length - 1], ids[0]);
    assert.ok(ids.every(([a, b]) => a !== b || a === undefined), 'no merged box took an id');
  });

  test('a detection over a small or once-seen track is not a merge', () => {
    const o = OCCLUSION;
    // A person walks over a small false detection (seen often) and over a track seen once.
    let state = initialTrackerState();
    state = track(state, [{ box: box(100, 100), score: 0.9 }, { box: box(300, 120, 20, 20), score: 0.9 }, { box: box(500, 100), score: 0.9 }], 0, o).state;
    state = track(state, [{ box: box(110, 100), score: 0.9 }, { box: box(300, 120, 20, 20), score: 0.9 }], 0.1, o).state;
    // The small track 2 is now under the walker's box and undetected: the walker still gets its id.
    const over = track(state, [{ box: box(280, 100), score: 0.9 }], 0.2, { ...o, maxDistance: 3 });
    assert.equal(over.tracks[0].trackId, 1);
    // Track 3 was seen once: a detection covering it is not a merge either.
    const once = track(state, [{ box: box(480, 100), score: 0.9 }], 0.2, o);
    assert.equal(once.tracks[0].trackId, 3);
  });

  test('a person whose box shrinks while being hidden keeps a usable prediction (maxSizeChange)', () => {
    const run = (maxSizeChange: number) => {
      let state = initialTrackerState();
      // The per-frame velocity average (weight 0.5): the shrink becomes a size velocity of -100 px/s.
      const o = { ...OCCLUSION, maxSizeChange, velocitySeconds: 0 };
      const widths = [100, 100, 100, 80];
      widths.forEach((w, k) => {
        state = track(state, [{ box: box(100 + 20 * k, 100, w, w * 0.9), score: 0.9 }], k / 10, o).state;
      });
      // Lost for 0.5 s, then seen again at full size where it walked to.
      return track(state, [{ box: box(100 + 20 * 8, 100), score: 0.9 }], 0.8, o).tracks[0].trackId;
    };
    assert.equal(run(1.5), 1);
    assert.notEqual(run(0), 1);
  });

  test('velocitySeconds: the velocity average spans the same time at any frame rate', () => {
    // A walker at 100 px/s whose box jitters by ±10 px per frame: the speed estimate after 2 s.
    const speed = (fps: number, velocitySeconds?: number) => {
      let state = initialTrackerState();
      for (let k = 0; k <= 2 * fps; k++) {
        const t = k / fps;
        state = track(state, [{ box: box(100 + 100 * t + (k % 2 ? 10 : -10), 100), score: 0.9 }], t, { ...OCCLUSION, velocitySeconds }).state;
      }
      return state.tracks[0].velocity[0];
    };
    const error = (fps: number, tau?: number) => Math.abs(speed(fps, tau) - 100);
    assert.ok(error(10, 0.5) < error(10, 0) / 2, `${error(10, 0.5)} vs ${error(10, 0)}`);
    assert.ok(error(10, 0.5) < 50);
  });
});
