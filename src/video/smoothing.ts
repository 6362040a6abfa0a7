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

export class OneEuroFilter {
  private value?: number;
  private speed = 0;
  private time = 0;

  constructor(private readonly params: OneEuroParams = DEFAULT_ONE_EURO) {}

  /**
   * Filters a sample taken at `timeSeconds`. `scale` divides the speed before it raises the
   * cut-off (1 = raw units per second).
   */
  filter(sample: number, timeSeconds: number, scale = 1): number {
    if (this.value === undefined) {
      this.value = sample;
      this.time = timeSeconds;
      return sample;
    }
    // Time did not advance: nothing to smooth against, keep the current estimate.
    if (timeSeconds <= this.time) return this.value;
    const dt = timeSeconds - this.time;
    const rawSpeed = (sample - this.value) / dt;
    this.speed += smoothingFactor(this.params.derivativeCutoff, dt) * (rawSpeed - this.speed);
    const cutoff = this.params.minCutoff + (this.params.beta * Math.abs(this.speed)) / Math.max(scale, 1e-6);
    this.value += smoothingFactor(cutoff, dt) * (sample - this.value);
    this.time = timeSeconds;
    return this.value;
  }
}

interface TrackFilters {
  x: OneEuroFilter[];
  y: OneEuroFilter[];
}

/** Per-track keypoint smoothing for a video; forget tracks the tracker has retired with `retain`. */
export class PoseSmoother {
  private tracks = new Map<number, TrackFilters>();

  constructor(private readonly params: OneEuroParams = DEFAULT_ONE_EURO) {}

  /** The person with smoothed keypoints (scores unchanged) and a box recomputed from them. */
  smooth(trackId: number, person: Person, timeSeconds: number, frame: { width: number; height: number }): Person {
    let filters = this.tracks.get(trackId);
    if (!filters) {
      filters = {
        x: BODY21_KEYPOINTS.map(() => new OneEuroFilter(this.params)),
        y: BODY21_KEYPOINTS.map(() => new OneEuroFilter(this.params)),
      };
      this.tracks.set(trackId, filters);
    }
    const scale = Math.max(person.box.width, person.box.height, 1);
    const keypoints = {} as Person['keypoints'];
    BODY21_KEYPOINTS.forEach((name, i) => {
      const p = person.keypoints[name];
      keypoints[name] = {
        x: filters.x[i].filter(p.x, timeSeconds, scale),
        y: filters.y[i].filter(p.y, timeSeconds, scale),
        score: p.score,
      };
    });
    const box = clampBox(keypointBox(Object.values(keypoints) as Keypoint[]), frame);
    return { ...person, keypoints, box };
  }

  /** Drops the state of every track not listed. */
  retain(liveIds: readonly number[]): void {
    const live = new Set(liveIds);
    for (const id of this.tracks.keys()) if (!live.has(id)) this.tracks.delete(id);
  }
}
