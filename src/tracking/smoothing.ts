/**
 * Keypoint smoothing with the One-Euro filter (Casiez, Roussel & Vogel, CHI 2012): a low-pass
 * filter whose cut-off frequency rises with speed, so a still pose stops trembling while a fast
 * movement is followed with little lag.
 *
 * Each coordinate of each keypoint of each track has its own filter. Time is in seconds (frame
 * number / fps), so the parameters mean the same at any frame rate or frame stride. Speed is
 * measured in person heights per second (pixels divided by the person's box size), so the same
 * `beta` suits a person filling the frame and one far away.
 */
import { BODY21_KEYPOINTS, type Keypoint, type Person } from '../types.js';
import { keypointBox } from '../vision/pose-geometry.js';
import { clampBox } from '../vision/box.js';

export interface OneEuroParams {
  /** Cut-off (Hz) when the point is still: lower removes more jitter, adds lag at slow speeds. */
  minCutoff: number;
  /** How fast the cut-off rises with speed (per person-height-per-second): higher = less lag. */
  beta: number;
  /** Cut-off (Hz) of the filter that smooths the speed estimate itself. */
  derivativeCutoff: number;
}

/** Chosen on the studio clip in docs/video.md (jitter vs lag); see the measurements there. */
export const DEFAULT_ONE_EURO: OneEuroParams = { minCutoff: 1.5, beta: 4, derivativeCutoff: 1 };

function smoothingFactor(cutoffHz: number, dtSeconds: number): number {
  const tau = 1 / (2 * Math.PI * cutoffHz);
  return 1 / (1 + tau / dtSeconds);
}

/** The state of one One-Euro filter: plain data. */
export interface OneEuroState {
  value: number;
  speed: number;
  time: number;
}

/**
 * Filters `sample` taken at `timeSeconds` given the filter's previous state (undefined for its
 * first sample); returns the filtered value and the new state. `scale` divides the speed before
 * it raises the cut-off (1 = raw units per second).
 */
export function oneEuro(
  state: OneEuroState | undefined,
  sample: number,
  timeSeconds: number,
  scale = 1,
  params: OneEuroParams = DEFAULT_ONE_EURO,
): { value: number; state: OneEuroState } {
  if (!state) return { value: sample, state: { value: sample, speed: 0, time: timeSeconds } };
  // Time did not advance: nothing to smooth against, keep the current estimate.
  if (timeSeconds <= state.time) return { value: state.value, state };
  const dt = timeSeconds - state.time;
  const rawSpeed = (sample - state.value) / dt;
  const speed = state.speed + smoothingFactor(params.derivativeCutoff, dt) * (rawSpeed - state.speed);
  const cutoff = params.minCutoff + (params.beta * Math.abs(speed)) / Math.max(scale, 1e-6);
  const value = state.value + smoothingFactor(cutoff, dt) * (sample - state.value);
  return { value, state: { value, speed, time: timeSeconds } };
}

/** Filter states of one track: x and y of each of Baidu's 21 points. */
export interface TrackFilterState {
  x: (OneEuroState | undefined)[];
  y: (OneEuroState | undefined)[];
}

/** Per-track smoothing state of a video: plain data, keyed by track id. */
export type SmootherState = Record<number, TrackFilterState>;

/**
 * The person with smoothed keypoints (scores unchanged) and a box recomputed from them, and the
 * track's new filter state.
 */
export function smoothPerson(
  filters: TrackFilterState | undefined,
  person: Person,
  timeSeconds: number,
  frame: { width: number; height: number },
  params: OneEuroParams = DEFAULT_ONE_EURO,
): { person: Person; filters: TrackFilterState } {
  const scale = Math.max(person.box.width, person.box.height, 1);
  const next: TrackFilterState = { x: [], y: [] };
  const keypoints = {} as Person['keypoints'];
  BODY21_KEYPOINTS.forEach((name, i) => {
    const p = person.keypoints[name];
    const x = oneEuro(filters?.x[i], p.x, timeSeconds, scale, params);
    const y = oneEuro(filters?.y[i], p.y, timeSeconds, scale, params);
    next.x[i] = x.state;
    next.y[i] = y.state;
    keypoints[name] = { x: x.value, y: y.value, score: p.score };
  });
  const box = clampBox(keypointBox(Object.values(keypoints) as Keypoint[]), frame);
  return { person: { ...person, keypoints, box }, filters: next };
}

/** The smoother state of the listed tracks only (the tracker retired the others). */
export function retainTracks(state: SmootherState, liveIds: Iterable<number>): SmootherState {
  const kept: SmootherState = {};
  for (const id of liveIds) if (state[id]) kept[id] = state[id];
  return kept;
}
