/**
 * The API document from the tables alone (no server): it validates as OpenAPI 3.1 with the real
 * validator, names every row of every dialect table, and the schema validator it relies on
 * catches what it should.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { openApiDocument } from '../../../src/api/openapi.js';
import { BAIDU_ENDPOINTS } from '../../../src/api/baidu/endpoints.js';
import { PRIVATE_SERVICES } from '../../../src/api/private/services.js';
import { KAKAO_ROUTES } from '../../../src/api/kakao/spec.js';
import { ADMIN_ROUTES } from '../../../src/api/admin-spec.js';
import { arr, int, obj, schemaErrors, str } from '../../../src/api/schema.js';
import { docsPage } from '../../../src/api/docs-page.js';

describe('openApiDocument', () => {
  const doc = openApiDocument() as any;

  test('validates as OpenAPI 3.1', async () => {
    assert.deepEqual(await new Validator().validate(doc), { valid: true });
  });

  test('has an operation for every row of every table', () => {
    const ops = new Set(Object.entries(doc.paths as Record<string, object>).flatMap(([p, m]) => Object.keys(m).map((k) => `${k} ${p}`)));
    const want = [
      ...BAIDU_ENDPOINTS.map((r) => `post /rest/2.0/image-classify/v1/${r.name}`),
      'post /oauth/2.0/token',
      'get /oauth/2.0/token',
      ...KAKAO_ROUTES.map((r) => `${r.method} ${r.path}`),
      ...PRIVATE_SERVICES.map((s) => `post /private/${s.name}/GeneralClassifyService/classify`),
      ...ADMIN_ROUTES.map((r) => `${r.method} ${r.path}`),
    ];
    assert.deepEqual(want.filter((w) => !ops.has(w)), []);
  });

  test('every Baidu operation lists the common error codes and its own', () => {
    for (const row of BAIDU_ENDPOINTS) {
      const errors = doc.paths[`/rest/2.0/image-classify/v1/${row.name}`].post['x-bodylens-errors'] as Array<{ code: number }>;
      for (const code of [110, 111, 17, 18, 216200, 216201, 282000]) assert.ok(errors.some((e) => e.code === code), `${row.name} documents ${code}`);
    }
    const seg = doc.paths['/rest/2.0/image-classify/v1/body_seg'].post;
    assert.ok(seg['x-bodylens-errors'].some((e: { code: number }) => e.code === 216100));
    assert.match(seg.requestBody.content['application/x-www-form-urlencoded'].schema.properties.type.description, /labelmap, scoremap, foreground/);
  });

  test('the page renders every operation', () => {
    const html = docsPage(doc);
    for (const methods of Object.values(doc.paths as Record<string, Record<string, { operationId: string }>>)) for (const op of Object.values(methods)) assert.ok(html.includes(`id="${op.operationId}"`));
  });
});

describe('schemaErrors', () => {
  const schema = obj({ n: int(), list: arr(str()), note: str() }, ['note']);
  test('accepts a conforming value', () => {
    assert.deepEqual(schemaErrors(schema, { n: 1, list: ['a'] }), []);
  });
  test('reports wrong types, missing and extra keys', () => {
    assert.deepEqual(schemaErrors(schema, { n: 1.5, list: [2], x: 0 }), ['$.n: expected integer, got number', '$.list[0]: expected string, got integer', '$: unexpected property x']);
    assert.deepEqual(schemaErrors(schema, {}), ['$: missing n', '$: missing list']);
  });
  test('checks base64 JSON content against its schema', () => {
    const wrapped = { type: 'string' as const, contentEncoding: 'base64' as const, contentMediaType: 'application/json', contentSchema: obj({ a: int() }) };
    assert.deepEqual(schemaErrors(wrapped, Buffer.from('{"a":1}').toString('base64')), []);
    assert.deepEqual(schemaErrors(wrapped, Buffer.from('{"a":"x"}').toString('base64')), ['$<decoded>.a: expected integer, got string']);
  });
});

describe('the documented fields are the fields the parsers read', () => {
  /** A form that records every key read, answering plausible values for the known ones. */
  function recordingForm(extra: Record<string, unknown> = {}) {
    const values: Record<string, unknown> = { dynamic: 'true', case_id: '1', case_init: 'true', area: '1,1,20,1,20,20,1,20', show: 'true', line: '1,1,20,20', totals: 'true', ...extra };
    const read = new Set<string>();
    const form = new Proxy(values, {
      get: (target, key) => {
        if (typeof key === 'string') read.add(key);
        return target[key as string];
      },
    });
    return { form, read };
  }

  test('Baidu rows: options and case read only their documented fields', () => {
    for (const row of BAIDU_ENDPOINTS) {
      const { form, read } = recordingForm();
      row.case?.(form as never);
      row.options(form as never);
      const documented = new Set(row.fields.map((f) => f.name));
      assert.deepEqual([...read].filter((k) => !documented.has(k)), [], `${row.name} reads undocumented fields`);
    }
  });

  test('private rows: options read only what the document lists', () => {
    for (const row of PRIVATE_SERVICES) {
      if (!('options' in row)) continue;
      const { form, read } = recordingForm({ return_crop: 1, area: [[1, 1, 20, 1, 20, 20]], show: 1 });
      row.options(form as never);
      const allowed = new Set(Object.keys(row.fields ?? {}));
      assert.deepEqual([...read].filter((k) => !allowed.has(k)), [], `${row.name} reads undocumented fields`);
    }
  });
});
