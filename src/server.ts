import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp, buildPrivateServiceApp } from './api/app.js';
import { privateCapabilities, privateService } from './api/private/services.js';
import { AuthService, ensureBootstrapApp, saveGeneratedCredentials } from './auth/index.js';
import { loadConfig, type Config } from './config.js';
import { createEnginePool, defaultWarmupImage } from './engine/pool.js';
import type { Engine } from './engine/engine.js';
import { parseCapabilityList } from './capabilities/index.js';
import { BAIDU_ENDPOINTS, baiduScopes } from './api/baidu/endpoints.js';
import { KAKAO_CAPABILITIES } from './api/kakao/routes.js';
import type { CapabilityName } from './capabilities/index.js';
import { openDatabase } from './store/db.js';
import { Cases, MemoryCaseStore, SqliteCaseStore } from './store/cases.js';
import { createAddressPolicy, type AddressPolicy } from './net/address-policy.js';
import { fetchToFile, ping } from './net/safe-fetch.js';
import { PoseJobs } from './video/jobs.js';
import { join } from 'node:path';
import { Metrics } from './metrics/index.js';
import { PrivateUsage } from './auth/private-usage.js';
import { inFlight } from './api/observe.js';


/** What the service serves by default: every capability some dialect's route calls (the private dialect's when it is on). */
export function dialectCapabilities(privateDialect = false): CapabilityName[] {
  return [...new Set<CapabilityName>([...BAIDU_ENDPOINTS.map((e) => e.capability), ...KAKAO_CAPABILITIES, ...(privateDialect ? privateCapabilities() : [])])];
}

/** How long a job's completion callback may take. */
const CALLBACK_TIMEOUT_MS = 10_000;

export interface RunningServer {
  app: FastifyInstance;
  engine: Engine;
  address: string;
  /** Private services on their own port (BODYLENS_PRIVATE_PORTS): service name → address. */
  privateAddresses: Record<string, string>;
  close(): Promise<void>;
  /** Writes the buffered usage and outcome counts now (before an exit that skips `close`). */
  flushUsage(): void;
}

/**
 * Starts everything: SQLite, the bootstrap app, the inference workers and HTTP. The port opens
 * at once (so /healthz can answer 503 while models warm up); analysis requests wait for workers.
 */
export async function startServer(config: Config = loadConfig()): Promise<RunningServer> {
  // A bad BODYLENS_CAPABILITIES fails before anything is opened.
  const capabilities = parseCapabilityList(config.capabilities, dialectCapabilities(config.private.enabled));
  // Everything the service writes (database, server key, uploads, job results) is private to its user.
  process.umask(0o077);
  const db = openDatabase(config.dataDir, { serverKey: config.serverKey });
  let app: FastifyInstance | undefined;
  const auth = new AuthService(db, {
    scopes: baiduScopes(),
    quotaUtcOffsetMinutes: config.quotaUtcOffsetMinutes,
    onUsageFlushError: (err, pending) => app?.log.warn({ err: err.message, pending }, 'usage outcome counts not written yet; kept and retried'),
  });
  const bootstrap = ensureBootstrapApp(db, config);
  const metrics = new Metrics({ processMetrics: true });
  const privateUsage = config.private.enabled
    ? new PrivateUsage(db, {
        quotaUtcOffsetMinutes: config.quotaUtcOffsetMinutes,
        onFlushError: (err, pending) => app?.log.warn({ err: err.message, pending }, 'private usage counts not written yet; kept and retried'),
      })
    : undefined;
  const engine = createEnginePool({
    capabilities,
    workers: config.workers,
    threads: config.threadsPerWorker,
    lendRuns: config.lendRuns,
    warmup: { image: defaultWarmupImage() },
    queueTimeoutMs: config.http.queueTimeoutMs,
    maxQueue: config.http.maxQueue,
    observer: {
      call(capability, waitSeconds, timing) {
        metrics.engineCall(capability, waitSeconds, timing.seconds);
        metrics.inference(timing.runs);
      },
    },
  });
  metrics.bindEngine(() => engine.stats());
  const urlPolicy = createAddressPolicy(config.urlAllowList);
  const caseOptions = { idleSeconds: config.cases.idleSeconds };
  const cases = new Cases(config.cases.store === 'sqlite' ? new SqliteCaseStore(db, caseOptions) : new MemoryCaseStore(caseOptions));
  // Idle cases go within a minute of expiring (a read of an expired case already misses).
  const sweeper = setInterval(() => void cases.store.sweep().catch(() => undefined), 60_000);
  sweeper.unref();
  const uploadDir = join(config.dataDir, 'uploads');
  // Uploads still here were cut off by a crash: no job owns them.
  rmSync(uploadDir, { recursive: true, force: true });
  const jobs = new PoseJobs({
    db,
    dataDir: config.dataDir,
    settings: config.video,
    frame: (image, state, t, options) => engine.frame('body_analysis', image, state, t, options),
    download: (url, dest, signal) =>
      fetchToFile(url, dest, urlPolicy, { maxBytes: config.video.maxBytes, timeoutMs: config.kakao.videoFetchTimeoutMs }, signal),
    onFinished: ({ id, callbackUrl }) => (callbackUrl ? sendCallback(callbackUrl, id, urlPolicy, app) : undefined),
    log: { info: (obj, msg) => app?.log.info(obj, msg), error: (obj, msg) => app?.log.error(obj, msg) },
  });
  metrics.bindJobs(() => jobs.countByState());
  const recordPrivate = privateUsage ? (service: string, outcome: string) => privateUsage.record(service, outcome) : undefined;
  const flushUsage = () => {
    auth.flushUsage();
    privateUsage?.flush();
  };
  app = await buildApp({
    engine,
    auth,
    logLevel: config.logLevel,
    urlPolicy,
    kakaoLimits: { ...config.kakao, videoMaxBytes: config.video.maxBytes },
    jobs,
    uploadDir,
    cases,
    http: config.http,
    privateDialect: config.private.enabled ? config.private : undefined,
    privateUsage: recordPrivate,
    metrics,
    metricsAccess: { mode: config.metrics },
    corsOrigins: config.corsOrigins,
    admin: config.adminKey
      ? { adminKey: config.adminKey, context: { db, quotaUtcOffsetMinutes: config.quotaUtcOffsetMinutes, flushUsage } }
      : undefined,
  });
  const address = await app.listen({ port: config.port, host: config.host });
  // One process, several listeners: each private service also on its own port, same engine.
  const privateApps: FastifyInstance[] = [];
  const privateAddresses: Record<string, string> = {};
  for (const { service, port } of config.private.ports) {
    const own = await buildPrivateServiceApp(engine, privateService(service)!, config.http, config.private, {
      logLevel: config.logLevel,
      metrics,
      privateUsage: recordPrivate,
      corsOrigins: config.corsOrigins,
    });
    privateApps.push(own);
    privateAddresses[service] = await own.listen({ port, host: config.host });
  }
  jobs.start();
  if (bootstrap.generated && bootstrap.app) {
    // Once, on the first start of an empty data directory. The Secret Key goes to a 0600 file, not to stdout (the service log).
    console.log(saveGeneratedCredentials(config.dataDir, bootstrap.app));
  }
  engine.ready.then(
    () => app.log.info(`bodylens ready on ${address} (${config.workers} inference workers; capabilities: ${capabilities.join(', ')})`),
    (err) => {
      app.log.fatal(err, 'inference workers could not start');
      process.exitCode = 1;
      void app.close().then(() => process.exit(1));
    },
  );
  // Listeners stop taking requests and refuse new ones in their dialect (api/observe.ts) while
  // those in flight complete; then jobs, workers and the database close.
  const close = async () => {
    clearInterval(sweeper);
    const listeners = [app!, ...privateApps];
    const waiting = listeners.reduce((n, a) => n + inFlight(a), 0);
    app!.log.info({ in_flight: waiting }, `shutting down: refusing new requests, draining ${waiting} in flight`);
    await Promise.all(listeners.map((a) => a.close()));
    app!.log.info('requests drained; stopping video jobs and inference workers');
    await jobs.close(); // running jobs stay 'processing' in the database and resume on the next start
    await engine.close();
    flushUsage();
    await cases.close();
    db.close();
    app!.log.info('bodylens stopped');
  };
  return { app, engine, address, privateAddresses, close, flushUsage };
}

/**
 * SIGTERM / SIGINT (`npm start` runs the server with `exec`, so npm's forwarded signal reaches
 * it): a graceful stop (`close`), at most `timeoutMs` for requests in flight; a second signal
 * (a second or more later), or the timeout, exits at once.
 */
/** An exit that does not wait for the drain: the usage counts counted so far are still written. */
function exitNow(server: RunningServer): never {
  try {
    server.flushUsage();
  } catch (err) {
    server.app.log.error({ err }, 'could not write the usage counts');
  }
  process.exit(1);
}

export function stopOnSignals(server: RunningServer, timeoutMs: number): void {
  let stoppingSince: number | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stoppingSince !== undefined) {
        // Ctrl-C under npm reaches the server twice at once (from the terminal and forwarded by npm): only a later one is "again".
        if (Date.now() - stoppingSince < 1000) return;
        server.app.log.warn(`${signal} again: exiting without waiting`);
        exitNow(server);
      }
      stoppingSince = Date.now();
      server.app.log.info({ signal }, `${signal} received`);
      const timer = setTimeout(() => {
        server.app.log.error(`shutdown took longer than ${timeoutMs} ms (BODYLENS_SHUTDOWN_TIMEOUT_MS): exiting`);
        exitNow(server);
      }, timeoutMs);
      timer.unref();
      server.close().then(
        () => process.exit(0),
        (err) => {
          server.app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

/** Kakao's completion notice: one `GET <callback_url>?job_id=<id>`, never retried. */
async function sendCallback(callbackUrl: string, jobId: string, policy: AddressPolicy, app?: FastifyInstance): Promise<void> {
  const url = new URL(callbackUrl);
  url.searchParams.set('job_id', jobId);
  try {
    const status = await ping(url.href, policy, CALLBACK_TIMEOUT_MS);
    app?.log.info({ job_id: jobId, status }, 'job callback sent');
  } catch (err) {
    app?.log.warn({ job_id: jobId, err: (err as Error).message }, 'job callback failed (not retried)');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = loadConfig();
  stopOnSignals(await startServer(config), config.shutdownTimeoutMs);
}
