/**
 * `npm run bench -- --case limits`: the per-app limits under load, from this process (the load
 * generator) against the real service in a second process on loopback.
 *
 * - QPS: one app limited to L requests/s per API is sent open-loop traffic at 2x, 5x and 20x L
 *   for a few seconds each; the admitted count must stay within 5 % of what the sliding
 *   one-second window allows (L per started second of the send span), and the calls refused
 *   with 18 must answer in under 5 ms at p99. Every call carries an invalid image, so an admitted
 *   call ends at the image check (216203) and the limiter alone is measured, not the models on a
 *   shared CPU; the server's usage report confirms refused calls ended as qps_limit.
 * - Daily / total: apps with a limit of N get 3N concurrent calls; exactly N must be admitted.
 *
 * Prints one JSON line. The machine is shared, so latencies are noisy.
 */
import { Agent, request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

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
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({
      port: args.port,
      name: 'limits',
      startupTimeoutMs: args.startupTimeoutMs,
      env: { BODYLENS_ADMIN_KEY: ADMIN_KEY, BODYLENS_CAPABILITIES: 'body_analysis', BODYLENS_MAX_CONNECTIONS_PER_CLIENT: '1000' },
    });
    const base = server.base;
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
    // node:http with a keep-alive pool: less client overhead per call than fetch.
    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    const call = (url: string, body: string) =>
      new Promise<{ code: number; ms: number }>((resolve, reject) => {
        const t = performance.now();
        const req = httpRequest(url, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ code: (JSON.parse(text) as { error_code?: number }).error_code ?? 0, ms: performance.now() - t }));
        });
        req.on('error', reject);
        req.end(body);
      });

    const levels = [];
    for (const multiple of MULTIPLES) {
      const { app, url } = await appWithToken({ name: `qps-${multiple}x`, qps_limit: QPS });
      const rate = QPS * multiple;
      const total = rate * SECONDS;
      const started = performance.now();
      const pending: Promise<{ code: number; ms: number }>[] = [];
      let lastSend = started;
      // Open loop: request i leaves at i / rate seconds, whatever the earlier ones are doing.
      for (let i = 0; i < total; i++) {
        const due = started + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await sleep(wait);
        lastSend = performance.now();
        pending.push(call(url, 'image=%23%23%23'));
      }
      const results = await Promise.all(pending);
      const sendSeconds = (lastSend - started) / 1000;
      const refused = results.filter((r) => r.code === 18).map((r) => r.ms).sort((a, b) => a - b);
      const admitted = results.length - refused.length;
      // Offered faster than L, the sliding window admits L in each second that starts within the span.
      const expected = QPS * (Math.floor(sendSeconds) + 1);
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

    // Refused calls one at a time (the window kept full), for latency without client queueing.
    const serial = await (async () => {
      const { url } = await appWithToken({ name: 'serial', qps_limit: 1 });
      await call(url, 'image=%23%23%23');
      const ms: number[] = [];
      for (let i = 0; i < 300; i++) {
        const r = await call(url, 'image=%23%23%23');
        if (r.code === 18) ms.push(r.ms);
        if (i % 60 === 59) await call(url, 'image=%23%23%23'); // may be admitted as the window moves
      }
      ms.sort((a, b) => a - b);
      return { refused: ms.length, p50_ms: Number(percentile(ms, 50).toFixed(2)), p99_ms: Number(percentile(ms, 99).toFixed(2)) };
    })();

    const exact = async (field: 'daily_limit' | 'total_limit', code: number) => {
      const { url } = await appWithToken({ name: field, [field]: QUOTA });
      // Cheap bodies: admitted calls stop at the image check, so the count is the only variable.
      const results = await Promise.all(Array.from({ length: 3 * QUOTA }, () => call(url, 'image=%23%23%23')));
      return { limit: QUOTA, sent: 3 * QUOTA, admitted: results.filter((r) => r.code !== code).length, refused: results.filter((r) => r.code === code).length };
    };
    const daily = await exact('daily_limit', 17);
    const total = await exact('total_limit', 19);

    const qpsOk = levels.every((l) => l.admitted_error_pct <= 5);
    const latencyOk = serial.p99_ms < 5;
    out({
      bench: LIMITS_BENCH_CASE,
      qps_limit: QPS,
      seconds_per_level: SECONDS,
      levels,
      refused_serial: serial,
      daily,
      total,
      load_average: loadavg().map((v) => Number(v.toFixed(2))),
      pass: { qps_within_5pct: qpsOk, refused_serial_p99_under_5ms: latencyOk, daily_exact: daily.admitted === QUOTA, total_exact: total.admitted === QUOTA },
      note: 'shared 2-core machine: latencies are noisy',
    });
    return 0;
  } catch (err) {
    out({ bench: LIMITS_BENCH_CASE, error: (err as Error).message });
    return 1;
  } finally {
    await server?.stop();
  }
}
