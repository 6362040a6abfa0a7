/**
 * driver_behavior: the driver (the largest person; among people of similar size the rightmost,
 * or the leftmost with wheelLocation 0) and nine behaviours, each a probability with the
 * threshold calibrated for it (docs/driver.md). People come from the person finder run without
 * tiles (cabin frames hold 1-3 large people); the face from BlazeFace about the driver's head and
 * the face mesh on it (a face the mesh's presence score does not confirm counts as none); hands
 * from the body keypoints; phones from CenterNet's `cell phone` class. A behaviour whose cue was
 * not measured answers under half its threshold (behaviors.ts `unmeasuredScore`).
 */
import { defineCapability } from '../capability.js';
import { DEFAULT_PERSON_FINDER_OPTIONS, PERSON_FINDER_MODELS, findPeople, personFinderModels, type FoundPerson, type PersonFinderOptions } from '../../vision/person-finder.js';
import { detectFaces, type Face } from '../../vision/blazeface.js';
import { eyeOpening, faceMesh, type FaceGeometry } from '../../vision/face-mesh.js';
import { detectObjects } from '../../vision/detectors.js';
import { wholeImageWindow } from '../../vision/tiles.js';
import { DEFAULT_TOP_DOWN_OPTIONS } from '../../vision/top-down.js';
import type { Model } from '../../runtime/session.js';
import { beltLineEvidence, brightThinAtMouth, handCloseness, handPoints, handsOffWheel, lowerFaceContrast, wheelRegion, type HandPoint, type WheelRegion } from '../../vision/driver-cues.js';
import { renderDriver } from '../../render/driver.js';
import type { Box, RgbImage } from '../../types.js';
import { BEHAVIOR_MODELS, DRIVER_BEHAVIORS, type DriverBehavior, type Evidence } from './behaviors.js';

export { DRIVER_BEHAVIORS, type DriverBehavior } from './behaviors.js';

export interface DriverBehaviorOptions {
  /** Behaviours to score (default all nine, in the seed's order). */
  types: DriverBehavior[];
  /** 1: left-hand drive, the driver is the rightmost of similar-size people; 0: the leftmost. */
  wheelLocation: 0 | 1;
  /** People whose box area is at least this share of the largest count as "similar size". */
  similarSize: number;
  finder: PersonFinderOptions;
  /** BlazeFace score a driver's face must reach. */
  minFaceScore: number;
  /**
   * Face-mesh presence (`faceflag`) the face must also reach: under it the BlazeFace box is taken
   * for a false positive and the driver has no face (face behaviours answer unmeasured).
   */
  minMeshScore: number;
}

/**
 * The finder without tiles (maxTileSide beyond any accepted image): cabin frames hold 1-3 large
 * people. Both whole-image detectors stay (CenterNet alone missed 7 of 182 dark or close-up
 * yawn frames that NanoDet's vote recovers; CenterNet's pass also gives the phones). One MoveNet
 * pass per person, without the second, tighter pass for large boxes: cabin people are all large,
 * so it would double the pose cost, and the cues read only shoulders, wrists and the head.
 */
export const DRIVER_FINDER_OPTIONS: PersonFinderOptions = {
  ...DEFAULT_PERSON_FINDER_OPTIONS,
  tileDetectors: [],
  maxTileSide: 100_000,
  topDown: { ...DEFAULT_TOP_DOWN_OPTIONS, refineAbove: 0 },
};

export const DEFAULT_DRIVER_BEHAVIOR_OPTIONS: Readonly<DriverBehaviorOptions> = {
  types: [...DRIVER_BEHAVIORS],
  wheelLocation: 1,
  similarSize: 0.7,
  finder: DRIVER_FINDER_OPTIONS,
  minFaceScore: 0.4,
  minMeshScore: 0.5,
};

export interface DriverFace {
  box: Box;
  /** BlazeFace score. */
  score: number;
  /** Face-mesh presence score. */
  meshScore: number;
  /** 468 mesh points, image pixels (x, y). */
  landmarks: [number, number][];
  /** Eyelid contours from the iris model (right eye, left eye), image pixels. */
  eyelids: [number, number][][];
  geometry: FaceGeometry;
}

export interface DriverBehaviorResult {
  image: { width: number; height: number };
  /** Everyone found (image pixels), with the finder's calibrated probability. */
  persons: { box: Box; score: number }[];
  /** Index into `persons` of the driver, -1 when nobody was found. */
  driver: number;
  face?: DriverFace;
  hands: HandPoint[];
  wheel?: WheelRegion;
  /** The raw cue values the scores come from (docs/driver.md). */
  evidence: Partial<Evidence>;
  /** Requested behaviours, in the seed's order. */
  behaviors: Partial<Record<DriverBehavior, { score: number; threshold: number }>>;
}

const area = (b: Box) => b.width * b.height;
/** A point as [x, y] rounded to a tenth of a pixel (compact results). */
const tenth = (q: { x: number; y: number }): [number, number] => [Math.round(q.x * 10) / 10, Math.round(q.y * 10) / 10];
const centreX = (b: Box) => b.left + b.width / 2;

/** The driver: the largest; among those within `similar` of its area, rightmost (1) or leftmost (0). */
export function chooseDriver(boxes: readonly Box[], wheelLocation: number, similar = DEFAULT_DRIVER_BEHAVIOR_OPTIONS.similarSize): number {
  if (boxes.length === 0) return -1;
  const largest = Math.max(...boxes.map(area));
  const candidates = boxes.map((b, i) => ({ b, i })).filter(({ b }) => area(b) >= similar * largest);
  const leftmost = wheelLocation === 0;
  candidates.sort((p, q) => (leftmost ? centreX(p.b) - centreX(q.b) : centreX(q.b) - centreX(p.b)));
  return candidates[0].i;
}

/** BlazeFace on a square window over the driver's head, else the best face inside the driver box. */
async function driverFace(models: { blazeface: Model }, image: RgbImage, person: FoundPerson, minScore: number): Promise<Face | undefined> {
  const side = Math.max(64, Math.min(Math.max(person.box.width, person.box.height), Math.max(image.width, image.height)));
  const head = person.head;
  const window = { x: head.x - side / 2, y: head.y - side / 2, width: side, height: side };
  const centre = (f: Face) => ({ x: f.box.left + f.box.width / 2, y: f.box.top + f.box.height / 2 });
  const inBox = (f: Face) => {
    const c = centre(f);
    return c.x >= person.box.left && c.x <= person.box.left + person.box.width && c.y >= person.box.top && c.y <= person.box.top + person.box.height;
  };
  const away = (f: Face) => Math.hypot(centre(f).x - head.x, centre(f).y - head.y);
  const near = (faces: Face[]) => faces.filter(inBox).sort((a, b) => away(a) - away(b))[0];
  return near(await detectFaces(models.blazeface, image, { minScore, window })) ?? near(await detectFaces(models.blazeface, image, { minScore }));
}

export const driverBehavior = defineCapability({
  name: 'driver_behavior',
  summary: 'the driver and nine behaviours (phone, smoking, belt, hands, gaze, mask, yawn, eyes, head), each score + threshold',
  summaryZh: '驾驶员与九种行为（打电话、抽烟、未系安全带、双手离开方向盘、视角未看前方、未戴口罩、打哈欠、闭眼、低头），各有分数与阈值',
  models: [...PERSON_FINDER_MODELS, 'blazeface', 'facemesh', 'iris'],
  defaults: DEFAULT_DRIVER_BEHAVIOR_OPTIONS,
  async run(models, image, options): Promise<DriverBehaviorResult> {
    const people = await findPeople(personFinderModels(models), image, options.finder);
    const persons = people.map((p) => ({ box: p.box, score: p.score }));
    const driver = chooseDriver(persons.map((p) => p.box), options.wheelLocation, options.similarSize);
    const base = { image: { width: image.width, height: image.height }, persons, driver, hands: [] as HandPoint[], evidence: {}, behaviors: {} };
    if (driver < 0) return base;
    const person = people[driver];
    const keypoints = person.keypoints ?? [];
    const hands = handPoints(keypoints);
    const wheel = wheelRegion(keypoints);
    const evidence: Partial<Evidence> = {};
    let face: DriverFace | undefined;
    const found = await driverFace(models, image, person, options.minFaceScore);
    const mesh = found ? await faceMesh(models.facemesh, image, found) : undefined;
    // A face the mesh does not confirm leaves only its two presence scores in the evidence.
    if (found && mesh && mesh.score < options.minMeshScore) Object.assign(evidence, { faceScore: found.score, meshScore: mesh.score } satisfies Partial<Evidence>);
    else if (found && mesh) {
      const g = mesh.geometry;
      const p = mesh.points;
      const faceSize = Math.max(found.box.width, found.box.height);
      // The iris model's eyelid contour (the mesh alone barely closes its lids); the left eye mirrored.
      const eyes = [
        await eyeOpening(models.iris, image, [p[33], p[133]], mesh.window.angle, false),
        await eyeOpening(models.iris, image, [p[263], p[362]], mesh.window.angle, true),
      ];
      face = {
        box: found.box,
        score: found.score,
        meshScore: mesh.score,
        landmarks: p.map(tenth),
        eyelids: eyes.map((e) => e.contour.map(tenth)),
        geometry: g,
      };
      const ears = [p[234], p[454]];
      const mouth = { x: (p[13].x + p[14].x) / 2, y: (p[13].y + p[14].y) / 2 };
      const mask = lowerFaceContrast(image, p, faceSize);
      const bright = brightThinAtMouth(image, p);
      const phones = await detectObjects(models.centernet, image, wholeImageWindow(image.width, image.height), ['cell phone'], 0.05);
      const faceCx = found.box.left + found.box.width / 2, faceCy = found.box.top + found.box.height / 2;
      const phoneNear = Math.max(0, ...phones.filter((d) => Math.hypot(d.box.left + d.box.width / 2 - faceCx, d.box.top + d.box.height / 2 - faceCy) < 1.5 * faceSize).map((d) => d.score));
      Object.assign(evidence, {
        faceScore: found.score,
        meshScore: mesh.score,
        ear: (eyes[0].opening + eyes[1].opening) / 2,
        meshEar: (g.earLeft + g.earRight) / 2,
        mouthOpening: g.mouthOpening, jawDrop: g.jawDrop, yaw: g.yaw, pitch: g.pitch, yawOffset: g.yawOffset, noseDrop: g.noseDrop,
        handAtEar: Math.max(...ears.map((e) => handCloseness(hands, e, faceSize, 1.2))),
        handAtMouth: handCloseness(hands, mouth, faceSize, 1.0),
        phoneNear,
        maskChroma: mask.chroma,
        maskLuma: mask.luma,
        maskTexture: mask.texture,
        brightShare: bright.share,
        brightElongation: bright.elongation,
      } satisfies Partial<Evidence>);
    }
    const belt = beltLineEvidence(image, keypoints);
    Object.assign(evidence, { beltCoherence: belt.coherence, beltSamples: belt.samples, handsOff: handsOffWheel(hands, wheel) } satisfies Partial<Evidence>);
    const behaviors: DriverBehaviorResult['behaviors'] = {};
    for (const b of DRIVER_BEHAVIORS) {
      if (!options.types.includes(b)) continue;
      const model = BEHAVIOR_MODELS[b];
      behaviors[b] = { score: model.score(evidence), threshold: model.threshold };
    }
    return { ...base, hands, ...(wheel ? { wheel } : {}), ...(face ? { face } : {}), evidence, behaviors };
  },
  render: (image, result) => renderDriver(image, result),
  warmup: { mayFail: false },
  docs: 'docs/driver.md',
  eval: ['driver'],
  bench: ['driver_behavior'],
});
