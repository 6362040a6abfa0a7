/**
 * Calibration inputs for int8 models: windows of the committed test fixtures (a skier, people
 * showing their hands, a cabin frame), at several scales, mirrored and grey, resized to the
 * model's input and scaled to its range. Ranges of a BN-folded CNN's activations depend little
 * on the scene, so a few dozen varied windows are enough; the eval suites are the check.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { packageRoot, type ModelSpec } from './models.js';

export const CALIBRATION_IMAGES = [
  'coco-000000000785.jpg',
  'hands-96_pic00005.jpg',
  'hands-3_1528499009.07_pic00009.jpg',
  'hands-2_pic00474.jpg',
  'hands-four.jpg',
  'driver-cabin.jpg',
];

const imagePath = (f: string): string => join(packageRoot(), 'test', 'fixtures', f);

/**
 * Hash of everything calibration depends on, part of an int8 model's build stamp: the images,
 * this module's code (the windows and the scaling), and the onnxruntime and sharp versions that
 * run and resize them.
 */
export function calibrationFingerprint(): string {
  const h = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url)));
  const require = createRequire(join(packageRoot(), 'package.json'));
  h.update(`onnxruntime-node@${(require('onnxruntime-node/package.json') as { version: string }).version}`);
  h.update(`sharp@${sharp.versions.sharp} vips@${sharp.versions.vips}`);
  for (const f of CALIBRATION_IMAGES) h.update(f).update(readFileSync(imagePath(f)));
  return h.digest('hex');
}

interface Window {
  left: number;
  top: number;
  width: number;
  height: number;
  flip: boolean;
  grey: boolean;
}

/** The whole image (plain, mirrored, grey) and square windows of 0.9 (centre) and 0.55 / 0.3 (corners and centre) of the short side. */
function windowsOf(w: number, h: number): Window[] {
  const out: Window[] = [
    { left: 0, top: 0, width: w, height: h, flip: false, grey: false },
    { left: 0, top: 0, width: w, height: h, flip: true, grey: false },
    { left: 0, top: 0, width: w, height: h, flip: false, grey: true },
  ];
  const short = Math.min(w, h);
  for (const f of [0.9, 0.55, 0.3]) {
    const side = Math.round(short * f);
    for (const fy of [0, 0.5, 1]) {
      for (const fx of [0, 0.5, 1]) {
        const centre = fx === 0.5 && fy === 0.5;
        const corner = fx !== 0.5 && fy !== 0.5;
        if (f === 0.9 ? !centre : !(centre || corner)) continue;
        out.push({ left: Math.round((w - side) * fx), top: Math.round((h - side) * fy), width: side, height: side, flip: false, grey: false });
      }
    }
  }
  return out;
}

/**
 * Interleaved 8-bit RGB already resized to the model's input, as the model's input tensor: scaled
 * to its range, in its layout. `grey`: the same luma in all three channels, as an infrared camera
 * gives it.
 */
export function modelInputFromRgb(raw: Uint8Array, spec: ModelSpec, grey = false): Float32Array {
  const nchw = spec.layout === 'NCHW';
  const [H, W] = nchw ? spec.inputShape.slice(2, 4) : spec.inputShape.slice(1, 3);
  const [lo, hi] = spec.inputRange;
  const x = new Float32Array(H * W * 3);
  for (let p = 0; p < H * W; p++) {
    const luma = 0.299 * raw[p * 3] + 0.587 * raw[p * 3 + 1] + 0.114 * raw[p * 3 + 2];
    for (let c = 0; c < 3; c++) x[nchw ? c * H * W + p : p * 3 + c] = lo + ((grey ? luma : raw[p * 3 + c]) / 255) * (hi - lo);
  }
  return x;
}

export async function calibrationInputs(spec: ModelSpec): Promise<Float32Array[]> {
  const [H, W] = spec.layout === 'NCHW' ? spec.inputShape.slice(2, 4) : spec.inputShape.slice(1, 3);
  const out: Float32Array[] = [];
  for (const f of CALIBRATION_IMAGES) {
    const src = sharp(imagePath(f));
    const { width = 0, height = 0 } = await src.metadata();
    for (const win of windowsOf(width, height)) {
      let img = sharp(imagePath(f)).extract(win).resize(W, H, { fit: 'fill' });
      if (win.flip) img = img.flop();
      const raw = await img.removeAlpha().raw().toBuffer();
      if (raw.length !== H * W * 3) throw new Error(`calibration image ${f}: expected RGB`);
      out.push(modelInputFromRgb(raw, spec, win.grey));
    }
  }
  return out;
}
