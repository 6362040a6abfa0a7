/**
 * The model hub of one engine instance (one per worker thread): each model is loaded once and
 * shared by every capability that names it.
 */
import { loadModel, RunLane, type Model } from '../runtime/session.js';
import type { Models } from '../capabilities/capability.js';
import { Assist, type AssistShared, type LocalRun } from './assist.js';

export class ModelHub {
  /** A run's time, kept for `takeRuns()` when timing. */
  private readonly record = (name: string, seconds: number): void => {
    if (this.timeRuns) this.runs.push([name, seconds]);
  };
  /** Every run of this thread, one after another (so each is timed alone). */
  private readonly lane = new RunLane();
  /** What capabilities get: on the lane, timed when asked, and through the assist queue in a pool worker. */
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
    // A peer's runs share this thread's lane, untimed here (they are the lender's service time).
    const runLocal: LocalRun = async (name, input, shape, start) => this.lane.run(await this.session(name), input, shape, start);
    this.assist = new Assist(shared, self, runLocal, this.record);
    return this.assist;
  }

  get(name: string): Promise<Model> {
    let model = this.models.get(name);
    if (!model) {
      model = this.session(name).then((m) => {
        const laned = this.lane.wrap(m, (n, _shape, seconds) => this.record(n, seconds));
        return this.assist ? this.assist.wrap(laned, name) : laned;
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
