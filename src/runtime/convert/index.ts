/**
 * TFJS graph model → ONNX. The TF graph is first run once in tfjs (CPU backend) with the fixed
 * input shape; that gives every tensor's static shape and the value of every shape-only subgraph,
 * which is then folded into constants. Only nodes the requested outputs depend on are translated.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, loadTfGraph, normRef, splitRef, tfjsModel, attrType, attrInt, TF_INPUT_OP, type TfNode, type TfBackend } from './graph.js';
import { Ctx, type StaticValue, type TensorInfo } from './context.js';
import { HANDLERS, SHAPE_OPS, tfDtype } from './ops.js';
import { quantizeGraph, type QuantSummary } from './quantize.js';
import type { DType, TypedData } from './onnx-writer.js';
import { sourcePath, type ModelSpec } from '../models.js';
import { calibrationInputs } from '../calibration.js';

export type { TfBackend } from './graph.js';

/**
 * int8 twins keep two convs of each head in float: measured against one (the output convs alone),
 * coco-mini pose AP 0.359 → 0.371 (float 0.369) and MOT17 person recall 0.511 → 0.521 at the same
 * precision, for ~20 % more NanoDet time (docs/models.md, "int8").
 */
const INT8_HEAD_DEPTH = 2;

/** Bump when the output of the converter changes in a way the file hash would not show. */
export const CONVERTER_VERSION = 1;

export interface ConvertRequest {
  /** Path of the TFJS model.json. */
  json: string;
  /** Fixed input shape (batch 1). */
  inputShape: number[];
  /** ONNX input name. */
  inputName: string;
  /** ONNX output name → TF tensor ref ("node" or "node:1"). */
  outputs: Record<string, string>;
  /** Normalisation put in front of the TF graph (see ModelSpec.normalize). */
  normalize?: InputNormalize;
  /** Input axis order, needed to find the channel axis for `normalize`. */
  layout?: 'NHWC' | 'NCHW';
  /** tfjs backend for the shape/folding run; wasm (default) falls back to cpu when it lacks a kernel. */
  backend?: TfBackend;
  /** Calibration inputs (full input tensors): when given, the graph is quantised to int8 (QDQ). */
  calibration?: Float32Array[];
}

/** y[c] = (x[bgr ? 2 - c : c] - mean[c]) / std[c] over the channel axis. */
export interface InputNormalize {
  mean: number[];
  std: number[];
  bgr: boolean;
}

function normalizeInput(ctx: Ctx, req: ConvertRequest): string {
  const { mean, std, bgr } = req.normalize!;
  const axis = req.layout === 'NCHW' ? 1 : req.inputShape.length - 1;
  const dims = req.inputShape.map((_, k) => (k === axis ? mean.length : 1));
  const g = ctx.g;
  let v = req.inputName;
  if (bgr) v = g.add1('Gather', [v, g.initI64('input_bgr_order', [2, 1, 0])], { axis: { i: axis } }, 'input_bgr');
  v = g.add1('Sub', [v, g.initF32('input_mean', mean, dims)], {}, 'input_centred');
  return g.add1('Mul', [v, g.initF32('input_inv_std', std.map((s) => 1 / s), dims)], {}, 'input_normalised');
}

export interface ConvertResult {
  bytes: Uint8Array;
  outputs: { name: string; shape: number[] }[];
  ops: Record<string, number>;
  quantized?: QuantSummary;
}

function outputCount(n: TfNode): number {
  if (n.op === 'Split' || n.op === 'SplitV') return attrInt(n, 'num_split');
  if (n.op === 'Unpack') return attrInt(n, 'num');
  return 1;
}

function toDType(dtype: string): DType {
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new Error(`tfjs dtype ${dtype} not supported`);
}

function typedData(t: tf.Tensor): TypedData {
  const d = t.dataSync();
  if (d instanceof Float32Array || d instanceof Int32Array) return d.slice();
  if (d instanceof Uint8Array) return d.slice();
  throw new Error(`unsupported tensor data for ${t.dtype}`);
}

export async function convertTfjsGraph(req: ConvertRequest): Promise<ConvertResult> {
  await useBackend(req.backend ?? 'wasm');
  const graph = loadTfGraph(req.json, req.inputShape);
  const ph = graph.input;
  const outRefs = Object.values(req.outputs).map(normRef);

  // Reachable nodes in dependency order (inputs before users).
  const order: TfNode[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (name: string) => {
    const st = state.get(name);
    if (st === 2) return;
    if (st === 1) throw new Error(`cycle at ${name}`);
    const node = graph.byName.get(name);
    if (!node) throw new Error(`unknown TF node ${name}`);
    state.set(name, 1);
    for (const i of node.inputs) visit(splitRef(i).node);
    state.set(name, 2);
    order.push(node);
  };
  for (const r of outRefs) visit(splitRef(r).node);

  // Static = does not depend on the input's data (constants and anything computed from shapes).
  const isStatic = new Set<string>();
  for (const n of order) {
    if (n.op === TF_INPUT_OP) continue;
    if (n.op === 'Const' || SHAPE_OPS.has(n.op) || n.inputs.every((i) => isStatic.has(splitRef(i).node))) isStatic.add(n.name);
  }
  const dynamic = order.filter((n) => !isStatic.has(n.name));

  // Refs to fetch from one tfjs run: every consumed/produced dynamic tensor, plus folded
  // non-Const values that dynamic nodes consume.
  const fetch = new Set<string>(outRefs);
  for (const n of dynamic) {
    for (const i of n.inputs) fetch.add(i);
    if (n.op === TF_INPUT_OP) continue;
    for (let k = 0; k < outputCount(n); k++) fetch.add(`${n.name}:${k}`);
  }
  for (const r of [...fetch]) {
    const op = graph.byName.get(splitRef(r).node)!.op;
    if (op === 'Const' || op === TF_INPUT_OP) fetch.delete(r);
  }
  const info = new Map<string, TensorInfo>();
  const statics = new Map<string, StaticValue>();
  const inputTfType = tfDtype(attrType(ph, 'dtype'));
  info.set(`${ph.name}:0`, { shape: req.inputShape, dtype: inputTfType });

  const model = tfjsModel(graph);
  const fetchList = [...fetch];
  const zeros = tf.zeros(req.inputShape, inputTfType === 'int32' ? 'int32' : 'float32');
  let results: tf.Tensor[];
  try {
    results = model.execute({ [ph.name]: zeros }, fetchList) as tf.Tensor[];
  } catch (err) {
    // A kernel missing from wasm (e.g. in a folded shape subgraph): the CPU backend has them all.
    if (tf.getBackend() === 'cpu') throw err;
    await useBackend('cpu');
    results = model.execute({ [ph.name]: zeros }, fetchList) as tf.Tensor[];
  }
  fetchList.forEach((ref, k) => {
    const t = results[k];
    const entry = { shape: t.shape.slice(), dtype: toDType(t.dtype) };
    if (isStatic.has(splitRef(ref).node)) statics.set(ref, { ...entry, data: typedData(t) });
    else info.set(ref, entry);
  });
  tf.dispose([...results, zeros]);
  model.dispose();
  for (const n of order) {
    if (n.op !== 'Const') continue;
    const w = graph.weights[n.name];
    if (!w) throw new Error(`no weights for Const ${n.name}`);
    statics.set(`${n.name}:0`, { shape: w.shape.slice(), dtype: toDType(w.dtype), data: typedData(w) });
  }
  tf.dispose(Object.values(graph.weights));

  // Translate.
  const ctx = new Ctx(info, statics);
  ctx.g.reserve([req.inputName, ...Object.keys(req.outputs)]);
  // Integer-typed image inputs (MoveNet) are exposed as float32: the graph casts them to float
  // first anyway, and callers then need no rounding.
  const inputType: DType = 'float32';
  ctx.g.inputs.push({ name: req.inputName, dtype: inputType, dims: req.inputShape });
  ctx.set(`${ph.name}:0`, req.normalize ? normalizeInput(ctx, req) : req.inputName, null, inputType);
  if (inputTfType !== 'float32') {
    for (const n of dynamic) {
      if (n.inputs.includes(`${ph.name}:0`) && !(n.op === 'Cast' && tfDtype(attrType(n, 'DstT')) === 'float32')) {
        throw new Error(`${ph.name} is ${inputTfType} and feeds ${n.op} ${n.name}; only a Cast to float can be dropped`);
      }
    }
  }
  for (const n of dynamic) {
    if (n.op === TF_INPUT_OP) continue;
    const h = HANDLERS[n.op];
    if (!h) throw new Error(`unsupported op ${n.op} (${n.name})`);
    try {
      h(n, ctx);
    } catch (err) {
      throw new Error(`${n.op} ${n.name}: ${(err as Error).message}`);
    }
  }
  const names = Object.keys(req.outputs);
  outRefs.forEach((ref, k) => {
    const dims = ctx.shape(ref);
    if (ctx.dtype(ref) !== 'float32') throw new Error(`output ${names[k]} (${ref}) is ${ctx.dtype(ref)}, expected float32`);
    ctx.g.outputs.push({ name: ctx.get(ref), dtype: 'float32', dims });
  });
  ctx.g.prune();
  ctx.g.foldTransposes();
  ctx.g.nameOutputs(names);
  const quantized = req.calibration ? await quantizeGraph(ctx.g, req.calibration, req.inputShape, INT8_HEAD_DEPTH) : undefined;
  const bytes = ctx.g.toBytes({ producer: 'bodylens-tfjs2onnx', props: { converter_version: String(CONVERTER_VERSION) } });
  return {
    bytes,
    outputs: names.map((name, k) => ({ name, shape: ctx.shape(outRefs[k]) })),
    ops: ctx.g.countOps(),
    quantized,
  };
}

/** Hash of the compiled converter modules, so editing the converter invalidates built models. */
export function converterFingerprint(): string {
  const dir = fileURLToPath(new URL('.', import.meta.url));
  const h = createHash('sha256').update(`v${CONVERTER_VERSION}`);
  for (const f of readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).sort()) {
    h.update(f).update(readFileSync(dir + f));
  }
  return h.digest('hex');
}

export interface TfjsReference {
  /** Runs the original graph (tfjs CPU) and returns the given TF tensors. */
  run(input: Float32Array, refs: string[]): { data: Float32Array; shape: number[] }[];
  dispose(): void;
}

/** The unconverted model in tfjs, for parity checks and latency comparisons. */
export async function tfjsReference(json: string, inputShape: number[], backend: TfBackend = 'cpu'): Promise<TfjsReference> {
  await useBackend(backend);
  const graph = loadTfGraph(json, inputShape);
  const ph = graph.input;
  tf.dispose(Object.values(graph.weights));
  const model = tfjsModel(graph);
  const isInt = tfDtype(attrType(ph, 'dtype')) === 'int32';
  return {
    run(input, refs) {
      // An int32 graph input gets the rounded values, as a real caller of the original would send.
      const x = isInt ? tf.tensor(Int32Array.from(input, Math.round), inputShape, 'int32') : tf.tensor(input, inputShape, 'float32');
      const res = model.execute({ [ph.name]: x }, refs.map(normRef)) as tf.Tensor | tf.Tensor[];
      const list = Array.isArray(res) ? res : [res];
      const out = list.map((t) => ({ data: Float32Array.from(t.dataSync() as Float32Array), shape: t.shape.slice() }));
      tf.dispose([x, ...list]);
      return out;
    },
    dispose: () => model.dispose(),
  };
}

/** Converts one registry entry (the one place a ModelSpec becomes a conversion request). */
export async function convertModel(spec: ModelSpec): Promise<ConvertResult> {
  return convertTfjsGraph({
    json: sourcePath(spec.name),
    inputShape: spec.inputShape,
    inputName: spec.inputName,
    outputs: spec.outputs,
    normalize: spec.normalize,
    layout: spec.layout,
    calibration: spec.quantize === 'int8' ? await calibrationInputs(spec) : undefined,
  });
}
