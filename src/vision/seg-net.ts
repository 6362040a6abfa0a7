/**
 * The person-segmentation networks (MediaPipe selfie and Meet, see docs/models.md) run on a
 * window of an image, returning the person probability at the network's resolution.
 */
import type { Model } from '../runtime/session.js';
import type { RgbImage } from '../types.js';
import { windowToTensor, type CropWindow } from './crop.js';
import type { ProbMap } from './prob-map.js';

export type SegNetName = 'selfie' | 'meet';

/** Fixed input size (width × height) of each network. */
export const SEG_NET_INPUT: Record<SegNetName, { width: number; height: number }> = {
  selfie: { width: 256, height: 256 },
  meet: { width: 256, height: 144 },
};

export interface SegNet {
  name: SegNetName;
  model: Model;
}

function personProbability(name: SegNetName, outputs: Record<string, { data: Float32Array }>, size: number): Float32Array {
  if (name === 'selfie') return Float32Array.from(outputs.segmentation.data);
  // meet: two logits per cell (background, person); softmax over the pair.
  const logits = outputs.segment.data;
  const prob = new Float32Array(size);
  for (let i = 0; i < size; i++) prob[i] = 1 / (1 + Math.exp(logits[2 * i] - logits[2 * i + 1]));
  return prob;
}

/**
 * Person probability over `window` (image pixels; may extend past the image, which the network
 * sees as black). The window is stretched to the network's input, so callers choose windows with
 * the input's aspect ratio.
 */
export async function segmentWindow(net: SegNet, image: RgbImage, window: CropWindow, opts: { mirror?: boolean } = {}): Promise<ProbMap> {
  const { width, height } = SEG_NET_INPUT[net.name];
  const input = windowToTensor(image, window, { width, height }, { scale: 1 / 255 });
  if (opts.mirror) mirrorRows(input, width, height, 3);
  const outputs = await net.model.run(input, [1, height, width, 3]);
  const prob = personProbability(net.name, outputs, width * height);
  if (opts.mirror) mirrorRows(prob, width, height, 1);
  return { width, height, data: prob };
}

/** Flips a packed HWC buffer left-right in place. */
function mirrorRows(data: Float32Array, width: number, height: number, channels: number): void {
  for (let y = 0; y < height; y++) {
    const row = y * width * channels;
    for (let a = 0, b = width - 1; a < b; a++, b--) {
      for (let c = 0; c < channels; c++) {
        const i = row + a * channels + c, j = row + b * channels + c;
        const t = data[i]; data[i] = data[j]; data[j] = t;
      }
    }
  }
}
