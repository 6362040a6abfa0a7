/**
 * Parity: every registry model must give the same outputs in onnxruntime as the original graph
 * in tfjs on a real photo. Uses the built models/<name>.onnx, or converts in memory when a model
 * has not been built. The reference backend is tfjs-cpu (~50 s for all models on 2 cores);
 * BODYLENS_PARITY_BACKEND=wasm runs the same check in ~5 s.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { modelInputFromRgb } from '../../../src/runtime/calibration.js';
import { convertModel, tfjsReference, type TfBackend } from '../../../src/runtime/convert/index.js';
import { permBetween } from '../../../src/runtime/convert/context.js';
import { transposeData } from '../../../src/runtime/convert/onnx-writer.js';
import { MODELS, modelPath, modelSpec, modelsDir, packageRoot, sourcePath, type ModelSpec } from '../../../src/runtime/models.js';

const FIXTURE = join(packageRoot(), '..', 'shared', 'fixtures', 'coco-000000000785.jpg');
const BACKEND = (process.env.BODYLENS_PARITY_BACKEND || 'cpu') as TfBackend;

/** The built model file, or a fresh in-memory conversion when it has not been built. */
async function onnxModel(spec: ModelSpec): Promise<{ source: string | Uint8Array; built: boolean }> {
  const path = modelPath(spec.name);
  if (existsSync(path)) return { source: path, built: true };
  const res = await convertModel(spec);
  return { source: res.bytes, built: false };
}

/** The fixture resized (stretched) to the model input, scaled to its range, in its layout. */
async function modelInput(spec: ModelSpec): Promise<Float32Array> {
  const [h, w] = spec.layout === 'NHWC' ? spec.inputShape.slice(1, 3) : spec.inputShape.slice(2, 4);
  return modelInputFromRgb(await sharp(FIXTURE).removeAlpha().resize(w, h, { fit: 'fill' }).raw().toBuffer(), spec);
}

/** What the original graph receives for `x`: the spec's in-graph normalisation applied by hand. */
function tfjsInput(spec: ModelSpec, x: Float32Array): Float32Array {
  const norm = spec.normalize;
  if (!norm) return x;
  const nchw = spec.layout === 'NCHW';
  const plane = nchw ? spec.inputShape[2] * spec.inputShape[3] : 1;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = nchw ? Math.floor(i / plane) % 3 : i % 3;
    const src = norm.bgr ? i + (2 - 2 * c) * plane : i;
    out[i] = (x[src] - norm.mean[c]) / norm.std[c];
  }
  return out;
}

/** Max |a-b|, and max |a-b| / max(1, |ref|) so large-valued outputs get a relative bound. */
function compare(ref: Float32Array, got: Float32Array): { abs: number; scaled: number } {
  let abs = 0;
  let scaled = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ref[i] - got[i]);
    if (!(d <= abs)) abs = d; // NaN propagates as a failure
    const s = d / Math.max(1, Math.abs(ref[i]));
    if (!(s <= scaled)) scaled = s;
  }
  return { abs, scaled };
}

describe('registry', () => {
  test('unknown model names list the valid ones', () => {
    assert.throws(() => modelPath('nope'), /valid models: .*movenet-thunder/);
  });
  test('paths follow BODYLENS_MODELS_DIR', () => {
    const saved = process.env.BODYLENS_MODELS_DIR;
    process.env.BODYLENS_MODELS_DIR = '/tmp/bodylens-models-test';
    try {
      assert.equal(modelPath('movenet-thunder'), '/tmp/bodylens-models-test/movenet-thunder.onnx');
    } finally {
      if (saved === undefined) delete process.env.BODYLENS_MODELS_DIR;
      else process.env.BODYLENS_MODELS_DIR = saved;
    }
  });
  test('every entry has a source and notes for each output', () => {
    for (const m of MODELS) {
      assert.ok(existsSync(sourcePath(m.name)), `${m.name}: ${sourcePath(m.name)}`);
      assert.deepEqual(Object.keys(m.notes).sort(), Object.keys(m.outputs).sort(), m.name);
    }
  });
});

describe('tfjs vs onnxruntime parity', { concurrency: false }, () => {
  const haveFixture = existsSync(FIXTURE);
  const sessions: ort.InferenceSession[] = [];
  after(async () => {
    for (const s of sessions) await s.release();
  });

  // The int8 twins are checked against their float models instead (quantize.test.ts).
  for (const spec of MODELS.filter((m) => !m.quantize)) {
    const skip = haveFixture ? false : `fixture ${FIXTURE} not found`;
    test(spec.name, { skip }, async (t) => {
      const input = await modelInput(spec);
      const model = await onnxModel(spec);
      const ref = await tfjsReference(sourcePath(spec.name), spec.inputShape, BACKEND);
      const names = Object.keys(spec.outputs);
      const expected = ref.run(tfjsInput(spec, input), names.map((n) => spec.outputs[n]));
      ref.dispose();

      const session = typeof model.source === 'string'
        ? await ort.InferenceSession.create(model.source)
        : await ort.InferenceSession.create(model.source);
      sessions.push(session);
      const res = await session.run({ [spec.inputName]: new ort.Tensor('float32', input, spec.inputShape) });
      const report: string[] = [];
      names.forEach((name, k) => {
        const got = res[name];
        assert.ok(got, `${spec.name}: output ${name} missing`);
        assert.deepEqual([...got.dims], expected[k].shape, `${spec.name}/${name} shape`);
        const { abs, scaled } = compare(expected[k].data, got.data as Float32Array);
        report.push(`${name} max|d|=${abs.toExponential(2)}`);
        assert.ok(scaled < 1e-3, `${spec.name}/${name}: max abs diff ${abs}, scaled ${scaled}`);
      });
      t.diagnostic(`${model.built ? 'built file' : 'converted in memory'}, tfjs-${BACKEND}: ${report.join(' ')}`);
    });
  }
});

describe('layout helpers', () => {
  test('transposeData matches index arithmetic', () => {
    const dims = [2, 3, 4, 5];
    const data = Float32Array.from({ length: 120 }, (_, i) => i);
    const perm = [0, 3, 1, 2];
    const out = transposeData(data, dims, perm);
    // out[n][w][h][c]... i.e. out dims [2,5,3,4]: element (a,b,c,d) = in (a, c, d, b)
    for (const [a, b, c, d] of [[0, 0, 0, 0], [1, 4, 2, 3], [1, 2, 0, 1]]) {
      assert.equal(out[((a * 5 + b) * 3 + c) * 4 + d], data[((a * 3 + c) * 4 + d) * 5 + b]);
    }
  });
  test('permBetween composes storage orders', () => {
    assert.deepEqual(permBetween(null, [0, 3, 1, 2], 4), [0, 3, 1, 2]);
    assert.deepEqual(permBetween([0, 3, 1, 2], null, 4), [0, 2, 3, 1]);
    assert.deepEqual(permBetween([0, 3, 1, 2], [0, 3, 1, 2], 4), [0, 1, 2, 3]);
  });
});

test('modelSpec rejects unknown names', () => {
  assert.throws(() => modelSpec('rvm'), /unknown model "rvm"/);
  assert.ok(modelsDir().length > 0);
});
