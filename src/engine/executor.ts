/**
 * Runs capability calls against one model hub: what a worker thread does, and what the
 * in-process engine does. Images are decoded here, once per call, by the caller's intake rules.
 */
import { readFileSync } from 'node:fs';
import { capability, modelsFor, type CapabilityName } from '../capabilities/index.js';
import type { Capability } from '../capabilities/capability.js';
import { ServiceError } from '../errors.js';
import { decodeImage } from '../intake/index.js';
import type { RgbImage } from '../types.js';
import { assertServed, type EngineCall, type EngineSettings } from './engine.js';
import { ModelHub } from './hub.js';
import type { Assist, AssistShared } from './assist.js';
import { mergeOptions } from '../capabilities/capability.js';

export interface Executor {
  execute(call: EngineCall): Promise<unknown>;
  /** Model runs timed since the previous call ([model, seconds]); a worker sends them with each reply. */
  takeRuns(): Array<[string, number]>;
  /** Model names loaded, for diagnostics. */
  readonly models: readonly string[];
  /** In a pool worker that lends runs to its peers: where their channels are added. */
  readonly assist?: Assist;
  close(): Promise<void>;
}

function served(settings: EngineSettings, name: string): Capability {
  assertServed(settings.capabilities, name);
  return capability(name);
}

const grey = (): RgbImage => ({ width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) });

/** Loads the models of every served capability, then (warm-up) runs capabilities until each model has run once. */
export async function createExecutor(settings: EngineSettings, options: { timeRuns?: boolean; lendAs?: { shared: AssistShared; self: number } } = {}): Promise<Executor> {
  const hub = new ModelHub(settings.threads, options.timeRuns);
  const assist = options.lendAs ? hub.lendAs(options.lendAs.shared, options.lendAs.self) : undefined;
  await hub.load(modelsFor(settings.capabilities));

  async function execute(call: EngineCall): Promise<unknown> {
    const cap = served(settings, call.capability);
    const models = await hub.pick(cap.models);
    const options = mergeOptions(cap.defaults, call.options);
    if (call.kind === 'frame' && !cap.frame) throw new ServiceError('unsupported_method', `capability ${cap.name} has no video-frame call`);
    const image = 'image' in call.input ? call.input.image : await decodeImage(call.input.bytes, call.input.intake);
    if (call.kind === 'frame') return cap.frame!(models, image, call.state, call.timestamp, options);
    const result = await cap.run(models, image, options);
    if (call.kind === 'run') return result;
    try {
      return { result, picture: cap.render ? await cap.render(image, result as never) : null };
    } catch (err) {
      return { result, picture: null, renderError: err instanceof Error ? err.message : String(err) };
    }
  }

  // Every model runs once before the engine reports ready: on a real photo if we have one
  // (realistic kernels and allocations), else on mid-grey.
  if (settings.warmup) await warmUp(settings.capabilities, settings.warmup.image, execute);
  hub.takeRuns(); // warm-up runs are not service time
  return { execute, takeRuns: () => hub.takeRuns(), models: hub.loaded, assist, close: () => hub.close() };
}

/**
 * Runs capabilities on the warm-up photo (or mid-grey) until every model has run once: the one
 * that would run the most models not yet warm first, so shared models are not warmed twice
 * (body pose is in four capabilities). A model counts as warm only after a run that succeeded.
 */
async function warmUp(names: readonly CapabilityName[], photo: string | undefined, execute: Executor['execute']): Promise<void> {
  const image = photo ? await decodeImage(readFileSync(photo)) : grey();
  const warm = new Set<string>();
  const pending = names.map((n) => capability(n));
  for (;;) {
    const fresh = (c: Capability) => c.models.filter((m) => !warm.has(m)).length;
    pending.sort((a, b) => fresh(b) - fresh(a));
    const next = pending.shift();
    if (!next || fresh(next) === 0) return;
    try {
      await execute({ kind: 'run', capability: next.name as CapabilityName, input: { image }, options: next.warmup?.options });
      for (const m of next.models) warm.add(m);
    } catch (err) {
      // Grey holds nobody, and some capabilities may refuse a photo (an ID photo of two people):
      // a documented refusal, nothing else.
      const refused = err instanceof ServiceError && err.kind === 'detect_error';
      if (!refused || (!next.warmup?.mayFail && photo)) throw err;
    }
  }
}
