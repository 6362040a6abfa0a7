/**
 * `/openapi.json` (OpenAPI 3.1), generated from the tables the server routes by: the Baidu
 * endpoint rows (endpoints.ts), the OAuth token route, Kakao's routes (kakao/spec.ts), the
 * private services (private/services.ts) and the admin API (admin-spec.ts). Each operation
 * carries its request fields, the JSON Schema of its success body, every error code its dialect
 * table gives for the kinds it may raise, and a real example (docs/openapi-examples.json, written
 * by `scripts/openapi-examples.ts` from real calls and checked against the schemas by a test).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERRORS, type ErrorKind } from '../errors.js';
import { packageRoot } from '../runtime/models.js';
import { BAIDU_COMMON_ERRORS, BAIDU_ENDPOINTS, BAIDU_PLANNED, type BaiduEndpoint, type FieldDoc } from './baidu/endpoints.js';
import { BAIDU_ERRORS } from './baidu/errors.js';
import { BAIDU_ERROR_SCHEMA, OAUTH_ERROR_SCHEMA, TOKEN_SCHEMA } from './baidu/schemas.js';
import { KAKAO_CODES } from './kakao/errors.js';
import { KAKAO_ERROR_SCHEMA, KAKAO_ROUTES } from './kakao/spec.js';
import { PRIVATE_PATH } from './private/routes.js';
import { ERROR_CLASS, PRIVATE_SERVICES, errorReplySchema, isServedService, successReplySchema, type PlannedPrivateService, type PrivateService } from './private/services.js';
import { ADMIN_ERROR_SCHEMA, ADMIN_ROUTES } from './admin-spec.js';
import { obj, oneOfValues, str, type JsonSchema } from './schema.js';
import { CAPABILITIES } from '../capabilities/index.js';

/** One error a route may answer, as its dialect writes it. */
export interface ErrorDoc {
  /** Baidu error_code, Kakao code, private err_no, or an OAuth/admin error word. */
  code: number | string;
  message: string;
  /** The HTTP status (Baidu's online and private dialects answer 200). */
  status: number;
  /** The neutral kinds that produce it. */
  kinds: string[];
}

export type Dialect = 'baidu' | 'oauth' | 'kakao' | 'private' | 'admin' | 'service';

/** A route as the document describes it (one OpenAPI operation). */
export interface RouteDoc {
  method: 'get' | 'post' | 'patch';
  path: string;
  operationId: string;
  dialect: Dialect;
  summary: string;
  description?: string;
  parameters?: Array<{ name: string; in: 'query' | 'path' | 'header'; description: string; required?: boolean; schema?: JsonSchema }>;
  body?: { mediaTypes: string[]; schema: JsonSchema; required: boolean };
  success: { status: number; schema: JsonSchema; mediaType?: string };
  /** The body of its failures, when they have one. */
  failure?: JsonSchema;
  errors: ErrorDoc[];
  security?: Array<Record<string, string[]>>;
  /** A docs page of this repository. */
  docs?: string;
}

export const BAIDU_API_PREFIX = '/rest/2.0/image-classify/v1/';

const TAGS: Record<Dialect, { name: string; description: string }> = {
  baidu: {
    name: 'Baidu online',
    description:
      `Baidu BODY (人体分析) online APIs: POST a form with a base64 \`image\` to ${BAIDU_API_PREFIX}<api>?access_token=... (or sign with Authorization: bce-auth-v1). Every outcome is HTTP 200; failures carry error_code and error_msg. ` +
      `A GET on these paths answers an error as Baidu does. Not served yet: ${BAIDU_PLANNED.map((p) => p.name).join(', ') || 'none'} (answers 3).`,
  },
  oauth: { name: 'Baidu OAuth', description: 'Access tokens for the online APIs: the app\'s API Key and Secret Key for a token valid 30 days.' },
  kakao: { name: 'Kakao Pose', description: 'Kakao\'s Pose API (Authorization: KakaoAK <API Key>). Failures are an HTTP status with {code, msg}.' },
  private: {
    name: 'Baidu private',
    description:
      `Baidu\'s private-deployment services (BODYLENS_PRIVATE=on): each at POST ${PRIVATE_PATH} on its own port, and under /private/<service> on the main port. Every outcome is HTTP 200 with err_no.`,
  },
  admin: { name: 'Admin', description: 'App administration (BODYLENS_ADMIN_KEY set): Authorization: Bearer <admin key>.' },
  service: { name: 'Service', description: 'Health, this document and its readable page.' },
};

/** Errors with the same code and message merged, kinds listed. */
function mergeErrors(list: Array<{ kind: string; code: number | string; message: string; status: number }>): ErrorDoc[] {
  const out = new Map<string, ErrorDoc>();
  for (const e of list) {
    const key = `${e.status}|${e.code}|${e.message}`;
    const doc = out.get(key) ?? { code: e.code, message: e.message, status: e.status, kinds: [] };
    if (!doc.kinds.includes(e.kind)) doc.kinds.push(e.kind);
    out.set(key, doc);
  }
  return [...out.values()].sort((a, b) => (typeof a.code === 'number' && typeof b.code === 'number' ? a.code - b.code : String(a.code).localeCompare(String(b.code))));
}

const baiduErrors = (kinds: readonly ErrorKind[]) => mergeErrors(kinds.map((kind) => ({ kind, code: BAIDU_ERRORS[kind].code, message: BAIDU_ERRORS[kind].msg, status: 200 })));
const kakaoErrors = (kinds: readonly ErrorKind[]) => mergeErrors(kinds.map((kind) => ({ kind, code: KAKAO_CODES[kind], message: ERRORS[kind].message, status: ERRORS[kind].httpStatus })));

/** A form field's schema from what its parser knows. */
export function fieldSchema(field: FieldDoc): JsonSchema {
  const description = field.enum ? `${field.description}${field.list ? ' (comma-separated)' : ''}; words: ${field.enum.join(', ')}` : field.description;
  if (field.type === 'boolean') return { type: 'string', enum: ['true', 'false'], description };
  if (field.type === 'integer') return { type: 'string', description: `${description} (a whole number as text)`, format: 'int32' };
  if (field.enum && !field.list) return { type: 'string', enum: field.enum, description };
  return str(description);
}

/** The form an online API reads: `image` plus its row's fields. */
export function baiduFormSchema(row: BaiduEndpoint): JsonSchema {
  const properties: Record<string, JsonSchema> = { image: str('the image as base64 (no data: prefix), at most 4 MB encoded; JPEG, PNG, BMP, WebP, HEIC', { format: 'byte' }) };
  for (const f of row.fields) properties[f.name] = fieldSchema(f);
  return { type: 'object', properties, required: ['image', ...row.fields.filter((f) => f.required).map((f) => f.name)] };
}

const capabilityOf = (name: string) => CAPABILITIES.find((c) => c.name === name);

function baiduRoutes(): RouteDoc[] {
  return BAIDU_ENDPOINTS.map((row): RouteDoc => ({
    method: 'post',
    path: `${BAIDU_API_PREFIX}${row.name}`,
    operationId: row.name,
    dialect: 'baidu',
    summary: row.summary ?? capabilityOf(row.capability)?.summary ?? row.name,
    parameters: [{ name: 'access_token', in: 'query', description: 'from /oauth/2.0/token (or sign the request instead)', schema: str() }],
    body: { mediaTypes: ['application/x-www-form-urlencoded'], schema: baiduFormSchema(row), required: true },
    success: { status: 200, schema: row.response },
    failure: BAIDU_ERROR_SCHEMA,
    errors: baiduErrors([...BAIDU_COMMON_ERRORS, ...(row.errors ?? [])]),
    security: [{ accessToken: [] }, { bceAuth: [] }],
    docs: capabilityOf(row.capability)?.docs,
  }));
}

function tokenRoutes(): RouteDoc[] {
  const p = (name: string, description: string, required = false) => ({ name, in: 'query' as const, description, required, schema: str() });
  const post: RouteDoc = {
    method: 'post',
    path: '/oauth/2.0/token',
    operationId: 'token',
    dialect: 'oauth',
    summary: 'an access token for an app (also GET with the same query)',
    description: 'Parameters may come in the query string, a form body or a JSON body. refresh_token grant: spend the refresh token (one use) for a new pair.',
    parameters: [
      { ...p('grant_type', 'client_credentials or refresh_token', true), schema: oneOfValues(['client_credentials', 'refresh_token']) },
      p('client_id', 'the app\'s API Key', true),
      p('client_secret', 'the app\'s Secret Key', true),
      p('refresh_token', 'grant_type=refresh_token: the refresh token'),
    ],
    success: { status: 200, schema: TOKEN_SCHEMA },
    failure: OAUTH_ERROR_SCHEMA,
    errors: [
      { code: 'invalid_client', message: 'unknown client id', status: 401, kinds: ['unknown or revoked API Key'] },
      { code: 'invalid_client', message: 'Client authentication failed', status: 401, kinds: ['wrong Secret Key'] },
      { code: 'unsupported_grant_type', message: 'The authorization grant type is not supported', status: 400, kinds: ['grant_type missing or other'] },
      { code: 'invalid_request', message: 'missing refresh_token', status: 400, kinds: ['refresh grant without refresh_token'] },
      { code: 'invalid_grant', message: 'Invalid refresh token', status: 400, kinds: ['refresh token unknown, spent or expired'] },
    ],
    docs: 'docs/auth.md',
  };
  return [post, { ...post, method: 'get', operationId: 'tokenGet', summary: 'the same as POST, parameters in the query string' }];
}

function kakaoRoutes(): RouteDoc[] {
  return KAKAO_ROUTES.map((r) => {
    const properties = Object.fromEntries(r.fields.map((f) => [f.name, f.type === 'binary' ? str(f.description, { format: 'binary' }) : f.type === 'boolean' ? { type: 'string' as const, enum: ['true', 'false'], description: f.description } : str(f.description)]));
    return {
      method: r.method,
      path: r.path,
      operationId: r.operationId,
      dialect: 'kakao' as const,
      summary: r.summary,
      parameters: [
        { name: 'Authorization', in: 'header' as const, description: 'KakaoAK <API Key>', required: true, schema: str() },
        ...(r.pathParam ? [{ name: r.pathParam, in: 'path' as const, description: 'from POST /pose/job', required: true, schema: str() }] : []),
      ],
      ...(r.fields.length ? { body: { mediaTypes: ['multipart/form-data', 'application/x-www-form-urlencoded'], schema: { type: 'object' as const, properties }, required: true } } : {}),
      success: { status: 200, schema: r.response },
      failure: KAKAO_ERROR_SCHEMA,
      errors: kakaoErrors(r.errors),
      security: [{ kakaoAK: [] }],
      docs: r.path === '/pose' ? 'docs/kakao.md' : 'docs/video.md',
    };
  });
}

function privateErrors(row: PrivateService | PlannedPrivateService): ErrorDoc[] {
  return mergeErrors(Object.entries(ERROR_CLASS).map(([kind, cls]) => ({ kind, code: row.errors[cls][0], message: row.errors[cls][1], status: 200 })));
}

function privateRoutes(): RouteDoc[] {
  return PRIVATE_SERVICES.map((row) => {
    const served = isServedService(row);
    const inner = obj({ image: str('the image as base64', { format: 'byte' }), ...(served ? row.fields : {}) }, served ? Object.keys(row.fields ?? {}) : [], 'the inner JSON; other keys are ignored');
    const envelope: JsonSchema = {
      type: 'object',
      description: row.plain ? '{"data": base64 of the inner JSON}, or the plain form: a top-level image, or data as the image\'s own base64' : '{"data": base64 of the inner JSON}',
      properties: { data: { type: 'string', contentEncoding: 'base64', contentMediaType: 'application/json', contentSchema: { ...inner, additionalProperties: true } }, ...(row.plain ? { image: str('plain form: the image as base64') } : {}) },
    };
    return {
      method: 'post' as const,
      path: `/private/${row.name}${PRIVATE_PATH}`,
      operationId: `private_${row.name}`,
      dialect: 'private' as const,
      summary: served ? `${row.name} (port ${row.port}): capability ${row.capability}` : `${row.name} (port ${row.port}): not available yet (${row.reason}); answers its unserved err_no`,
      description: `Also POST ${PRIVATE_PATH} on port ${row.port} (BODYLENS_PRIVATE_PORTS). Optional X-Private-Key header (BODYLENS_PRIVATE_KEY).`,
      parameters: [{ name: 'X-Private-Key', in: 'header' as const, description: 'when BODYLENS_PRIVATE_KEY is set', schema: str() }],
      body: { mediaTypes: ['application/json'], schema: envelope, required: true },
      success: { status: 200, schema: served ? successReplySchema(row) : errorReplySchema(row) },
      failure: errorReplySchema(row),
      errors: privateErrors(row),
      docs: 'docs/private.md',
    };
  });
}

function adminRoutes(): RouteDoc[] {
  const words: Record<number, string> = { 400: 'invalid_request', 401: 'unauthorized', 404: 'not_found' };
  return ADMIN_ROUTES.map((r) => ({
    method: r.method,
    path: r.path,
    operationId: r.operationId,
    dialect: 'admin' as const,
    summary: r.summary,
    parameters: [
      ...(r.path.includes('{id}') ? [{ name: 'id', in: 'path' as const, description: 'app_id or API Key', required: true, schema: str() }] : []),
      ...(r.query ?? []).map((q) => ({ name: q.name, in: 'query' as const, description: q.description, schema: str() })),
    ],
    ...(r.body ? { body: { mediaTypes: ['application/json'], schema: r.body, required: r.method !== 'patch' && r.operationId !== 'adminCreateApp' } } : {}),
    success: { status: r.status, schema: r.response },
    failure: ADMIN_ERROR_SCHEMA,
    errors: [401, ...r.failures].map((status) => ({ code: words[status], message: status === 401 ? 'admin key required' : status === 404 ? 'no app with that app_id or api_key' : 'bad input (the message says which field)', status, kinds: [] })),
    security: [{ adminKey: [] }],
    docs: 'docs/auth.md',
  }));
}

function serviceRoutes(): RouteDoc[] {
  return [
    { method: 'get', path: '/healthz', operationId: 'healthz', dialect: 'service', summary: '200 ok once the models are loaded and warm, 503 starting before', success: { status: 200, schema: obj({ status: oneOfValues(['ok', 'starting']) }) }, errors: [{ code: 'starting', message: 'models still loading', status: 503, kinds: [] }] },
    { method: 'get', path: '/openapi.json', operationId: 'openapi', dialect: 'service', summary: 'this document (OpenAPI 3.1)', success: { status: 200, schema: { type: 'object' } }, errors: [], docs: 'docs/openapi.md' },
    { method: 'get', path: '/metrics', operationId: 'metrics', dialect: 'service', summary: 'Prometheus text metrics (BODYLENS_METRICS: loopback callers or the admin key by default, open, or off)', success: { status: 200, schema: str(), mediaType: 'text/plain' }, errors: [{ code: 'no_permission', message: 'readable from loopback or with the admin key', status: 403, kinds: [] }], docs: 'docs/operations.md' },
    { method: 'get', path: '/docs', operationId: 'docs', dialect: 'service', summary: 'this document as a readable page', success: { status: 200, schema: str(), mediaType: 'text/html' }, errors: [], docs: 'docs/openapi.md' },
  ];
}

/** Every documented route, dialect by dialect. */
export function documentedRoutes(): RouteDoc[] {
  return [...baiduRoutes(), ...tokenRoutes(), ...kakaoRoutes(), ...privateRoutes(), ...adminRoutes(), ...serviceRoutes()];
}

/** Real examples by operationId (docs/openapi-examples.json; absent in a trimmed install). */
export type Examples = Record<string, { request?: unknown; response: unknown; error?: unknown }>;

let examplesCache: Examples | undefined;
export function loadExamples(): Examples {
  if (examplesCache) return examplesCache;
  const file = join(packageRoot(), 'docs', 'openapi-examples.json');
  examplesCache = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Examples) : {};
  return examplesCache;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

const errorTable = (errors: ErrorDoc[]) =>
  errors.length === 0 ? '' : `Errors:\n\n| HTTP | code | message | from |\n|---|---|---|---|\n${errors.map((e) => `| ${e.status} | ${e.code} | ${e.message} | ${e.kinds.join(', ')} |`).join('\n')}`;

/** The OpenAPI 3.1 document. */
export function openApiDocument(examples: Examples = loadExamples()): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of documentedRoutes()) {
    const ex = examples[r.operationId];
    const responses: Record<string, unknown> = {
      [String(r.success.status)]: {
        description: 'success',
        content: { [r.success.mediaType ?? 'application/json']: { schema: r.success.schema, ...(ex ? { example: ex.response } : {}) } },
      },
    };
    if (r.failure) {
      const statuses = [...new Set(r.errors.map((e) => e.status))];
      for (const status of statuses) {
        const key = status === r.success.status ? 'default' : String(status);
        const content = status === r.success.status ? { schema: { anyOf: [{ ...r.success.schema, description: r.success.schema.description ?? 'success' }, { ...r.failure, description: 'failure' }] } } : { schema: r.failure };
        if (status === r.success.status) {
          // The same status answers success and failure (Baidu): one response, either shape.
          (responses[String(status)] as { content: Record<string, unknown> }).content = {
            'application/json': { ...content, ...(ex ? { examples: { success: { value: ex.response }, ...(ex.error ? { error: { value: ex.error } } : {}) } } : {}) },
          };
          continue;
        }
        responses[key] = {
          description: r.errors.filter((e) => e.status === status).map((e) => `${e.code} ${e.message}`).join('; '),
          content: { 'application/json': content },
        };
      }
    }
    const operation: Record<string, unknown> = {
      operationId: r.operationId,
      tags: [TAGS[r.dialect].name],
      summary: r.summary,
      description: [r.description, r.docs ? `See ${r.docs}.` : undefined, errorTable(r.errors)].filter(Boolean).join('\n\n'),
      ...(r.parameters?.length ? { parameters: r.parameters.map((p) => ({ name: p.name, in: p.in, description: p.description, required: p.required ?? p.in === 'path', schema: p.schema ?? str() })) } : {}),
      ...(r.body
        ? { requestBody: { required: r.body.required, content: Object.fromEntries(r.body.mediaTypes.map((m) => [m, { schema: r.body!.schema, ...(ex?.request && m === r.body!.mediaTypes[0] ? { example: ex.request } : {}) }])) } }
        : {}),
      responses,
      ...(r.security ? { security: r.security } : {}),
      'x-bodylens-errors': r.errors,
    };
    paths[r.path] ??= {};
    paths[r.path][r.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'bodylens',
      version: packageVersion(),
      description: 'Self-hosted human-body analysis answering in Baidu BODY (online and private deployment) and Kakao Pose formats. Generated from the tables the server routes by.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: Object.values(TAGS),
    paths,
    components: {
      securitySchemes: {
        accessToken: { type: 'apiKey', in: 'query', name: 'access_token', description: 'from POST /oauth/2.0/token' },
        bceAuth: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'bce-auth-v1 signature (docs/auth.md)' },
        kakaoAK: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'KakaoAK <API Key>' },
        adminKey: { type: 'http', scheme: 'bearer', description: 'BODYLENS_ADMIN_KEY' },
      },
    },
  };
}
