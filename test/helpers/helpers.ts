import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.js';
import type { RunningServer } from '../../src/server.js';

/** The official Baidu SDK (CommonJS), loaded on first use; its HTTP client is process-wide. */
const baiduSdk = () => createRequire(import.meta.url)('baidu-aip-sdk');

/** Absolute path of a committed test fixture (works from dist/test as well as test/). */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../../../test/fixtures/${name}`, import.meta.url));
}

/** A service config for end-to-end tests: loopback, an ephemeral port, one worker, quiet logs. */
export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    BODYLENS_DATA_DIR: dataDir,
    BODYLENS_WORKERS: '1',
    BODYLENS_LOG_LEVEL: 'warn',
    ...env,
  });
}

/** Credentials of the app every Baidu test server starts with. */
export const TEST_API_KEY = 'testApiKey0123456789abcd';
export const TEST_SECRET_KEY = 'testSecretKey0123456789abcdefghi';

export interface BaiduTestServer {
  server: RunningServer;
  /** http://127.0.0.1:<port> */
  base: string;
  /** An access_token for the test app, fetched over HTTP. */
  token: string;
  /** POSTs a form (fields, or a raw body) to an online API; asserts Baidu's HTTP 200 and returns the JSON. */
  call(api: string, fields: Record<string, string> | string, query?: string): Promise<any>;
  /** An official baidu-aip-sdk body client for the test app, its requests routed to this server. */
  sdkClient(): any;
  /** Stops the server and removes its data directory. */
  close(): Promise<void>;
}

/** The real service (SQLite, a worker, Fastify) on a loopback port, with one app and a token. */
export async function startBaiduTestServer(appId: string, env: Record<string, string> = {}): Promise<BaiduTestServer> {
  const { startServer } = await import('../../src/server.js');
  const dir = mkdtempSync(join(tmpdir(), 'bodylens-baidu-'));
  const server = await startServer(testConfig(dir, { BODYLENS_API_KEY: TEST_API_KEY, BODYLENS_SECRET_KEY: TEST_SECRET_KEY, BODYLENS_APP_ID: appId, ...env }));
  const base = server.address;
  await server.engine.ready;
  const res = await fetch(`${base}/oauth/2.0/token?grant_type=client_credentials&client_id=${TEST_API_KEY}&client_secret=${TEST_SECRET_KEY}`);
  const token: string = (await res.json()).access_token;
  return {
    server,
    base,
    token,
    async call(api, fields, query = `access_token=${token}`) {
      const response = await fetch(`${base}/rest/2.0/image-classify/v1/${api}?${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: typeof fields === 'string' ? fields : new URLSearchParams(fields).toString(),
      });
      assert.equal(response.status, 200, 'Baidu answers errors with HTTP 200');
      return response.json();
    },
    sdkClient() {
      baiduSdk().HttpClient.setRequestInterceptor((options: Record<string, any>) => {
        options.url = String(options.url).replace('https://aip.baidubce.com', base);
        return options;
      });
      return new (baiduSdk().bodyAnalysis)(appId, TEST_API_KEY, TEST_SECRET_KEY);
    },
    async close() {
      baiduSdk().HttpClient.setRequestInterceptor(null);
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
