/**
 * Jitter of keypoint tracks: how much keypoints shake from frame to frame. Used to measure what
 * smoothing buys (eval/video.ts, tests); not part of the service's answers.
 */
import { COCO_KEYPOINTS, type Person } from '../types.js';

/** One person's observations along a video, in frame order. */
export type PersonTrack = Array<{ frame: number; person: Person }>;

/** Collects tracked persons frame by frame into one track per id. */
export class TrackRecorder {
  readonly tracks = new Map<number, PersonTrack>();

  add(frame: number, persons: ReadonlyArray<{ trackId?: number; person: Person }>): void {
    for (const { trackId, person } of persons) {
      if (trackId === undefined) continue;
      let track = this.tracks.get(trackId);
      if (!track) this.tracks.set(trackId, (track = []));
      track.push({ frame, person });
    }
  }
}

export interface JitterStats {
  /** Mean |p(t+1) − 2p(t) + p(t−1)| in pixels over confident COCO keypoints (the second difference). */
  meanAccelerationPx: number;
  /** The same divided by the person's box size (scale-free). */
  meanAccelerationRel: number;
  /** Keypoint triples measured. */
  samples: number;
}

/**
 * Mean keypoint acceleration over every run of three evenly spaced observations of a track,
 * counting points whose score is at least `minScore` in all three. For motion at constant speed
 * the true value is 0, so what is measured is noise.
 */
export function keypointJitter(tracks: Iterable<PersonTrack>, minScore = 0.3): JitterStats {
  let sumPx = 0;
  let sumRel = 0;
  let samples = 0;
  for (const track of tracks) {
    for (let i = 1; i + 1 < track.length; i++) {
      const [a, b, c] = [track[i - 1], track[i], track[i + 1]];
      if (c.frame - b.frame !== b.frame - a.frame) continue;
      const size = Math.max(b.person.box.width, b.person.box.height, 1);
      for (const name of COCO_KEYPOINTS) {
        const pa = a.person.keypoints[name];
        const pb = b.person.keypoints[name];
        const pc = c.person.keypoints[name];
        if (Math.min(pa.score, pb.score, pc.score) < minScore) continue;
        const acc = Math.hypot(pc.x - 2 * pb.x + pa.x, pc.y - 2 * pb.y + pa.y);
        sumPx += acc;
        sumRel += acc / size;
        samples++;
      }
    }
  }
  return {
    meanAccelerationPx: samples ? sumPx / samples : 0,
    meanAccelerationRel: samples ? sumRel / samples : 0,
    samples,
  };
}

/**
 * Mean distance in pixels between the same confident keypoints of two runs over the same tracks
 * (e.g. smoothed vs raw: how far smoothing moves points, an upper bound on the lag it adds).
 */
export function meanDisplacement(a: ReadonlyMap<number, PersonTrack>, b: ReadonlyMap<number, PersonTrack>, minScore = 0.3): number {
  let sum = 0;
  let n = 0;
  for (const [id, trackA] of a) {
    const byFrame = new Map((b.get(id) ?? []).map((o) => [o.frame, o.person]));
    for (const { frame, person } of trackA) {
      const other = byFrame.get(frame);
      if (!other) continue;
      for (const name of COCO_KEYPOINTS) {
        const p = person.keypoints[name];
        const q = other.keypoints[name];
        if (Math.min(p.score, q.score) < minScore) continue;
        sum += Math.hypot(p.x - q.x, p.y - q.y);
        n++;
      }
    }
  }
  return n ? sum / n : 0;
}
