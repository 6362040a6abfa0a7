/** The real service in a child process for a bench: a fresh data dir, loopback, until /healthz answers 200. */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { packageRoot } from '../src/runtime/models.js';

export interface ServerProcess {
  base: string;
  /** Seconds from spawn to a healthy /healthz. */
  startupSeconds: number;
  stop(): Promise<void>;
}

export async function startServerProcess(opts: { port: number; env: Record<string, string>; startupTimeoutMs: number; name: string }): Promise<ServerProcess> {
  const root = packageRoot();
  const base = `http://127.0.0.1:${opts.port}`;
  const dataDir = await mkdtemp(join(tmpdir(), `bodylens-bench-${opts.name}-`));
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'server.js')], {
    cwd: root,
    env: { ...process.env, PORT: String(opts.port), HOST: '127.0.0.1', BODYLENS_DATA_DIR: dataDir, BODYLENS_LOG_LEVEL: 'warn', ...opts.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  const t0 = performance.now();
  try {
    for (;;) {
      if (performance.now() - t0 > opts.startupTimeoutMs) throw new Error('server did not become healthy');
      if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
      if ((await fetch(`${base}/healthz`).then((r) => r.status).catch(() => 0)) === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { base, startupSeconds: (performance.now() - t0) / 1000, stop };
}
