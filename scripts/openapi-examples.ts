/**
 * Writes docs/openapi-examples.json: one real call of every documented operation against the
 * real server (models, SQLite, HTTP; committed test fixtures), trimmed for reading. The document
 * embeds them; test/e2e/openapi.test.ts checks they still conform to the schemas.
 *
 *   npx tsc -p tsconfig.json && node dist/scripts/openapi-examples.js
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/runtime/models.js';
import { PRIVATE_SERVICE_NAMES } from '../src/api/private/services.js';
import { startBaiduTestServer, TEST_API_KEY, TEST_SECRET_KEY } from '../test/helpers/helpers.js';
import { realCalls } from '../test/helpers/api-calls.js';
import { examplesFrom } from '../test/helpers/examples.js';
import { makeSkierClip } from '../test/helpers/video-clip.js';

const ADMIN_KEY = 'examplesAdminKey0123456789';
const dir = mkdtempSync(join(tmpdir(), 'bodylens-examples-'));
const server = await startBaiduTestServer('9000002', { BODYLENS_PRIVATE: 'on', BODYLENS_PRIVATE_PORTS: 'off', BODYLENS_ADMIN_KEY: ADMIN_KEY });
try {
  const clip = makeSkierClip(join(dir, 'clip.mp4'), { frames: 6, fps: 10 });
  const calls = await realCalls({ base: server.base, apiKey: TEST_API_KEY, secretKey: TEST_SECRET_KEY, adminKey: ADMIN_KEY, privateServices: PRIVATE_SERVICE_NAMES, clip });
  const examples = examplesFrom(calls);
  const file = join(packageRoot(), 'docs', 'openapi-examples.json');
  writeFileSync(file, `${JSON.stringify(examples, null, 1)}\n`);
  console.log(JSON.stringify({ file, operations: Object.keys(examples).length, calls: calls.length }));
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
