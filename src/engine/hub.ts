/**
 * The model hub of one engine instance (one per worker thread): each model is loaded once and
 * shared by every capability that names it.
 */
import { loadModel, type Model } from '../runtime/session.js';
import type { Models } from '../capabilities/capability.js';
import { Assist, type AssistShared } from './assist.js';

export class ModelHub {
  /** What capabilities get: timed when asked, and through the assist queue in a pool worker. */
  private readonly models = new Map<string, Promise<Model>>();
  /** The sessions themselves, loaded once. */
  private readonly sessions = new Map<string, Promise<Model>>();
  /** Set in a pool worker (`lendAs`): runs queued together may go to idle peer workers. */
  assist?: Assist;
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

  /**
   * Makes this hub worker `self` of a pool whose workers lend each other model runs
   * (`assist.ts`); before any model is handed out.
   */
  lendAs(shared: AssistShared, self: number): Assist {
    const record = (name: string, seconds: number) => {
      if (this.timeRuns) this.runs.push([name, seconds]);
    };
    this.assist = new Assist(shared, self, (name) => this.session(name), record);
    return this.assist;
  }

  get(name: string): Promise<Model> {
    let model = this.models.get(name);
    if (!model) {
      model = this.session(name).then((m) => {
        const timed = this.timeRuns ? this.timed(m) : m;
        return this.assist ? this.assist.wrap(timed, name) : timed;
      });
      this.models.set(name, model);
    }
    return model;
  }

  private session(name: string): Promise<Model> {
    let session = this.sessions.get(name);
    if (!session) {
      session = loadModel(name, { threads: this.threads });
      this.sessions.set(name, session);
    }
    return session;
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
    return [...this.sessions.keys()];
  }

  async close(): Promise<void> {
    const all = [...this.sessions.values()];
    this.models.clear();
    this.sessions.clear();
    await Promise.all(all.map(async (m) => (await m.catch(() => undefined))?.release()));
  }
}
