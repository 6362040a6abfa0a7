/**
 * The service's Prometheus metrics (`GET /metrics`, docs/operations.md): one registry per
 * process (not prom-client's global one, so test servers in one process never mix counts).
 * Requests and inference times are pushed as they happen; engine and job gauges are read from
 * the functions bound to them when scraped.
 */
import client from 'prom-client';

/** What the engine pool reports about itself (engine/pool.ts `stats()`). */
export interface EngineGauges {
  /** Calls waiting for a worker. */
  queued: number;
  workers: number;
  /** Workers running a call right now. */
  busy: number;
  /** Worker-seconds spent running calls since start (all workers). */
  busySeconds: number;
  /** Model runs a busy worker handed to an idle one since start (engine/assist.ts). */
  lentRuns: number;
}

/** Outcomes that are limit rejections: per-app QPS (18), daily (17) and total (19) quota, and a full queue or concurrency cap (4). */
const LIMIT_KINDS = new Set(['qps_limit', 'daily_limit', 'total_limit', 'overloaded']);

/** Request latency buckets (s): 5 ms to 60 s; a pose call is ~0.1-1 s on 2 cores, a video upload longer. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** One model run (s): 1 ms to 10 s. */
const INFERENCE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

export interface RequestSample {
  /** baidu | oauth | kakao | private | admin | service */
  dialect: string;
  /** The API (Baidu name, Kakao route, private service) or, elsewhere, the route. */
  api: string;
  /** 'ok' or the neutral error kind the call ended with. */
  outcome: string;
  /** The dialect's own code: Baidu error_code, private err_no, Kakao code, or the HTTP status. */
  code: string;
  seconds: number;
}

export class Metrics {
  readonly registry = new client.Registry();
  private readonly requests: client.Counter<'dialect' | 'api' | 'outcome' | 'code'>;
  private readonly latency: client.Histogram<'dialect' | 'api'>;
  private readonly rejections: client.Counter<'dialect' | 'api' | 'reason'>;
  private readonly inferenceTime: client.Histogram<'model'>;
  private readonly callTime: client.Histogram<'capability'>;
  private readonly queueWait: client.Histogram<never>;
  private engine?: () => EngineGauges;
  private jobs?: () => Record<string, number>;
  /** The previous busy-ratio sample: [unix ms, busy seconds]. */
  private lastBusy?: [number, number];

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics) client.collectDefaultMetrics({ register: this.registry, prefix: 'bodylens_' });
    this.requests = new client.Counter({
      name: 'bodylens_requests_total',
      help: 'Requests answered, by dialect, API, outcome (ok or the error kind) and the code the dialect answered',
      labelNames: ['dialect', 'api', 'outcome', 'code'],
      registers,
    });
    this.latency = new client.Histogram({
      name: 'bodylens_request_duration_seconds',
      help: 'Time from a request arriving to its answer being sent, by dialect and API',
      labelNames: ['dialect', 'api'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.rejections = new client.Counter({
      name: 'bodylens_limit_rejections_total',
      help: 'Calls refused by a limit: qps_limit (Baidu 18), daily_limit (17), total_limit (19), overloaded (4: queue full, waited too long, concurrency cap)',
      labelNames: ['dialect', 'api', 'reason'],
      registers,
    });
    this.inferenceTime = new client.Histogram({
      name: 'bodylens_inference_seconds',
      help: 'One ONNX model run, measured in the inference worker that ran it',
      labelNames: ['model'],
      buckets: INFERENCE_BUCKETS,
      registers,
    });
    this.callTime = new client.Histogram({
      name: 'bodylens_engine_call_seconds',
      help: 'One capability call in a worker (decode, models, post-processing), by capability',
      labelNames: ['capability'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.queueWait = new client.Histogram({
      name: 'bodylens_engine_queue_wait_seconds',
      help: 'Time a call waited in the queue for a free worker',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    const self = this;
    new client.Gauge({
      name: 'bodylens_engine_queue_depth',
      help: 'Calls waiting for an inference worker',
      registers,
      collect() {
        this.set(self.engine?.().queued ?? 0);
      },
    });
    new client.Gauge({
      name: 'bodylens_engine_workers',
      help: 'Inference worker threads, and how many are running a call now',
      labelNames: ['state'],
      registers,
      collect() {
        const e = self.engine?.();
        this.set({ state: 'busy' }, e?.busy ?? 0);
        this.set({ state: 'idle' }, e ? e.workers - e.busy : 0);
      },
    });
    // Totals the pool keeps, read when scraped.
    const engineTotal = (name: string, help: string, read: (e: EngineGauges) => number) =>
      new client.Counter({
        name,
        help,
        registers,
        collect() {
          const e = self.engine?.();
          this.reset();
          if (e) this.inc(read(e));
        },
      });
    engineTotal('bodylens_engine_busy_seconds_total', 'Worker-seconds spent running calls (rate() of it over bodylens_engine_workers is the busy ratio)', (e) => e.busySeconds);
    engineTotal('bodylens_engine_lent_runs_total', 'Model runs a busy inference worker handed to an idle one (BODYLENS_LEND_RUNS)', (e) => e.lentRuns);
    new client.Gauge({
      name: 'bodylens_engine_busy_ratio',
      help: 'Share of worker time spent running calls since the previous scrape (the first scrape: since start)',
      registers,
      collect() {
        this.set(self.busyRatio());
      },
    });
    new client.Gauge({
      name: 'bodylens_jobs',
      help: 'Kakao video pose jobs by state',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = self.jobs?.() ?? {};
        for (const state of ['waiting', 'processing', 'success', 'failed']) this.set({ state }, counts[state] ?? 0);
      },
    });
  }

  /** One answered request. */
  request(s: RequestSample): void {
    this.requests.inc({ dialect: s.dialect, api: s.api, outcome: s.outcome, code: s.code });
    this.latency.observe({ dialect: s.dialect, api: s.api }, s.seconds);
    if (LIMIT_KINDS.has(s.outcome)) this.rejections.inc({ dialect: s.dialect, api: s.api, reason: s.outcome });
  }

  /** Model runs reported by a worker: [model, seconds] pairs. */
  inference(runs: ReadonlyArray<readonly [string, number]>): void {
    for (const [model, seconds] of runs) this.inferenceTime.observe({ model }, seconds);
  }

  /** A call that reached a worker: how long it waited, and how long the worker took. */
  engineCall(capability: string, waitSeconds: number, runSeconds: number): void {
    this.queueWait.observe(waitSeconds);
    this.callTime.observe({ capability }, runSeconds);
  }

  bindEngine(read: () => EngineGauges): void {
    this.engine = read;
    this.lastBusy = [Date.now(), read().busySeconds];
  }

  /** Job counts by state (video/jobs.ts `countByState`). */
  bindJobs(read: () => Record<string, number>): void {
    this.jobs = read;
  }

  private busyRatio(): number {
    const e = this.engine?.();
    if (!e || !this.lastBusy || e.workers === 0) return 0;
    const now = Date.now();
    const [then, busyThen] = this.lastBusy;
    const wall = (now - then) / 1000;
    if (wall < 0.001) return 0;
    this.lastBusy = [now, e.busySeconds];
    return Math.min(1, Math.max(0, (e.busySeconds - busyThen) / (wall * e.workers)));
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
