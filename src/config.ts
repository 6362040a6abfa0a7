import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

/** Video pose jobs (Kakao `POST /pose/job`); see docs/video.md. */
export interface VideoSettings {
  /** Only the first this many seconds of a video are analysed (BODYLENS_VIDEO_MAX_SECONDS, default 30). */
  maxSeconds: number;
  /** Analyse every n-th frame (BODYLENS_VIDEO_FRAME_STRIDE, default 1 = every frame). */
  frameStride: number;
  /** Video jobs processed at the same time (BODYLENS_VIDEO_CONCURRENCY, default 1). */
  concurrency: number;
  /** Finished jobs and their results are deleted after this many days (BODYLENS_JOB_RETENTION_DAYS, default 7). */
  retentionDays: number;
  /** Largest accepted video upload or download in bytes (BODYLENS_VIDEO_MAX_BYTES, default 50 MiB). */
  maxBytes: number;
}

export const DEFAULT_VIDEO_SETTINGS: Readonly<VideoSettings> = Object.freeze({
  maxSeconds: 30,
  frameStride: 1,
  concurrency: 1,
  retentionDays: 7,
  maxBytes: 50 * 1024 * 1024,
});

/** Deadlines and caps that keep slow or greedy clients from holding the service (docs/auth.md "Hard days"). */
export interface HttpSettings {
  /** Whole request headers must arrive within this (BODYLENS_HEADERS_TIMEOUT_MS, default 10000). */
  headersTimeoutMs: number;
  /** An ordinary request's body must arrive whole within this (BODYLENS_BODY_TIMEOUT_MS, default 30000); uploads follow the rate rule below. */
  bodyTimeoutMs: number;
  /** Upload routes (POST /pose/job): no rate check during this (BODYLENS_UPLOAD_GRACE_MS, default 30000). */
  uploadGraceMs: number;
  /** Upload routes: after the grace, the average since the request began must stay at least this (BODYLENS_UPLOAD_MIN_BYTES_PER_SEC, default 32768). */
  uploadMinBytesPerSec: number;
  /** An idle keep-alive connection is closed after this (BODYLENS_KEEPALIVE_TIMEOUT_MS, default 5000). */
  keepAliveTimeoutMs: number;
  /** Open connections per client address; more are closed at once (BODYLENS_MAX_CONNECTIONS_PER_CLIENT, default 64). */
  maxConnectionsPerClient: number;
  /** Longest request URL (path + query) in bytes; longer answers in the caller's dialect (Baidu 282114, else 431) (BODYLENS_MAX_URL_BYTES, default 1024, the limit Baidu's catalogue gives for 282114). */
  maxUrlBytes: number;
  /** How long an analysis may wait for a worker before it is shed (BODYLENS_QUEUE_TIMEOUT_MS, default 8000; 0 = none). */
  queueTimeoutMs: number;
  /** Analyses allowed to wait for a worker (BODYLENS_MAX_QUEUE, default 256). */
  maxQueue: number;
}

/** Every setting of the service: its env var, default and validation, read once at start-up. */
export interface Config {
  /** HTTP port (PORT, default 8080). */
  port: number;
  /** Listen address (HOST, default 0.0.0.0). */
  host: string;
  /** Directory for SQLite and stored files (BODYLENS_DATA_DIR, default ./data). */
  dataDir: string;
  /** App created or refreshed at start-up (BODYLENS_API_KEY / BODYLENS_SECRET_KEY / BODYLENS_APP_ID). */
  bootstrapApp?: { apiKey: string; secretKey: string; appId?: string };
  /** Inference worker threads (BODYLENS_WORKERS, default: number of cores). */
  workers: number;
  /** ONNX Runtime threads inside each worker (BODYLENS_THREADS_PER_WORKER, default 1). */
  threadsPerWorker: number;
  /**
   * Idle workers run model runs for a busy one (BODYLENS_LEND_RUNS, on | off, default on): one
   * request uses every idle core (src/engine/assist.ts).
   */
  lendRuns: boolean;
  /** Log level for Fastify's logger (BODYLENS_LOG_LEVEL, default info). */
  logLevel: string;
  /**
   * Addresses the server may fetch caller-supplied URLs from even though they are loopback,
   * private or link-local (BODYLENS_URL_ALLOWLIST: comma-separated IPs or CIDRs; default none).
   */
  urlAllowList: string[];
  kakao: {
    /** Largest image upload or image_url download (BODYLENS_KAKAO_IMAGE_MAX_BYTES, default 8 MiB). */
    imageMaxBytes: number;
    /** Deadline for fetching an image_url (BODYLENS_URL_TIMEOUT_MS, default 10000). */
    imageFetchTimeoutMs: number;
    /** Deadline for a job fetching its video_url (BODYLENS_VIDEO_URL_TIMEOUT_MS, default 120000). */
    videoFetchTimeoutMs: number;
  };
  video: VideoSettings;
  /**
   * Capability names this process serves (BODYLENS_CAPABILITIES, comma-separated; default all).
   * Validated against the registry at start-up (src/capabilities/index.ts).
   */
  capabilities: string;
  http: HttpSettings;
  /**
   * UTC offset in minutes of the clock whose midnight turns the daily quota
   * (BODYLENS_QUOTA_UTC_OFFSET as +08:00 / -05:30 / 0; default +08:00, Beijing time, as Baidu).
   */
  quotaUtcOffsetMinutes: number;
  /** Enables `/admin/...` when set (BODYLENS_ADMIN_KEY, at least 16 characters); off by default. */
  adminKey?: string;
  /**
   * The key that encrypts apps' secret keys at rest (BODYLENS_SERVER_KEY: 64 hex characters or
   * base64 of 32 bytes); unset: `<dataDir>/server.key`, generated on first start with mode 0600.
   */
  serverKey?: string;
  /** Tracking cases (Baidu body_tracking `case_id`; src/store/cases.ts). */
  cases: CaseSettings;
  /** Baidu's private-deployment dialect (docs/private.md). */
  private: PrivateSettings;
  /** Who may read GET /metrics (BODYLENS_METRICS=loopback|key|open|off, default loopback; the admin key works from anywhere except with off); docs/operations.md. */
  metrics: 'loopback' | 'key' | 'open' | 'off';
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before the process exits anyway (BODYLENS_SHUTDOWN_TIMEOUT_MS, default 30000). */
  shutdownTimeoutMs: number;
  /** Browser apps on these origins may call the dialect APIs (BODYLENS_CORS_ORIGINS: comma-separated origins, or *; unset = none); src/api/cors.ts. */
  corsOrigins?: CorsOrigins;
}

/** The private seed's services and their default ports (src/api/private/services.ts has the same numbers). */
export const PRIVATE_DEFAULT_PORTS: Readonly<Record<string, number>> = Object.freeze({
  gesture: 8120, crowd: 8122, keypoints: 8124, detection: 8125, attributes: 8126, segmentation: 8127, hand: 8128, driver: 8132,
});

export interface PrivateSettings {
  /** BODYLENS_PRIVATE=on|off (default off): the `/private/<service>/GeneralClassifyService/classify` routes on the main port. */
  enabled: boolean;
  /**
   * Services also listening on their own port (BODYLENS_PRIVATE_PORTS): unset with `on` = every
   * service on its seed port; `off` = none; or a list `keypoints:8124,hand:9128,gesture` (a
   * name alone takes its seed port; port 0 = any free port). Only read when enabled.
   */
  ports: Array<{ service: string; port: number }>;
  /** BODYLENS_PRIVATE_KEY (unset: network trust, as the appliance): when set, every call must send it in the `X-Private-Key` header. */
  key?: string;
  /** Calls one service runs at once; more answer its "busy" err_no (BODYLENS_PRIVATE_CONCURRENCY, default 32). */
  concurrency: number;
}

export function loadPrivateSettings(env: NodeJS.ProcessEnv = process.env): PrivateSettings {
  const flag = (env.BODYLENS_PRIVATE ?? 'off').trim().toLowerCase();
  if (!['on', 'off', ''].includes(flag)) throw new Error(`BODYLENS_PRIVATE must be on or off, got "${env.BODYLENS_PRIVATE}"`);
  const concurrency = intSetting(env, 'BODYLENS_PRIVATE_CONCURRENCY', 32, 1, 100_000);
  if (flag !== 'on') return { enabled: false, ports: [], concurrency };
  const key = env.BODYLENS_PRIVATE_KEY || undefined;
  if (key !== undefined && key.length < 16) throw new Error('BODYLENS_PRIVATE_KEY must be at least 16 characters');
  const raw = (env.BODYLENS_PRIVATE_PORTS ?? '').trim();
  if (raw.toLowerCase() === 'off') return { enabled: true, ports: [], key, concurrency };
  if (raw === '') return { enabled: true, ports: Object.entries(PRIVATE_DEFAULT_PORTS).map(([service, port]) => ({ service, port })), key, concurrency };
  const ports = raw.split(',').map((s) => s.trim()).filter(Boolean).map((item) => {
    const [service, portText] = item.split(':').map((s) => s.trim());
    if (!Object.hasOwn(PRIVATE_DEFAULT_PORTS, service)) {
      throw new Error(`BODYLENS_PRIVATE_PORTS: unknown service "${service}"; valid: ${Object.keys(PRIVATE_DEFAULT_PORTS).join(', ')}`);
    }
    const port = portText === undefined ? PRIVATE_DEFAULT_PORTS[service] : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`BODYLENS_PRIVATE_PORTS: bad port in "${item}"`);
    return { service, port };
  });
  return { enabled: true, ports, key, concurrency };
}

export interface CaseSettings {
  /** Where case state lives (BODYLENS_CASE_STORE: sqlite, the default, or memory). */
  store: 'sqlite' | 'memory';
  /** A case unused this long is forgotten (BODYLENS_CASE_IDLE_SECONDS, default 600). */
  idleSeconds: number;
}

export const DEFAULT_CASE_SETTINGS: Readonly<CaseSettings> = Object.freeze({ store: 'sqlite', idleSeconds: 600 });

export function loadCaseSettings(env: NodeJS.ProcessEnv = process.env): CaseSettings {
  const store = env.BODYLENS_CASE_STORE || DEFAULT_CASE_SETTINGS.store;
  if (store !== 'sqlite' && store !== 'memory') throw new Error(`BODYLENS_CASE_STORE must be sqlite or memory, got "${store}"`);
  return { store, idleSeconds: intSetting(env, 'BODYLENS_CASE_IDLE_SECONDS', DEFAULT_CASE_SETTINGS.idleSeconds, 1, 30 * 86400) };
}

/** "+08:00", "-05:30", "8", "0" → minutes east of UTC. */
export function parseUtcOffset(raw: string): number {
  const m = /^([+-])?(\d{1,2})(?::?(\d{2}))?$/.exec(raw.trim());
  if (!m) throw new Error(`BODYLENS_QUOTA_UTC_OFFSET must look like +08:00, got "${raw}"`);
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (minutes > 14 * 60) throw new Error(`BODYLENS_QUOTA_UTC_OFFSET out of range: "${raw}"`);
  return m[1] === '-' ? -minutes : minutes;
}

/** Beijing time, where Baidu's daily quotas turn. */
export const DEFAULT_QUOTA_UTC_OFFSET_MINUTES = 480;

function onOffSetting(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (raw !== 'on' && raw !== 'off') throw new Error(`${name} must be on or off, got "${env[name]}"`);
  return raw === 'on';
}

function intSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got "${raw}"`);
  }
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const apiKey = env.BODYLENS_API_KEY;
  const secretKey = env.BODYLENS_SECRET_KEY;
  if (Boolean(apiKey) !== Boolean(secretKey)) {
    throw new Error('BODYLENS_API_KEY and BODYLENS_SECRET_KEY must be set together');
  }
  return {
    port: intSetting(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '0.0.0.0',
    dataDir: resolve(env.BODYLENS_DATA_DIR || './data'),
    bootstrapApp: apiKey && secretKey ? { apiKey, secretKey, appId: env.BODYLENS_APP_ID || undefined } : undefined,
    workers: intSetting(env, 'BODYLENS_WORKERS', availableParallelism(), 1, 64),
    threadsPerWorker: intSetting(env, 'BODYLENS_THREADS_PER_WORKER', 1, 1, 64),
    lendRuns: onOffSetting(env, 'BODYLENS_LEND_RUNS', true),
    logLevel: env.BODYLENS_LOG_LEVEL || 'info',
    urlAllowList: (env.BODYLENS_URL_ALLOWLIST ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    kakao: {
      imageMaxBytes: intSetting(env, 'BODYLENS_KAKAO_IMAGE_MAX_BYTES', 8 * 1024 * 1024, 1024, 64 * 1024 * 1024),
      imageFetchTimeoutMs: intSetting(env, 'BODYLENS_URL_TIMEOUT_MS', 10_000, 100, 600_000),
      videoFetchTimeoutMs: intSetting(env, 'BODYLENS_VIDEO_URL_TIMEOUT_MS', 120_000, 100, 3_600_000),
    },
    video: loadVideoSettings(env),
    capabilities: env.BODYLENS_CAPABILITIES ?? '',
    cases: loadCaseSettings(env),
    private: loadPrivateSettings(env),
    http: {
      headersTimeoutMs: intSetting(env, 'BODYLENS_HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
      bodyTimeoutMs: intSetting(env, 'BODYLENS_BODY_TIMEOUT_MS', 30_000, 100, 3_600_000),
      uploadGraceMs: intSetting(env, 'BODYLENS_UPLOAD_GRACE_MS', 30_000, 100, 3_600_000),
      uploadMinBytesPerSec: intSetting(env, 'BODYLENS_UPLOAD_MIN_BYTES_PER_SEC', 32_768, 1, 1 << 30),
      keepAliveTimeoutMs: intSetting(env, 'BODYLENS_KEEPALIVE_TIMEOUT_MS', 5000, 100, 600_000),
      maxConnectionsPerClient: intSetting(env, 'BODYLENS_MAX_CONNECTIONS_PER_CLIENT', 64, 1, 100_000),
      maxUrlBytes: intSetting(env, 'BODYLENS_MAX_URL_BYTES', 1024, 256, 1 << 20),
      queueTimeoutMs: intSetting(env, 'BODYLENS_QUEUE_TIMEOUT_MS', 8000, 0, 600_000),
      maxQueue: intSetting(env, 'BODYLENS_MAX_QUEUE', 256, 1, 100_000),
    },
    quotaUtcOffsetMinutes: env.BODYLENS_QUOTA_UTC_OFFSET ? parseUtcOffset(env.BODYLENS_QUOTA_UTC_OFFSET) : DEFAULT_QUOTA_UTC_OFFSET_MINUTES,
    adminKey: adminKeySetting(env.BODYLENS_ADMIN_KEY),
    serverKey: env.BODYLENS_SERVER_KEY || undefined,
    metrics: metricsSetting(env.BODYLENS_METRICS),
    shutdownTimeoutMs: intSetting(env, 'BODYLENS_SHUTDOWN_TIMEOUT_MS', 30_000, 0, 3_600_000),
    corsOrigins: parseCorsOrigins(env.BODYLENS_CORS_ORIGINS),
  };
}

function metricsSetting(raw: string | undefined): Config['metrics'] {
  const value = (raw || 'loopback').toLowerCase();
  if (value !== 'loopback' && value !== 'key' && value !== 'open' && value !== 'off') throw new Error(`BODYLENS_METRICS must be loopback, key, open or off (got "${raw}")`);
  return value;
}

function adminKeySetting(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  if (raw.length < 16) throw new Error('BODYLENS_ADMIN_KEY must be at least 16 characters');
  return raw;
}

/** BODYLENS_MODELS_DIR: where converted ONNX models live (unset: <package root>/models). */
export function modelsDirSetting(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.BODYLENS_MODELS_DIR ? resolve(env.BODYLENS_MODELS_DIR) : undefined;
}

export type ModelPrecision = 'float' | 'int8';

/**
 * BODYLENS_MODEL_PRECISION: 'float' (default) or 'int8', which runs the int8 twins of the
 * convolution-heavy models (docs/models.md, "int8"): about twice as fast, slightly less accurate.
 */
export function modelPrecisionSetting(env: NodeJS.ProcessEnv = process.env): ModelPrecision {
  const v = (env.BODYLENS_MODEL_PRECISION ?? '').trim().toLowerCase() || 'float';
  if (v !== 'float' && v !== 'int8') throw new Error(`BODYLENS_MODEL_PRECISION must be "float" or "int8", not "${v}"`);
  return v;
}

/** BODYLENS_FFMPEG: another ffmpeg binary (unset: the one in @ffmpeg-installer/ffmpeg). */
export function ffmpegSetting(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.BODYLENS_FFMPEG || undefined;
}

export function loadVideoSettings(env: NodeJS.ProcessEnv = process.env): VideoSettings {
  const d = DEFAULT_VIDEO_SETTINGS;
  return {
    maxSeconds: intSetting(env, 'BODYLENS_VIDEO_MAX_SECONDS', d.maxSeconds, 1, 3600),
    frameStride: intSetting(env, 'BODYLENS_VIDEO_FRAME_STRIDE', d.frameStride, 1, 1000),
    concurrency: intSetting(env, 'BODYLENS_VIDEO_CONCURRENCY', d.concurrency, 1, 64),
    retentionDays: intSetting(env, 'BODYLENS_JOB_RETENTION_DAYS', d.retentionDays, 1, 3650),
    maxBytes: intSetting(env, 'BODYLENS_VIDEO_MAX_BYTES', d.maxBytes, 1, 2 ** 40),
  };
}

/** Exact origins (`https://app.example.com`) or any origin (`*`). */
export type CorsOrigins = readonly string[] | '*';

/** Parses BODYLENS_CORS_ORIGINS: empty = off; `*`; or comma-separated `scheme://host[:port]` origins. */
export function parseCorsOrigins(raw: string | undefined): CorsOrigins | undefined {
  const value = (raw ?? '').trim();
  if (!value) return undefined;
  if (value === '*') return '*';
  const origins = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== origin) {
      throw new Error(`BODYLENS_CORS_ORIGINS: "${origin}" is not an origin like https://app.example.com (scheme, host, optional port; no path or trailing slash), or * for any`);
    }
  }
  return origins;
}
