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
import type { EngineCall, EngineSettings } from './engine.js';
import { ModelHub } from './hub.js';

export interface Executor {
  execute(call: EngineCall): Promise<unknown>;
  /** Model names loaded, for diagnostics. */
  readonly models: readonly string[];
  close(): Promise<void>;
}

function served(settings: EngineSettings, name: string): Capability {
  if (!settings.capabilities.includes(name as CapabilityName)) {
    throw new ServiceError('not_served', `capability ${name} is not served by this process (BODYLENS_CAPABILITIES=${settings.capabilities.join(',')})`);
  }
  return capability(name);
}

const grey = (): RgbImage => ({ width: 320, height: 240, data: new Uint8Array(320 * 240 * 3).fill(128) });

/** Loads the models of every served capability, then runs each capability once (warm-up). */
export async function createExecutor(settings: EngineSettings): Promise<Executor> {
  const hub = new ModelHub(settings.threads);
  await hub.load(modelsFor(settings.capabilities));

  async function execute(call: EngineCall): Promise<unknown> {
    const cap = served(settings, call.capability);
    const models = await hub.pick(cap.models);
    const options = { ...cap.defaults, ...call.options };
    if (call.kind === 'frame') {
      if (!cap.frame) throw new ServiceError('unsupported_method', `capability ${cap.name} has no video-frame call`);
      return cap.frame(models, call.image, call.state, call.timestamp, options);
    }
    const image = 'image' in call.input ? call.input.image : await decodeImage(call.input.bytes, call.input.intake);
    return cap.run(models, image, options);
  }

  // Every model runs once before the engine reports ready: on a real photo if we have one
  // (realistic kernels and allocations), else on mid-grey.
  if (settings.warmup) {
    const photo = settings.warmup.image;
    const image = photo ? await decodeImage(readFileSync(photo)) : grey();
    for (const name of settings.capabilities) {
      const cap = capability(name);
      const run = execute({ kind: 'run', capability: name, input: { image }, options: cap.warmup?.options });
      // Grey holds nobody: a capability may refuse it, as it may refuse a photo it says it can.
      if (cap.warmup?.mayFail || !photo) await run.catch(() => undefined);
      else await run;
    }
  }
  return { execute, models: hub.loaded, close: () => hub.close() };
}
