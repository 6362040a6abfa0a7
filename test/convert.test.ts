/**
 * Parity: every converted model must give the same outputs in onnxruntime as the original graph
 * in tfjs (CPU backend) on a real photo. Needs `npm run models` first; models not yet built are
 * skipped with a message.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ort from 'onnxruntime-node';
import sharp from 'sharp';
import { tfjsReference } from '../src/runtime/convert/index.js';
import { MODELS, modelPath, modelSpec, modelsDir, packageRoot, sourcePath, type ModelSpec } from '../src/runtime/models.js';

const FIXTURE = join(packageRoot(), '..', 'shared', 'fixtures', 'coco-000000000785.jpg');

/** The fixture resized (stretched) to the model input, scaled to its range, in its layout. */
async function modelInput(spec: ModelSpec): Promise<Float32Array> {
  const [h, w] = spec.layout === 'NHWC' ? spec.inputShape.slice(1, 3) : spec.inputShape.slice(2, 4);
  const rgb = await sharp(FIXTURE).removeAlpha().resize(w, h, { fit: 'fill' }).raw().toBuffer();
  const [lo, hi] = spec.inputRange;
  const out = new Float32Array(h * w * 3);
  for (let i = 0; i < h * w; i++) {
    for (let c = 0; c < 3; c++) {
      const v = lo + (rgb[i * 3 + c] / 255) * (hi - lo);
      if (spec.layout === 'NHWC') out[i * 3 + c] = v;
      else out[c * h * w + i] = v;
    }
  }
  return out;
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

  for (const spec of MODELS) {
    const path = modelPath(spec.name);
    const skip = !haveFixture ? `fixture ${FIXTURE} not found` : !existsSync(path) ? `${path} not built (npm run models)` : false;
    test(spec.name, { skip }, async (t) => {
      const input = await modelInput(spec);
      const ref = await tfjsReference(sourcePath(spec.name), spec.inputShape);
      const names = Object.keys(spec.outputs);
      const expected = ref.run(tfjsInput(spec, input), names.map((n) => spec.outputs[n]));
      ref.dispose();

      const session = await ort.InferenceSession.create(path);
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
      t.diagnostic(report.join(' '));
    });
  }
});

test('modelSpec rejects unknown names', () => {
  assert.throws(() => modelSpec('rvm'), /unknown model "rvm"/);
  assert.ok(modelsDir().length > 0);
});
