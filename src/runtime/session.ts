import { existsSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { modelPath, runtimeModelName } from './models.js';

/** A loaded ONNX model with named float outputs; one per worker, never shared across threads. */
export interface Model {
  readonly name: string;
  /** Runs the model on one NHWC (or NCHW, per model) float32 input; returns every output by name. */
  run(input: Float32Array, shape: readonly number[]): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>>;
  release(): Promise<void>;
}

export interface SessionOptions {
  /** Intra-op threads; 1 when several workers share the cores. */
  threads: number;
}

/** Loads a model by its registry name; under BODYLENS_MODEL_PRECISION=int8 from its int8 twin's file. */
export async function loadModel(name: string, opts: SessionOptions): Promise<Model> {
  const file = runtimeModelName(name);
  const path = modelPath(file);
  if (!existsSync(path)) {
    const how = file === name ? 'npm run models' : 'BODYLENS_MODEL_PRECISION=int8 npm run models';
    throw new Error(`model "${file}" is missing at ${path}; run "${how}" to convert it`);
  }
  const session = await ort.InferenceSession.create(path, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  // Our converter gives every model one float32 input.
  const inputName = session.inputNames[0];
  return {
    // The file's registry name, so metrics tell an int8 twin's runs from the float model's.
    name: file,
    async run(input, shape) {
      const tensor = new ort.Tensor('float32', input, shape);
      const result = await session.run({ [inputName]: tensor });
      const outputs: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
      for (const [key, value] of Object.entries(result)) {
        outputs[key] = { data: value.data as Float32Array, dims: value.dims };
      }
      return outputs;
    },
    release: () => session.release(),
  };
}
