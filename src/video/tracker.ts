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
 * (without an id) because the API must return every person found.
 */
import type { Box, Person } from '../types.js';
import { minCostAssignment } from './assignment.js';
import { boxIou } from '../vision/box.js';

export interface TrackerOptions {
  /** Detections scoring at least this take part in the first association. */
  highScore: number;
  /** An unmatched detection scoring at least this starts a new track. */
  newTrackScore: number;
  /** Least IoU between a predicted track box and a confident detection to pair them. */
  minIou: number;
  /** Least IoU for the second association with weak detections (stricter: they are less reliable). */
  minIouLow: number;
  /** Source frames a lost track is remembered before its id is retired. */
  maxAgeFrames: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  highScore: 0.4,
  newTrackScore: 0.4,
  minIou: 0.2,
  minIouLow: 0.5,
  maxAgeFrames: 30,
};

export interface TrackedPerson {
  /** Stable id of the person across frames; undefined for a weak detection no track claimed. */
  trackId?: number;
  person: Person;
}

interface Track {
  id: number;
  box: Box;
  /** Per-frame change of centre x/y and width/height, smoothed over observations. */
  velocity: [number, number, number, number];
  lastFrame: number;
}

function predict(track: Track, frame: number): Box {
  const steps = frame - track.lastFrame;
  const [vx, vy, vw, vh] = track.velocity;
  const width = Math.max(1, track.box.width + vw * steps);
  const height = Math.max(1, track.box.height + vh * steps);
  const cx = track.box.left + track.box.width / 2 + vx * steps;
  const cy = track.box.top + track.box.height / 2 + vy * steps;
  return { left: cx - width / 2, top: cy - height / 2, width, height };
}

/** Weight of the newest observation in the velocity average. */
const VELOCITY_GAIN = 0.5;

export class PoseTracker {
  private tracks: Track[] = [];
  private nextId = 1;
  /** Source frame number of the previous update (-1 before the first). */
  private previousFrame = -1;

  constructor(private readonly options: TrackerOptions = DEFAULT_TRACKER_OPTIONS) {}

  /** Ids of the tracks currently remembered (active or lost, not yet retired). */
  get liveIds(): number[] {
    return this.tracks.map((t) => t.id);
  }

  /**
   * Associates one frame's detections with the tracks. `frame` is the source frame number (it
   * may jump when frames are skipped). Returns the persons in input order with their track ids.
   */
  update(persons: readonly Person[], frame: number): TrackedPerson[] {
    const { highScore, newTrackScore, minIou, minIouLow, maxAgeFrames } = this.options;
    const result: TrackedPerson[] = persons.map((person) => ({ person }));
    // Retire tracks unseen for too long before they can claim anyone.
    this.tracks = this.tracks.filter((t) => frame - t.lastFrame <= maxAgeFrames);
    const predicted = new Map(this.tracks.map((t) => [t, predict(t, frame)]));
    const high = persons.map((_, i) => i).filter((i) => persons[i].score >= highScore);
    const low = persons.map((_, i) => i).filter((i) => persons[i].score < highScore);

    const firstPairs = this.associate(this.tracks, high, persons, predicted, minIou);
    const matchedTracks = new Set(firstPairs.map(([t]) => t));
    // Second chance only for tracks seen in the previous analysed frame: a weak detection is not
    // enough evidence to revive a track that was already lost.
    const recent = this.tracks.filter((t) => !matchedTracks.has(t) && this.wasSeenLastFrame(t));
    const secondPairs = this.associate(recent, low, persons, predicted, minIouLow);

    for (const [track, det] of [...firstPairs, ...secondPairs]) {
      this.observe(track, persons[det].box, frame);
      result[det].trackId = track.id;
    }
    for (const i of [...high, ...low]) {
      if (result[i].trackId !== undefined || persons[i].score < newTrackScore) continue;
      const track: Track = { id: this.nextId++, box: persons[i].box, velocity: [0, 0, 0, 0], lastFrame: frame };
      this.tracks.push(track);
      result[i].trackId = track.id;
    }
    this.previousFrame = frame;
    return result;
  }

  private wasSeenLastFrame(track: Track): boolean {
    return track.lastFrame === this.previousFrame;
  }

  /** Optimal one-to-one pairing by IoU of predicted track boxes, pairs below `threshold` dropped. */
  private associate(
    tracks: readonly Track[],
    detections: readonly number[],
    persons: readonly Person[],
    predicted: Map<Track, Box>,
    threshold: number,
  ): Array<[Track, number]> {
    if (tracks.length === 0 || detections.length === 0) return [];
    const overlaps = tracks.map((t) => detections.map((d) => boxIou(predicted.get(t)!, persons[d].box)));
    return minCostAssignment(overlaps.map((row) => row.map((o) => 1 - o)))
      .filter(([t, d]) => overlaps[t][d] >= threshold)
      .map(([t, d]) => [tracks[t], detections[d]]);
  }

  private observe(track: Track, box: Box, frame: number): void {
    const steps = Math.max(1, frame - track.lastFrame);
    const measured: [number, number, number, number] = [
      (box.left + box.width / 2 - (track.box.left + track.box.width / 2)) / steps,
      (box.top + box.height / 2 - (track.box.top + track.box.height / 2)) / steps,
      (box.width - track.box.width) / steps,
      (box.height - track.box.height) / steps,
    ];
    track.velocity = track.velocity.map((v, i) => v + VELOCITY_GAIN * (measured[i] - v)) as Track['velocity'];
    track.box = box;
    track.lastFrame = frame;
  }
}
