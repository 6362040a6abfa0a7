/**
 * Conversion state: which ONNX value holds each TF tensor, and in which axis order.
 *
 * Every TF tensor keeps its TF shape; its ONNX value may be stored transposed by a `perm`
 * (ONNX dim j = TF dim perm[j]). Convolutions store NHWC tensors as NCHW (perm [0,3,1,2]) and
 * elementwise ops, concat, pad and reductions just follow whatever order their input is in, so
 * Transposes only appear where an order-sensitive op (Reshape, MatMul…) needs TF order back.
 */
import { OnnxGraph, transposeData, type DType, type TypedData } from './onnx-writer.js';

export type Perm = readonly number[] | null;

export interface TensorInfo {
  shape: number[];
  dtype: DType;
}

export interface StaticValue {
  shape: number[];
  dtype: DType;
  data: TypedData;
}

export const NCHW: readonly number[] = [0, 3, 1, 2];

const isIdentity = (p: Perm): boolean => !p || p.every((v, k) => v === k);
const key = (p: Perm): string => (isIdentity(p) ? 'id' : p!.join(','));
export const normPerm = (p: Perm): Perm => (isIdentity(p) ? null : p);

export function invertPerm(p: readonly number[]): number[] {
  const inv = new Array<number>(p.length);
  p.forEach((v, k) => (inv[v] = k));
  return inv;
}

/** Transpose that turns a value stored in order `from` into order `to`. */
export function permBetween(from: Perm, to: Perm, rank: number): number[] {
  const ident = Array.from({ length: rank }, (_, k) => k);
  const inv = invertPerm(from ?? ident);
  return (to ?? ident).map((t) => inv[t]);
}

/** TF axis → ONNX axis for a value stored in order `p`. */
export const mapAxis = (p: Perm, axis: number): number => (p ? p.indexOf(axis) : axis);

export class Ctx {
  readonly g = new OnnxGraph();
  private values = new Map<string, Map<string, string>>();
  private primary = new Map<string, Perm>();
  private onnxTypes = new Map<string, DType>();

  constructor(
    readonly info: Map<string, TensorInfo>,
    readonly statics: Map<string, StaticValue>,
  ) {}

  shape(ref: string): number[] {
    const i = this.info.get(ref) ?? this.statics.get(ref);
    if (!i) throw new Error(`no shape for ${ref}`);
    return i.shape;
  }

  rank(ref: string): number {
    return this.shape(ref).length;
  }

  /** The element type the ONNX value has (may differ from TF's for a retyped model input). */
  dtype(ref: string): DType {
    return this.onnxTypes.get(ref) ?? this.info.get(ref)?.dtype ?? this.statics.get(ref)!.dtype;
  }

  isStatic(ref: string): boolean {
    return this.statics.has(ref);
  }

  constOf(ref: string, what = 'value'): StaticValue {
    const s = this.statics.get(ref);
    if (!s) throw new Error(`${what} ${ref} must be constant (after folding) but depends on the input`);
    return s;
  }

  ints(ref: string): number[] {
    return Array.from(this.constOf(ref).data as Int32Array, Number);
  }

  /** Current storage order of a computed tensor; constants have none (they are made on demand). */
  layout(ref: string): Perm {
    return this.isStatic(ref) ? null : (this.primary.get(ref) ?? null);
  }

  /** ONNX value name for `ref` stored in order `perm`, inserting a Transpose once if needed. */
  get(ref: string, perm: Perm = null): string {
    perm = normPerm(perm);
    let byPerm = this.values.get(ref);
    const cached = byPerm?.get(key(perm));
    if (cached) return cached;
    let name: string;
    const st = this.statics.get(ref);
    if (st) {
      const data = perm ? transposeData(st.data, st.shape, perm) : st.data;
      const dims = perm ? perm.map((p) => st.shape[p]) : st.shape;
      name = this.g.init(ref, st.dtype, dims, data);
    } else {
      if (!byPerm) throw new Error(`tensor ${ref} used before it was produced`);
      const from = this.primary.get(ref) ?? null;
      const src = byPerm.get(key(from))!;
      const t = permBetween(from, perm, this.rank(ref));
      const shape = this.shape(ref);
      const srcDims = (from ?? shape.map((_, k) => k)).map((a) => shape[a]);
      const moved = t.filter((a) => srcDims[a] !== 1);
      if (moved.every((a, k) => k === 0 || moved[k - 1] < a)) {
        // Only size-1 axes move: same bytes, so a (free) Reshape does it.
        const dims = (perm ?? shape.map((_, k) => k)).map((a) => shape[a]);
        name = this.g.add1('Reshape', [src, this.g.initI64(`${ref}_dims`, dims)], {}, `${ref}_R`);
      } else {
        name = this.g.add1('Transpose', [src], { perm: { ints: t } }, `${ref}_T`);
      }
    }
    if (!byPerm) this.values.set(ref, (byPerm = new Map()));
    byPerm.set(key(perm), name);
    return name;
  }

  /** Records that `ref` is held in ONNX value `name`, stored in order `perm`. */
  set(ref: string, name: string, perm: Perm = null, dtype?: DType): void {
    perm = normPerm(perm);
    this.values.set(ref, new Map([[key(perm), name]]));
    this.primary.set(ref, perm);
    if (dtype) this.onnxTypes.set(ref, dtype);
  }

  /** `to` is the same tensor as `from` (Identity and friends). */
  alias(to: string, from: string): void {
    if (this.isStatic(from)) {
      this.statics.set(to, this.statics.get(from)!);
      return;
    }
    const p = this.layout(from);
    this.set(to, this.get(from, p), p, this.dtype(from));
  }

  /**
   * Operand of a broadcasting elementwise op whose output (rank `outRank`) is stored in `perm`:
   * lower-rank operands are padded with leading 1s (TF/NumPy broadcasting) before transposing.
   */
  operand(ref: string, perm: Perm, outRank: number): string {
    const rank = this.rank(ref);
    if (!perm || rank === outRank) return this.get(ref, rank === outRank ? perm : null);
    const shape = this.shape(ref);
    if (shape.every((d) => d === 1)) return this.get(ref); // a broadcast scalar needs no reorder
    const padded = [...new Array<number>(outRank - rank).fill(1), ...shape];
    const st = this.statics.get(ref);
    if (st) {
      const data = transposeData(st.data, padded, perm);
      return this.g.init(`${ref}_b`, st.dtype, perm.map((p) => padded[p]), data);
    }
    const r = this.g.add1('Reshape', [this.get(ref), this.g.initI64(`${ref}_shape`, padded)], {}, `${ref}_r`);
    return this.g.add1('Transpose', [r], { perm: { ints: [...perm] } }, `${ref}_bT`);
  }
}
