/**
 * Asynchronous video pose jobs (Kakao `POST /pose/job`, `GET /pose/job/{id}`).
 *
 * State lives in SQLite (`pose_jobs`: status, progress, attempts, timestamps) and files under
 * `<dataDir>/jobs/<id>/` (`input`: the video while the job needs it; `result.json`: the
 * finished analysis, written atomically). A job's life: waiting → processing → success | failed.
 * Restart safety: jobs still waiting simply run; a job found `processing` at start-up was
 * interrupted (crash, kill) and is retried once, then failed with a reason. Finished jobs older
 * than the retention period answer `not found` and their rows and files are deleted. See
 * docs/video.md.
 */
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { VideoSettings } from '../config.js';
import { ServiceError } from '../errors.js';
import { applyMigrations, cachedStatement, type Db, type MigrationSet } from '../store/db.js';
import { chmodPrivate, ensurePrivateDir } from '../store/private-files.js';
import type { RgbImage } from '../types.js';
import { analyzeVideo, type BodyFrameFn, type BodyFrameOptions, type VideoPoseResult } from './analyze.js';
import type { BodyFrameState, TrackedPerson } from '../capabilities/body_analysis/index.js';
import { VideoError } from './decode.js';

export type JobSource = { kind: 'file'; path: string } | { kind: 'url'; url: string };
export type JobStatus = 'waiting' | 'processing' | 'success' | 'failed';

export interface JobLogger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * What `view` tells of a job. A stored result is neutral (VideoPoseResult); results written
 * before results were versioned hold Kakao's annotations as they were answered.
 */
export type PoseJobView =
  | { job_id: string; status: 'not found' }
  | { job_id: string; status: 'waiting' }
  | { job_id: string; status: 'processing'; progress: number }
  | { job_id: string; status: 'failed'; description: string }
  | { job_id: string; status: 'success'; result: StoredVideoResult; createdAt: Date };

/** A result file: the neutral, versioned result, or a Kakao-shaped one from before versioning. */
export type StoredVideoResult = VideoPoseResult | LegacyVideoResult;
export interface LegacyVideoResult {
  version?: undefined;
  video: VideoPoseResult['video'];
  annotations: Array<{ frame_num: number; objects: unknown[] }>;
}

export interface PoseJobsDeps {
  /** The service database (better-sqlite3); the `pose_jobs` migration set is applied to it. */
  db: Db;
  /** Job folders live under `<dataDir>/jobs/<id>/`. */
  dataDir: string;
  /** The body_analysis frame call, e.g. `(...a) => engine.frame('body_analysis', ...a)`. */
  frame: BodyFrameFn;
  /** Fetches a caller's URL to `destPath` under the service's URL safety rules; throws on failure. */
  download(url: string, destPath: string, signal?: AbortSignal): Promise<void>;
  settings: VideoSettings;
  /** Called once per job when it ends (success or failure), e.g. to send the callback. */
  onFinished?(job: { id: string; status: 'success' | 'failed'; callbackUrl?: string }): void | Promise<void>;
  log?: JobLogger;
  /** Clock in ms (tests move it forward to check expiry). */
  now?: () => number;
}

export const POSE_JOB_MIGRATIONS: MigrationSet = {
  name: 'pose_jobs',
  migrations: [
    {
      version: 1,
      description: 'pose_jobs table',
      up: (db) =>
        db.exec(`CREATE TABLE pose_jobs (
          id           TEXT    PRIMARY KEY,
          status       TEXT    NOT NULL CHECK (status IN ('waiting', 'processing', 'success', 'failed')),
          source_kind  TEXT    NOT NULL CHECK (source_kind IN ('file', 'url')),
          source_url   TEXT,
          smoothing    INTEGER NOT NULL,
          callback_url TEXT,
          attempts     INTEGER NOT NULL DEFAULT 0,
          progress     REAL    NOT NULL DEFAULT 0,
          description  TEXT,
          created_at   INTEGER NOT NULL,
          started_at   INTEGER,
          finished_at  INTEGER
        );
        CREATE INDEX pose_jobs_by_status ON pose_jobs (status, created_at);`),
    },
    {
      version: 2,
      description: 'owner app of each job (another app reads "not found")',
      // Jobs from before ownership keep a NULL owner: any app may still read them.
      up: (db) => db.exec('ALTER TABLE pose_jobs ADD COLUMN app_id TEXT'),
    },
  ],
};

interface JobRow {
  id: string;
  app_id: string | null;
  status: JobStatus;
  source_kind: 'file' | 'url';
  source_url: string | null;
  smoothing: number;
  callback_url: string | null;
  attempts: number;
  progress: number;
  description: string | null;
  created_at: number;
  finished_at: number | null;
}

/** Runs of a job before an interruption fails it instead of retrying (1 retry). */
const MAX_ATTEMPTS = 2;
const DAY_MS = 24 * 60 * 60 * 1000;
/** How often expired results are swept while the service runs. */
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;
/** Least time between two progress writes of one job. */
const PROGRESS_WRITE_MS = 250;
/** Pause before resending a frame the worker pool refused because its queue was full. */
const BUSY_RETRY_MS = 200;
/** Give up on a frame after the pool has stayed full this long. */
const BUSY_GIVE_UP_MS = 60_000;
/** A job folder with no row (a crash between creating it and recording the job) is removed after this. */
const ORPHAN_GRACE_MS = 60 * 60 * 1000;

const INPUT_FILE = 'input';
const RESULT_FILE = 'result.json';

/** Moves a file, copying when source and destination are on different filesystems. */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    copyFileSync(from, to);
    unlinkSync(from);
  }
  chmodPrivate(to, 0o600);
}

/** Writes JSON so that readers see either the old file or the complete new one. */
async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w', 0o600);
  try {
    await handle.writeFile(JSON.stringify(value));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
}

function failureDescription(err: unknown): string {
  if (err instanceof VideoError) return `Failed to analyze video: ${err.reason}`;
  return 'Failed to analyze video: internal error';
}

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
}

export class PoseJobs {
  private readonly db: Db;
  private readonly jobsDir: string;
  private readonly now: () => number;
  private readonly running = new Map<string, RunningJob>();
  private started = false;
  private closing = false;
  private sweepTimer?: NodeJS.Timeout;

  constructor(private readonly deps: PoseJobsDeps) {
    this.db = deps.db;
    this.jobsDir = join(deps.dataDir, 'jobs');
    this.now = deps.now ?? Date.now;
    applyMigrations(this.db, POSE_JOB_MIGRATIONS);
    // Videos and results are the callers' data: private to the service's user (0700 / 0600).
    ensurePrivateDir(this.jobsDir, { tightenExisting: true });
  }

  /** Recovers interrupted jobs, sweeps expired ones, then starts processing waiting jobs. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.closing = false;
    this.recoverInterrupted();
    this.sweepExpired();
    this.sweepTimer = setInterval(() => this.background('sweep', () => this.sweepExpired()), SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    this.pump();
  }

  /**
   * Records a job and returns its id at once. A 'file' source is moved into the job's folder
   * (the job owns it from now on). Throws if the file cannot be moved.
   */
  submit(source: JobSource, options: { smoothing: boolean; callbackUrl?: string; appId?: string }): string {
    const id = randomUUID();
    const dir = this.jobDir(id);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      if (source.kind === 'file') moveFile(source.path, join(dir, INPUT_FILE));
      this.sql(
        `INSERT INTO pose_jobs (id, status, source_kind, source_url, smoothing, callback_url, created_at, app_id)
         VALUES (?, 'waiting', ?, ?, ?, ?, ?, ?)`,
      ).run(id, source.kind, source.kind === 'url' ? source.url : null, options.smoothing ? 1 : 0, options.callbackUrl ?? null, this.now(), options.appId ?? null);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    this.deps.log?.info({ job_id: id, source: source.kind }, 'pose job submitted');
    this.background('scheduling', () => this.pump());
    return id;
  }

  /**
   * The job's state, neutral (the dialect formats it: api/kakao/format.ts `kakaoJobView`). With
   * `appId`, a job another app created reads as "not found", like one that does not exist.
   */
  view(id: string, appId?: string): PoseJobView {
    const notFound = { job_id: id, status: 'not found' } as const;
    const row = this.sql('SELECT * FROM pose_jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row || this.isExpired(row)) return notFound;
    if (appId !== undefined && row.app_id != null && row.app_id !== appId) return notFound;
    switch (row.status) {
      case 'waiting':
        return { job_id: id, status: 'waiting' };
      case 'processing':
        return { job_id: id, status: 'processing', progress: row.progress };
      case 'failed':
        return { job_id: id, status: 'failed', description: row.description ?? 'Failed to analyze video' };
      case 'success': {
        let result: StoredVideoResult;
        try {
          result = JSON.parse(readFileSync(join(this.jobDir(id), RESULT_FILE), 'utf8')) as StoredVideoResult;
        } catch (err) {
          this.deps.log?.error({ job_id: id, err }, 'result file of a finished pose job is unreadable');
          return notFound;
        }
        return { job_id: id, status: 'success', result, createdAt: new Date(row.finished_at ?? row.created_at) };
      }
    }
  }

  /**
   * Stops taking jobs and aborts running ones; they stay `processing` in the database and run
   * again on the next start (a graceful stop does not use up their retry). Call before closing
   * the worker pool, so no frame fails for lack of workers.
   */
  async close(): Promise<void> {
    this.closing = true;
    this.started = false;
    clearInterval(this.sweepTimer);
    for (const job of this.running.values()) job.controller.abort(new Error('service is shutting down'));
    await Promise.all([...this.running.values()].map((j) => j.done));
  }

  /** Deletes finished jobs older than the retention period (rows and files). Returns how many. */
  sweepExpired(): number {
    const cutoff = this.now() - this.deps.settings.retentionDays * DAY_MS;
    const expired = this.sql(`SELECT id FROM pose_jobs WHERE status IN ('success', 'failed') AND finished_at < ?`)
      .all(cutoff) as Array<{ id: string }>;
    const remove = this.sql('DELETE FROM pose_jobs WHERE id = ?');
    for (const { id } of expired) {
      rmSync(this.jobDir(id), { recursive: true, force: true });
      remove.run(id);
    }
    this.removeOrphanFolders();
    if (expired.length) this.deps.log?.info({ count: expired.length }, 'expired pose jobs deleted');
    return expired.length;
  }

  private removeOrphanFolders(): void {
    const known = this.sql('SELECT 1 FROM pose_jobs WHERE id = ?');
    for (const name of readdirSync(this.jobsDir)) {
      if (known.get(name)) continue;
      const path = join(this.jobsDir, name);
      try {
        if (this.now() - statSync(path).mtimeMs > ORPHAN_GRACE_MS) rmSync(path, { recursive: true, force: true });
      } catch {
        // vanished meanwhile
      }
    }
  }

  /** Runs timer/continuation work whose failure (e.g. a full disk) must be logged, not crash the service. */
  private background(what: string, work: () => unknown): void {
    try {
      work();
    } catch (err) {
      this.deps.log?.error({ err }, `pose jobs: ${what} failed`);
    }
  }

  /** A statement compiled once per connection: view() runs on every poll. */
  /** Jobs per state (for /metrics). */
  countByState(): Record<string, number> {
    const rows = this.sql('SELECT status, COUNT(*) AS n FROM pose_jobs GROUP BY status').all() as Array<{ status: string; n: number }>;
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  private sql(text: string) {
    return cachedStatement(this.db, text);
  }

  private jobDir(id: string): string {
    return join(this.jobsDir, id);
  }

  private isExpired(row: JobRow): boolean {
    if (row.finished_at === null) return false;
    return row.finished_at < this.now() - this.deps.settings.retentionDays * DAY_MS;
  }

  private recoverInterrupted(): void {
    const interrupted = this.sql(`SELECT id, attempts, callback_url FROM pose_jobs WHERE status = 'processing'`).all() as Array<
      Pick<JobRow, 'id' | 'attempts' | 'callback_url'>
    >;
    for (const job of interrupted) {
      if (job.attempts < MAX_ATTEMPTS) {
        this.sql(`UPDATE pose_jobs SET status = 'waiting', progress = 0 WHERE id = ?`).run(job.id);
        this.deps.log?.info({ job_id: job.id, attempts: job.attempts }, 'interrupted pose job will be retried');
      } else {
        this.finish(job.id, job.callback_url, 'failed', 'Processing was interrupted (service restart or crash) and failed again on retry');
      }
    }
  }

  /** Starts waiting jobs while there is capacity. */
  private pump(): void {
    if (!this.started || this.closing) return;
    while (this.running.size < this.deps.settings.concurrency) {
      const row = this.sql(`SELECT * FROM pose_jobs WHERE status = 'waiting' ORDER BY created_at, rowid LIMIT 1`)
        .get() as JobRow | undefined;
      if (!row) return;
      this.sql(`UPDATE pose_jobs SET status = 'processing', attempts = attempts + 1, progress = 0, started_at = ? WHERE id = ?`)
        .run(this.now(), row.id);
      const controller = new AbortController();
      const done = this.process(row, controller.signal)
        .catch((err) => this.deps.log?.error({ job_id: row.id, err }, 'pose job could not be recorded'))
        .finally(() => {
          this.running.delete(row.id);
          this.background('scheduling', () => this.pump());
        });
      this.running.set(row.id, { controller, done });
    }
  }

  private async process(row: JobRow, signal: AbortSignal): Promise<void> {
    const dir = this.jobDir(row.id);
    const input = join(dir, INPUT_FILE);
    const started = this.now();
    try {
      if (row.source_kind === 'url') {
        try {
          mkdirSync(dir, { recursive: true, mode: 0o700 });
          await this.deps.download(row.source_url!, input, signal);
        } catch (err) {
          if (signal.aborted) throw err;
          const reason = err instanceof Error && err.message ? `: ${err.message}` : '';
          this.finish(row.id, row.callback_url, 'failed', `Failed to get video${reason}`);
          return;
        }
      }
      if (!existsSync(input)) {
        this.finish(row.id, row.callback_url, 'failed', 'Failed to get video: the uploaded file is missing');
        return;
      }
      const { size } = await stat(input);
      if (size > this.deps.settings.maxBytes) {
        this.finish(row.id, row.callback_url, 'failed', `Failed to get video: larger than ${this.deps.settings.maxBytes} bytes`);
        return;
      }
      let lastWrite = 0;
      const progress = this.sql(`UPDATE pose_jobs SET progress = ? WHERE id = ? AND status = 'processing'`);
      const result = await analyzeVideo(input, {
        frame: (image, state, t, options) => this.frameWhenFree(image, state, t, options, signal),
        smoothing: row.smoothing === 1,
        maxSeconds: this.deps.settings.maxSeconds,
        frameStride: this.deps.settings.frameStride,
        signal,
        onProgress: (fraction) => {
          const t = Date.now();
          if (t - lastWrite < PROGRESS_WRITE_MS) return;
          lastWrite = t;
          progress.run(fraction, row.id);
        },
      });
      await writeJsonAtomic(join(dir, RESULT_FILE), result);
      this.finish(row.id, row.callback_url, 'success');
      this.deps.log?.info(
        { job_id: row.id, frames: result.frames.length, ms: this.now() - started },
        'pose job finished',
      );
    } catch (err) {
      if (signal.aborted) {
        // Stopped by close(): leave it 'processing' for the next start, without using its retry.
        this.sql('UPDATE pose_jobs SET attempts = MAX(attempts - 1, 0) WHERE id = ?').run(row.id);
        return;
      }
      if (!(err instanceof VideoError)) this.deps.log?.error({ job_id: row.id, err }, 'pose job failed');
      this.finish(row.id, row.callback_url, 'failed', failureDescription(err));
    }
  }

  /**
   * Sends one frame to the pool; while the pool refuses work because its queue is full (image
   * traffic has priority), waits and resends instead of failing the job.
   */
  private async frameWhenFree(
    image: RgbImage,
    state: BodyFrameState | undefined,
    t: number,
    options: BodyFrameOptions,
    signal: AbortSignal,
  ): Promise<{ state: BodyFrameState; result: TrackedPerson[] }> {
    const giveUp = Date.now() + BUSY_GIVE_UP_MS;
    for (;;) {
      try {
        return await this.deps.frame(image, state, t, options);
      } catch (err) {
        const busy = err instanceof ServiceError && (err.kind === 'unavailable' || err.kind === 'overloaded');
        if (!busy || signal.aborted || Date.now() > giveUp) throw err;
        await delay(BUSY_RETRY_MS, undefined, { signal });
      }
    }
  }

  /** Records the outcome, frees the input video and notifies `onFinished` (errors there are logged). */
  private finish(id: string, callbackUrl: string | null, status: 'success' | 'failed', description?: string): void {
    this.sql(`UPDATE pose_jobs SET status = ?, progress = ?, description = ?, finished_at = ? WHERE id = ?`)
      .run(status, status === 'success' ? 1 : 0, description ?? null, this.now(), id);
    void rm(join(this.jobDir(id), INPUT_FILE), { force: true });
    if (status === 'failed') this.deps.log?.info({ job_id: id, description }, 'pose job failed');
    const onFinished = this.deps.onFinished;
    if (!onFinished) return;
    Promise.resolve()
      .then(() => onFinished({ id, status, callbackUrl: callbackUrl ?? undefined }))
      .catch((err) => this.deps.log?.error({ job_id: id, err }, 'pose job onFinished hook failed'));
  }
}
