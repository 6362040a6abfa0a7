/**
 * Static int8 quantisation of a converted graph in ONNX's QDQ form, for onnxruntime's CPU
 * kernels (QLinearConv with u8 activations and s8 weights; VNNI where the CPU has it).
 *
 * - Every op onnxruntime can run quantised (Conv with constant weights, Add, Mul, Concat,
 *   LeakyRelu, Sigmoid, average pools) gets a QuantizeLinear → DequantizeLinear pair on each of
 *   its activation inputs and on its result (a conv's result after the Relu / Clip that is its
 *   only user), with a per-tensor uint8 scale from calibration. Weights become int8 per output
 *   channel (symmetric), biases int32 at input scale × weight scale, constant operands uint8.
 *   onnxruntime's optimiser then fuses DQ → op → Q into QLinearConv / QLinearAdd / ... and drops
 *   the Relu / Clip into the output range. Value-moving ops (pools, resizes, pads, transposes)
 *   between two quantised values share their input's scale, so they run on uint8.
 * - Ops whose result reaches a graph output through pass-through ops (the heads) stay float,
 *   so the outputs keep full precision.
 * - The activation ranges come from running the float graph on calibration inputs with every
 *   quantised tensor exposed as an extra output (`RangeObserver`).
 */
import ort from 'onnxruntime-node';
import { OnnxGraph, type Initializer, type OnnxNode } from './onnx-writer.js';

export interface Range {
  min: number;
  max: number;
}

export interface QuantPlan {
  /** Convs that will run in int8. */
  convs: OnnxNode[];
  /** Float activation values that get a Q → DQ pair. */
  tensors: string[];
  /** Constant operands of quantised Add / Mul nodes (quantised exactly as their own range). */
  constants: { node: OnnxNode; input: number }[];
  /** Output → input pairs that must share quantisation parameters (ops that only move values). */
  tied: [string, string][];
}

const consumersOf = (g: OnnxGraph): Map<string, OnnxNode[]> => {
  const m = new Map<string, OnnxNode[]>();
  for (const n of g.nodes) for (const i of n.inputs) if (i) (m.get(i) ?? m.set(i, []).get(i)!).push(n);
  return m;
};

function floatInit(g: OnnxGraph, name: string | undefined): Initializer | undefined {
  const t = name ? g.initializers.get(name) : undefined;
  return t && t.dtype === 'float32' ? t : undefined;
}

/** A 2-D Conv whose weights (and bias, if any) are float constants: the only kind the pass quantises or corrects. */
function constantConv(g: OnnxGraph, n: OnnxNode): boolean {
  const w = floatInit(g, n.inputs[1]);
  return n.op === 'Conv' && !!w && w.dims.length === 4 && (!n.inputs[2] || !!floatInit(g, n.inputs[2]));
}

/** Ops onnxruntime runs on quantised tensors when every input comes from a DQ and the output goes to a Q. */
const QUANTISED_OPS = new Set(['Conv', 'Add', 'Mul', 'Concat', 'LeakyRelu', 'Sigmoid', 'AveragePool', 'GlobalAveragePool']);
/** Ops that only move or select values: run on uint8 directly when their output shares the input's parameters. */
const SAME_SCALE_OPS = new Set(['MaxPool', 'Resize', 'Pad', 'Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten']);
/** Ops that pass a value on to an output without mixing it with other activations. */
const PASS_THROUGH = new Set(['Transpose', 'Reshape', 'Identity', 'Flatten', 'Squeeze', 'Unsqueeze', 'Sigmoid', 'Softmax', 'Concat', 'Split', 'Slice']);

/** Whether `value` reaches a graph output through pass-through ops (or scaling by a constant) only: a head's result. */
function feedsOutput(g: OnnxGraph, value: string, users: Map<string, OnnxNode[]>, graphOut: Set<string>, seen = new Set<string>()): boolean {
  if (graphOut.has(value)) return true;
  if (seen.has(value)) return false;
  seen.add(value);
  return (users.get(value) ?? []).some((u) => {
    const scaling = (u.op === 'Mul' || u.op === 'Add') && u.inputs.some((i) => g.initializers.has(i));
    return (PASS_THROUGH.has(u.op) || scaling) && u.outputs.some((o) => feedsOutput(g, o, users, graphOut, seen));
  });
}

/**
 * Folds `Conv → Add(per-channel constant)` into the conv's bias (graphs converted from ONNX,
 * such as NanoDet, keep the bias as a separate Add), so the pair quantises as one conv.
 */
export function foldConvBias(g: OnnxGraph): number {
  const users = consumersOf(g);
  const graphOut = new Set(g.outputs.map((o) => o.name));
  const rename = new Map<string, string>();
  const drop = new Set<OnnxNode>();
  for (const n of g.nodes) {
    if (!constantConv(g, n)) continue;
    const w = g.initializers.get(n.inputs[1])!;
    const y = n.outputs[0];
    const u = users.get(y) ?? [];
    if (u.length !== 1 || u[0].op !== 'Add' || graphOut.has(y)) continue;
    const add = u[0];
    const c = floatInit(g, add.inputs[0] === y ? add.inputs[1] : add.inputs[0]);
    const cout = w.dims[0];
    const perChannel = c && c.data.length === cout && (c.dims.join() === `1,${cout},1,1` || c.dims.join() === `${cout},1,1`);
    if (!perChannel || graphOut.has(add.outputs[0])) continue;
    const old = n.inputs[2] ? (g.initializers.get(n.inputs[2])!.data as Float32Array) : new Float32Array(cout);
    const add2 = c!.data as Float32Array;
    n.inputs[2] = g.initF32(`${y}_bias`, Float32Array.from(old, (v, k) => v + add2[k]), [cout]);
    rename.set(add.outputs[0], y);
    drop.add(add);
  }
  if (!drop.size) return 0;
  g.nodes = g.nodes.filter((n) => !drop.has(n));
  for (const n of g.nodes) n.inputs = n.inputs.map((i) => rename.get(i) ?? i);
  g.prune();
  return drop.size;
}

/**
 * `headDepth`: how many convs deep the float heads reach (1 = only the convs whose results are
 * outputs; 2 = also the convs (with their activation) that feed nothing but those).
 */
export function planQuantization(g: OnnxGraph, headDepth = 1): QuantPlan {
  const users = consumersOf(g);
  const graphOut = new Set(g.outputs.map((o) => o.name));
  const isActivation = (v: string) => !!v && !g.initializers.has(v);
  const convs: OnnxNode[] = [];
  const tensors = new Set<string>();
  const constants: { node: OnnxNode; input: number }[] = [];
  // A conv's result goes through its Relu / Clip (when that is its only user) before it is quantised.
  const viaActivation = (v: string): string => {
    const u = users.get(v) ?? [];
    return u.length === 1 && (u[0].op === 'Relu' || u[0].op === 'Clip') ? u[0].outputs[0] : v;
  };
  // The heads: convs whose results reach an output, and with headDepth > 1 the convs (with their
  // activations) that feed nothing but float head nodes.
  const floatHeads = new Set(g.nodes.filter((n) => n.op === 'Conv' && feedsOutput(g, n.outputs[0], users, graphOut)));
  for (let depth = 1; depth < headDepth; depth++) {
    for (const n of g.nodes.filter((c) => c.op === 'Conv' && !floatHeads.has(c))) {
      const chain = [n];
      let v = n.outputs[0];
      for (let u = users.get(v) ?? []; u.length === 1 && ['Relu', 'Clip', 'LeakyRelu'].includes(u[0].op); u = users.get(v) ?? []) {
        chain.push(u[0]);
        v = u[0].outputs[0];
      }
      const u = users.get(v) ?? [];
      if (u.length && u.every((x) => floatHeads.has(x))) for (const c of chain) floatHeads.add(c);
    }
  }
  const head = (v: string) => feedsOutput(g, v, users, graphOut);
  for (const n of g.nodes) {
    if (!QUANTISED_OPS.has(n.op)) continue;
    if (floatHeads.has(n)) continue;
    if (n.op === 'Conv' && !constantConv(g, n)) continue;
    const out = n.op === 'Conv' ? viaActivation(n.outputs[0]) : n.outputs[0];
    // Heads stay float: their results are the model's outputs.
    if (head(n.outputs[0]) || head(out)) continue;
    const data = n.op === 'Conv' ? [n.inputs[0]] : n.inputs;
    const consts = data.map((v, k) => (isActivation(v) ? -1 : k)).filter((k) => k >= 0);
    if (consts.length && (n.op !== 'Add' && n.op !== 'Mul')) continue;
    if (consts.some((k) => !floatInit(g, data[k]))) continue;
    if (n.op === 'Conv') convs.push(n);
    for (const k of consts) constants.push({ node: n, input: k });
    for (const v of data) if (isActivation(v)) tensors.add(v);
    tensors.add(out);
  }
  // Value-moving ops between two quantised values share one set of parameters, so onnxruntime
  // can run them on uint8 (and drop the pair around them).
  const tied: [string, string][] = [];
  for (const n of g.nodes) {
    if (!SAME_SCALE_OPS.has(n.op)) continue;
    const [x] = n.inputs;
    const y = n.outputs[0];
    if (tensors.has(x) && tensors.has(y)) tied.push([y, x]);
  }
  return { convs, tensors: [...tensors], constants, tied };
}

/** Per-tensor min / max over the calibration runs. */
export class RangeObserver {
  readonly ranges = new Map<string, Range>();

  observe(name: string, data: Float32Array): void {
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = 0; k < data.length; k++) {
      const v = data[k];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const r = this.ranges.get(name);
    if (!r) this.ranges.set(name, { min: lo, max: hi });
    else {
      r.min = Math.min(r.min, lo);
      r.max = Math.max(r.max, hi);
    }
  }
}

/** uint8 affine parameters covering `r` and 0 (so zero padding is exact). */
export function uint8Params(r: Range): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, r.min);
  const hi = Math.max(0, r.max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint };
}

/**
 * Symmetric int8 per output channel (axis 0 of an OIHW / depthwise weight). `minScales` raises a
 * channel's scale where its bias would not fit in int32 at input scale × weight scale (a nearly
 * dead channel: tiny weights, ordinary bias).
 */
export function int8PerChannel(w: Initializer, minScales?: Float32Array): { q: Int8Array; scales: Float32Array } {
  const cout = w.dims[0];
  const per = w.data.length / cout;
  const data = w.data as Float32Array;
  const q = new Int8Array(data.length);
  const scales = new Float32Array(cout);
  for (let c = 0; c < cout; c++) {
    let m = 0;
    for (let k = c * per; k < (c + 1) * per; k++) m = Math.max(m, Math.abs(data[k]));
    const s = Math.max(m > 0 ? m / 127 : 1, minScales?.[c] ?? 0);
    scales[c] = s;
    for (let k = c * per; k < (c + 1) * per; k++) q[k] = Math.max(-127, Math.min(127, Math.round(data[k] / s)));
  }
  return { q, scales };
}

/** Largest int32 bias magnitude used (half the range, so rounding and accumulation stay clear of the edge). */
const MAX_BIAS_Q = 2 ** 30;

/**
 * Rewrites `g` in place into QDQ form. Every tensor of `plan` must have a range. Node order stays
 * topological: a value's Q/DQ pair follows its producer, a conv's weight DQs precede it.
 */
export function applyQdq(g: OnnxGraph, plan: QuantPlan, measured: Map<string, Range>): void {
  const ranges = new Map(measured);
  for (const [y, x] of plan.tied) {
    const r = ranges.get(x);
    if (r) ranges.set(y, r);
  }
  const params = new Map<string, { scale: string; zp: string; scaleValue: number; dq: string }>();
  for (const t of plan.tensors) {
    const r = ranges.get(t);
    if (!r) throw new Error(`no calibration range for ${t}`);
    if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) throw new Error(`calibration range of ${t} is not finite`);
    const { scale, zeroPoint } = uint8Params(r);
    params.set(t, {
      scale: g.initF32(`${t}_scale`, [scale], []),
      zp: g.init(`${t}_zp`, 'uint8', [], Uint8Array.of(zeroPoint)),
      scaleValue: scale,
      dq: g.uniq(`${t}_dq`),
    });
  }
  const qdqNodes = (t: string): OnnxNode[] => {
    const p = params.get(t)!;
    const q = g.uniq(`${t}_q`);
    return [
      { op: 'QuantizeLinear', inputs: [t, p.scale, p.zp], outputs: [q], attrs: {} },
      { op: 'DequantizeLinear', inputs: [q, p.scale, p.zp], outputs: [p.dq], attrs: {} },
    ];
  };
  const convSet = new Set(plan.convs);
  const weightNodes = (conv: OnnxNode): OnnxNode[] => {
    const w = g.initializers.get(conv.inputs[1])!;
    const cout = w.dims[0];
    const bias = conv.inputs[2] ? (g.initializers.get(conv.inputs[2])!.data as Float32Array) : undefined;
    const sx = params.get(conv.inputs[0])!.scaleValue;
    const minScales = bias ? Float32Array.from(bias, (v) => Math.abs(v) / (sx * MAX_BIAS_Q)) : undefined;
    const { q, scales } = int8PerChannel(w, minScales);
    const wq = g.init(`${conv.inputs[1]}_int8`, 'int8', w.dims, q);
    const ws = g.initF32(`${conv.inputs[1]}_wscale`, scales, [cout]);
    const wz = g.init(`${conv.inputs[1]}_wzp`, 'int8', [cout], new Int8Array(cout));
    const wdq = g.uniq(`${conv.inputs[1]}_dq`);
    const nodes: OnnxNode[] = [{ op: 'DequantizeLinear', inputs: [wq, ws, wz], outputs: [wdq], attrs: { axis: { i: 0 } } }];
    conv.inputs[1] = wdq;
    if (bias) {
      const bs = Float32Array.from(scales, (s) => s * sx);
      const bq = Int32Array.from(bias, (v, c) => Math.round(v / bs[c]));
      const bqName = g.init(`${conv.inputs[2]}_int32`, 'int32', [cout], bq);
      const bsName = g.initF32(`${conv.inputs[2]}_bscale`, bs, [cout]);
      const bzName = g.init(`${conv.inputs[2]}_bzp`, 'int32', [cout], new Int32Array(cout));
      const bdq = g.uniq(`${conv.inputs[2]}_dq`);
      nodes.push({ op: 'DequantizeLinear', inputs: [bqName, bsName, bzName], outputs: [bdq], attrs: { axis: { i: 0 } } });
      conv.inputs[2] = bdq;
    }
    return nodes;
  };
  const constOperands = new Map<OnnxNode, number[]>();
  for (const { node, input } of plan.constants) (constOperands.get(node) ?? constOperands.set(node, []).get(node)!).push(input);
  const constantNodes = (n: OnnxNode): OnnxNode[] =>
    (constOperands.get(n) ?? []).map((k) => {
      const name = n.inputs[k];
      const c = g.initializers.get(name)!;
      const data = c.data as Float32Array;
      let lo = 0;
      let hi = 0;
      for (const v of data) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const { scale, zeroPoint } = uint8Params({ min: lo, max: hi });
      const q = Uint8Array.from(data, (v) => Math.min(255, Math.max(0, Math.round(v / scale) + zeroPoint)));
      const dq = g.uniq(`${name}_dq`);
      const node: OnnxNode = {
        op: 'DequantizeLinear',
        inputs: [g.init(`${name}_u8`, 'uint8', c.dims, q), g.initF32(`${name}_scale`, [scale], []), g.init(`${name}_zp`, 'uint8', [], Uint8Array.of(zeroPoint))],
        outputs: [dq],
        attrs: {},
      };
      n.inputs[k] = dq;
      return node;
    });
  const out: OnnxNode[] = [];
  for (const inp of g.inputs) if (params.has(inp.name)) out.push(...qdqNodes(inp.name));
  for (const n of g.nodes) {
    // The bias scale needs the conv's input scale, looked up by the original input name.
    if (convSet.has(n)) out.push(...weightNodes(n));
    out.push(...constantNodes(n));
    // Users read the dequantised copy; the pair itself reads the original value.
    n.inputs = n.inputs.map((i) => params.get(i)?.dq ?? i);
    out.push(n);
    for (const o of n.outputs) if (params.has(o)) out.push(...qdqNodes(o));
  }
  g.nodes = out;
  g.prune();
}

export interface QuantSummary {
  convs: number;
  floatConvs: number;
  calibrationInputs: number;
}

/** Runs `g` on every input with `names` exposed as extra outputs; `visit` reads each run's values. */
async function runExposing(g: OnnxGraph, wanted: string[], inputs: Float32Array[], shape: number[], visit: (x: Float32Array, value: (name: string) => Float32Array) => void): Promise<void> {
  const names = [...new Set(wanted)];
  const declared = new Set(g.outputs.map((o) => o.name));
  const extra = names.filter((t) => !declared.has(t));
  const exposed = Object.assign(new OnnxGraph(), {
    nodes: g.nodes,
    initializers: g.initializers,
    inputs: g.inputs,
    outputs: [...g.outputs, ...extra.map((name) => ({ name, dtype: 'float32' as const }))],
  });
  const session = await ort.InferenceSession.create(exposed.toBytes({ producer: 'bodylens-calibration' }), { graphOptimizationLevel: 'basic' });
  const inputName = g.inputs[0].name;
  try {
    for (const x of inputs) {
      const res = await session.run({ [inputName]: new ort.Tensor('float32', x, shape) }, names);
      visit(x, (n) => res[n].data as Float32Array);
    }
  } finally {
    await session.release();
  }
}

/** Per-channel means of NCHW values (batch 1) for `channels` channels, summed into `acc`. */
function addChannelMeans(acc: Float64Array, data: Float32Array, runs: number): void {
  const plane = data.length / acc.length;
  if (!Number.isInteger(plane) || plane < 1) throw new Error(`${data.length} values do not split into ${acc.length} channels`);
  for (let c = 0; c < acc.length; c++) {
    let sum = 0;
    for (let k = c * plane; k < (c + 1) * plane; k++) sum += data[k];
    acc[c] += sum / plane / runs;
  }
}

/**
 * Calibrates `g` on `inputs` (each a full input tensor of `shape`) and rewrites it into QDQ form.
 * The float graph runs once per input with the planned tensors as extra outputs. Then the float
 * convs that read quantised values (the first float conv of each head) get their bias corrected
 * by the mean per-channel shift the quantised body causes on the calibration inputs (bias
 * correction), so what the heads compute from is not shifted on average.
 */
export async function quantizeGraph(g: OnnxGraph, inputs: Float32Array[], shape: number[], headDepth = 1): Promise<QuantSummary> {
  if (!inputs.length) throw new Error('int8 quantisation needs calibration inputs');
  if (inputs.some((x) => x.some((v) => !Number.isFinite(v)))) throw new Error('a calibration input holds NaN or infinite values');
  foldConvBias(g);
  const plan = planQuantization(g, headDepth);
  const inputName = g.inputs[0].name;
  const planned = new Set(plan.tensors);
  const quantised = new Set(plan.convs);
  const heads = g.nodes.filter((n) => constantConv(g, n) && !quantised.has(n) && planned.has(n.inputs[0]));
  const headOut = heads.map((h) => h.outputs[0]);
  const observer = new RangeObserver();
  const floatMeans = heads.map((h) => new Float64Array(g.initializers.get(h.inputs[1])!.dims[0]));
  await runExposing(g, [...plan.tensors.filter((t) => t !== inputName), ...headOut], inputs, shape, (x, values) => {
    if (planned.has(inputName)) observer.observe(inputName, x);
    for (const t of plan.tensors) if (t !== inputName) observer.observe(t, values(t));
    heads.forEach((h, k) => addChannelMeans(floatMeans[k], values(h.outputs[0]), inputs.length));
  });
  applyQdq(g, plan, observer.ranges);
  const quantMeans = heads.map((h, k) => new Float64Array(floatMeans[k].length));
  if (heads.length) await runExposing(g, headOut, inputs, shape, (_, values) => heads.forEach((h, k) => addChannelMeans(quantMeans[k], values(h.outputs[0]), inputs.length)));
  heads.forEach((h, k) => {
    const cout = floatMeans[k].length;
    const old = h.inputs[2] ? (g.initializers.get(h.inputs[2])!.data as Float32Array) : new Float32Array(cout);
    h.inputs[2] = g.initF32(`${h.outputs[0]}_bias_corrected`, Float32Array.from(old, (v, c) => v + floatMeans[k][c] - quantMeans[k][c]), [cout]);
  });
  g.prune();
  const floatConvs = g.nodes.filter((n) => n.op === 'Conv' && g.initializers.has(n.inputs[1])).length;
  return { convs: plan.convs.length, floatConvs, calibrationInputs: inputs.length };
}
