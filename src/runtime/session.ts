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

export type ModelOutputs = Awaited<ReturnType<Model['run']>>;

/**
 * One thread's model runs, started strictly one after another. Vision code issues independent
 * runs together (`mapInFlight`) and ONNX Runtime then runs them back to back on the thread, so a
 * run's own time is only known when it starts after the previous one (of any model on the lane)
 * has ended. Pass it raw sessions only: a model already wrapped by this lane, run on it again,
 * would wait for itself.
 */
export class RunLane {
  private tail: Promise<unknown> = Promise.resolve();

  /**
   * Runs `model` after every run queued on the lane before it: its outputs and its own seconds.
   * `start`, asked when its turn comes, may still decline (the run is skipped: undefined).
   */
  run(model: Model, input: Float32Array, shape: readonly number[]): Promise<{ outputs: ModelOutputs; seconds: number }>;
  run(model: Model, input: Float32Array, shape: readonly number[], start: () => boolean): Promise<{ outputs: ModelOutputs; seconds: number } | undefined>;
  run(model: Model, input: Float32Array, shape: readonly number[], start?: () => boolean): Promise<{ outputs: ModelOutputs; seconds: number } | undefined> {
    const run = this.tail.then(async () => {
      if (start && !start()) return undefined;
      const t0 = performance.now();
      const outputs = await model.run(input, shape);
      return { outputs, seconds: (performance.now() - t0) / 1000 };
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** `model` on this lane; `onRun(name, shape, seconds)` after each run that succeeded. */
  wrap(model: Model, onRun?: (name: string, shape: readonly number[], seconds: number) => void): Model {
    return {
      name: model.name,
      release: () => model.release(),
      run: async (input, shape) => {
        const { outputs, seconds } = await this.run(model, input, shape);
        onRun?.(model.name, shape, seconds);
        return outputs;
      },
    };
  }
}
