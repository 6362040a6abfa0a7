/**
 * The model hub of one engine instance (one per worker thread): each model is loaded once and
 * shared by every capability that names it.
 */
import { loadModel, type Model } from '../runtime/session.js';
import type { Models } from '../capabilities/capability.js';

export class ModelHub {
  private readonly models = new Map<string, Promise<Model>>();
  /** Model runs since the last `takeRuns()`: [model name, seconds] (for bodylens_inference_seconds). */
  private runs: Array<[string, number]> = [];

  /** `timeRuns`: time every model run for `takeRuns()` (worker threads; off in-process, where nobody reads them). */
  constructor(
    private readonly threads: number,
    private readonly timeRuns = false,
  ) {}

  /** Loads the named models (those not loaded yet), all at once. */
  async load(names: readonly string[]): Promise<void> {
    await Promise.all(names.map((n) => this.get(n)));
  }

  get(name: string): Promise<Model> {
    let model = this.models.get(name);
    if (!model) {
      model = loadModel(name, { threads: this.threads }).then((m) => (this.timeRuns ? this.timed(m) : m));
      this.models.set(name, model);
    }
    return model;
  }

  /** The loaded models a capability asked for, keyed by name. */
  async pick<M extends string>(names: readonly M[]): Promise<Models<M>> {
    const entries = await Promise.all(names.map(async (n) => [n, await this.get(n)] as const));
    return Object.fromEntries(entries) as Models<M>;
  }

  /** The model runs timed since the previous call, and forgets them. */
  takeRuns(): Array<[string, number]> {
    const runs = this.runs;
    this.runs = [];
    return runs;
  }

  /** The model, its every run timed. */
  private timed(model: Model): Model {
    const runs = () => this.runs;
    return {
      name: model.name,
      async run(input, shape) {
        const t0 = performance.now();
        try {
          return await model.run(input, shape);
        } finally {
          runs().push([model.name, (performance.now() - t0) / 1000]);
        }
      },
      release: () => model.release(),
    };
  }

  get loaded(): string[] {
    return [...this.models.keys()];
  }

  async close(): Promise<void> {
    const all = [...this.models.values()];
    this.models.clear();
    await Promise.all(all.map(async (m) => (await m.catch(() => undefined))?.release()));
  }
}
