/** Shared pieces of the Kakao end-to-end tests: a local "internet" server and error checks. */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from './helpers.js';

export interface MediaServer {
  /** http://127.0.0.1:<port> */
  base: string;
  close(): void;
}

/**
 * A real HTTP server on loopback standing in for the caller's media host. `routes` maps a path
 * (query ignored) to a handler; anything else is a 404.
 */
export async function startMediaServer(routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void>): Promise<MediaServer> {
  const server = createServer((req, res) => {
    const handler = routes[req.url?.split('?')[0] ?? ''];
    if (handler) handler(req, res);
    else { res.writeHead(404); res.end(); }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** Asserts Kakao's error answer: this HTTP status and a JSON body `{code, msg}`. */
export async function expectKakaoError(res: Response, status: number, code: number, msg?: RegExp): Promise<void> {
  const body = await res.json();
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.code, code, JSON.stringify(body));
  assert.equal(typeof body.msg, 'string');
  if (msg) assert.match(body.msg, msg);
}

/**
 * The real service for Kakao tests: one app with these keys, loopback URLs allowed (the media
 * server lives there), workers ready. `env` adds or overrides settings.
 */
export async function startKakaoTestServer(dataDir: string, keys: { apiKey: string; secretKey: string }, env: Record<string, string> = {}): Promise<RunningServer> {
  const server = await startServer(testConfig(dataDir, {
    BODYLENS_API_KEY: keys.apiKey,
    BODYLENS_SECRET_KEY: keys.secretKey,
    BODYLENS_URL_ALLOWLIST: '127.0.0.1',
    ...env,
  }));
  await server.engine.ready;
  return server;
}
