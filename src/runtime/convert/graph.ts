/**
 * Loading a TFJS graph model (model.json + weight shards) into a plain node table, plus a
 * tfjs GraphModel of the same graph that the converter runs for shapes and constant folding and
 * the tests run as the parity reference.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModelSync } from '@tensorflow/tfjs-converter';

/** A raw TF attribute value as stored in model.json. */
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[]; type?: string[] };
  shape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
  tensor?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  /** Data inputs as "node:index" refs (control inputs dropped). */
  inputs: string[];
  attr: Record<string, TfAttr>;
}

/** TensorFlow's op type for a graph input (the node callers feed), not unfinished work. */
export const TF_INPUT_OP = 'Placeholder';

export interface TfGraph {
  /** Nodes in file order. */
  nodes: TfNode[];
  byName: Map<string, TfNode>;
  /** The single graph input node (all our models have exactly one input). */
  input: TfNode;
  /** Const values keyed by node name, already dequantised to float32/int32. */
  weights: tf.NamedTensorMap;
  /** model.json with the input node's shape patched, for building a GraphModel. */
  artifacts: tf.io.ModelArtifacts;
}

export type TfBackend = 'cpu' | 'wasm';

/**
 * Switches tfjs to `name`. cpu is plain JS (the reference); wasm (XNNPACK) gives the same results
 * to float rounding and is 10-40x faster, so the converter's shape/folding run prefers it.
 */
export async function useBackend(name: TfBackend): Promise<void> {
  // PROD skips tfjs' debug checks and its "install tfjs-node" console banner.
  tf.env().set('PROD', true);
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (tf.getBackend() === name) return;
  if (!(await tf.setBackend(name))) throw new Error(`tfjs ${name} backend failed to initialise`);
}

/** "name", "name:2" → "name:0", "name:2". */
export function normRef(ref: string): string {
  const m = /^(.*?):(\d+)$/.exec(ref);
  return m ? `${m[1]}:${m[2]}` : `${ref}:0`;
}

export function splitRef(ref: string): { node: string; index: number } {
  const m = /^(.*):(\d+)$/.exec(ref);
  if (!m) throw new Error(`bad tensor ref ${ref}`);
  return { node: m[1], index: Number(m[2]) };
}

function readJson(path: string): { modelTopology: { node: Array<{ name: string; op: string; input?: string[]; attr?: Record<string, TfAttr> }>; library?: { function?: unknown[] } }; weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>; format?: string } {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Reads model.json and its shards. `inputShape` overrides the input node's shape (batch fixed to
 * 1, dynamic H/W pinned) so every downstream shape is static.
 */
export function loadTfGraph(jsonPath: string, inputShape?: number[]): TfGraph {
  const json = readJson(jsonPath);
  if (json.modelTopology.library?.function?.length) {
    throw new Error(`${jsonPath}: graphs with function libraries (control flow) are not supported`);
  }
  const shards = json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(dirname(jsonPath), p)));
  const buf = Buffer.concat(shards);
  const weightData = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);

  const nodes: TfNode[] = [];
  for (const raw of json.modelTopology.node) {
    const attr = raw.attr ?? {};
    if (raw.op === TF_INPUT_OP && inputShape) {
      attr.shape = { shape: { dim: inputShape.map((d) => ({ size: String(d) })) } };
    }
    const inputs = (raw.input ?? []).filter((i) => !i.startsWith('^')).map(normRef);
    nodes.push({ name: raw.name, op: raw.op, inputs, attr });
  }
  const graphInputs = nodes.filter((n) => n.op === TF_INPUT_OP);
  if (graphInputs.length !== 1) {
    throw new Error(`${jsonPath}: expected one graph input, found ${graphInputs.map((n) => n.name).join(', ') || 'none'}`);
  }
  const weights = tf.io.decodeWeights(weightData, weightSpecs);
  const artifacts: tf.io.ModelArtifacts = {
    // The signature is dropped on purpose: tfjs then addresses inputs/outputs by node name.
    modelTopology: json.modelTopology,
    format: json.format,
    weightSpecs,
    weightData,
  };
  return { nodes, byName: new Map(nodes.map((n) => [n.name, n])), input: graphInputs[0], weights, artifacts };
}

export function tfjsModel(graph: TfGraph): ReturnType<typeof loadGraphModelSync> {
  return loadGraphModelSync(graph.artifacts);
}

// --- attribute readers -------------------------------------------------------------------------

const b64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

export function attrStr(n: TfNode, key: string, fallback?: string): string {
  const a = n.attr[key];
  if (a?.s !== undefined) return b64(a.s);
  if (fallback !== undefined) return fallback;
  throw new Error(`${n.op} ${n.name}: missing string attr ${key}`);
}

export function attrStrs(n: TfNode, key: string): string[] {
  return (n.attr[key]?.list?.s ?? []).map(b64);
}

export function attrInt(n: TfNode, key: string, fallback?: number): number {
  const a = n.attr[key];
  if (a?.i !== undefined) return Number(a.i);
  if (fallback !== undefined) return fallback;
  throw new Error(`${n.op} ${n.name}: missing int attr ${key}`);
}

export function attrInts(n: TfNode, key: string, fallback?: number[]): number[] {
  const l = n.attr[key]?.list?.i;
  if (l && l.length) return l.map(Number);
  if (fallback !== undefined) return fallback;
  throw new Error(`${n.op} ${n.name}: missing int list attr ${key}`);
}

export function attrFloat(n: TfNode, key: string, fallback?: number): number {
  const a = n.attr[key];
  if (a?.f !== undefined) return Number(a.f);
  if (fallback !== undefined) return fallback;
  throw new Error(`${n.op} ${n.name}: missing float attr ${key}`);
}

export function attrBool(n: TfNode, key: string, fallback = false): boolean {
  const a = n.attr[key];
  return a?.b !== undefined ? Boolean(a.b) : fallback;
}

export function attrType(n: TfNode, key: string, fallback?: string): string {
  const a = n.attr[key];
  if (a?.type !== undefined) return a.type;
  if (fallback !== undefined) return fallback;
  throw new Error(`${n.op} ${n.name}: missing type attr ${key}`);
}
