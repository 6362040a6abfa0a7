/**
 * TF op → ONNX translation table. Each handler reads its TF inputs through the Ctx (which knows
 * static shapes, folded constants and storage order) and records its outputs.
 */
import { attrBool, attrFloat, attrInt, attrInts, attrStr, attrStrs, attrType, type TfNode } from './graph.js';
import { Ctx, NCHW, mapAxis, normPerm, invertPerm, type Perm } from './context.js';
import { onnxDtypeCode, transposeData, type Attr, type DType } from './onnx-writer.js';

export type Handler = (n: TfNode, ctx: Ctx) => void;

const out = (n: TfNode, k = 0): string => `${n.name}:${k}`;

export function tfDtype(t: string): DType {
  switch (t) {
    case 'DT_FLOAT': return 'float32';
    case 'DT_INT32': return 'int32';
    case 'DT_INT64': return 'int64';
    case 'DT_BOOL': return 'bool';
    case 'DT_UINT8': return 'uint8';
    default: throw new Error(`unsupported TF dtype ${t}`);
  }
}

function requireNHWC(n: TfNode): void {
  const fmt = attrStr(n, 'data_format', 'NHWC');
  if (fmt !== 'NHWC') throw new Error(`${n.op} ${n.name}: data_format ${fmt} not supported`);
}

// --- activations (shared by plain ops and fused conv/matmul) -----------------------------------

function activation(ctx: Ctx, kind: string, x: string, base: string, n?: TfNode, alpha?: string): string {
  const g = ctx.g;
  switch (kind) {
    case 'Relu': return g.add1('Relu', [x], {}, base);
    case 'Relu6': return g.add1('Clip', [x, g.scalarF32(0), g.scalarF32(6)], {}, base);
    case 'Sigmoid': return g.add1('Sigmoid', [x], {}, base);
    case 'Tanh': return g.add1('Tanh', [x], {}, base);
    case 'Elu': return g.add1('Elu', [x], {}, base);
    case 'LeakyRelu': {
      // Fused ops carry `leakyrelu_alpha`, the plain op `alpha`; TF's default is 0.2.
      const a = n ? attrFloat(n, 'leakyrelu_alpha', attrFloat(n, 'alpha', 0.2)) : 0.2;
      return g.add1('LeakyRelu', [x], { alpha: { f: a } }, base);
    }
    case 'Prelu':
      if (!alpha) throw new Error('Prelu without alpha');
      return g.add1('PRelu', [x, alpha], {}, base);
    default: throw new Error(`unsupported fused activation ${kind}`);
  }
}

// --- convolutions and pools ---------------------------------------------------------------------

/** TF padding → ONNX [top, left, bottom, right] for a spatial op with static sizes. */
function spatialPads(n: TfNode, inHW: number[], outHW: number[], k: number[], s: number[], d: number[]): number[] {
  const padding = attrStr(n, 'padding');
  if (padding === 'VALID') return [0, 0, 0, 0];
  if (padding === 'EXPLICIT') {
    const e = attrInts(n, 'explicit_paddings'); // NHWC order, (before, after) per dim
    return [e[2], e[4], e[3], e[5]];
  }
  if (padding !== 'SAME') throw new Error(`${n.name}: padding ${padding}`);
  const before: number[] = [];
  const after: number[] = [];
  for (let a = 0; a < 2; a++) {
    const total = Math.max((outHW[a] - 1) * s[a] + (k[a] - 1) * d[a] + 1 - inHW[a], 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [before[0], before[1], after[0], after[1]];
}

/** TF NHWC strides/dilations attributes reduced to their two spatial entries. */
function spatialStridesDilations(n: TfNode): { s: number[]; d: number[] } {
  const strides = attrInts(n, 'strides', [1, 1, 1, 1]);
  const dil = attrInts(n, 'dilations', [1, 1, 1, 1]);
  return { s: [strides[1], strides[2]], d: [dil[1], dil[2]] };
}

function conv(n: TfNode, ctx: Ctx, depthwise: boolean, fused: string[]): void {
  requireNHWC(n);
  const g = ctx.g;
  const [xRef, wRef] = n.inputs;
  const w = ctx.constOf(wRef, 'filter');
  const [kh, kw, cin, cm] = w.shape; // HWIO, or HW C multiplier for depthwise
  const inShape = ctx.shape(xRef);
  const outShape = ctx.shape(out(n));
  const { s, d } = spatialStridesDilations(n);
  const pads = spatialPads(n, inShape.slice(1, 3), outShape.slice(1, 3), [kh, kw], s, d);
  let wName: string;
  if (depthwise) {
    // [H,W,C,M] → [C*M,1,H,W]; ONNX group conv output channel c*M+m matches TF's order.
    const t = transposeData(w.data, w.shape, [2, 3, 0, 1]);
    wName = g.init(wRef, 'float32', [cin * cm, 1, kh, kw], t);
  } else {
    wName = g.init(wRef, 'float32', [cm, cin, kh, kw], transposeData(w.data, w.shape, [3, 2, 0, 1]));
  }
  const inputs = [ctx.get(xRef, NCHW), wName];
  let rest = fused;
  if (rest[0] === 'BiasAdd') {
    inputs.push(ctx.get(n.inputs[2]));
    rest = rest.slice(1);
  } else if (rest.length) {
    throw new Error(`${n.name}: fused ops ${fused.join('+')} not supported`);
  }
  const attrs: Record<string, Attr> = {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: s },
    dilations: { ints: d },
    pads: { ints: pads },
    group: { i: depthwise ? cin : 1 },
  };
  const inCh = inShape[3];
  if (!depthwise && inCh !== cin) attrs.group = { i: inCh / cin }; // grouped conv
  let y = g.add1('Conv', inputs, attrs, n.name);
  if (rest.length) {
    const alpha = rest[0] === 'Prelu' ? ctx.operand(n.inputs[3], NCHW, 4) : undefined;
    y = activation(ctx, rest[0], y, `${n.name}_act`, n, alpha);
    if (rest.length > 1) throw new Error(`${n.name}: fused ops ${fused.join('+')} not supported`);
  }
  ctx.set(out(n), y, NCHW);
}

function convTranspose(n: TfNode, ctx: Ctx): void {
  requireNHWC(n);
  const g = ctx.g;
  const [, wRef, xRef] = n.inputs;
  const w = ctx.constOf(wRef, 'filter');
  const [kh, kw, cout, cin] = w.shape; // TF: [H, W, out, in]
  const inShape = ctx.shape(xRef);
  const outShape = ctx.shape(out(n));
  const { s, d } = spatialStridesDilations(n);
  // Padding of the forward conv (output → input), reused as ConvTranspose pads.
  const fwd = spatialPads(n, outShape.slice(1, 3), inShape.slice(1, 3), [kh, kw], s, d);
  const pads = [fwd[0], fwd[1], 0, 0];
  const outPad = [0, 0];
  for (let a = 0; a < 2; a++) {
    const full = s[a] * (inShape[1 + a] - 1) + (a ? kw - 1 : kh - 1) * d[a] + 1;
    const end = full - outShape[1 + a] - pads[a];
    if (end >= 0) pads[2 + a] = end;
    else outPad[a] = -end;
  }
  const wName = g.init(wRef, 'float32', [cin, cout, kh, kw], transposeData(w.data, w.shape, [3, 2, 0, 1]));
  const y = g.add1('ConvTranspose', [ctx.get(xRef, NCHW), wName], {
    kernel_shape: { ints: [kh, kw] },
    strides: { ints: s },
    dilations: { ints: d },
    pads: { ints: pads },
    output_padding: { ints: outPad },
  }, n.name);
  ctx.set(out(n), y, NCHW);
}

function pool(n: TfNode, ctx: Ctx, op: 'MaxPool' | 'AveragePool'): void {
  requireNHWC(n);
  const xRef = n.inputs[0];
  const ksize = attrInts(n, 'ksize');
  const strides = attrInts(n, 'strides');
  const k = [ksize[1], ksize[2]];
  const s = [strides[1], strides[2]];
  const pads = spatialPads(n, ctx.shape(xRef).slice(1, 3), ctx.shape(out(n)).slice(1, 3), k, s, [1, 1]);
  // TF's SAME average excludes padding from the count, which is ONNX's default too.
  const y = ctx.g.add1(op, [ctx.get(xRef, NCHW)], { kernel_shape: { ints: k }, strides: { ints: s }, pads: { ints: pads } }, n.name);
  ctx.set(out(n), y, NCHW);
}

// --- elementwise ----------------------------------------------------------------------------------

/** Storage order for an elementwise result: follow the first full-rank computed input. */
function followPerm(ctx: Ctx, refs: string[], outRank: number): Perm {
  for (const r of refs) if (!ctx.isStatic(r) && ctx.rank(r) === outRank) return ctx.layout(r);
  return null;
}

function unary(onnxOp: string, attrs: (n: TfNode) => Record<string, Attr> = () => ({})): Handler {
  return (n, ctx) => {
    const x = n.inputs[0];
    const p = ctx.layout(x);
    ctx.set(out(n), ctx.g.add1(onnxOp, [ctx.get(x, p)], attrs(n), n.name), p);
  };
}

function elementwise(n: TfNode, ctx: Ctx, build: (operands: string[]) => string): void {
  const outRank = ctx.rank(out(n));
  const p = followPerm(ctx, n.inputs, outRank);
  const operands = n.inputs.map((r) => ctx.operand(r, p, outRank));
  ctx.set(out(n), build(operands), p);
}

function binary(onnxOp: string): Handler {
  return (n, ctx) => elementwise(n, ctx, (ops) => ctx.g.add1(onnxOp, ops, {}, n.name));
}

const cast: Handler = (n, ctx) => {
  const to = tfDtype(attrType(n, 'DstT'));
  const x = n.inputs[0];
  if (ctx.dtype(x) === to) {
    ctx.alias(out(n), x);
    return;
  }
  const p = ctx.layout(x);
  ctx.set(out(n), ctx.g.add1('Cast', [ctx.get(x, p)], { to: { i: onnxDtypeCode(to) } }, n.name), p);
};

// --- reductions, concat, pad, resize ---------------------------------------------------------------

function reduce(onnxOp: string): Handler {
  return (n, ctx) => {
    const x = n.inputs[0];
    const rank = ctx.rank(x);
    const axes = ctx.ints(n.inputs[1]).map((a) => (a < 0 ? a + rank : a));
    const keep = attrBool(n, 'keep_dims');
    const p = ctx.layout(x);
    const onnxAxes = axes.map((a) => mapAxis(p, a));
    // ReduceSum takes axes as an input since opset 13; the others still use the attribute at 17.
    const y = onnxOp === 'ReduceSum'
      ? ctx.g.add1(onnxOp, [ctx.get(x, p), ctx.g.initI64(`${n.name}_axes`, onnxAxes)], { keepdims: { i: keep ? 1 : 0 } }, n.name)
      : ctx.g.add1(onnxOp, [ctx.get(x, p)], { axes: { ints: onnxAxes }, keepdims: { i: keep ? 1 : 0 } }, n.name);
    let outPerm: Perm = p;
    if (!keep && p) {
      const remaining = p.filter((a) => !axes.includes(a));
      outPerm = remaining.map((a) => a - axes.filter((r) => r < a).length);
    }
    ctx.set(out(n), y, outPerm);
  };
}

const concat: Handler = (n, ctx) => {
  const values = n.inputs.slice(0, -1);
  const rank = ctx.rank(out(n));
  let axis = ctx.ints(n.inputs[n.inputs.length - 1])[0];
  if (axis < 0) axis += rank;
  const p = followPerm(ctx, values, rank);
  const y = ctx.g.add1('Concat', values.map((v) => ctx.get(v, p)), { axis: { i: mapAxis(p, axis) } }, n.name);
  ctx.set(out(n), y, p);
};

function pad(mode: 'constant' | 'reflect' | 'mirror'): Handler {
  return (n, ctx) => {
    const x = n.inputs[0];
    const rank = ctx.rank(x);
    const pv = ctx.ints(n.inputs[1]); // [rank, 2]
    const p = ctx.layout(x);
    const order = p ?? Array.from({ length: rank }, (_, k) => k);
    const pads = [...order.map((a) => pv[2 * a]), ...order.map((a) => pv[2 * a + 1])];
    let onnxMode = 'constant';
    if (mode === 'mirror') {
      const m = attrStr(n, 'mode');
      if (m !== 'REFLECT') throw new Error(`${n.name}: MirrorPad ${m} has no ONNX equivalent`);
      onnxMode = 'reflect';
    }
    const inputs = [ctx.get(x, p), ctx.g.initI64(`${n.name}_pads`, pads)];
    if (n.inputs[2]) inputs.push(ctx.get(n.inputs[2])); // PadV2 constant value (scalar)
    ctx.set(out(n), ctx.g.add1('Pad', inputs, { mode: { s: onnxMode } }, n.name), p);
  };
}

function resize(linear: boolean): Handler {
  return (n, ctx) => {
    const x = n.inputs[0];
    const alignCorners = attrBool(n, 'align_corners');
    const halfPixel = attrBool(n, 'half_pixel_centers');
    const p = ctx.layout(x);
    const outShape = ctx.shape(out(n));
    const sizes = (p ?? outShape.map((_, k) => k)).map((a) => outShape[a]);
    const attrs: Record<string, Attr> = { mode: { s: linear ? 'linear' : 'nearest' } };
    if (linear) {
      attrs.coordinate_transformation_mode = { s: alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric' };
    } else if (alignCorners) {
      attrs.coordinate_transformation_mode = { s: 'align_corners' };
      attrs.nearest_mode = { s: 'round_prefer_ceil' };
    } else {
      // TF nearest: floor((out + 0.5) * scale) with half-pixel centers, floor(out * scale) without.
      attrs.coordinate_transformation_mode = { s: halfPixel ? 'tf_half_pixel_for_nn' : 'asymmetric' };
      attrs.nearest_mode = { s: 'floor' };
    }
    const y = ctx.g.add1('Resize', [ctx.get(x, p), '', '', ctx.g.initI64(`${n.name}_sizes`, sizes)], attrs, n.name);
    ctx.set(out(n), y, p);
  };
}

function depthSpace(onnxOp: 'DepthToSpace' | 'SpaceToDepth'): Handler {
  return (n, ctx) => {
    requireNHWC(n);
    const attrs: Record<string, Attr> = { blocksize: { i: attrInt(n, 'block_size') } };
    // TF's NHWC channel order (block row, block col, channel) is ONNX's DCR mode.
    if (onnxOp === 'DepthToSpace') attrs.mode = { s: 'DCR' };
    ctx.set(out(n), ctx.g.add1(onnxOp, [ctx.get(n.inputs[0], NCHW)], attrs, n.name), NCHW);
  };
}

// --- shape-only ops: all become a Reshape to the (static) TF output shape ---------------------------

/** Where each Reshape output came from, so chains of Reshapes collapse into one (or none). */
const reshapeSource = new WeakMap<Ctx, Map<string, { src: string; shape: number[] }>>();

/** Reshape of TF tensor `ref` (in TF order) to `target`, skipping earlier Reshapes of it. */
function reshape(ctx: Ctx, ref: string, target: number[], base: string): string {
  let sources = reshapeSource.get(ctx);
  if (!sources) reshapeSource.set(ctx, (sources = new Map()));
  let src = ctx.get(ref);
  let shape = ctx.shape(ref);
  const prev = sources.get(src);
  if (prev) ({ src, shape } = prev);
  if (shape.length === target.length && shape.every((d, k) => d === target[k])) return src;
  const y = ctx.g.add1('Reshape', [src, ctx.g.initI64(`${base}_shape`, target)], {}, base);
  sources.set(y, { src, shape });
  return y;
}

const reshapeTo: Handler = (n, ctx) => {
  const x = n.inputs[0];
  ctx.set(out(n), reshape(ctx, x, ctx.shape(out(n)), n.name), null, ctx.dtype(x));
};

const transpose: Handler = (n, ctx) => {
  const x = n.inputs[0];
  const tperm = ctx.ints(n.inputs[1]);
  // No data movement: the output is the input read in another order.
  const p = ctx.layout(x) ?? tperm.map((_, k) => k);
  const inv = invertPerm(tperm);
  const q = normPerm(p.map((a) => inv[a]));
  ctx.set(out(n), ctx.get(x, ctx.layout(x)), q, ctx.dtype(x));
};

function split(n: TfNode, ctx: Ctx, x: string, axisRef: string, sizes: number[] | null): void {
  const rank = ctx.rank(x);
  let axis = ctx.ints(axisRef)[0];
  if (axis < 0) axis += rank;
  const count = attrInt(n, 'num_split');
  const dim = ctx.shape(x)[axis];
  if (!sizes) sizes = new Array<number>(count).fill(dim / count);
  const neg = sizes.indexOf(-1);
  if (neg >= 0) sizes[neg] = dim - sizes.reduce((a, b) => a + (b < 0 ? 0 : b), 0);
  const p = ctx.layout(x);
  const ys = ctx.g.add('Split', [ctx.get(x, p), ctx.g.initI64(`${n.name}_split`, sizes)], { axis: { i: mapAxis(p, axis) } }, n.name, count);
  ys.forEach((y, k) => ctx.set(out(n, k), y, p));
}

const unpack: Handler = (n, ctx) => {
  const x = n.inputs[0];
  const rank = ctx.rank(x);
  let axis = attrInt(n, 'axis', 0);
  if (axis < 0) axis += rank;
  const count = attrInt(n, 'num');
  if (count === 1) {
    ctx.set(out(n), reshape(ctx, x, ctx.shape(out(n)), n.name), null, ctx.dtype(x));
    return;
  }
  const parts = ctx.g.add('Split', [ctx.get(x), ctx.g.initI64(`${n.name}_split`, new Array<number>(count).fill(1))], { axis: { i: axis } }, n.name, count);
  parts.forEach((part, k) => {
    const y = ctx.g.add1('Reshape', [part, ctx.g.initI64(`${n.name}_shape`, ctx.shape(out(n, k)))], {}, `${n.name}:${k}`);
    ctx.set(out(n, k), y, null, ctx.dtype(x));
  });
};

const pack: Handler = (n, ctx) => {
  const outShape = ctx.shape(out(n));
  let axis = attrInt(n, 'axis', 0);
  if (axis < 0) axis += outShape.length;
  const one = outShape.slice();
  one[axis] = 1;
  const parts = n.inputs.map((r) => reshape(ctx, r, one, `${r}_u`));
  ctx.set(out(n), parts.length === 1 ? parts[0] : ctx.g.add1('Concat', parts, { axis: { i: axis } }, n.name));
};

const stridedSlice: Handler = (n, ctx) => {
  const [x, bRef, eRef, sRef] = n.inputs;
  if (attrInt(n, 'ellipsis_mask', 0) || attrInt(n, 'new_axis_mask', 0)) {
    throw new Error(`${n.name}: StridedSlice with ellipsis/new-axis masks is not supported`);
  }
  const shape = ctx.shape(x);
  const [b, e, s] = [ctx.ints(bRef), ctx.ints(eRef), ctx.ints(sRef)];
  const bm = attrInt(n, 'begin_mask', 0);
  const em = attrInt(n, 'end_mask', 0);
  const sm = attrInt(n, 'shrink_axis_mask', 0);
  const starts: number[] = [];
  const ends: number[] = [];
  const axes: number[] = [];
  const steps: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const dim = shape[i];
    const norm = (v: number) => (v < 0 ? v + dim : v);
    let start = bm & (1 << i) ? (s[i] > 0 ? 0 : dim - 1) : norm(b[i]);
    let end = em & (1 << i) ? (s[i] > 0 ? dim : -dim - 1) : norm(e[i]);
    if (sm & (1 << i)) {
      start = norm(b[i]);
      end = start + 1;
    }
    starts.push(start);
    ends.push(end);
    axes.push(i);
    steps.push(s[i]);
  }
  const g = ctx.g;
  const sl = g.add1('Slice', [ctx.get(x), g.initI64(`${n.name}_starts`, starts), g.initI64(`${n.name}_ends`, ends), g.initI64(`${n.name}_axes`, axes), g.initI64(`${n.name}_steps`, steps)], {}, `${n.name}_slice`);
  ctx.set(out(n), g.add1('Reshape', [sl, g.initI64(`${n.name}_shape`, ctx.shape(out(n)))], {}, n.name));
};

// --- matmul -----------------------------------------------------------------------------------------

function matmul(n: TfNode, ctx: Ctx, fused: string[]): void {
  const g = ctx.g;
  const [aRef, bRef] = n.inputs;
  const ta = attrBool(n, 'transpose_a') || attrBool(n, 'adj_x');
  const tb = attrBool(n, 'transpose_b') || attrBool(n, 'adj_y');
  let rest = fused;
  const rank = ctx.rank(aRef);
  let y: string;
  if (rank === 2 && ctx.rank(bRef) === 2) {
    const inputs = [ctx.get(aRef), ctx.get(bRef)];
    if (rest[0] === 'BiasAdd') {
      inputs.push(ctx.get(n.inputs[2]));
      rest = rest.slice(1);
    }
    y = g.add1('Gemm', inputs, { transA: { i: ta ? 1 : 0 }, transB: { i: tb ? 1 : 0 } }, n.name);
  } else {
    const swapLast = (r: string) => {
      const k = ctx.rank(r);
      const p = Array.from({ length: k }, (_, i) => i);
      [p[k - 2], p[k - 1]] = [p[k - 1], p[k - 2]];
      return ctx.get(r, p);
    };
    y = g.add1('MatMul', [ta ? swapLast(aRef) : ctx.get(aRef), tb ? swapLast(bRef) : ctx.get(bRef)], {}, n.name);
    if (rest[0] === 'BiasAdd') {
      y = g.add1('Add', [y, ctx.get(n.inputs[2])], {}, `${n.name}_bias`);
      rest = rest.slice(1);
    }
  }
  if (rest.length) y = activation(ctx, rest[0], y, `${n.name}_act`, n, rest[0] === 'Prelu' ? ctx.get(n.inputs[3]) : undefined);
  ctx.set(out(n), y);
}

// --- the table --------------------------------------------------------------------------------------

const alias: Handler = (n, ctx) => ctx.alias(out(n), n.inputs[0]);

export const HANDLERS: Record<string, Handler> = {
  Identity: alias,
  StopGradient: alias,
  Snapshot: alias,
  Cast: cast,

  Conv2D: (n, ctx) => conv(n, ctx, false, []),
  _FusedConv2D: (n, ctx) => conv(n, ctx, false, attrStrs(n, 'fused_ops')),
  DepthwiseConv2dNative: (n, ctx) => conv(n, ctx, true, []),
  FusedDepthwiseConv2dNative: (n, ctx) => conv(n, ctx, true, attrStrs(n, 'fused_ops')),
  Conv2DBackpropInput: convTranspose,
  MaxPool: (n, ctx) => pool(n, ctx, 'MaxPool'),
  AvgPool: (n, ctx) => pool(n, ctx, 'AveragePool'),

  Relu: unary('Relu'),
  Relu6: (n, ctx) => {
    const x = n.inputs[0];
    const p = ctx.layout(x);
    ctx.set(out(n), activation(ctx, 'Relu6', ctx.get(x, p), n.name), p);
  },
  LeakyRelu: unary('LeakyRelu', (n) => ({ alpha: { f: attrFloat(n, 'alpha', 0.2) } })),
  Elu: unary('Elu'),
  Sigmoid: unary('Sigmoid'),
  Tanh: unary('Tanh'),
  Exp: unary('Exp'),
  Log: unary('Log'),
  Sqrt: unary('Sqrt'),
  Abs: unary('Abs'),
  Neg: unary('Neg'),
  Floor: unary('Floor'),
  Ceil: unary('Ceil'),
  Reciprocal: unary('Reciprocal'),
  Softplus: unary('Softplus'),
  Rsqrt: (n, ctx) => {
    const x = n.inputs[0];
    const p = ctx.layout(x);
    const s = ctx.g.add1('Sqrt', [ctx.get(x, p)], {}, `${n.name}_sqrt`);
    ctx.set(out(n), ctx.g.add1('Reciprocal', [s], {}, n.name), p);
  },
  Square: (n, ctx) => {
    const x = n.inputs[0];
    const p = ctx.layout(x);
    const v = ctx.get(x, p);
    ctx.set(out(n), ctx.g.add1('Mul', [v, v], {}, n.name), p);
  },
  Prelu: (n, ctx) => elementwise(n, ctx, ([x, a]) => ctx.g.add1('PRelu', [x, a], {}, n.name)),

  Add: binary('Add'),
  AddV2: binary('Add'),
  BiasAdd: (n, ctx) => {
    requireNHWC(n);
    binary('Add')(n, ctx);
  },
  Sub: binary('Sub'),
  Mul: binary('Mul'),
  RealDiv: binary('Div'),
  Div: binary('Div'),
  Maximum: binary('Max'),
  Minimum: binary('Min'),
  Pow: binary('Pow'),
  SquaredDifference: (n, ctx) =>
    elementwise(n, ctx, ([a, b]) => {
      const d = ctx.g.add1('Sub', [a, b], {}, `${n.name}_sub`);
      return ctx.g.add1('Mul', [d, d], {}, n.name);
    }),
  AddN: (n, ctx) => elementwise(n, ctx, (ops) => (ops.length === 1 ? ops[0] : ctx.g.add1('Sum', ops, {}, n.name))),

  Mean: reduce('ReduceMean'),
  Sum: reduce('ReduceSum'),
  Max: reduce('ReduceMax'),
  Min: reduce('ReduceMin'),
  Prod: reduce('ReduceProd'),

  ConcatV2: concat,
  Pad: pad('constant'),
  PadV2: pad('constant'),
  MirrorPad: pad('mirror'),
  ResizeBilinear: resize(true),
  ResizeNearestNeighbor: resize(false),
  DepthToSpace: depthSpace('DepthToSpace'),
  SpaceToDepth: depthSpace('SpaceToDepth'),

  Reshape: reshapeTo,
  Squeeze: reshapeTo,
  ExpandDims: reshapeTo,
  Transpose: transpose,
  Split: (n, ctx) => split(n, ctx, n.inputs[1], n.inputs[0], null),
  SplitV: (n, ctx) => split(n, ctx, n.inputs[0], n.inputs[2], ctx.ints(n.inputs[1])),
  Unpack: unpack,
  Pack: pack,
  StridedSlice: stridedSlice,

  MatMul: (n, ctx) => matmul(n, ctx, []),
  BatchMatMul: (n, ctx) => matmul(n, ctx, []),
  BatchMatMulV2: (n, ctx) => matmul(n, ctx, []),
  _FusedMatMul: (n, ctx) => matmul(n, ctx, attrStrs(n, 'fused_ops')),
  Softmax: (n, ctx) => {
    const x = n.inputs[0];
    const p = ctx.layout(x);
    const axis = mapAxis(p, ctx.rank(x) - 1);
    ctx.set(out(n), ctx.g.add1('Softmax', [ctx.get(x, p)], { axis: { i: axis } }, n.name), p);
  },
};

/** Ops whose value only depends on static shapes, never on tensor data. */
export const SHAPE_OPS = new Set(['Shape', 'Size', 'Rank']);
