/**
 * Video suite: how much One-Euro smoothing reduces keypoint jitter on real clips (no ground
 * truth exists for them, so jitter is the measurable quantity; see docs/video.md).
 *
 * Each set is analysed once with smoothing off (tracking on); the same tracks are then smoothed
 * with the service's smoothPerson and default parameters, exactly as the job pipeline does, and
 * both are scored with the mean frame-to-frame keypoint acceleration.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeVideo } from '../src/video/analyze.js';
import { keypointJitter, meanDisplacement, TrackRecorder, type PersonTrack } from '../src/video/jitter.js';
import { DEFAULT_ONE_EURO, smoothPerson, type SmootherState } from '../src/tracking/smoothing.js';
import { round, type EvalSuite, type Score } from './suite.js';

const VIDEO_SETS: Record<string, { file: string; seconds: number; description: string }> = {
  // One person moving in a capture studio, 50 fps (mmpose demo clip).
  studio: { file: 'smoke/mmpose/demo/resources/body3d_demo.mp4', seconds: 4, description: 'one person, studio, 1000x1002 @50fps' },
  // A crowd seen from above, 25 fps: small people, occlusions, many tracks.
  walking: { file: 'video/walking-topdown/vtest.avi', seconds: 2, description: '~8 people detected, top-down, 1280x720 @25fps' },
};

export const videoSuite: EvalSuite = {
  name: 'video',
  sets: Object.keys(VIDEO_SETS),
  async run(ctx, sets) {
    const scores: Score[] = [];
    for (const set of sets) {
      const spec = VIDEO_SETS[set];
      const file = join(ctx.evalRoot, spec.file);
      if (!existsSync(file)) {
        ctx.emit({ eval: 'video', set, skipped: true, reason: `no ${spec.file} under ${ctx.evalRoot}` });
        continue;
      }
      const engine = await ctx.engine();
      const raw = new TrackRecorder();
      let detections = 0;
      let tracked = 0;
      const start = performance.now();
      const result = await analyzeVideo(file, {
        frame: (image, state, t, options) => engine.frame('body_analysis', image, state, t, options),
        smoothing: false,
        maxSeconds: spec.seconds,
        frameStride: 1,
        onFrame: (frame, persons) => {
          raw.add(frame.index, persons);
          detections += persons.length;
          tracked += persons.filter((p) => p.trackId !== undefined).length;
        },
      });
      const ms = performance.now() - start;
      const smoother: SmootherState = {};
      const smoothed = new Map<number, PersonTrack>();
      for (const [id, track] of raw.tracks) {
        smoothed.set(id, track.map(({ frame, person }) => {
          const out = smoothPerson(smoother[id], person, frame / result.video.fps, result.video);
          smoother[id] = out.filters;
          return { frame, person: out.person };
        }));
      }
      const before = keypointJitter(raw.tracks.values());
      const after = keypointJitter(smoothed.values());
      const reduction = before.meanAccelerationPx > 0 ? 1 - after.meanAccelerationPx / before.meanAccelerationPx : 0;
      const frames = result.frames.length;
      ctx.emit({
        eval: 'video',
        set,
        source: spec.description,
        frames,
        persons_per_frame: round(result.frames.reduce((s, f) => s + f.persons.length, 0) / Math.max(1, frames), 2),
        tracks: raw.tracks.size,
        // Weak detections no track claims are reported unsmoothed (see docs/video.md, Tracking).
        tracked_share: round(tracked / Math.max(1, detections), 3),
        jitter_raw_px: round(before.meanAccelerationPx, 3),
        jitter_smoothed_px: round(after.meanAccelerationPx, 3),
        jitter_reduction: round(reduction, 4),
        displacement_px: round(meanDisplacement(smoothed, raw.tracks), 2),
        samples: before.samples,
        ms_per_frame: round(ms / Math.max(1, frames), 1),
        one_euro: DEFAULT_ONE_EURO,
      });
      scores.push({ key: `video/${set}`, metric: 'jitter_reduction', value: reduction });
    }
    return scores;
  },
};
