/** gesture: 24 gesture classes (plus `other`) per hand or hand pair, and faces; docs/hands.md. */
import { defineCapability } from '../capability.js';
import { DEFAULT_HAND_OPTIONS, HAND_MODELS, analyzeHands, handModels, type Hand, type HandOptions } from '../../vision/hands.js';
import { detectFaces, withForehead, type Face } from '../../vision/blazeface.js';
import { classifyGestures, type GestureResult } from '../../vision/gesture.js';
import { clampBox } from '../../vision/box.js';
import { renderGestures } from '../../render/hands.js';

export interface GestureOptions {
  hands: HandOptions;
  /** Faces reported: BlazeFace's surer ones. */
  minFaceScore: number;
  /** Face boxes are raised by this share of their height to take in the forehead, as Baidu's do. */
  forehead: number;
}

export const DEFAULT_GESTURE_OPTIONS: Readonly<GestureOptions> = { hands: DEFAULT_HAND_OPTIONS, minFaceScore: 0.6, forehead: 0.25 };

export interface GestureAnalysis {
  image: { width: number; height: number };
  gestures: GestureResult[];
  /** The hands the gestures were read from (for rendering). */
  hands: Hand[];
  faces: Face[];
}

export const gesture = defineCapability({
  name: 'gesture',
  summary: '24 gesture classes (plus other) per hand or hand pair, and faces',
  summaryZh: '每只手或一双手的 24 类手势（另有"其他"），以及人脸',
  models: [...HAND_MODELS, 'blazeface'],
  defaults: DEFAULT_GESTURE_OPTIONS,
  async run(models, image, options): Promise<GestureAnalysis> {
    const hands = await analyzeHands(handModels(models), image, options.hands);
    const faces = (await detectFaces(models.blazeface, image, { minScore: options.minFaceScore })).map((f) => ({
      ...f,
      box: clampBox(withForehead(f.box, options.forehead), image),
    }));
    return { image: { width: image.width, height: image.height }, gestures: classifyGestures(hands, faces), hands, faces };
  },
  render: (image, result) => renderGestures(image, result.hands, result.gestures),
  docs: 'docs/hands.md',
  eval: ['hands'],
  bench: ['gesture_4hands'],
});
