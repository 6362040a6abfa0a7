/**
 * The model hub of one engine instance (one per worker thread): each model is loaded once and
 * shared by every capability that names it.
 */
import { loadModel, type Model } from '../runtime/session.js';
import type { Models } from '../capabilities/capability.js';

export class ModelHub {
  private readonly models = new Map<string, Promise<Model>>();

  constructor(private readonly threads: number) {}

  /** Loads the named models (those not loaded yet), all at once. */
  async load(names: readonly string[]): Promise<void> {
    await Promise.all(names.map((n) => this.get(n)));
  }

  get(name: string): Promise<Model> {
    let model = this.models.get(name);
    if (!model) {
      model = loadModel(name, { threads: this.threads });
      this.models.set(name, model);
    }
    return model;
  }

  /** The loaded models a capability asked for, keyed by name. */
  async pick<M extends string>(names: readonly M[]): Promise<Models<M>> {
    const entries = await Promise.all(names.map(async (n) => [n, await this.get(n)] as const));
    return Object.fromEntries(entries) as Models<M>;
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
