/**
 * int8 (QDQ) quantisation: the pass on a small graph (fused by onnxruntime into QLinearConv, close
 * to the float result), and every int8 twin of the registry against its float model on a real
 * photo (the twins converted in memory).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { convertModel } from '../../../src/runtime/convert/index.js';
import { OnnxGraph } from '../../../src/runtime/convert/onnx-writer.js';
import { int8PerChannel, planQuantization, quantizeGraph, uint8Params } from '../../../src/runtime/convert/quantize.js';
import { decodeSinglePose, type MoveNetHeads } from '../../../src/vision/movenet.js';
import { modelPrecisionSetting } from '../../../src/config.js';
import { CALIBRATION_IMAGES, calibrationInputs, modelInputFromRgb } from '../../../src/runtime/calibration.js';
import { INT8_TWINS, MODELS, modelPath, modelSpec, packageRoot, runtimeModelName, type ModelSpec } from '../../../src/runtime/models.js';

const FIXTURE = join(packageRoot(), 'test', 'fixtures', 'coco-000000000785.jpg');

/** A seeded uniform generator, so the synthetic graph is the same every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/**
 * input [1,3,16,16] → Conv 3×3 + Relu → Conv 3×3 → Add (residual) → Relu → Conv 1×1 head → output;
 * `branch`: the head reads a Conv 3×3 + Relu branch on the sum (as MoveNet's heads do).
 */
function smallGraph(branch = false): OnnxGraph {
  const r = rng(7);
  const g = new OnnxGraph();
  const weights = (n: number) => Float32Array.from({ length: n }, () => (r() - 0.5) * 0.6);
  g.inputs.push({ name: 'input', dtype: 'float32', dims: [1, 3, 16, 16] });
  const conv = (x: string, cin: number, cout: number, k: number, base: string) =>
    g.add1('Conv', [x, g.initF32(`${base}_w`, weights(cout * cin * k * k), [cout, cin, k, k]), g.initF32(`${base}_b`, weights(cout), [cout])], { kernel_shape: { ints: [k, k] }, pads: { ints: k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0] } }, base);
  const a = g.add1('Relu', [conv('input', 3, 8, 3, 'c1')], {}, 'r1');
  const b = conv(a, 8, 8, 3, 'c2');
  const sum = g.add1('Add', [a, b], {}, 'sum');
  const s = branch ? g.add1('Relu', [conv(sum, 8, 8, 3, 'c3')], {}, 'r3') : g.add1('Relu', [sum], {}, 'r2');
  g.outputs.push({ name: conv(s, 8, 2, 1, 'head'), dtype: 'float32', dims: [1, 2, 16, 16] });
  return g;
}

const randomInputs = (n: number, size: number, seed: number) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: size }, () => r() * 2 - 1));
};

/** RMS of (got - ref) over the RMS spread of ref: 0 = identical, ~1 = unrelated. */
function relativeRms(ref: Float32Array, got: Float32Array): number {
  let mean = 0;
  for (const v of ref) mean += v / ref.length;
  let err = 0;
  let spread = 0;
  for (let i = 0; i < ref.length; i++) {
    err += (got[i] - ref[i]) ** 2;
    spread += (ref[i] - mean) ** 2;
  }
  return Math.sqrt(err / Math.max(spread, 1e-12));
}

/** The op types of the graph onnxruntime actually runs (after its optimiser). */
async function optimisedOps(bytes: Uint8Array): Promise<Set<string>> {
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-qdq-'));
  try {
    const file = join(dir, 'opt.onnx');
    const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, optimizedModelFilePath: file });
    await s.release();
    const m = onnxProto.onnx.ModelProto.decode(readFileSync(file));
    return new Set(m.graph!.node!.map((n) => n.opType!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('quantisation helpers', () => {
  test('uint8 parameters cover the range and zero exactly', () => {
    const { scale, zeroPoint } = uint8Params({ min: -1, max: 3 });
    assert.ok(Math.abs(scale - 4 / 255) < 1e-9);
    assert.equal(zeroPoint, 64);
    assert.deepEqual(uint8Params({ min: 0.5, max: 6 }), { scale: 6 / 255, zeroPoint: 0 }, 'a positive range still includes 0');
    assert.deepEqual(uint8Params({ min: 0, max: 0 }), { scale: 1, zeroPoint: 0 }, 'an all-zero tensor gets a usable scale');
  });
  test('int8 weights are symmetric per output channel', () => {
    const w = { dtype: 'float32' as const, dims: [2, 1, 1, 2], data: Float32Array.of(0.5, -1, 0.01, 0.02) };
    const { q, scales } = int8PerChannel(w);
    assert.deepEqual([...q], [64, -127, 64, 127]);
    assert.ok(Math.abs(scales[0] - 1 / 127) < 1e-9 && Math.abs(scales[1] - 0.02 / 127) < 1e-9);
  });
});

describe('QDQ pass on a small graph', () => {
  test('plans the body in int8 and keeps the head float', () => {
    const g = smallGraph();
    const plan = planQuantization(g);
    assert.deepEqual(plan.convs.map((c) => c.outputs[0]).sort(), ['c1', 'c2']);
    assert.ok(!plan.tensors.includes('head'), 'the head result is an output');
  });
  test('onnxruntime fuses it into QLinearConv and it stays close to the float graph', async () => {
    const float = smallGraph().toBytes({ producer: 'test' });
    const g = smallGraph();
    const summary = await quantizeGraph(g, randomInputs(16, 3 * 16 * 16, 1), [1, 3, 16, 16]);
    assert.deepEqual(summary, { convs: 2, floatConvs: 1, calibrationInputs: 16 });
    const bytes = g.toBytes({ producer: 'test' });
    const ops = await optimisedOps(bytes);
    assert.ok(ops.has('QLinearConv'), `ops after optimisation: ${[...ops].join(', ')}`);
    assert.ok(ops.has('QLinearAdd'), 'the residual add runs quantised');
    const a = await ort.InferenceSession.create(float);
    const b = await ort.InferenceSession.create(bytes);
    try {
      for (const x of randomInputs(4, 3 * 16 * 16, 99)) {
        const feeds = { input: new ort.Tensor('float32', x, [1, 3, 16, 16]) };
        const ref = (await a.run(feeds)).head.data as Float32Array;
        const got = (await b.run(feeds))[g.outputs[0].name].data as Float32Array;
        const e = relativeRms(ref, got);
        assert.ok(e < 0.05, `relative RMS error ${e}`);
        assert.ok(e > 0, 'the int8 graph really is quantised');
      }
    } finally {
      await a.release();
      await b.release();
    }
  });
});

describe('QDQ pass: head depth and bias correction', () => {
  test('head depth 2 keeps the conv feeding only the head float, and bias correction removes the mean shift it sees', async () => {
    assert.deepEqual(planQuantization(smallGraph(true), 1).convs.map((c) => c.outputs[0]).sort(), ['c1', 'c2', 'c3']);
    assert.deepEqual(planQuantization(smallGraph(true), 2).convs.map((c) => c.outputs[0]).sort(), ['c1', 'c2']);
    const cal = randomInputs(16, 3 * 16 * 16, 3);
    const g = smallGraph(true);
    const before = new Float32Array(g.initializers.get('c3_b')!.data as Float32Array);
    await quantizeGraph(g, cal, [1, 3, 16, 16], 2);
    const c3 = g.nodes.find((n) => n.op === 'Conv' && n.outputs[0] === 'c3')!;
    assert.ok(g.initializers.has(c3.inputs[1]), 'c3 keeps float weights');
    const after = g.initializers.get(c3.inputs[2])!.data as Float32Array;
    assert.notDeepEqual([...after], [...before], 'the bias moved');
    // The quantised graph's c3 means over the calibration inputs now match the float graph's.
    const means = async (graph: OnnxGraph): Promise<number[]> => {
      const exposed = Object.assign(new OnnxGraph(), { ...graph, outputs: [...graph.outputs, { name: 'c3', dtype: 'float32' as const }] });
      const s = await ort.InferenceSession.create(exposed.toBytes({ producer: 'test' }));
      const acc = new Array<number>(8).fill(0);
      for (const x of cal) {
        const d = (await s.run({ input: new ort.Tensor('float32', x, [1, 3, 16, 16]) })).c3.data as Float32Array;
        for (let c = 0; c < 8; c++) for (let k = 0; k < 256; k++) acc[c] += d[c * 256 + k] / 256 / cal.length;
      }
      await s.release();
      return acc;
    };
    const want = await means(smallGraph(true));
    const got = await means(g);
    for (let c = 0; c < 8; c++) assert.ok(Math.abs(got[c] - want[c]) < 1e-4, `channel ${c}: ${got[c]} vs ${want[c]}`);
  });

  test('a bias that would overflow int32 at the weight scale raises the scale of its channel instead', () => {
    const w = { dtype: 'float32' as const, dims: [1, 1, 1, 2], data: Float32Array.of(1e-9, -2e-9) };
    const min = Float32Array.of(0.5 / (0.02 * 2 ** 30));
    const { q, scales } = int8PerChannel(w, min);
    assert.ok(scales[0] >= min[0]);
    assert.ok(0.5 / (0.02 * scales[0]) <= 2 ** 31 - 1, 'the bias fits in int32');
    assert.deepEqual([...q], [0, 0], 'the weights, far below one step, round to zero');
  });
});

describe('int8 twins against their float models', { concurrency: false }, () => {
  const sessions: ort.InferenceSession[] = [];
  after(async () => {
    for (const s of sessions) await s.release();
  });
  test('the precision setting picks the twins', () => {
    assert.equal(runtimeModelName('movenet-thunder', 'int8'), 'movenet-thunder-int8');
    assert.equal(runtimeModelName('movenet-thunder', 'float'), 'movenet-thunder');
    assert.equal(runtimeModelName('centernet', 'int8'), 'centernet', 'no twin: the float model');
    for (const n of INT8_TWINS) assert.equal(modelSpec(`${n}-int8`).quantize, 'int8');
    assert.equal(MODELS.filter((m) => m.quantize).length, INT8_TWINS.length);
    assert.equal(modelPrecisionSetting({}), 'float');
    assert.equal(modelPrecisionSetting({ BODYLENS_MODEL_PRECISION: ' INT8 ' }), 'int8');
    assert.throws(() => modelPrecisionSetting({ BODYLENS_MODEL_PRECISION: 'fp16' }), /BODYLENS_MODEL_PRECISION must be "float" or "int8"/);
  });
  test('calibration inputs are finite and of the model input size', async () => {
    const spec = modelSpec('movenet-lightning');
    const xs = await calibrationInputs(spec);
    assert.equal(xs.length, CALIBRATION_IMAGES.length * 14);
    for (const x of xs) {
      assert.equal(x.length, 192 * 192 * 3);
      assert.ok(x.every((v) => v >= 0 && v <= 255), 'values in the 0..255 input range');
    }
  });

  // The float model from its built file when there is one; the twin always converted afresh, so
  // a change to the quantiser is what is tested, not a file built before it.
  const session = async (spec: ModelSpec): Promise<ort.InferenceSession> => {
    const path = modelPath(spec.name);
    const s = !spec.quantize && existsSync(path) ? await ort.InferenceSession.create(path) : await ort.InferenceSession.create((await convertModel(spec)).bytes);
    sessions.push(s);
    return s;
  };
  for (const name of INT8_TWINS) {
    test(name, async (t) => {
      const fp = modelSpec(name);
      const q = modelSpec(`${name}-int8`);
      const [h, w] = fp.layout === 'NCHW' ? fp.inputShape.slice(2, 4) : fp.inputShape.slice(1, 3);
      const x = modelInputFromRgb(await sharp(FIXTURE).removeAlpha().resize(w, h, { fit: 'fill' }).raw().toBuffer(), fp);
      const feeds = { [fp.inputName]: new ort.Tensor('float32', x, fp.inputShape) };
      const ref = await (await session(fp)).run(feeds);
      const got = await (await session(q)).run(feeds);
      const report: string[] = [];
      if (ref.kpt_regress) {
        // MoveNet: its heatmaps are near zero almost everywhere and its regressions are read at a
        // few cells, so what is compared is what the service uses, the decoded keypoints.
        const heads = (r: typeof ref): MoveNetHeads => ({
          gridH: r.kpt_heatmap.dims[1] as number,
          gridW: r.kpt_heatmap.dims[2] as number,
          heat: r.kpt_heatmap.data as Float32Array,
          center: r.center.data as Float32Array,
          regress: r.kpt_regress.data as Float32Array,
          offset: r.kpt_offset.data as Float32Array,
        });
        const decode = (r: typeof ref) => decodeSinglePose(heads(r));
        const want = decode(ref);
        const have = decode(got);
        const confident = want.map((k, i) => [k, have[i]] as const).filter(([k, h]) => k.score > 0.3 && h);
        const dist = confident.map(([k, h]) => Math.hypot(k.x - h.x, k.y - h.y));
        const close = dist.filter((d) => d <= 1).length;
        report.push(`${close}/${confident.length} confident keypoints within 1 grid cell, mean ${(dist.reduce((x, y) => x + y, 0) / Math.max(1, dist.length)).toFixed(2)} cells`);
        assert.ok(confident.length >= 10 && close >= 0.8 * confident.length, `${name}: ${report.at(-1)}`);
      } else {
        for (const out of Object.keys(fp.outputs)) {
          const e = relativeRms(ref[out].data as Float32Array, got[out].data as Float32Array);
          report.push(`${out} rms ${e.toFixed(3)}`);
          assert.ok(e < 0.25, `${name}/${out}: relative RMS error ${e}`);
        }
      }
      t.diagnostic(report.join(', '));
    });
  }
});
