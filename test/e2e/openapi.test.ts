/**
 * The API document against the real server: real calls of every documented operation (real
 * models, real HTTP, committed fixtures) validated against their operation's schemas and error
 * codes; the served document validated by a real OpenAPI 3.1 validator; every route the server
 * registered found in it; /docs rendered; the committed examples conform and are not missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { startBaiduTestServer, TEST_API_KEY, TEST_SECRET_KEY, type BaiduTestServer } from '../helpers/helpers.js';
import { realCalls, type RealCall } from '../helpers/api-calls.js';
import { callFailed } from '../helpers/examples.js';
import { makeSkierClip } from '../helpers/video-clip.js';
import { documentedRoutes, loadExamples, type RouteDoc } from '../../src/api/openapi.js';
import { schemaErrors } from '../../src/api/schema.js';
import { servedRoutes } from '../../src/api/app.js';
import { PRIVATE_SERVICE_NAMES } from '../../src/api/private/services.js';
import { BAIDU_ENDPOINTS } from '../../src/api/baidu/endpoints.js';

const ADMIN_KEY = 'openapiAdminKey0123456789';

let baidu: BaiduTestServer;
let clipDir: string;
let calls: RealCall[];
const routes = documentedRoutes();
const byId = new Map(routes.map((r) => [r.operationId, r]));

before(async () => {
  clipDir = mkdtempSync(join(tmpdir(), 'bodylens-openapi-'));
  const clip = makeSkierClip(join(clipDir, 'clip.mp4'), { frames: 6, fps: 10 });
  baidu = await startBaiduTestServer('9000001', { BODYLENS_PRIVATE: 'on', BODYLENS_PRIVATE_PORTS: 'off', BODYLENS_ADMIN_KEY: ADMIN_KEY });
  calls = await realCalls({ base: baidu.base, apiKey: TEST_API_KEY, secretKey: TEST_SECRET_KEY, adminKey: ADMIN_KEY, privateServices: PRIVATE_SERVICE_NAMES, clip });
});

after(async () => {
  await baidu?.close();
  rmSync(clipDir, { recursive: true, force: true });
});

/** The dialect's own error code of a failed answer. */
function errorCode(body: any): number | string {
  return body.error_code ?? body.err_no ?? body.code ?? body.error;
}

describe('real answers match their operation', () => {
  test('every answer validates against its success or failure schema, and failures carry a documented code', () => {
    const problems: string[] = [];
    for (const c of calls) {
      const route = byId.get(c.operationId);
      if (!route) {
        problems.push(`${c.operationId}: not documented`);
        continue;
      }
      const failed = callFailed(c);
      if (c.failure && !failed) problems.push(`${c.operationId} (${c.label}): expected a failure, got ${JSON.stringify(c.body).slice(0, 200)}`);
      if (!c.failure && failed) problems.push(`${c.operationId} (${c.label}): failed: ${JSON.stringify(c.body).slice(0, 300)}`);
      if (!failed) {
        assert.equal(c.status, route.success.status, `${c.operationId} (${c.label}) status`);
        problems.push(...schemaErrors(route.success.schema, c.body).map((e) => `${c.operationId} (${c.label}): ${e}`));
      } else {
        assert.ok(route.failure, `${c.operationId}: failures have a schema`);
        problems.push(...schemaErrors(route.failure!, c.body).map((e) => `${c.operationId} (${c.label}) failure: ${e}`));
        const code = errorCode(c.body);
        if (!route.errors.some((e) => e.code === code && e.status === c.status)) problems.push(`${c.operationId} (${c.label}): code ${code} (HTTP ${c.status}) is not in its documented errors`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('every operation was called, and succeeded', () => {
    const untested = routes.filter((r) => !['openapi', 'docs', 'metrics'].includes(r.operationId)).filter((r) => !calls.some((c) => c.operationId === r.operationId && !callFailed(c)));
    assert.deepEqual(untested.map((r) => r.operationId), []);
  });

  test('the schemas are strict enough to fail: a changed answer is refused', () => {
    const answer = structuredClone(calls.find((c) => c.operationId === 'body_analysis' && !callFailed(c))!.body) as any;
    assert.deepEqual(schemaErrors(byId.get('body_analysis')!.success.schema, answer), []);
    delete answer.person_info[0].body_parts.nose;
    answer.extra = 1;
    assert.deepEqual(schemaErrors(byId.get('body_analysis')!.success.schema, answer), ['$.person_info[0].body_parts: missing nose', '$: unexpected property extra']);
  });
});

describe('/openapi.json and /docs', () => {
  let doc: any;
  before(async () => {
    const res = await fetch(`${baidu.base}/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    doc = await res.json();
  });

  test('the document validates as OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    const result = await new Validator().validate(doc);
    assert.deepEqual(result, { valid: true });
    assert.equal(doc.openapi, '3.1.0');
  });

  test('every route the server registered is in the document', () => {
    const documented = new Set(Object.entries(doc.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    const missing: string[] = [];
    for (const { method, url } of servedRoutes(baidu.server.app)) {
      if (method === 'HEAD') continue; // Fastify's automatic HEAD of each GET
      // The web console's page and its two page-backing routes (docs/console.md) are the console's
      // own, not a client API: its Try route answers through the same call path as the REST route.
      if (url === '/console' || url.startsWith('/console/')) continue;
      const path = url.replace(/:([A-Za-z_]+)/g, '{$1}');
      if (path === '/rest/2.0/image-classify/v1/{api}') {
        // One parametric route serves every endpoint row; GET answers an error, as Baidu's does.
        if (method === 'GET') continue;
        for (const row of BAIDU_ENDPOINTS) if (!documented.has(`POST /rest/2.0/image-classify/v1/${row.name}`)) missing.push(`POST ${row.name}`);
        continue;
      }
      if (!documented.has(`${method} ${path}`)) missing.push(`${method} ${path}`);
    }
    assert.ok(servedRoutes(baidu.server.app).length > 20, 'routes were recorded');
    assert.deepEqual(missing, []);
  });

  test('each operation documents its request fields and error codes', () => {
    const attr = doc.paths['/rest/2.0/image-classify/v1/body_tracking'].post;
    const form = attr.requestBody.content['application/x-www-form-urlencoded'].schema;
    assert.deepEqual(form.required, ['image', 'dynamic']);
    assert.deepEqual(Object.keys(form.properties), ['image', 'dynamic', 'case_id', 'case_init', 'area', 'show', 'line', 'totals']);
    const codes = attr['x-bodylens-errors'].map((e: { code: number }) => e.code);
    for (const code of [110, 111, 18, 216201, 282003, 282004]) assert.ok(codes.includes(code), `body_tracking documents ${code}`);
    assert.ok(doc.paths['/pose'].post['x-bodylens-errors'].some((e: { code: number; status: number }) => e.code === -401 && e.status === 401));
  });

  test('/docs is a readable page of the same document, with no external assets', async () => {
    const res = await fetch(`${baidu.base}/docs`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const html = await res.text();
    for (const r of routes) assert.ok(html.includes(`id="${r.operationId}"`), `/docs has ${r.operationId}`);
    assert.ok(html.includes('216201'), 'error tables are rendered');
    assert.doesNotMatch(html, /<script|https?:\/\/(?!localhost)[a-z]/i);
  });
});

describe('committed examples (docs/openapi-examples.json)', () => {
  const examples = loadExamples();
  const check = (route: RouteDoc, value: unknown, what: string) => {
    const failed = callFailed({ status: what === 'error' ? 400 : route.success.status, body: value });
    return schemaErrors(what === 'error' || (failed && route.failure) ? route.failure! : route.success.schema, value).map((e) => `${route.operationId} ${what}: ${e}`);
  };

  test('every operation but the document itself has a real example', () => {
    const missing = routes.filter((r) => !['openapi', 'docs', 'metrics'].includes(r.operationId) && !examples[r.operationId]);
    assert.deepEqual(missing.map((r) => r.operationId), []);
  });

  test('every example conforms to its operation (run scripts/openapi-examples.js after a schema change)', () => {
    const problems: string[] = [];
    for (const [id, ex] of Object.entries(examples)) {
      const route = byId.get(id);
      if (!route) {
        problems.push(`${id}: no such operation`);
        continue;
      }
      problems.push(...check(route, ex.response, 'response'));
      if (ex.error !== undefined) problems.push(...check(route, ex.error, 'error'));
    }
    assert.deepEqual(problems, []);
  });

  test('the examples file is what the document embeds', () => {
    const file = JSON.parse(readFileSync(new URL('../../../docs/openapi-examples.json', import.meta.url), 'utf8'));
    assert.deepEqual(file, examples);
  });
});
