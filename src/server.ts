import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { AuthService, ensureBootstrapApp } from './auth/index.js';
import { loadConfig, type Config } from './config.js';
import { createAnalysisPool, type AnalysisPool } from './runtime/pool.js';
import { openDatabase } from './store/db.js';
import { createAddressPolicy } from './net/address-policy.js';
import { join } from 'node:path';

/** A committed photo the workers analyse once at start-up, so the first request is not slow. */
const WARMUP_IMAGE = fileURLToPath(new URL('../../test/fixtures/coco-000000000785.jpg', import.meta.url));

export interface RunningServer {
  app: FastifyInstance;
  pool: AnalysisPool;
  address: string;
  close(): Promise<void>;
}

/**
 * Starts everything: SQLite, the bootstrap app, the inference workers and HTTP. The port opens
 * at once (so /healthz can answer 503 while models warm up); analysis requests wait for workers.
 */
export async function startServer(config: Config = loadConfig()): Promise<RunningServer> {
  const db = openDatabase(config.dataDir);
  const auth = new AuthService(db);
  const bootstrap = ensureBootstrapApp(db, config);
  const pool = createAnalysisPool({
    workers: config.workers,
    threadsPerWorker: config.threadsPerWorker,
    warmupImage: existsSync(WARMUP_IMAGE) ? WARMUP_IMAGE : undefined,
  });
  const app = await buildApp({
    pool,
    auth,
    logLevel: config.logLevel,
    urlPolicy: createAddressPolicy(config.urlAllowList),
    kakaoLimits: { ...config.kakao, videoMaxBytes: 50 * 1024 * 1024 },
    uploadDir: join(config.dataDir, 'uploads'),
  });
  const address = await app.listen({ port: config.port, host: config.host });
  if (bootstrap.generated && bootstrap.app) {
    // Printed once, on the first start of an empty data directory.
    console.log(
      [
        'Created the first app (keep these; `bodylens apps list --show-secrets` shows them again):',
        `  AppID:      ${bootstrap.app.appId}`,
        `  API Key:    ${bootstrap.app.apiKey}`,
        `  Secret Key: ${bootstrap.app.secretKey}`,
      ].join('\n'),
    );
  }
  pool.ready.then(
    () => app.log.info(`bodylens ready on ${address} (${config.workers} inference workers)`),
    (err) => {
      app.log.fatal(err, 'inference workers could not start');
      process.exitCode = 1;
      void app.close().then(() => process.exit(1));
    },
  );
  const close = async () => {
    await app.close();
    await pool.close();
    db.close();
  };
  return { app, pool, address, close };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startServer();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void server.close().then(() => process.exit(0));
    });
  }
}
