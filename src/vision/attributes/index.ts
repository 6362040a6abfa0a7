/**
 * Person attributes: the one place body_attr and single-person attributes get their answers.
 * For each person (a box and, where pose ran, COCO-17 keypoints) it gathers the evidence the
 * pieces need — a person mask (selfie segmenter on the person's window), a face (BlazeFace on
 * the head window), COCO objects (CenterNet on the image) — and turns it into a probability per
 * value name for every requested attribute. Method and measured accuracy: docs/attributes.md.
 */
import type { Model } from '../../runtime/session.js';
import type { Box, Keypoint, RgbImage } from '../../types.js';
import type { Face } from '../blazeface.js';
import { detectObjects, type CocoObjectName, type ObjectDetection } from '../detectors.js';
import { clampWindow, personWindow } from '../person-seg.js';
import { segmentWindow } from '../seg-net.js';
import { wholeImageWindow } from '../tiles.js';
import { colourAnswer, garmentEvidence, lowerWearAnswer, textureAnswer, upperFineAnswer, upperWearAnswer } from './garments.js';
import {
  ageAnswer, babyAnswer, faceEvidence, faceMaskAnswer, genderAnswer, gloveAnswer, glassesAnswer, hairLengthAnswer, headEvidence, headwearAnswer, smokeAnswer,
} from './head.js';
import { faceGender, findPersonFace, fuseGender } from './face-attributes.js';
import { objectEvidence } from './objects.js';
import { postureEvidence } from './posture.js';
import { argmax, binary, clamp01 } from './probability.js';
import { calibratedScore } from './calibration.js';
import { colourfulness, skeleton, type PersonView } from './regions.js';
import { ATTRIBUTE_VALUES, type AttributeAnswer, type AttributeName } from './vocabulary.js';

export * from './vocabulary.js';

/** Models the attribute pieces run (registry names): objects, person mask, face, face gender. */
export const ATTRIBUTE_MODELS = ['centernet', 'selfie', 'blazeface', 'faceres'] as const;
export type AttributeModels = Readonly<Record<(typeof ATTRIBUTE_MODELS)[number], Model>>;

export interface AttributeOptions {
  /** Segment people at least this tall (px) for the garment regions; smaller ones use keypoint regions alone. */
  maskMinHeight: number;
  /** Look for a face on heads with at least this radius (px). */
  faceMinRadius: number;
  /** CenterNet object peaks below this are ignored. */
  minObjectScore: number;
}

export const DEFAULT_ATTRIBUTE_OPTIONS: AttributeOptions = { maskMinHeight: 48, faceMinRadius: 5, minObjectScore: 0.03 };

/** A person to describe: box and, where pose ran, COCO-17 keypoints (image pixels). */
export interface PersonToDescribe {
  box: Box;
  keypoints?: readonly Keypoint[];
}

export type AttributeDistributions = Partial<Record<AttributeName, Record<string, number>>>;

const OBJECT_ATTRIBUTES: readonly AttributeName[] = ['bag', 'luggage', 'umbrella', 'vehicle', 'cellphone', 'carrying_item', 'gender'];
const OBJECT_NAMES: readonly CocoObjectName[] = ['backpack', 'handbag', 'suitcase', 'umbrella', 'bicycle', 'motorcycle', 'cell phone'];
const FACE_ATTRIBUTES: readonly AttributeName[] = ['face_mask', 'glasses', 'gender'];
const MASK_ATTRIBUTES: readonly AttributeName[] = ['gender', 'hair_length', 'upper_color', 'lower_color', 'lower_wear', 'upper_wear_texture', 'lower_wear_texture', 'headwear', 'age'];

/** COCO objects of the image the object cues use (one CenterNet pass over the whole image). */
export async function objectsInImage(model: Model, image: RgbImage, minScore: number): Promise<ObjectDetection[]> {
  return detectObjects(model, image, wholeImageWindow(image.width, image.height), OBJECT_NAMES, minScore);
}

/** What the garment pieces see of one person: box, keypoints and (people tall enough, when wanted) the person mask. */
export async function personView(models: Pick<AttributeModels, 'selfie'>, image: RgbImage, p: PersonToDescribe, withMask: boolean, options: AttributeOptions = DEFAULT_ATTRIBUTE_OPTIONS): Promise<PersonView> {
  const view: PersonView = { image, box: p.box, keypoints: p.keypoints };
  if (withMask && p.box.height >= options.maskMinHeight) {
    const window = clampWindow(personWindow(p.box, 0.05, 1), image.width, image.height);
    view.mask = { window, map: await segmentWindow({ name: 'selfie', model: models.selfie }, image, window) };
  }
  return view;
}

/** One person's distributions with gender from the body cues alone, and the face found on its head (if one was looked for and found). */
export interface BodyDescription {
  distributions: AttributeDistributions;
  face?: Face;
}

/**
 * The requested attributes' distributions for every person (same order) before the face model's
 * reading is fused into gender: gender here is the body cues' own probability (eval/face-probe.ts
 * reads it). `others` occlusion uses the other people's boxes.
 */
export async function describeBodies(
  models: AttributeModels,
  image: RgbImage,
  people: readonly PersonToDescribe[],
  attributes: readonly AttributeName[],
  options: AttributeOptions = DEFAULT_ATTRIBUTE_OPTIONS,
): Promise<BodyDescription[]> {
  const want = new Set(attributes);
  const needs = (list: readonly AttributeName[]) => list.some((a) => want.has(a));
  const objects = people.length && needs(OBJECT_ATTRIBUTES) ? await objectsInImage(models.centernet, image, options.minObjectScore) : [];
  // Every person's runs issued together: in a pool worker idle peers take some (engine/assist.ts).
  return Promise.all(
    people.map(async (p) => {
      const view = await personView(models, image, p, needs(MASK_ATTRIBUTES), options);
      const s = skeleton(view);
      let face: Face | undefined;
      if (needs(FACE_ATTRIBUTES) && s.headRadius >= options.faceMinRadius && p.keypoints) {
        face = await findPersonFace(models.blazeface, image, { point: s.head, radius: s.headRadius });
      }
      const others = people.filter((q) => q !== p).map((q) => q.box);
      return { distributions: describeView(view, s, objects, face, others, want), face };
    }),
  );
}

/**
 * Probability distributions of the requested attributes for every person (same order): the body
 * descriptions with gender fused with faceres on the BlazeFace face (face-attributes.ts).
 */
export async function describePeople(...args: Parameters<typeof describeBodies>): Promise<AttributeDistributions[]> {
  const [models, image] = args;
  const bodies = await describeBodies(...args);
  return Promise.all(
    bodies.map(async ({ distributions: d, face }) => {
      if (d.gender) d.gender = fuseGender(d.gender, await faceGender(models.faceres, image, face));
      return d;
    }),
  );
}

/** The distributions for one person from its gathered evidence. */
function describeView(
  view: PersonView,
  s: ReturnType<typeof skeleton>,
  objects: readonly ObjectDetection[],
  face: Face | undefined,
  others: readonly Box[],
  want: ReadonlySet<AttributeName>,
): AttributeDistributions {
  const grey = colourfulness(view) < 6;
  const posture = postureEvidence(view, s, others);
  const g = garmentEvidence(view, s);
  const h = headEvidence(view, s, g.upperLab);
  const o = objectEvidence(view, s, objects);
  const f = faceEvidence(view, face);
  const upperWear = upperWearAnswer(g, grey);
  const lowerWear = lowerWearAnswer(g, posture.legsVisible, grey);
  const headwear = headwearAnswer(h, posture.headVisible);
  const hat = 1 - headwear['无帽'];
  const hair = hairLengthAnswer(h, hat);
  const upperColour = colourAnswer(g.upperColour, g.upperWeight, grey);
  const bald = hair['秃顶'];
  const d: AttributeDistributions = {};
  const put = <A extends AttributeName>(a: A, make: () => Record<string, number>) => { if (want.has(a)) d[a] = make(); };
  put('gender', () => genderAnswer({
    skirt: lowerWear['长裙'] + lowerWear['短裙'],
    shoulderBag: o.bag['单肩包'],
    warmUpper: grey ? 0 : upperColour['粉'] + upperColour['紫'] + 0.5 * upperColour['红'],
  }));
  put('age', () => ageAnswer(h, bald));
  put('action', () => posture.action);
  put('hair_length', () => hair);
  put('bag', () => o.bag);
  put('upper_wear', () => upperWear);
  put('lower_wear', () => lowerWear);
  put('upper_color', () => upperColour);
  put('lower_color', () => colourAnswer(g.lowerColour, g.lowerWeight, grey, clamp01(0.9 - posture.legsVisible - (posture.lowerCut < 0.5 ? 0.3 : 0))));
  put('upper_wear_fg', () => upperFineAnswer(g, upperWear));
  put('upper_wear_texture', () => textureAnswer(g.upperSpread, g.upperColours, g.upperWeight));
  put('lower_wear_texture', () => textureAnswer(g.lowerSpread, g.lowerColours, g.lowerWeight));
  put('headwear', () => headwear);
  put('glasses', () => glassesAnswer(f, posture.faceSeen));
  put('smoke', () => smokeAnswer(s, posture.faceSeen));
  put('cellphone', () => o.cellphone);
  put('orientation', () => posture.orientation);
  put('umbrella', () => binary('未打伞', '打伞', o.umbrella));
  put('carrying_baby', () => babyAnswer(s));
  put('face_mask', () => faceMaskAnswer(f, posture.faceSeen, grey));
  put('glove', () => gloveAnswer(view, s, g.forearmSkin, grey));
  put('carrying_item', () => o.carryingItem);
  put('vehicle', () => o.vehicle);
  put('luggage', () => binary('无拉杆箱', '有拉杆箱', o.luggage));
  put('upper_cut', () => binary('无上方截断', '有上方截断', posture.upperCut));
  put('lower_cut', () => binary('无下方截断', '有下方截断', posture.lowerCut));
  put('side_cut', () => binary('无侧方截断', '有侧方截断', posture.sideCut));
  put('occlusion', () => posture.occlusion);
  put('is_human', () => binary('非正常人体', '正常人体', posture.isHuman));
  return d;
}

/**
 * Each attribute's answer, in `attributes` order: the most probable value name, scored with the
 * calibrated probability that it is right (calibration.ts; the evidence probability where no
 * calibration was fitted).
 */
export function answerAttributes(d: AttributeDistributions, attributes: readonly AttributeName[]): Partial<Record<AttributeName, AttributeAnswer>> {
  const out: Partial<Record<AttributeName, AttributeAnswer>> = {};
  for (const a of attributes) {
    const dist = d[a];
    if (!dist) continue;
    const best = argmax(dist);
    if (!(ATTRIBUTE_VALUES[a] as readonly string[]).includes(best.name)) throw new Error(`attribute ${a}: "${best.name}" is not one of its values`);
    out[a] = { name: best.name, score: calibratedScore(a, best.score) };
  }
  return out;
}
