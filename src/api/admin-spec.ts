/**
 * The admin API (src/admin/routes.ts) as data for the document: each route's body, the JSON
 * Schema of its answer (ops.ts views) and its failures (`{error, message}` with 400/401/404).
 */
import { arr, bool, int, nullable, obj, oneOfValues, str, type JsonSchema } from './schema.js';

const limit = (what: string) => nullable(int(`${what}; null = unlimited`, { minimum: 1 }));

export const ADMIN_APP_SCHEMA = obj({
  app_id: str(),
  name: str(),
  api_key: str(),
  secret_key: str('shown only when created or rotated; otherwise ********'),
  apis: { anyOf: [arr(str()), oneOfValues(['all'])], description: 'the APIs the app may call' },
  qps_limit: limit('requests per second'),
  daily_limit: limit('requests per quota day'),
  total_limit: limit('requests in all'),
  requests_today: int(),
  created_at: str('ISO 8601', { format: 'date-time' }),
  revoked_at: nullable(str('ISO 8601', { format: 'date-time' })),
});

const count = obj({ api: str(), count: int() });

export const ADMIN_APP_INPUT_SCHEMA = obj(
  {
    name: str(),
    app_id: str(),
    api_key: str(),
    secret_key: str(),
    apis: { anyOf: [str('comma-separated, or "all" / "*"'), arr(str()), { type: 'null' }] },
    qps_limit: limit('requests per second'),
    daily_limit: limit('requests per quota day'),
    total_limit: limit('requests in all'),
    revoked: bool('update only: true revokes, false reinstates'),
  },
  ['name', 'app_id', 'api_key', 'secret_key', 'apis', 'qps_limit', 'daily_limit', 'total_limit', 'revoked'],
);

export const ADMIN_ERROR_SCHEMA = obj({ error: oneOfValues(['unauthorized', 'invalid_request', 'not_found', 'internal']), message: str() });

export interface AdminRouteSpec {
  method: 'get' | 'post' | 'patch';
  path: string;
  operationId: string;
  summary: string;
  /** A JSON body (AppInput or {token}). */
  body?: JsonSchema;
  query?: ReadonlyArray<{ name: string; description: string }>;
  status: number;
  response: JsonSchema;
  /** HTTP statuses of its failures besides 401. */
  failures: readonly number[];
}

const id = '/admin/apps/{id}';

export const ADMIN_ROUTES: readonly AdminRouteSpec[] = [
  { method: 'get', path: '/admin/apps', operationId: 'adminListApps', summary: 'list apps (secret keys masked)', query: [{ name: 'all', description: '1 or true: revoked apps too' }], status: 200, response: obj({ apps: arr(ADMIN_APP_SCHEMA) }), failures: [] },
  { method: 'post', path: '/admin/apps', operationId: 'adminCreateApp', summary: 'create an app (the answer shows the secret key once)', body: ADMIN_APP_INPUT_SCHEMA, status: 201, response: ADMIN_APP_SCHEMA, failures: [400] },
  {
    method: 'get',
    path: id,
    operationId: 'adminShowApp',
    summary: 'one app, with today\'s and lifetime counts',
    status: 200,
    response: { ...ADMIN_APP_SCHEMA, properties: { ...ADMIN_APP_SCHEMA.properties, requests_total: arr(count) }, required: [...ADMIN_APP_SCHEMA.required!, 'requests_total'] },
    failures: [404],
  },
  { method: 'patch', path: id, operationId: 'adminUpdateApp', summary: 'update an app (revoked: true / false)', body: ADMIN_APP_INPUT_SCHEMA, status: 200, response: ADMIN_APP_SCHEMA, failures: [400, 404] },
  { method: 'post', path: `${id}/revoke`, operationId: 'adminRevokeApp', summary: 'revoke an app (its tokens end at once)', status: 200, response: ADMIN_APP_SCHEMA, failures: [404] },
  { method: 'post', path: `${id}/rotate-secret`, operationId: 'adminRotateSecret', summary: 'a new Secret Key (shown once; tokens end)', status: 200, response: ADMIN_APP_SCHEMA, failures: [404] },
  {
    method: 'get',
    path: `${id}/usage`,
    operationId: 'adminUsage',
    summary: 'requests per API, day and outcome',
    query: [
      { name: 'from', description: 'first day, YYYY-MM-DD' },
      { name: 'to', description: 'last day, YYYY-MM-DD' },
    ],
    status: 200,
    response: obj({ app_id: str(), usage: arr(obj({ api: str(), day: str(), outcome: str('ok, or the error kind'), count: int() })), totals: arr(count) }),
    failures: [400, 404],
  },
  {
    method: 'get',
    path: '/admin/private/usage',
    operationId: 'adminPrivateUsage',
    summary: 'private-dialect calls per service, day and outcome (that dialect has no apps)',
    query: [
      { name: 'from', description: 'first day, YYYY-MM-DD' },
      { name: 'to', description: 'last day, YYYY-MM-DD' },
      { name: 'service', description: 'one private service (keypoints, crowd, ...)' },
    ],
    status: 200,
    response: obj({ usage: arr(obj({ service: str(), day: str(), outcome: str('ok, or the error kind'), count: int() })), totals: arr(obj({ service: str(), count: int() })) }),
    failures: [400],
  },
  { method: 'post', path: '/admin/tokens/revoke', operationId: 'adminRevokeToken', summary: 'end one access or refresh token', body: obj({ token: str() }), status: 200, response: obj({ revoked: bool() }), failures: [400] },
];
