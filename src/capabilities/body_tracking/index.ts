/**
 * body_tracking: people counting by head-shoulder boxes (docs/tracking.md).
 *
 * - `run` (Baidu `dynamic=false`): the head-shoulder boxes in one image, counted in the whole
 *   image or inside the areas.
 * - `frame` (Baidu `dynamic=true`, one call per frame of a case): detection, the tracker
 *   (ByteTrack-style with a low-frame-rate distance stage and occlusion coasting,
 *   src/tracking/tracker.ts), then the
 *   zones and lines (src/tracking/zones.ts, lines.ts) fed with the tracks. The state is plain
 *   data the case store keeps per (app, case_id).
 *
 * Detection is the person finder in a fast setting (whole image only up to 1400 px, no pose:
 * measured about 0.1 s per 720p frame against 1.5 s with tiles and pose) and one small function
 * turning a person into a head-shoulder box (src/vision/head-shoulder.ts).
 */
import { defineCapability } from '../capability.js';
import { ServiceError } from '../../errors.js';
import { CENTERNET_TILES, DEFAULT_PERSON_FINDER_OPTIONS, findPeople, type PersonFinderOptions } from '../../vision/person-finder.js';
import type { Models } from '../capability.js';
import { headShoulderBox } from '../../vision/head-shoulder.js';
import { DEFAULT_TRACKER_OPTIONS, initialTrackerState, track, type TrackerOptions, type TrackerState } from '../../tracking/tracker.js';
import { DEFAULT_CROSSING_OPTIONS, initialCrossingState, type CrossingCounts, type CrossingOptions, type CrossingState } from '../../tracking/crossing.js';
import { pointInPolygon, zoneStep, type Point, type Polygon } from '../../tracking/zones.js';
import { lineStep, type Line } from '../../tracking/lines.js';
import { renderTracking, type TrackingDrawing } from '../../render/tracking.js';
import type { Box, RgbImage } from '../../types.js';

export interface BodyTrackingOptions {
  /** Counting areas in image pixels; the first is Baidu's `area` (its in/out is `person_count`). */
  areas: Point[][];
  /** Counting lines (beyond Baidu). */
  lines: Line[];
  /** Return the rendered frame. */
  show: boolean;
  finder: PersonFinderOptions;
  tracker: TrackerOptions;
  /** Observations before a track is confirmed (gets its ID shown and may count). */
  minHits: number;
  crossing: CrossingOptions;
  /** Detections scoring at least this are people (`person_num`); weaker ones only help the tracker keep a track. */
  countScore: number;
}

export const DEFAULT_BODY_TRACKING_OPTIONS: Readonly<BodyTrackingOptions> = {
  areas: [],
  lines: [],
  show: false,
  // CenterNet alone on the tiles: without pose, NanoDet tile boxes measured at poor precision (docs/person-finder.md).
  finder: { ...DEFAULT_PERSON_FINDER_OPTIONS, tileDetectors: CENTERNET_TILES, pose: false, maxTileSide: 1400, minScore: 0.2 },
  // Occlusion coasting, bounded size prediction and a time-based velocity average: together they
  // carry two people through a merged detection (docs/tracking.md, "ID switches").
  tracker: {
    ...DEFAULT_TRACKER_OPTIONS,
    highScore: 0.4,
    newTrackScore: 0.5,
    minIouLow: 0.4,
    maxAgeSeconds: 1.5,
    maxDistance: 2,
    occlusionCover: 0.5,
    occlusionPartnerSeconds: 0.5,
    maxSizeChange: 1.5,
    velocitySeconds: 0.5,
  },
  minHits: 2,
  crossing: DEFAULT_CROSSING_OPTIONS,
  countScore: 0.4,
};

export interface CountedPerson {
  /** Head-shoulder box, image pixels. */
  box: Box;
  score: number;
}

/** `dynamic=false`: head-shoulder boxes and counts. */
export interface BodyCount {
  image: { width: number; height: number };
  /** People counted: in the union of the areas when there are areas, else in the image. */
  persons: CountedPerson[];
  /** Per area, people whose head-shoulder box centre lies in it. */
  areaCounts: number[];
  /** The rendered frame (JPEG) when `show`. */
  rendered?: Uint8Array;
}

export interface TrackedHead extends CountedPerson {
  /** Track id (from 1 per case); absent for a weak detection no track claimed. */
  id?: number;
  /** The track has been seen `minHits` times: its ID is reported. */
  confirmed: boolean;
}

export interface AreaFrameCounts extends CrossingCounts {
  /** Confirmed tracks wholly inside now. */
  inside: number;
  /** Track ids that entered / left at this frame. */
  entered: number[];
  left: number[];
}

/** `dynamic=true`: one frame of a case. */
export interface BodyTrackingFrame {
  image: { width: number; height: number };
  /** Detected people (score ≥ countScore) in the frame. */
  personNum: number;
  /** Every detection with its track, if any. */
  persons: TrackedHead[];
  /** In/out at this frame, per area and per line. */
  areas: AreaFrameCounts[];
  lines: CrossingCounts[];
  /** Running totals of the case, per area and per line. */
  totals: { areas: CrossingCounts[]; lines: CrossingCounts[] };
  rendered?: Uint8Array;
}

export interface BodyTrackingState {
  version: 1;
  tracker: TrackerState;
  /** The areas and lines the zone states belong to (other geometry starts them afresh). */
  geometry: string;
  zones: CrossingState[];
  lines: CrossingState[];
}

/** Every vertex inside the image (Baidu: coordinates may not exceed the width and height). */
export function checkGeometry(options: Pick<BodyTrackingOptions, 'areas' | 'lines'>, image: { width: number; height: number }): void {
  const points = [...options.areas.map((a, i) => ({ what: `area ${i + 1}`, points: a })), ...options.lines.map((l, i) => ({ what: `line ${i + 1}`, points: [l.from, l.to] }))];
  for (const { what, points: ps } of points) {
    for (const p of ps) {
      if (!(p.x >= 0 && p.y >= 0 && p.x <= image.width && p.y <= image.height)) {
        throw new ServiceError('invalid_value', `${what}: vertex (${p.x},${p.y}) lies outside the ${image.width}x${image.height} image`);
      }
    }
  }
}

/** The detectors only: pose is off in this setting (the head-shoulder box falls back to the person box). */
const TRACKING_MODELS = ['nanodet', 'centernet'] as const;

async function detectHeads(models: Models<(typeof TRACKING_MODELS)[number]>, image: RgbImage, options: BodyTrackingOptions): Promise<CountedPerson[]> {
  const people = await findPeople({ detectors: { nanodet: models.nanodet, centernet: models.centernet } }, image, options.finder);
  return people.map((p) => ({ box: headShoulderBox(p), score: p.score }));
}

const centre = (b: Box): Point => ({ x: b.left + b.width / 2, y: b.top + b.height / 2 });

const totalsLegend = (label: string, t: CrossingCounts) => `${label}in ${t.in}  out ${t.out}`;

function drawing(options: Pick<BodyTrackingOptions, 'areas' | 'lines'>, boxes: TrackingDrawing['boxes'], legend: string[]): TrackingDrawing {
  return { boxes, areas: options.areas, lines: options.lines, legend };
}

/** What `show` draws for a frame of a case: tracked boxes, areas, lines, the case's running totals. */
export function frameDrawing(options: Pick<BodyTrackingOptions, 'areas' | 'lines'>, result: BodyTrackingFrame): TrackingDrawing {
  const boxes = result.persons.filter((p) => p.id !== undefined).map((p) => ({ box: p.box, id: p.id, confirmed: p.confirmed }));
  const legend = [
    `people ${result.personNum}`,
    ...result.totals.areas.map((t, i) => totalsLegend(options.areas.length > 1 ? `area ${i + 1}: ` : '', t)),
    ...result.totals.lines.map((t, i) => totalsLegend(`line ${i + 1}: `, t)),
  ];
  return drawing(options, boxes, legend);
}

export const bodyTracking = defineCapability({
  name: 'body_tracking',
  summary: 'people counting by head-shoulders: static count, or tracking with IDs and in/out per case',
  summaryZh: '按头肩数人：静态计数，或在一个 case 内跟踪（带 ID 和进出计数）',
  models: TRACKING_MODELS,
  defaults: DEFAULT_BODY_TRACKING_OPTIONS,
  async run(models, image, options): Promise<BodyCount> {
    checkGeometry(options, image);
    const heads = (await detectHeads(models, image, options)).filter((h) => h.score >= options.countScore);
    const inArea = (h: CountedPerson, area: Polygon) => pointInPolygon(centre(h.box), area);
    const persons = options.areas.length ? heads.filter((h) => options.areas.some((a) => inArea(h, a))) : heads;
    const areaCounts = options.areas.map((a) => heads.filter((h) => inArea(h, a)).length);
    const result: BodyCount = { image: { width: image.width, height: image.height }, persons, areaCounts };
    if (options.show) {
      const boxes = persons.map((p) => ({ box: p.box, confirmed: false }));
      result.rendered = new Uint8Array(await renderTracking(image, drawing(options, boxes, [`people ${persons.length}`])));
    }
    return result;
  },
  async frame(models, image, state: BodyTrackingState | undefined, timestamp, options) {
    checkGeometry(options, image);
    const heads = await detectHeads(models, image, options);
    const geometry = JSON.stringify([options.areas, options.lines]);
    const previous: BodyTrackingState =
      state?.version === 1
        ? state
        : { version: 1, tracker: initialTrackerState(), geometry, zones: [], lines: [] };
    const fresh = previous.geometry !== geometry;
    const tracked = track(previous.tracker, heads, timestamp, options.tracker);
    const hits = new Map(tracked.state.tracks.map((t) => [t.id, t.hits]));
    const confirmed = (id: number) => {
      const h = hits.get(id);
      return h === undefined || h >= options.minHits;
    };
    const persons: TrackedHead[] = tracked.tracks.map(({ trackId, detection }) => ({
      ...detection,
      ...(trackId !== undefined ? { id: trackId } : {}),
      confirmed: trackId !== undefined && confirmed(trackId),
    }));
    const counted = persons.flatMap((p) => (p.id !== undefined ? [{ id: p.id, box: p.box, confirmed: p.confirmed }] : []));
    const alive = tracked.state.tracks.map((t) => t.id);
    // People inside a merged box (two tracks, one detection) still count as inside the area.
    const hidden = tracked.hidden.map((h) => ({ id: h.id, box: h.box, confirmed: confirmed(h.id) }));
    const zoneFrames = options.areas.map((area, i) =>
      zoneStep((!fresh && previous.zones[i]) || initialCrossingState(), area, counted, alive, options.crossing, hidden),
    );
    const lineFrames = options.lines.map((line, i) => lineStep((!fresh && previous.lines[i]) || initialCrossingState(), line, counted, alive, options.crossing));
    const result: BodyTrackingFrame = {
      image: { width: image.width, height: image.height },
      personNum: heads.filter((h) => h.score >= options.countScore).length,
      persons,
      areas: zoneFrames.map((z) => ({ ...z.counts, inside: z.inside, entered: z.entered, left: z.left })),
      lines: lineFrames.map((l) => l.counts),
      totals: { areas: zoneFrames.map((z) => z.state.totals), lines: lineFrames.map((l) => l.state.totals) },
    };
    if (options.show) result.rendered = new Uint8Array(await renderTracking(image, frameDrawing(options, result)));
    const next: BodyTrackingState = {
      version: 1,
      tracker: tracked.state,
      geometry,
      zones: zoneFrames.map((z) => z.state),
      lines: lineFrames.map((l) => l.state),
    };
    return { state: next, result };
  },
  render: (image, result) =>
    renderTracking(image, { boxes: result.persons.map((p) => ({ box: p.box, confirmed: false })), areas: [], lines: [], legend: [`people ${result.persons.length}`] }, 'png'),
  docs: 'docs/tracking.md',
  eval: ['tracking'],
  bench: ['body_tracking'],
});
