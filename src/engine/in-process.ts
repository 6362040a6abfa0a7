/** The engine in the caller's own thread (CLI, eval, tests): same interface as the pool. */
import { CAPABILITY_NAMES } from '../capabilities/index.js';
import { frameInput, type Engine, type EngineSettings } from './engine.js';
import { createExecutor } from './executor.js';

export function createInProcessEngine(settings: Partial<EngineSettings> = {}): Engine {
  const full: EngineSettings = { capabilities: settings.capabilities ?? CAPABILITY_NAMES, threads: settings.threads ?? 1, warmup: settings.warmup ?? false };
  const executor = createExecutor(full);
  let ready = false;
  let closed = false;
  const readyPromise = executor.then(() => { ready = true; });
  readyPromise.catch(() => undefined);
  const engine: Engine = {
    capabilities: full.capabilities,
    serves: (name) => (full.capabilities as readonly string[]).includes(name),
    ready: readyPromise,
    isReady: () => ready && !closed,
    run: async (name, input, options) => (await executor).execute({ kind: 'run', capability: name, input, options }) as never,
    draw: async (name, input, options) => (await executor).execute({ kind: 'draw', capability: name, input, options }) as never,
    frame: async (name, image, state, timestamp, options) =>
      (await executor).execute({ kind: 'frame', capability: name, input: frameInput(image), state, timestamp, options }) as never,
    async close() {
      closed = true;
      await (await executor.catch(() => undefined))?.close();
    },
  };
  return engine;
}
