/**
 * The engine interface: run a capability on an image or a video frame. Two implementations share
 * it: a pool of worker threads (the server) and an in-process engine (CLI, eval, tests), so a
 * caller never knows which one it has (onnxruntime-common's habit: interface beside
 * implementations).
 */
import type { IntakeOptions } from '../intake/index.js';
import { ServiceError } from '../errors.js';
import type { RgbImage } from '../types.js';
import type { CapabilityName, FrameCapabilityName, FrameResultOf, FrameStateOf, OptionsOf, ResultOf } from '../capabilities/index.js';

/** What a capability runs on: encoded bytes (decoded once, on the engine side, by `intake`'s rules) or pixels. */
export type ImageInput = { bytes: Uint8Array; intake?: IntakeOptions } | { image: RgbImage };

/** A result with its picture (`Engine.draw`). */
export interface Drawn<R> {
  result: R;
  picture: Uint8Array | null;
  /** Why the picture could not be drawn (the result stands). */
  renderError?: string;
}

/** Per-call controls: a caller that has gone (`signal` aborted) is never run. */
export interface CallControl {
  signal?: AbortSignal;
}

export interface Engine {
  /** The capabilities this engine serves (BODYLENS_CAPABILITIES); others answer `not_served`. */
  readonly capabilities: readonly CapabilityName[];
  serves(name: string): boolean;
  /** A still image. Options not given take the capability's defaults. */
  run<N extends CapabilityName>(name: N, input: ImageInput, options?: Partial<OptionsOf<N>>, control?: CallControl): Promise<ResultOf<N>>;
  /**
   * `run`, plus the capability's picture of the result (its `render`, PNG; null when it has none),
   * drawn where the image was decoded: in a worker thread, never on the listener's thread (the
   * console's Try).
   */
  draw<N extends CapabilityName>(name: N, input: ImageInput, options?: Partial<OptionsOf<N>>, control?: CallControl): Promise<Drawn<ResultOf<N>>>;
  /**
   * A video frame at `timestamp` seconds with the state the previous frame returned (undefined
   * first): pixels, or encoded bytes decoded engine-side like `run`'s (a tracking case's frame).
   */
  frame<N extends FrameCapabilityName>(
    name: N,
    image: RgbImage | ImageInput,
    state: FrameStateOf<N> | undefined,
    timestamp: number,
    options?: Partial<OptionsOf<N>>,
  ): Promise<{ state: FrameStateOf<N>; result: FrameResultOf<N> }>;
  /** Resolves when every model is loaded and warmed up; rejects if that fails. */
  readonly ready: Promise<void>;
  isReady(): boolean;
  close(): Promise<void>;
}

/** Throws `not_served` unless `name` is one of `capabilities` (the pool refuses before queueing, the executor before running). */
export function assertServed(capabilities: readonly CapabilityName[], name: string): void {
  if (!(capabilities as readonly string[]).includes(name)) {
    throw new ServiceError('not_served', `capability ${name} is not served by this process (BODYLENS_CAPABILITIES=${capabilities.join(',')})`);
  }
}

/** One call, as it crosses to a worker thread. */
export type EngineCall =
  | { kind: 'run' | 'draw'; capability: CapabilityName; input: ImageInput; options?: object }
  | { kind: 'frame'; capability: CapabilityName; input: ImageInput; state: unknown; timestamp: number; options?: object };

/** A frame's image as an ImageInput (pixels are passed as they are). */
export function frameInput(image: RgbImage | ImageInput): ImageInput {
  return 'bytes' in image || 'image' in image ? image : { image };
}

export interface EngineSettings {
  /** Capabilities to serve; their models are the only ones loaded. */
  capabilities: readonly CapabilityName[];
  /** ONNX Runtime intra-op threads per engine instance (per worker). */
  threads: number;
  /**
   * Before reporting ready, capabilities run on this photo (or on mid-grey without one) until
   * every model has run once, so the first request is not slow; false skips it (a one-shot CLI call).
   */
  warmup: false | { image?: string };
}
