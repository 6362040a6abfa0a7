/**
 * One real call (or a few) of every documented operation against a running server: committed
 * fixtures, real HTTP. The OpenAPI e2e test validates each answer against its operation's schema,
 * and `scripts/openapi-examples.ts` writes them as the document's examples.
 */
import { readFileSync } from 'node:fs';
import { fixture } from './helpers.js';
import { BAIDU_ENDPOINTS } from '../../src/api/baidu/endpoints.js';

export interface RealCall {
  operationId: string;
  /** What the call shows (several calls may share an operation). */
  label: string;
  status: number;
  body: unknown;
  /** The request body as documented (form fields or JSON), for examples; images shortened. */
  request?: unknown;
  /** True when the call is meant to fail (a bad input). */
  failure?: boolean;
  /** The operation's example even when an earlier call succeeded too. */
  example?: boolean;
}

export interface CallTargets {
  base: string;
  apiKey: string;
  secretKey: string;
  /** With BODYLENS_ADMIN_KEY set. */
  adminKey?: string;
  /** With BODYLENS_PRIVATE=on. */
  privateServices?: readonly string[];
  /** A short video for Kakao jobs. */
  clip?: string;
}

const b64 = (name: string) => readFileSync(fixture(name)).toString('base64');
const shortImage = (fields: Record<string, string>) => ({ ...fields, ...(fields.image ? { image: `${fields.image.slice(0, 24)}...` } : {}) });

async function json(res: Response): Promise<{ status: number; body: unknown }> {
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
}

export async function realCalls(t: CallTargets): Promise<RealCall[]> {
  const calls: RealCall[] = [];
  const token = async () => {
    const r = await json(await fetch(`${t.base}/oauth/2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'client_credentials', client_id: t.apiKey, client_secret: t.secretKey }).toString() }));
    calls.push({ operationId: 'token', label: 'client_credentials', ...r, request: { grant_type: 'client_credentials', client_id: t.apiKey, client_secret: '<Secret Key>' } });
    return (r.body as { access_token: string }).access_token;
  };
  const accessToken = await token();
  const bad = await json(await fetch(`${t.base}/oauth/2.0/token?grant_type=client_credentials&client_id=${t.apiKey}&client_secret=wrong`));
  calls.push({ operationId: 'tokenGet', label: 'wrong secret', ...bad, failure: true });
  const viaGet = await json(await fetch(`${t.base}/oauth/2.0/token?grant_type=client_credentials&client_id=${t.apiKey}&client_secret=${t.secretKey}`));
  calls.push({ operationId: 'tokenGet', label: 'client_credentials in the query', ...viaGet });
  const refreshed = await json(
    await fetch(`${t.base}/oauth/2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: t.apiKey, client_secret: t.secretKey, refresh_token: (viaGet.body as { refresh_token: string }).refresh_token }).toString(),
    }),
  );
  calls.push({ operationId: 'token', label: 'refresh_token grant', ...refreshed });

  const baidu = async (api: string, label: string, fields: Record<string, string>, failure = false) => {
    const res = await fetch(`${t.base}/rest/2.0/image-classify/v1/${api}?access_token=${accessToken}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
    calls.push({ operationId: api, label, ...(await json(res)), request: shortImage(fields), failure });
  };
  const skier = b64('coco-000000000785.jpg');
  const hands = b64('hands-four.jpg');
  await baidu('body_analysis', 'a skier', { image: skier });
  await baidu('body_analysis', 'not an image', { image: Buffer.from('hello, not a picture').toString('base64') }, true);
  await baidu('body_attr', 'a skier, default attributes', { image: skier });
  await baidu('body_attr', 'every attribute', { image: skier, type: 'gender,age,action,hair_length,bag,upper_wear,lower_wear,upper_color,lower_color,upper_wear_fg,upper_wear_texture,lower_wear_texture,headwear,glasses,smoke,cellphone,orientation,umbrella,carrying_baby,face_mask,glove,carrying_item,vehicle,luggage,upper_cut,lower_cut,side_cut,occlusion,is_human' });
  await baidu('body_num', 'two areas and the heat map', { image: skier, area: '1,1,320,1,320,424,1,424;321,1,639,1,639,424,321,424', show: 'true' });
  await baidu('body_seg', 'foreground only', { image: skier, type: 'foreground' });
  await baidu('body_seg', 'bad type', { image: skier, type: 'nothing' }, true);
  await baidu('gesture', 'hands', { image: hands });
  await baidu('hand_analysis', 'hands', { image: hands });
  await baidu('fingertip', 'hands', { image: hands });
  await baidu('body_seg_photo', 'one person', { image: b64('hands-96_pic00005.jpg') });
  await baidu('body_tracking', 'still count', { image: skier, dynamic: 'false' });
  const area = '1,1,639,1,639,424,1,424';
  await baidu('body_tracking', 'case frame 1', { image: skier, dynamic: 'true', case_id: '7', case_init: 'true', area });
  await baidu('body_tracking', 'case frame 2 with totals and a line', { image: skier, dynamic: 'true', case_id: '7', case_init: 'false', area, line: '320,1,320,424', totals: 'true' });
  await baidu('body_tracking', 'no case_id', { image: skier, dynamic: 'true' }, true);
  // A row added later (driver_behavior) gets a plain call until it has its own above.
  for (const row of BAIDU_ENDPOINTS) if (!calls.some((c) => c.operationId === row.name)) await baidu(row.name, 'a photo', { image: skier });

  // Kakao
  const kakao = { authorization: `KakaoAK ${t.apiKey}` };
  const form = new FormData();
  form.append('file', new Blob([readFileSync(fixture('coco-000000000785.jpg'))]), 'photo.jpg');
  calls.push({ operationId: 'kakaoPose', label: 'a skier', ...(await json(await fetch(`${t.base}/pose`, { method: 'POST', headers: kakao, body: form }))), request: { file: '<photo.jpg>' } });
  calls.push({ operationId: 'kakaoPose', label: 'no key', ...(await json(await fetch(`${t.base}/pose`, { method: 'POST', body: new FormData() }))), failure: true });
  if (t.clip) {
    const video = new FormData();
    video.append('file', new Blob([readFileSync(t.clip)]), 'clip.mp4');
    video.append('smoothing', 'true');
    const submitted = await json(await fetch(`${t.base}/pose/job`, { method: 'POST', headers: kakao, body: video }));
    calls.push({ operationId: 'kakaoPoseJob', label: 'a short clip', ...submitted, request: { file: '<clip.mp4>', smoothing: 'true' } });
    const id = (submitted.body as { job_id: string }).job_id;
    const seen = new Set<string>();
    for (const deadline = Date.now() + 120_000; Date.now() < deadline; ) {
      const v = await json(await fetch(`${t.base}/pose/job/${id}`, { headers: kakao }));
      const status = (v.body as { status: string }).status;
      if (!seen.has(status)) calls.push({ operationId: 'kakaoPoseJobResult', label: status, ...v, example: status === 'success' });
      seen.add(status);
      if (status === 'success' || status === 'failed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    calls.push({ operationId: 'kakaoPoseJobResult', label: 'unknown job', ...(await json(await fetch(`${t.base}/pose/job/00000000-0000-4000-8000-000000000000`, { headers: kakao }))) });
  }

  // Baidu private deployment
  for (const name of t.privateServices ?? []) {
    const inner = JSON.stringify({ image: name === 'gesture' || name === 'hand' ? hands : skier, ...(name === 'detection' ? { return_crop: 1 } : {}), ...(name === 'crowd' ? { show: 0 } : {}) });
    const res = await fetch(`${t.base}/private/${name}/GeneralClassifyService/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data: Buffer.from(inner).toString('base64') }) });
    calls.push({ operationId: `private_${name}`, label: 'a skier', ...(await json(res)), request: { data: '<base64 of {"image": "<base64>"}>' } });
    const empty = await fetch(`${t.base}/private/${name}/GeneralClassifyService/classify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    calls.push({ operationId: `private_${name}`, label: 'no image', ...(await json(empty)), failure: true });
  }

  // Admin
  if (t.adminKey) {
    const admin = async (operationId: string, method: string, path: string, body?: unknown, label = path) => {
      const res = await fetch(`${t.base}${path}`, {
        method,
        headers: { authorization: `Bearer ${t.adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      const r = await json(res);
      calls.push({ operationId, label, ...r, ...(body ? { request: body } : {}), failure: res.status >= 400 });
      return r.body as Record<string, any>;
    };
    const created = await admin('adminCreateApp', 'POST', '/admin/apps', { name: 'shop', qps_limit: 10, daily_limit: 50000 });
    const id = created.app_id as string;
    await admin('adminListApps', 'GET', '/admin/apps');
    await admin('adminShowApp', 'GET', `/admin/apps/${id}`);
    await admin('adminUpdateApp', 'PATCH', `/admin/apps/${id}`, { apis: 'body_analysis,body_num', total_limit: null });
    await admin('adminRotateSecret', 'POST', `/admin/apps/${id}/rotate-secret`);
    await admin('adminUsage', 'GET', `/admin/apps/${id}/usage`);
    await admin('adminPrivateUsage', 'GET', '/admin/private/usage');
    await admin('adminPrivateUsage', 'GET', '/admin/private/usage?from=yesterday', undefined, 'a bad day');
    await admin('adminRevokeApp', 'POST', `/admin/apps/${id}/revoke`);
    await admin('adminRevokeToken', 'POST', '/admin/tokens/revoke', { token: accessToken });
    await admin('adminShowApp', 'GET', '/admin/apps/no-such-app', undefined, 'unknown app');
    calls.push({ operationId: 'adminListApps', label: 'no admin key', ...(await json(await fetch(`${t.base}/admin/apps`))), failure: true });
  }

  calls.push({ operationId: 'healthz', label: 'ready', ...(await json(await fetch(`${t.base}/healthz`))) });
  return calls;
}
