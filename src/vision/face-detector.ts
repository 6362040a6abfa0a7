/**
 * Face boxes from BlazeFace (`blazeface`, 256x256, -1..1) on a letterboxed view of the image.
 * The gesture API reports faces next to hands, as Baidu's does.
 */
import type { Model } from '../runtime/session.js';
import type { Box, RgbImage } from '../types.js';
import { cropToTensor, downscaleForSampling } from './crop.js';
import { anchorCentres, decodeAnchors, weightedNms } from './ssd.js';

const INPUT = 256;
const ANCHORS_16 = anchorCentres(INPUT, [{ stride: 16, perCell: 2 }]);
const ANCHORS_32 = anchorCentres(INPUT, [{ stride: 32, perCell: 6 }]);

export interface Face {
  box: Box;
  score: number;
}

export interface FaceOptions {
  minScore: number;
  mergeIou: number;
}

export const DEFAULT_FACE_OPTIONS: FaceOptions = { minScore: 0.6, mergeIou: 0.3 };

export async function detectFaces(model: Model, image: RgbImage, opts: FaceOptions = DEFAULT_FACE_OPTIONS): Promise<Face[]> {
  const side = Math.max(image.width, image.height);
  const { image: source, factor } = downscaleForSampling(image, INPUT);
  const window = { x: (image.width - side) / 2 / factor, y: (image.height - side) / 2 / factor, width: side / factor, height: side / factor };
  const input = cropToTensor(source, window, { width: INPUT, height: INPUT }, { scale: 1 / 127.5, offset: -1, fill: 0 });
  const out = await model.run(input, [1, INPUT, INPUT, 3]);
  const raw = [
    ...decodeAnchors(out.scores_16.data, 1, 0, out.boxes_16.data, 16, 0, ANCHORS_16, 6, opts.minScore),
    ...decodeAnchors(out.scores_32.data, 1, 0, out.boxes_32.data, 16, 0, ANCHORS_32, 6, opts.minScore),
  ];
  const k = side / INPUT;
  const x0 = (image.width - side) / 2;
  const y0 = (image.height - side) / 2;
  return weightedNms(raw, opts.mergeIou).map((d) => {
    // BlazeFace boxes hug brows to chin; Baidu's face boxes include the forehead, so grow upwards.
    const w = (d.x2 - d.x1) * k;
    const h = (d.y2 - d.y1) * k;
    const left = Math.max(0, x0 + d.x1 * k);
    const top = Math.max(0, y0 + d.y1 * k - 0.25 * h);
    const right = Math.min(image.width, x0 + d.x1 * k + w);
    const bottom = Math.min(image.height, y0 + d.y2 * k);
    return { box: { left, top, width: right - left, height: bottom - top }, score: d.score };
  });
}
