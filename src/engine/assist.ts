/**
 * Idle workers lend their core to a busy one. A worker runs one call at a time and an ONNX
 * Runtime run blocks its thread, so on a 2-core machine serving one request (c1) the other
 * core sits idle while a 1080p frame's 18 detector windows and ~40 person crops run one after
 * another. Every worker already holds the same models; a worker with several independent runs
 * queued (vision code issues them together, `mapInFlight`) hands some of them to a peer whose
 * pool slot is free, and runs the rest itself. Under load (every slot busy) nothing is handed
 * over, so throughput at c4 is what it was; results are identical either way (same model, same
 * runtime, one thread each).
 *
 * Shared state, one Int32Array over a SharedArrayBuffer the pool creates: `busy[i]` is 1 while
 * the pool has a call on worker i (written by the pool), `lent[i]` counts runs handed to worker
 * i and not yet answered (raised by the sender, lowered by the helper when it has run one).
 * A sender claims a helper with compare-and-swap, so two senders never overfill one.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Model, ModelOutputs } from '../runtime/session.js';

/**
 * Runs a model of this worker by registry name on the worker's run lane; `start`, asked when the
 * run's turn comes, may decline (undefined: skipped). Resolves with the outputs and the run's seconds.
 */
export type LocalRun = (name: string, input: Float32Array, shape: readonly number[], start: () => boolean) => Promise<{ outputs: ModelOutputs; seconds: number } | undefined>;

/** Runs a helper takes at once: one running, one waiting, so it never idles between replies. */
export const MAX_LENT = 2;

export interface AssistShared {
  /** [busy_0 .. busy_{n-1}, lent_0 .. lent_{n-1}] */
  state: Int32Array;
  workers: number;
}

export function createAssistShared(workers: number): AssistShared {
  return { state: new Int32Array(new SharedArrayBuffer(8 * workers)), workers };
}

/** The pool's side: a slot took or finished a call; a replaced worker starts with nothing lent. */
export function markBusy(shared: AssistShared, index: number, busy: boolean): void {
  Atomics.store(shared.state, index, busy ? 1 : 0);
}
export function resetWorker(shared: AssistShared, index: number): void {
  Atomics.store(shared.state, index, 1);
  Atomics.store(shared.state, shared.workers + index, 0);
}

/**
 * A lent run's claim, one Int32 per slot of the lender's `claims` (shared with the helpers): the
 * run's token while it waits, minus the token once a helper has started it, 0 when the lender
 * has taken it back (its own queue ran dry and the helper had not started: a helper slowed by
 * other work on its core would otherwise hold the call's last runs). Tokens differ per run, so
 * a stale request for a reused slot never claims another run.
 */
const BACK = 0;
const tokenOf = (id: number) => (id % 0x7ffffffe) + 1;
/** Lent runs in flight per lender at most (slots of `claims`). */
const SLOTS = 256;

/** One lent run less for worker `index`, never below 0 (the pool resets a replaced worker's count). */
function releaseLent(shared: AssistShared, index: number): void {
  const at = shared.workers + index;
  for (let seen = Atomics.load(shared.state, at); seen > 0; seen = Atomics.load(shared.state, at)) {
    if (Atomics.compareExchange(shared.state, at, seen, seen - 1) === seen) return;
  }
}

/** A model run as it crosses to a helper, and the helper's answer. */
interface LendRequest { kind: 'lend'; id: number; model: string; input: Float32Array; shape: readonly number[]; claims: Int32Array; slot: number; token: number }
type LendReply =
  | { kind: 'lent'; id: number; outputs: ModelOutputs; seconds: number }
  | { kind: 'lent'; id: number; error: string }
  | { kind: 'lent'; id: number; skipped: true };

interface Pending {
  /** The registry name a helper loads it by. */
  name: string;
  model: Model;
  input: Float32Array;
  shape: readonly number[];
  resolve(v: ModelOutputs): void;
  reject(err: unknown): void;
}

/**
 * Counters for tests, the bench and metrics: runs this worker handed out (`lent`), of those the
 * ones a peer ran and answered (`ranByPeer`), ran for others (`helped`), took back unstarted when
 * its own queue ran dry (`takenBack`), and ran itself after a helper went away or failed (`reclaimed`).
 */
export interface AssistCounts { lent: number; ranByPeer: number; helped: number; takenBack: number; reclaimed: number }

interface Away { peer: number; port: MessagePort; job: Pending; sent: number; slot: number; token: number; back: boolean }

export class Assist {
  private readonly peers = new Map<number, MessagePort>();
  private readonly queue: Pending[] = [];
  private readonly away = new Map<number, Away>();
  private readonly claims = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  private readonly freeSlots = Array.from({ length: SLOTS }, (_, i) => SLOTS - 1 - i);
  private draining = false;
  /** Runs peers lent us, in arrival order. */
  private readonly helping: Array<{ port: MessagePort; msg: LendRequest }> = [];
  private helpingNow = false;
  private nextId = 1;
  readonly counts: AssistCounts = { lent: 0, ranByPeer: 0, helped: 0, takenBack: 0, reclaimed: 0 };
  /** Channels whose other end has gone: what was lent on them is not run. */
  private readonly closed = new WeakSet<MessagePort>();

  /**
   * `self`: this worker's index; `runLocal`: runs a peer asked for, on this worker's own models and
   * lane, untimed here (they are the lender's service time); `record(name, seconds)`: a run a peer
   * ran for us, with the seconds the peer measured, timed as this worker's run.
   */
  constructor(
    private readonly shared: AssistShared,
    private readonly self: number,
    private readonly runLocal: LocalRun,
    private readonly record: (name: string, seconds: number) => void = () => {},
  ) {}

  /** A channel to worker `index` (both directions: this worker lends on it and helps on it). */
  addPeer(index: number, port: MessagePort): void {
    this.peers.get(index)?.close();
    this.peers.set(index, port);
    port.on('message', (msg: LendRequest | LendReply) => (msg.kind === 'lend' ? this.help(port, msg) : this.answered(msg)));
    port.on('close', () => {
      this.closed.add(port);
      this.lost(index, port);
    });
  }

  /** `model` as the executor's capabilities see it: its runs go through this worker's queue. */
  wrap(model: Model, registryName: string): Model {
    return {
      name: model.name,
      release: () => model.release(),
      run: (input, shape) =>
        new Promise((resolve, reject) => {
          this.queue.push({ name: registryName, model, input, shape, resolve, reject });
          this.schedule();
        }),
    };
  }

  /** Drains the queue on the next turn of the event loop: after the caller's synchronous loop has queued all its runs. */
  private schedule(): void {
    if (this.draining || !this.queue.length) return;
    this.draining = true;
    setImmediate(() => void this.drain());
  }

  /**
   * Runs the queue: lends what helpers can take (always keeping one run for itself), runs one,
   * yields so helpers' answers come in; with nothing left here, takes back lent runs no helper
   * has started.
   */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length || this.takeBack()) {
        this.lend();
        const job = this.queue.shift()!;
        try {
          job.resolve(await job.model.run(job.input, job.shape));
        } catch (err) {
          job.reject(err);
        }
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.draining = false;
    }
  }

  private lend(): void {
    while (this.queue.length > 1 && this.freeSlots.length) {
      const peer = this.claim();
      if (peer === undefined) return;
      const job = this.queue.shift()!;
      const id = this.nextId++;
      const slot = this.freeSlots.pop()!;
      const token = tokenOf(id);
      const port = this.peers.get(peer)!;
      Atomics.store(this.claims, slot, token);
      this.away.set(id, { peer, port, job, sent: performance.now(), slot, token, back: false });
      this.counts.lent++;
      port.postMessage({ kind: 'lend', id, model: job.name, input: job.input, shape: job.shape, claims: this.claims, slot, token } satisfies LendRequest);
    }
  }

  /** Lent runs no helper has started come back to the queue; true when there was one. */
  private takeBack(): boolean {
    let any = false;
    for (const entry of this.away.values()) {
      if (entry.back || Atomics.compareExchange(this.claims, entry.slot, entry.token, BACK) !== entry.token) continue;
      entry.back = true;
      this.counts.takenBack++;
      this.queue.push(entry.job);
      any = true;
    }
    return any;
  }

  /** The helper has answered (or skipped) lent run `id`, or is gone: its slot is free again. */
  private settle(id: number): Away | undefined {
    const entry = this.away.get(id);
    if (!entry) return undefined;
    this.away.delete(id);
    this.freeSlots.push(entry.slot);
    return entry;
  }

  /** A peer with no call of its own and room for one more lent run, reserved; undefined when none. */
  private claim(): number | undefined {
    const { state, workers } = this.shared;
    for (const [index] of this.peers) {
      if (Atomics.load(state, index) !== 0) continue;
      const at = workers + index;
      for (let seen = Atomics.load(state, at); seen < MAX_LENT; seen = Atomics.load(state, at)) {
        if (Atomics.compareExchange(state, at, seen, seen + 1) === seen) return index;
      }
    }
    return undefined;
  }

  private answered(msg: LendReply): void {
    const entry = this.settle(msg.id);
    // A run taken back is answered by this worker's own run.
    if (!entry || entry.back || 'skipped' in msg) return;
    if ('error' in msg) {
      // Not the caller's failure yet: run it here; a real fault fails here with its own error.
      this.counts.reclaimed++;
      this.queue.unshift(entry.job);
      this.schedule();
      return;
    }
    this.counts.ranByPeer++;
    this.record(entry.job.model.name, msg.seconds);
    entry.job.resolve(msg.outputs);
    this.lend();
  }

  /** A run a peer lent us: queued, run one at a time (each claimed only as it starts), answered on its port. */
  private help(port: MessagePort, msg: LendRequest): void {
    this.helping.push({ port, msg });
    if (this.helpingNow) return;
    this.helpingNow = true;
    void this.helpAll().finally(() => (this.helpingNow = false));
  }

  private async helpAll(): Promise<void> {
    for (let next = this.helping.shift(); next; next = this.helping.shift()) {
      const { port, msg } = next;
      let reply: LendReply;
      try {
        // Claimed only when its turn on this worker's lane comes: until then the lender may take it back.
        const start = () => !this.closed.has(port) && Atomics.compareExchange(msg.claims, msg.slot, msg.token, -msg.token) === msg.token;
        const ran = await this.runLocal(msg.model, msg.input, msg.shape, start);
        if (ran) this.counts.helped++;
        reply = ran ? { kind: 'lent', id: msg.id, outputs: ran.outputs, seconds: ran.seconds } : { kind: 'lent', id: msg.id, skipped: true };
      } catch (err) {
        reply = { kind: 'lent', id: msg.id, error: err instanceof Error ? err.message : String(err) };
      }
      // Room for the next one before the lender reads the answer (never below 0: see releaseLent).
      releaseLent(this.shared, this.self);
      if (!this.closed.has(port)) port.postMessage(reply);
    }
  }

  /** A helper went away (its worker crashed or was replaced): what it was lent on that channel comes back to our queue. */
  private lost(index: number, port: MessagePort): void {
    if (this.peers.get(index) === port) this.peers.delete(index);
    for (const [id, entry] of [...this.away]) {
      if (entry.port !== port) continue;
      this.settle(id);
      // The helper will never lower its count for this run; a replaced worker starts at 0.
      releaseLent(this.shared, entry.peer);
      // Unless taken back already; a helper still alive skips it (its token is gone).
      if (entry.back) continue;
      Atomics.store(this.claims, entry.slot, BACK);
      this.counts.reclaimed++;
      this.queue.unshift(entry.job);
    }
    this.schedule();
  }
}
