/**
 * `npm run bench -- --case limits`: the per-app limits under load, from this process (the load
 * generator) against the real service in a second process on loopback.
 *
 * - QPS: one app limited to L requests/s per API is sent open-loop traffic at 2x, 5x and 20x L
 *   for a few seconds each; the admitted rate must stay within 5 % of L, and the calls refused
 *   with 18 must answer in under 5 ms at p99. Admitted calls carry a real photo (they run the
 *   models); refused ones stop at the limiter, before the worker queue.
 * - Daily / total: apps with a limit of N get 3N concurrent calls; exactly N must be admitted.
 *
 * Prints one JSON line. The machine is shared, so latencies are noisy.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.js';
import { packageRoot } from '../src/runtime/models.js';

export const LIMITS_BENCH_CASE = 'limits';

const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const QPS = 10;
const MULTIPLES = [2, 5, 20];
const SECONDS = 4;
const QUOTA = 60;

interface Args {
  port: number;
  startupTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLimitsBench(args: Args, out: (line: Record<string, unknown>) => void): Promise<number> {
  const root = packageRoot();
  const base = `http://127.0.0.1:${args.port}`;
  const dataDir = await mkdtemp(join(tmpdir(), 'bodylens-bench-limits-'));
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'server.js')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(args.port),
      HOST: '127.0.0.1',
      BODYLENS_DATA_DIR: dataDir,
      BODYLENS_ADMIN_KEY: ADMIN_KEY,
      BODYLENS_CAPABILITIES: 'body_analysis',
      BODYLENS_MAX_CONNECTIONS_PER_CLIENT: '1000',
      BODYLENS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const t0 = performance.now();
    for (;;) {
      if (performance.now() - t0 > args.startupTimeoutMs) throw new Error('server did not become healthy');
      if ((await fetch(`${base}/healthz`).then((r) => r.status).catch(() => 0)) === 200) break;
      await sleep(250);
    }
    const admin = async (path: string, body?: object) => {
      const res = await fetch(`${base}${path}`, {
        method: body ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      return res.json() as Promise<any>;
    };
    const appWithToken = async (limits: object) => {
      const app = await admin('/admin/apps', limits);
      const tok = await (await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${app.api_key}&client_secret=${app.secret_key}`)).json();
      return { app, url: `${base}/rest/2.0/image-classify/v1/body_analysis?access_token=${tok.access_token}` };
    };
    const photo = `image=${encodeURIComponent(readFileSync(join(root, 'test', 'fixtures', 'hands-2_pic00474.jpg')).toString('base64'))}`;
    const call = async (url: string, body: string) => {
      const t = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      const json = (await res.json()) as { error_code?: number };
      return { code: json.error_code ?? 0, ms: performance.now() - t };
    };

    const levels = [];
    for (const multiple of MULTIPLES) {
      const { app, url } = await appWithToken({ name: `qps-${multiple}x`, qps_limit: QPS });
      const rate = QPS * multiple;
      const total = rate * SECONDS;
      const started = performance.now();
      const pending: Promise<{ code: number; ms: number }>[] = [];
      // Open loop: request i leaves at i / rate seconds, whatever the earlier ones are doing.
      for (let i = 0; i < total; i++) {
        const due = started + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        pending.push(call(url, photo));
      }
      const results = await Promise.all(pending);
      const sendSeconds = (performance.now() - started) / 1000;
      const refused = results.filter((r) => r.code === 18).map((r) => r.ms).sort((a, b) => a - b);
      const admitted = results.length - refused.length;
      // The sliding window admits L at once, then L per second: L * (1 + span) over the send span.
      const expected = QPS * ((total - 1) / rate + 1);
      const usage = await admin(`/admin/apps/${app.app_id}/usage`);
      const outcomes = Object.fromEntries(usage.usage.map((u: { outcome: string; count: number }) => [u.outcome, u.count]));
      levels.push({
        multiple,
        offered_rps: rate,
        requests: total,
        send_seconds: Number(sendSeconds.toFixed(2)),
        admitted,
        expected_admitted: Math.round(expected),
        admitted_error_pct: Number(((100 * Math.abs(admitted - expected)) / expected).toFixed(2)),
        refused_18: refused.length,
        refused_p50_ms: Number(percentile(refused, 50).toFixed(2)),
        refused_p99_ms: Number(percentile(refused, 99).toFixed(2)),
        other_codes: [...new Set(results.map((r) => r.code).filter((c) => c !== 0 && c !== 18))],
        server_outcomes: outcomes,
      });
      await sleep(1100);
    }

    const exact = async (field: 'daily_limit' | 'total_limit', code: number) => {
      const { url } = await appWithToken({ name: field, [field]: QUOTA });
      // Cheap bodies: admitted calls stop at the image check, so the count is the only variable.
      const results = await Promise.all(Array.from({ length: 3 * QUOTA }, () => call(url, 'image=%23%23%23')));
      return { limit: QUOTA, sent: 3 * QUOTA, admitted: results.filter((r) => r.code !== code).length, refused: results.filter((r) => r.code === code).length };
    };
    const daily = await exact('daily_limit', 17);
    const total = await exact('total_limit', 19);

    const qpsOk = levels.every((l) => l.admitted_error_pct <= 5);
    const latencyOk = levels.every((l) => l.refused_p99_ms < 5);
    out({
      bench: LIMITS_BENCH_CASE,
      qps_limit: QPS,
      seconds_per_level: SECONDS,
      levels,
      daily,
      total,
      pass: { qps_within_5pct: qpsOk, refused_p99_under_5ms: latencyOk, daily_exact: daily.admitted === QUOTA, total_exact: total.admitted === QUOTA },
      note: 'shared 2-core machine: latencies are noisy',
    });
    return 0;
  } catch (err) {
    out({ bench: LIMITS_BENCH_CASE, error: (err as Error).message });
    return 1;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  }
}
