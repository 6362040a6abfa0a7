/**
 * A small in-memory ONNX graph (nodes, initializers, inputs, outputs), a few clean-up passes, and
 * serialisation to a ModelProto with onnx-proto.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type DType = 'float32' | 'int32' | 'int64' | 'bool' | 'uint8' | 'int8';
export type TypedData = Float32Array | Int32Array | BigInt64Array | Uint8Array | Int8Array;

export const OPSET = 17;

const ONNX_DTYPE: Record<DType, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 };
export const onnxDtypeCode = (d: DType): number => ONNX_DTYPE[d];

export type Attr = { i: number } | { f: number } | { s: string } | { ints: number[] } | { floats: number[] };

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
}

export interface Initializer {
  dtype: DType;
  dims: number[];
  data: TypedData;
}

export interface IoSpec {
  name: string;
  dtype: DType;
  /** Absent: no shape is declared (the calibration graph's extra outputs). */
  dims?: number[];
}

export class OnnxGraph {
  nodes: OnnxNode[] = [];
  initializers = new Map<string, Initializer>();
  inputs: IoSpec[] = [];
  outputs: IoSpec[] = [];
  private used = new Set<string>();

  /** Keeps `names` (the public output names) from being handed out to internal values. */
  reserve(names: string[]): void {
    for (const n of names) this.used.add(n);
  }

  /** A fresh value name derived from `base` (TF node names are fine ONNX names). */
  uniq(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}__${k}`;
    this.used.add(name);
    return name;
  }

  add(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outBase = op, nOut = 1): string[] {
    const outputs = Array.from({ length: nOut }, (_, k) => this.uniq(nOut === 1 ? outBase : `${outBase}:${k}`));
    this.nodes.push({ op, inputs, outputs, attrs });
    return outputs;
  }

  add1(op: string, inputs: string[], attrs: Record<string, Attr> = {}, outBase = op): string {
    return this.add(op, inputs, attrs, outBase, 1)[0];
  }

  init(base: string, dtype: DType, dims: number[], data: TypedData): string {
    const name = this.uniq(base);
    this.initializers.set(name, { dtype, dims, data });
    return name;
  }

  initI64(base: string, values: number[], dims: number[] = [values.length]): string {
    return this.init(base, 'int64', dims, BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  initF32(base: string, values: number[] | Float32Array, dims: number[] = [values.length]): string {
    return this.init(base, 'float32', dims, Float32Array.from(values));
  }

  private scalars = new Map<number, string>();
  /** A shared float32 scalar initializer (Clip bounds and the like). */
  scalarF32(value: number): string {
    let name = this.scalars.get(value);
    if (!name) this.scalars.set(value, (name = this.initF32(`const_${value}`, [value], [])));
    return name;
  }

  // --- passes ----------------------------------------------------------------------------------

  /** Drops nodes and initializers nothing reachable from the outputs uses. */
  prune(): void {
    const producer = new Map<string, OnnxNode>();
    for (const n of this.nodes) for (const o of n.outputs) producer.set(o, n);
    const live = new Set<OnnxNode>();
    const need = new Set<string>();
    const stack = this.outputs.map((o) => o.name);
    while (stack.length) {
      const v = stack.pop()!;
      if (need.has(v)) continue;
      need.add(v);
      const p = producer.get(v);
      if (p && !live.has(p)) {
        live.add(p);
        for (const i of p.inputs) if (i) stack.push(i);
      }
    }
    this.nodes = this.nodes.filter((n) => live.has(n));
    for (const k of [...this.initializers.keys()]) if (!need.has(k)) this.initializers.delete(k);
  }

  /**
   * Transpose∘Transpose → one Transpose (or none when they cancel), and Transposes of
   * initializers are folded into the data. Layout tracking already avoids most of these; this
   * catches what per-op decisions leave behind.
   */
  foldTransposes(): number {
    let removed = 0;
    const producer = new Map<string, OnnxNode>();
    for (const n of this.nodes) for (const o of n.outputs) producer.set(o, n);
    const rename = new Map<string, string>();
    const graphOut = new Set(this.outputs.map((o) => o.name));
    for (const n of this.nodes) {
      n.inputs = n.inputs.map((i) => rename.get(i) ?? i);
      if (n.op !== 'Transpose') continue;
      const perm = (n.attrs.perm as { ints: number[] }).ints;
      const src = n.inputs[0];
      const inner = producer.get(src);
      const init = this.initializers.get(src);
      if (init) {
        // Fold into a new initializer; the old one may still have other users (prune drops it if not).
        const t = transposeData(init.data, init.dims, perm);
        const name = this.uniq(`${src}_T`);
        this.initializers.set(name, { dtype: init.dtype, dims: perm.map((p) => init.dims[p]), data: t });
        n.op = 'Identity';
        n.inputs = [name];
        n.attrs = {};
        removed++;
      } else if (inner && inner.op === 'Transpose') {
        const innerPerm = (inner.attrs.perm as { ints: number[] }).ints;
        const composed = perm.map((p) => innerPerm[p]);
        n.inputs = [inner.inputs[0]];
        if (composed.every((p, k) => p === k)) {
          n.op = 'Identity';
          n.attrs = {};
        } else {
          n.attrs = { perm: { ints: composed } };
        }
        removed++;
      }
      if (n.op === 'Identity' && !graphOut.has(n.outputs[0])) rename.set(n.outputs[0], n.inputs[0]);
    }
    this.nodes = this.nodes.filter((n) => !(n.op === 'Identity' && rename.has(n.outputs[0])));
    this.prune();
    return removed;
  }

  /** Gives graph outputs (in `this.outputs` order) their public names by renaming producers. */
  nameOutputs(publicNames: string[]): void {
    const keep = new Set([...this.inputs.map((i) => i.name), ...this.initializers.keys()]);
    const map = new Map<string, string>();
    this.outputs.forEach((o, k) => {
      const value = o.name;
      const publicName = publicNames[k];
      // Inputs, initializers and values already claimed by another output get an Identity copy.
      if (keep.has(value) || map.has(value)) {
        this.nodes.push({ op: 'Identity', inputs: [value], outputs: [publicName], attrs: {} });
      } else {
        map.set(value, publicName);
      }
      o.name = publicName;
    });
    for (const n of this.nodes) {
      n.inputs = n.inputs.map((i) => map.get(i) ?? i);
      n.outputs = n.outputs.map((o) => map.get(o) ?? o);
    }
  }

  countOps(): Record<string, number> {
    const c: Record<string, number> = {};
    for (const n of this.nodes) c[n.op] = (c[n.op] ?? 0) + 1;
    return c;
  }

  toBytes(meta: { producer: string; docString?: string; props?: Record<string, string> }): Uint8Array {
    const vi = (io: IoSpec) => ({
      name: io.name,
      type: {
        tensorType: {
          elemType: ONNX_DTYPE[io.dtype],
          ...(io.dims ? { shape: { dim: io.dims.map((d) => (d >= 0 ? { dimValue: d } : { dimParam: 'dyn' })) } } : {}),
        },
      },
    });
    const attrProto = (name: string, a: Attr) => {
      const T = onnx.AttributeProto.AttributeType;
      if ('i' in a) return { name, type: T.INT, i: a.i };
      if ('f' in a) return { name, type: T.FLOAT, f: a.f };
      if ('s' in a) return { name, type: T.STRING, s: new TextEncoder().encode(a.s) };
      if ('ints' in a) return { name, type: T.INTS, ints: a.ints };
      return { name, type: T.FLOATS, floats: a.floats };
    };
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: meta.producer,
      docString: meta.docString,
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: Object.entries(meta.props ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: 'main',
        node: this.nodes.map((n, k) => ({
          name: `${n.op}_${k}`,
          opType: n.op,
          input: n.inputs,
          output: n.outputs,
          attribute: Object.entries(n.attrs).map(([key, a]) => attrProto(key, a)),
        })),
        initializer: [...this.initializers].map(([name, t]) => ({
          name,
          dataType: ONNX_DTYPE[t.dtype],
          dims: t.dims,
          rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
        })),
        input: this.inputs.map(vi),
        output: this.outputs.map(vi),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

// --- dense helpers (also used by the op table for constant data) -----------------------------

export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

/** Generic N-d transpose: output dim j = input dim perm[j]. */
export function transposeData<T extends TypedData>(data: T, dims: readonly number[], perm: readonly number[]): T {
  const rank = dims.length;
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const inStrides = new Array<number>(rank);
  for (let k = rank - 1, s = 1; k >= 0; k--) {
    inStrides[k] = s;
    s *= dims[k];
  }
  const outDims = perm.map((p) => dims[p]);
  const stridesByOut = perm.map((p) => inStrides[p]);
  const idx = new Array<number>(rank).fill(0);
  let src = 0;
  for (let o = 0; o < data.length; o++) {
    out[o] = data[src];
    // Odometer increment over output coordinates, tracking the matching input offset.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      src += stridesByOut[k];
      if (idx[k] < outDims[k]) break;
      src -= stridesByOut[k] * outDims[k];
      idx[k] = 0;
    }
  }
  return out;
}
