/**
 * What a capability is: one thing the engine can compute on an image (and, where it makes sense,
 * on a video frame), written once against neutral types. Dialects, the CLI, the worker, model
 * loading, warm-up, eval and bench all read this definition; none keeps a table of its own.
 *
 * The shape follows MediaPipe Tasks: an options type with named DEFAULT_* constants, a result
 * type, and separate calls for a still image (`run`) and for a video frame (`frame`, which takes
 * explicit, serialisable state and a timestamp and returns the next state).
 */
import type { Model } from '../runtime/session.js';
import type { RgbImage } from '../types.js';

/** The loaded models a capability asked for, by registry name. */
export type Models<M extends string> = Readonly<Record<M, Model>>;

export interface FrameOutput<State, FrameResult> {
  state: State;
  result: FrameResult;
}

export interface CapabilitySpec<N extends string, M extends string, Options, Result, State, FrameResult> {
  /** Spelled as the Baidu API name where one exists (BODYLENS_CAPABILITIES uses these names). */
  name: N;
  /** One line for usage texts and docs. */
  summary: string;
  /** The summary in Chinese (the console's 中文 view). */
  summaryZh: string;
  /** Registry names of the ONNX models `run` and `frame` use (src/runtime/models.ts). */
  models: readonly M[];
  /** Every option's default (the DEFAULT_* constant of the capability). */
  defaults: Readonly<Options>;
  /** A still image: pixels in, neutral structured-cloneable result out (it crosses a thread). */
  run(models: Models<M>, image: RgbImage, options: Options): Promise<Result>;
  /**
   * A video frame at `timestamp` seconds, given the state the previous frame returned
   * (undefined for the first). State and result must be structured-cloneable plain data.
   */
  frame?(models: Models<M>, image: RgbImage, state: State | undefined, timestamp: number, options: Options): Promise<FrameOutput<State, FrameResult>>;
  /** The image with the result drawn on it, PNG (CLI `--render`, later the console). */
  render?(image: RgbImage, result: Result): Promise<Buffer>;
  /** Encoded images the result carries, by file stem (CLI `--out-dir`). */
  files?(result: Result): Record<string, Uint8Array>;
  /** How warm-up runs it: options (default `defaults`) and whether the warm-up photo may be refused. */
  warmup?: { options?: Partial<Options>; mayFail?: boolean };
  /** Its documentation page, relative to the package root. */
  docs: string;
  /** Names of the eval suites that measure it, or why it is not measured yet. */
  eval: readonly string[] | { unmeasured: string };
  /** Names of its bench cases. */
  bench: readonly string[];
  /** Why no dialect row calls it yet (a capability without one must say so). */
  exposure?: string;
}

export type Capability<N extends string = string, M extends string = string, Options = any, Result = any, State = any, FrameResult = any> =
  Readonly<CapabilitySpec<N, M, Options, Result, State, FrameResult>>;

export function defineCapability<const N extends string, const M extends string, Options extends object, Result, State = never, FrameResult = never>(
  spec: CapabilitySpec<N, M, Options, Result, State, FrameResult>,
): Capability<N, M, Options, Result, State, FrameResult> {
  if (!/^[a-z][a-z0-9_]*$/.test(spec.name)) throw new Error(`capability name "${spec.name}" must be snake_case`);
  if (spec.models.length === 0) throw new Error(`capability ${spec.name} names no models`);
  return Object.freeze({ ...spec, defaults: deepFreeze(structuredClone(spec.defaults)) });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && Object.getPrototypeOf(v) === Object.prototype;

function deepFreeze<T>(value: T): T {
  if (isPlainObject(value) || Array.isArray(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * A capability's options: its defaults with the caller's values laid over them, nested option
 * objects merged key by key (arrays and other values replaced); undefined values leave the default.
 */
export function mergeOptions<O>(defaults: O, given: unknown): O {
  if (!isPlainObject(given) || !isPlainObject(defaults)) return (given === undefined ? defaults : given) as O;
  const out: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined) continue;
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergeOptions(out[key], value) : value;
  }
  return out as O;
}
