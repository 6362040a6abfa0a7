/**
 * `npm run bench -- --case console`: the web console in real headless Chromium against the real
 * service (a second process on loopback), at concurrency 1:
 *
 * - first paint: a fresh load of /console/ (first-contentful-paint, and the moment the page is
 *   ready: the API list fetched and the views built), `runs` loads;
 * - round trip: choose the photo, press Run, until the drawn result is shown (the browser reads
 *   and base64-encodes the file, the console route runs body_analysis and its render, the page
 *   shows the PNG), `runs` times after two warm-up trips.
 *
 * Prints one JSON line. The machine is shared (2 cores, another job running): times are noisy.
 */
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile } from './stats.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { packageRoot } from '../src/runtime/models.js';
import { browserSkipReason, choosePhoto, launchBrowser, type Browser } from '../test/helpers/browser.js';

export const CONSOLE_BENCH_CASE = 'console';

const API_KEY = 'bench-console-key';
const SECRET_KEY = 'bench-console-secret';
const PHOTO = 'test/fixtures/coco-000000000785.jpg';

const stats = (values: number[]) => {
  const v = [...values].sort((a, b) => a - b);
  const r = (x: number) => Number(x.toFixed(1));
  return { p50: r(percentile(v, 50)), p95: r(percentile(v, 95)), mean: r(v.reduce((a, b) => a + b, 0) / Math.max(1, v.length)) };
};

export async function runConsoleBench(args: { port: number; startupTimeoutMs: number; runs: number }, out: (line: Record<string, unknown>) => void): Promise<number> {
  const skip = browserSkipReason();
  if (skip) {
    out({ bench: CONSOLE_BENCH_CASE, skipped: true, reason: skip });
    return 0;
  }
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  try {
    server = await startServerProcess({
      port: args.port,
      name: 'console',
      startupTimeoutMs: args.startupTimeoutMs,
      env: { BODYLENS_API_KEY: API_KEY, BODYLENS_SECRET_KEY: SECRET_KEY, BODYLENS_CAPABILITIES: 'body_analysis' },
    });
    browser = await launchBrowser();
    const page = browser.page;
    const paint: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < args.runs; i++) {
      await page.goto(`${server.base}/console/`, { waitUntil: 'load' });
      await page.waitForSelector('body[data-ready=true]');
      const t = await page.evaluate(() => ({
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        ready: performance.getEntriesByName('bodylens-console-ready')[0]?.startTime ?? NaN,
      }));
      paint.push(t.fcp);
      ready.push(t.ready);
    }
    await page.fill('#api-key', API_KEY);
    await page.fill('#secret-key', SECRET_KEY);
    await page.click('#get-token');
    await page.waitForFunction(() => (document.querySelector('#access-token') as HTMLInputElement).value.startsWith('24.'));
    await page.selectOption('#api', 'baidu:body_analysis');
    const photo = join(packageRoot(), PHOTO);
    const trip: number[] = [];
    const serverMs: number[] = [];
    let errors = 0;
    for (let i = 0; i < args.runs + 2; i++) {
      await page.evaluate(() => document.querySelector('#result')!.removeAttribute('src'));
      const t0 = performance.now();
      await choosePhoto(page, photo);
      const answer = page.waitForResponse((r) => r.url().includes('/console/api/try/body_analysis'));
      await page.click('#run');
      const body = await (await answer).json();
      await page.waitForFunction(() => (document.querySelector('#result') as HTMLImageElement).naturalWidth > 0 && /good|bad/.test(document.querySelector('#try-status')!.className));
      const ms = performance.now() - t0;
      if (body.response?.error_code !== undefined || !body.render) errors++;
      if (i >= 2) {
        trip.push(ms);
        serverMs.push(body.ms);
      }
    }
    out({
      bench: CONSOLE_BENCH_CASE,
      concurrency: 1,
      runs: args.runs,
      first_contentful_paint_ms: stats(paint),
      console_ready_ms: stats(ready),
      round_trip_ms: stats(trip),
      round_trip_server_ms: stats(serverMs),
      round_trip_errors: errors,
      photo: PHOTO,
      api: 'body_analysis',
      server_startup_s: Number(server.startupSeconds.toFixed(1)),
      browser: 'Debian chromium, headless',
      load_average: loadavg().map((v) => Number(v.toFixed(2))),
      note: 'shared 2-core machine: times are noisy',
    });
    return errors ? 1 : 0;
  } catch (err) {
    const page = await browser?.page.evaluate(() => [document.querySelector('#token-status')?.textContent, document.querySelector('#try-status')?.textContent]).catch(() => null);
    out({ bench: CONSOLE_BENCH_CASE, error: (err as Error).message, page_status: page ?? null });
    return 1;
  } finally {
    await browser?.close();
    await server?.stop();
  }
}
