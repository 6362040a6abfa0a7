/**
 * Multi-person tracker: gives each detected person a stable id across video frames so that
 * smoothing can follow one person's keypoints.
 *
 * The association follows ByteTrack's idea (Zhang et al., 2021): match confident detections
 * first, then give the tracks still unmatched a second chance with the weak detections (people
 * half hidden or blurred score low but are still the same person), and keep lost tracks for a
 * while so a person reappearing after an occlusion gets their old id back. Differences from the
 * paper: a constant-velocity box prediction instead of a Kalman filter (our boxes come from
 * keypoints and are already stable), and a weak detection that matches nothing is still reported
 * (without an id) because the API must return every person found. Opt-in for people counting
 * (docs/tracking.md): a distance stage for low frame rates, and occlusion handling in the spirit
 * of OC-SORT (trust a track's own motion over a box it shares with a hidden person: the track
 * coasts, its size prediction is bounded and its velocity is a time-based average).
 *
 * It is a pure function over plain, serialisable state (`track(state, detections, t)` →
 * `{ state, tracks }`), so callers keep the state where they like: in a video job's loop, or per
 * (app, case_id) in a store that may live in Redis.
 */
import type { Box } from '../types.js';
import { minCostAssignment } from './assignment.js';
import { boxCoverage, boxIou } from '../vision/box.js';

export interface TrackerOptions {
  /** Detections scoring at least this take part in the first association. */
  highScore: number;
  /** An unmatched detection scoring at least this starts a new track. */
  newTrackScore: number;
  /** Least IoU between a predicted track box and a confident detection to pair them. */
  minIou: number;
  /** Least IoU for the second association with weak detections (stricter: they are less reliable). */
  minIouLow: number;
  /** Seconds a lost track is remembered before its id is retired. */
  maxAgeSeconds: number;
  /**
   * Low frame rates: after the IoU stages, pair still-unmatched tracks and confident detections
   * whose centres are at most this many box sizes (square root of the predicted box's area)
   * apart and whose sizes differ by less than 2x, nearest first (0 = off). At 2-5 fps a walker
   * moves more than a box width between frames, where IoU is zero.
   */
  maxDistance?: number;
  /**
   * Occlusions (0 = off): a matched detection that also covers at least this fraction of the
   * predicted box of another live, unmatched track of comparable size (seen at least twice) is
   * taken as the merged box of two people, one hiding the other. The track it is given to then
   * coasts on its own prediction instead of taking the merged box as an observation (which would
   * drag it, and its velocity, onto the other person); the box is reported without a track id (it
   * is both people) and starts no track. The test is made afresh every frame; when the two
   * separate, both are found again by their own motion. A coasting track stays alive only while
   * its partner does (maxAgeSeconds after the partner's last observation).
   */
  occlusionCover?: number;
  /**
   * Seconds since a track was last observed, or last hidden in a merged box, within which it can
   * be a merge's partner (occlusionCover; absent: any live track). A track lost for longer drifts
   * on an old velocity; a detection that happens to cover that stale prediction is one person,
   * not a merge, and must not make its track coast. A person hidden for a long merge stays a
   * partner, since each merged frame renews it.
   */
  occlusionPartnerSeconds?: number;
  /**
   * Largest factor by which a track's predicted width and height may differ from its last box
   * (0 or absent = no limit). A partly hidden person's box shrinks or grows by half in a frame;
   * extrapolated over a few lost frames, that size velocity collapses or balloons the prediction.
   */
  maxSizeChange?: number;
  /**
   * Time constant (seconds) of the velocity average; absent or 0: each observation has weight 0.5
   * whatever the frame interval. With a time constant the weight is 1 − exp(−dt / τ), so the
   * average spans the same time at 2 or 10 fps (at 10 fps a one-frame box jitter is ten times
   * the speed error it is at 1 fps).
   */
  velocitySeconds?: number;
}

export const DEFAULT_TRACKER_OPTIONS: Readonly<TrackerOptions> = Object.freeze({
  highScore: 0.4,
  newTrackScore: 0.4,
  minIou: 0.2,
  minIouLow: 0.5,
  maxAgeSeconds: 1,
});

/** Anything with a box and a score can be tracked (people, heads, hands). */
export interface Detection {
  box: Box;
  score: number;
}

export interface TrackedDetection<D extends Detection> {
  /** Stable id across frames; undefined for a weak detection no track claimed, and for a merged box (options.occlusionCover). */
  trackId?: number;
  detection: D;
}

/** One remembered track: plain data. */
export interface TrackRecord {
  id: number;
  box: Box;
  /** Change of centre x/y and width/height per second, smoothed over observations. */
  velocity: [number, number, number, number];
  /** Timestamp (seconds) of its last observation. */
  lastSeen: number;
  /** Observations so far (absent in states written before it existed: read as confirmed). */
  hits?: number;
  /** Timestamp of the last update at which it was hidden in another track's merged box (options.occlusionCover). */
  hiddenAt?: number;
}

/** The whole tracker state: plain, structured-cloneable and JSON-serialisable. */
export interface TrackerState {
  version: 1;
  tracks: TrackRecord[];
  nextId: number;
  /** Timestamp of the previous update (null before the first). */
  previous: number | null;
}

export function initialTrackerState(): TrackerState {
  return { version: 1, tracks: [], nextId: 1, previous: null };
}

/** Weight of the newest observation in the velocity average. */
const VELOCITY_GAIN = 0.5;
/** Timestamps closer than this are the same instant (frame times are fps fractions). */
const TIME_EPSILON = 1e-6;

function predict(track: TrackRecord, t: number, maxSizeChange = 0): Box {
  const dt = t - track.lastSeen;
  const [vx, vy, vw, vh] = track.velocity;
  const size = (side: number, v: number) => {
    const s = Math.max(1, side + v * dt);
    return maxSizeChange > 0 ? Math.min(side * maxSizeChange, Math.max(side / maxSizeChange, s)) : s;
  };
  const width = size(track.box.width, vw);
  const height = size(track.box.height, vh);
  const cx = track.box.left + track.box.width / 2 + vx * dt;
  const cy = track.box.top + track.box.height / 2 + vy * dt;
  return { left: cx - width / 2, top: cy - height / 2, width, height };
}

/**
 * Optimal one-to-one pairing of tracks with candidate detections by `cost`; pairs costing more
 * than `maxCost` are dropped (they are clipped just above it first, so an impossible pair, even
 * an infinitely costly one, never displaces an allowed one).
 */
function pair(
  tracks: readonly TrackRecord[],
  candidates: readonly number[],
  cost: (track: TrackRecord, detection: number) => number,
  maxCost: number,
): Array<[TrackRecord, number]> {
  if (tracks.length === 0 || candidates.length === 0) return [];
  const costs = tracks.map((t) => candidates.map((d) => cost(t, d)));
  return minCostAssignment(costs.map((row) => row.map((c) => Math.min(c, maxCost + 1))))
    .filter(([t, d]) => costs[t][d] <= maxCost)
    .map(([t, d]) => [tracks[t], candidates[d]]);
}

/** Pairing by IoU of predicted track boxes, pairs below `threshold` dropped. */
function associate(
  tracks: readonly TrackRecord[],
  candidates: readonly number[],
  detections: readonly Detection[],
  predicted: ReadonlyMap<number, Box>,
  threshold: number,
): Array<[TrackRecord, number]> {
  return pair(tracks, candidates, (t, d) => 1 - boxIou(predicted.get(t.id)!, detections[d].box), 1 - threshold);
}

function observe(track: TrackRecord, box: Box, t: number, velocitySeconds = 0): TrackRecord {
  const dt = Math.max(t - track.lastSeen, TIME_EPSILON);
  const gain = velocitySeconds > 0 ? 1 - Math.exp(-dt / velocitySeconds) : VELOCITY_GAIN;
  const measured = [
    (box.left + box.width / 2 - (track.box.left + track.box.width / 2)) / dt,
    (box.top + box.height / 2 - (track.box.top + track.box.height / 2)) / dt,
    (box.width - track.box.width) / dt,
    (box.height - track.box.height) / dt,
  ];
  const velocity = track.velocity.map((v, i) => v + gain * (measured[i] - v)) as TrackRecord['velocity'];
  const next: TrackRecord = { id: track.id, box: { ...box }, velocity, lastSeen: t };
  if (track.hits !== undefined) next.hits = track.hits + 1;
  return next;
}

/**
 * The track seen at `t` only as part of a merged box: it moves on its prediction, its position
 * velocity kept and its size held (each coasted frame would otherwise grow or shrink the box
 * again); a merged box is no observation of it, so it gains no hits.
 */
function coast(track: TrackRecord, predicted: Box, t: number): TrackRecord {
  const next: TrackRecord = { id: track.id, box: { ...predicted }, velocity: [track.velocity[0], track.velocity[1], 0, 0], lastSeen: t };
  if (track.hits !== undefined) next.hits = track.hits;
  return next;
}

const boxSize = (b: Box) => Math.sqrt(b.width * b.height);

/**
 * The unmatched track whose person a detection given to `track` also covers (options.occlusionCover),
 * if any: the most covered one among those seen at least twice, observed or hidden in a merged box
 * recently (options.occlusionPartnerSeconds), whose predicted size is within 3x of the track's (a
 * partly hidden person's box shrinks by half; a small false detection is no partner).
 */
function occludedPartner(
  track: TrackRecord,
  box: Box,
  unmatched: readonly TrackRecord[],
  predicted: ReadonlyMap<number, Box>,
  minCover: number,
  t: number,
  partnerSeconds: number,
): TrackRecord | undefined {
  let best: TrackRecord | undefined;
  let bestCover = minCover;
  for (const other of unmatched) {
    if (other.hits !== undefined && other.hits < 2) continue;
    if (t - Math.max(other.lastSeen, other.hiddenAt ?? -Infinity) > partnerSeconds + TIME_EPSILON) continue;
    const p = predicted.get(other.id)!;
    const ratio = boxSize(p) / boxSize(predicted.get(track.id)!);
    if (!(ratio <= 3 && ratio >= 1 / 3)) continue;
    const c = boxCoverage(p, box);
    if (c >= bestCover) {
      best = other;
      bestCover = c;
    }
  }
  return best;
}

/** Centre distance in box sizes when the sizes are comparable, else Infinity. */
function centreDistance(a: Box, b: Box): number {
  const sa = boxSize(a);
  const sb = boxSize(b);
  if (!(sa > 0 && sb > 0) || Math.max(sa, sb) > 2 * Math.min(sa, sb)) return Infinity;
  return Math.hypot(a.left + a.width / 2 - (b.left + b.width / 2), a.top + a.height / 2 - (b.top + b.height / 2)) / sa;
}

/** A track inside a merged box at this update (options.occlusionCover): where it is predicted, and the box (detection index) that holds it. */
export interface HiddenTrack {
  id: number;
  box: Box;
  detection: number;
}

/**
 * Associates the detections seen at time `t` (seconds; it may jump when frames are skipped)
 * with the tracks of `state`. Returns the new state and the detections in input order with their
 * track ids. `state` is not modified.
 */
export function track<D extends Detection>(
  state: TrackerState,
  detections: readonly D[],
  t: number,
  options: TrackerOptions = DEFAULT_TRACKER_OPTIONS,
): { state: TrackerState; tracks: TrackedDetection<D>[]; hidden: HiddenTrack[] } {
  const { highScore, newTrackScore, minIou, minIouLow, maxAgeSeconds } = options;
  const result: TrackedDetection<D>[] = detections.map((detection) => ({ detection }));
  // Retire tracks unseen for too long before they can claim anyone.
  const alive = state.tracks.filter((tr) => t - tr.lastSeen <= maxAgeSeconds + TIME_EPSILON);
  const predicted = new Map(alive.map((tr) => [tr.id, predict(tr, t, options.maxSizeChange)]));
  const high = detections.map((_, i) => i).filter((i) => detections[i].score >= highScore);
  const low = detections.map((_, i) => i).filter((i) => detections[i].score < highScore);

  const firstPairs = associate(alive, high, detections, predicted, minIou);
  const matched = new Set(firstPairs.map(([tr]) => tr.id));
  // Second chance only for tracks seen at the previous update: a weak detection is not enough
  // evidence to revive a track that was already lost.
  const recent = alive.filter((tr) => !matched.has(tr.id) && state.previous !== null && Math.abs(tr.lastSeen - state.previous) <= TIME_EPSILON);
  const secondPairs = associate(recent, low, detections, predicted, minIouLow);
  const paired = new Set([...firstPairs, ...secondPairs].map(([tr]) => tr.id));
  const taken = new Set([...firstPairs, ...secondPairs].map(([, d]) => d));
  // Low frame rates: what is still unpaired, by centre distance (IoU is zero beyond a box width).
  const thirdPairs = options.maxDistance
    ? pair(
        alive.filter((tr) => !paired.has(tr.id)),
        high.filter((d) => !taken.has(d)),
        (tr, d) => centreDistance(predicted.get(tr.id)!, detections[d].box),
        options.maxDistance,
      )
    : [];

  const allPairs = [...firstPairs, ...secondPairs, ...thirdPairs];
  const matchedIds = new Set(allPairs.map(([tr]) => tr.id));
  const unmatched = options.occlusionCover ? alive.filter((tr) => !matchedIds.has(tr.id)) : [];
  const updated = new Map(alive.map((tr) => [tr.id, tr]));
  const shared = new Set<number>();
  const hidden: HiddenTrack[] = [];
  // At low frame rates a partner seen in the previous frame still qualifies: the window is at
  // least one and a half frame gaps.
  const gap = state.previous === null ? 0 : t - state.previous;
  const partnerSeconds = Math.max(options.occlusionPartnerSeconds ?? maxAgeSeconds, 1.5 * gap);
  for (const [tr, det] of allPairs) {
    const box = detections[det].box;
    const partner = options.occlusionCover
      ? occludedPartner(tr, box, unmatched, predicted, options.occlusionCover, t, partnerSeconds)
      : undefined;
    updated.set(tr.id, partner ? coast(tr, predicted.get(tr.id)!, t) : observe(tr, box, t, options.velocitySeconds));
    if (partner) {
      updated.set(partner.id, { ...updated.get(partner.id)!, hiddenAt: t });
      shared.add(det);
      for (const who of [tr, partner]) if (!hidden.some((h) => h.id === who.id)) hidden.push({ id: who.id, box: predicted.get(who.id)!, detection: det });
    } else result[det].trackId = tr.id;
  }
  let nextId = state.nextId;
  for (const i of [...high, ...low]) {
    if (result[i].trackId !== undefined || shared.has(i) || detections[i].score < newTrackScore) continue;
    const id = nextId++;
    updated.set(id, { id, box: { ...detections[i].box }, velocity: [0, 0, 0, 0], lastSeen: t, hits: 1 });
    result[i].trackId = id;
  }
  return { state: { version: 1, tracks: [...updated.values()], nextId, previous: t }, tracks: result, hidden };
}
