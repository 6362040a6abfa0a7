import type { Model } from '../runtime/session.js';
import type { Keypoint, RgbImage } from '../types.js';
import { cropToTensor, downscaleForSampling, windowToTensor, type CropWindow } from './crop.js';
import { decodeMultiPose, type MoveNetHeads } from './movenet.js';

/** A rough person found by the multi-person model, to be refined on a crop. */
export interface PersonProposal {
  /** Centre-heat-map confidence, 0-1. */
  score: number;
  /** Rough COCO-17 keypoints in image pixels. */
  keypoints: Keypoint[];
}

/** Multi-person model input side; the converted graph takes a fixed square input. */
export const PROPOSAL_INPUT = 256;
/** The heat maps are a quarter of the input resolution. */
const STRIDE = 4;

export interface ProposalOptions {
  /** Centre peaks weaker than this are ignored. */
  minCenterScore: number;
  /**
   * Proposals whose rough keypoints average below this are not worth a refinement run: on the
   * development images none of them survived refinement as a person.
   */
  minKeypointScore: number;
  maxPeople: number;
  /** The model's square input side (256; 320 for movenet-multipose-320). */
  input?: number;
}

export const DEFAULT_PROPOSAL_OPTIONS: ProposalOptions = { minCenterScore: 0.1, minKeypointScore: 0.1, maxPeople: 40 };

export function headsFrom(outputs: Record<string, { data: Float32Array; dims: readonly number[] }>): MoveNetHeads {
  const heat = outputs.kpt_heatmap;
  return {
    gridH: heat.dims[1],
    gridW: heat.dims[2],
    heat: heat.data,
    center: outputs.center.data,
    regress: outputs.kpt_regress.data,
    offset: outputs.kpt_offset.data,
  };
}

/**
 * Finds every person: the image is letterboxed (top-left aligned) into the square model input,
 * or, given a square `window` of the image (a tile), that window.
 */
export async function detectPeople(
  model: Model,
  image: RgbImage,
  opts: ProposalOptions = DEFAULT_PROPOSAL_OPTIONS,
  window?: CropWindow,
): Promise<PersonProposal[]> {
  const side0 = opts.input ?? PROPOSAL_INPUT;
  let input: Float32Array;
  let origin = { x: 0, y: 0 };
  let toImage: number;
  if (window) {
    input = windowToTensor(image, window, { width: side0, height: side0 });
    origin = window;
    toImage = (STRIDE * window.width) / side0;
  } else {
    const { image: small, factor } = downscaleForSampling(image, side0);
    const side = Math.max(small.width, small.height);
    input = cropToTensor(small, { x: 0, y: 0, width: side, height: side }, { width: side0, height: side0 });
    // grid cell -> model pixel -> downscaled image pixel -> original pixel
    toImage = (STRIDE * side * factor) / side0;
  }
  const outputs = await model.run(input, [1, side0, side0, 3]);
  return decodeMultiPose(headsFrom(outputs), { minCenterScore: opts.minCenterScore, maxCandidates: opts.maxPeople })
    .filter((c) => c.keypoints.reduce((sum, k) => sum + k.score, 0) / c.keypoints.length >= opts.minKeypointScore)
    .map((c) => ({
      score: c.centerScore,
      keypoints: c.keypoints.map((k) => ({ x: origin.x + k.x * toImage, y: origin.y + k.y * toImage, score: k.score })),
    }));
}
