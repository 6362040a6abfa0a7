/**
 * body_analysis: every person with Baidu's 21 named keypoints (docs/models.md, docs/eval.md).
 * Also the video-frame call behind Kakao's pose jobs: detection, tracking and smoothing with the
 * tracker and smoother state passed in and out explicitly.
 */
import { defineCapability } from '../capability.js';
import { BODY_POSE_MODELS, DEFAULT_BODY_OPTIONS, analyzePeople, bodyModels, type BodyOptions, type SinglePersonOptions } from '../../vision/body-pose.js';
import { renderPersons } from '../../render/skeleton.js';
import { DEFAULT_TRACKER_OPTIONS, initialTrackerState, track, type TrackerOptions, type TrackerState } from '../../tracking/tracker.js';
import { retainTracks, smoothPerson, type SmootherState } from '../../tracking/smoothing.js';
import type { Person } from '../../types.js';

export interface BodyAnalysisOptions extends BodyOptions {
  /** Video frames only: One-Euro smoothing of each tracked person's keypoints. */
  smoothing: boolean;
  /** Video frames only: the tracker's thresholds and memory. */
  tracker: TrackerOptions;
}

export const DEFAULT_BODY_ANALYSIS_OPTIONS: Readonly<BodyAnalysisOptions> = { ...DEFAULT_BODY_OPTIONS, smoothing: true, tracker: DEFAULT_TRACKER_OPTIONS };

/** Result of body keypoint analysis on one image, in original-image pixels. */
export interface BodyAnalysis {
  /** Size of the image after EXIF orientation was applied (the frame coordinates refer to). */
  image: { width: number; height: number };
  persons: Person[];
}

/** A person of a video frame with the id the tracker gave them (none for a weak, unclaimed detection). */
export interface TrackedPerson {
  trackId?: number;
  person: Person;
}

/** What a video carries from one frame to the next: plain, serialisable data. */
export interface BodyFrameState {
  tracker: TrackerState;
  smoother: SmootherState;
}

/** The single-person refiner of video frames (BodyOptions.single): Thunder alone. */
export const VIDEO_SINGLE_PERSON: Partial<SinglePersonOptions> = { refiner: 'movenet' };

export const bodyAnalysis = defineCapability({
  name: 'body_analysis',
  summary: 'body keypoints: every person, Baidu\'s 21 named points',
  summaryZh: '人体关键点：图中每个人，百度定义的 21 个关键点',
  models: BODY_POSE_MODELS,
  defaults: DEFAULT_BODY_ANALYSIS_OPTIONS,
  async run(models, image, options): Promise<BodyAnalysis> {
    return { image: { width: image.width, height: image.height }, persons: await analyzePeople(bodyModels(models), image, options) };
  },
  async frame(models, image, state: BodyFrameState | undefined, timestamp, options) {
    // Frames refine a lone person with Thunder alone unless asked otherwise: BlazePose heavy halves
    // a one-person video's frame rate (studio clip 14.5 -> 7.4 frames/s) for +0.005 AP on still
    // photos, and the smoother already steadies the points (docs/video.md).
    const detected = await analyzePeople(bodyModels(models), image, { ...options, single: { ...VIDEO_SINGLE_PERSON, ...options.single } });
    const tracked = track(state?.tracker ?? initialTrackerState(), detected, timestamp, options.tracker);
    let smoother = state?.smoother ?? {};
    let result: TrackedPerson[] = tracked.tracks.map(({ trackId, detection }) => ({ trackId, person: detection }));
    if (options.smoothing) {
      const next: SmootherState = { ...smoother };
      result = result.map(({ trackId, person }) => {
        if (trackId === undefined) return { person };
        const smoothed = smoothPerson(next[trackId], person, timestamp, image);
        next[trackId] = smoothed.filters;
        return { trackId, person: smoothed.person };
      });
      smoother = retainTracks(next, tracked.state.tracks.map((t) => t.id));
    }
    return { state: { tracker: tracked.state, smoother }, result };
  },
  render: (image, result) => renderPersons(image, result.persons),
  docs: 'docs/models.md',
  eval: ['pose', 'kakao', 'video', 'lsp'],
  bench: ['body_analysis', 'body_analysis_coco_mini', 'body_analysis_mot17', 'pose_video'],
});
