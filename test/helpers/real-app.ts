/**
 * The real online app for API tests: SQLite apps and usage in a temporary directory, an
 * in-process engine serving body_analysis (models loaded, no warm-up), offline video jobs and
 * the admin API under `adminKey`. Call at a test file's top level: it registers its own
 * before/after hooks and closes every app it built.
 */
import { after, before } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/api/app.js';
import { AuthService } from '../../src/auth/index.js';
import { baiduScopes } from '../../src/api/baidu/endpoints.js';
import { createInProcessEngine } from '../../src/engine/in-process.js';
import type { Engine } from '../../src/engine/engine.js';
import { createAddressPolicy } from '../../src/net/address-policy.js';
import { openDatabase, type Db } from '../../src/store/db.js';
import type { PoseJobs } from '../../src/video/jobs.js';
import { offlineJobs } from './jobs.js';

export interface RealApp {
  readonly dir: string;
  readonly db: Db;
  readonly auth: AuthService;
  readonly engine: Engine;
  readonly jobs: PoseJobs;
  /** A new app over the shared parts, `extra` overriding the defaults. */
  app(extra?: Partial<AppDeps>): Promise<FastifyInstance>;
  /** Closed with the others after the file's tests (an app built outside `app`). */
  adopt(app: FastifyInstance): void;
}

export function realApp(name: string, adminKey: string): RealApp {
  const apps: FastifyInstance[] = [];
  let parts: { dir: string; db: Db; auth: AuthService; engine: Engine; jobs: PoseJobs } | undefined;
  const get = () => {
    if (!parts) throw new Error('realApp: used before its before() hook ran');
    return parts;
  };
  before(() => {
    const dir = mkdtempSync(join(tmpdir(), `bodylens-${name}-`));
    const db = openDatabase(dir);
    const engine = createInProcessEngine({ capabilities: ['body_analysis'], warmup: false });
    parts = { dir, db, auth: new AuthService(db, { scopes: baiduScopes() }), engine, jobs: offlineJobs(db, dir, engine) };
  });
  after(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await parts?.engine.close();
    parts?.db.close();
    if (parts) rmSync(parts.dir, { recursive: true, force: true });
  });
  return {
    get dir() { return get().dir; },
    get db() { return get().db; },
    get auth() { return get().auth; },
    get engine() { return get().engine; },
    get jobs() { return get().jobs; },
    async app(extra = {}) {
      const { dir, db, auth, engine, jobs } = get();
      const built = await buildApp({
        engine,
        auth,
        urlPolicy: createAddressPolicy([]),
        kakaoLimits: { imageMaxBytes: 1 << 22, imageFetchTimeoutMs: 1000, videoMaxBytes: 1 << 20 },
        jobs,
        uploadDir: join(dir, 'uploads'),
        admin: { adminKey, context: { db, quotaUtcOffsetMinutes: 480 } },
        ...extra,
      });
      apps.push(built);
      return built;
    },
    adopt: (app) => void apps.push(app),
  };
}
