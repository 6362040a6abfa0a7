/**
 * The web console (`/console`, docs/console.md): static pages committed as source under
 * `console/` at the package root, plus two JSON routes the pages call:
 *
 *   GET  /console/api/apis          every API of the dialect tables: fields, served or not, drawable
 *   POST /console/api/try/:api      one Baidu online call, authenticated and counted exactly as
 *                                   /rest/2.0/image-classify/v1/:api (same callEndpoint path,
 *                                   limits and usage), answered as {response, render}: the
 *                                   dialect's JSON, a PNG of the result drawn by the
 *                                   capability's `render` in the engine (`Engine.draw`, in the
 *                                   worker; a tracking frame: its `show` picture)
 *                                   and the images the result carries (`files`: masks, cut-outs)
 *
 * Apps are managed by the pages through the existing /admin API (admin key in the browser only).
 */
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BAIDU_APIS, type BaiduEndpoint } from '../baidu/endpoints.js';
import { answerBaiduCall, type Observer, type RestRoutesOptions } from '../baidu/rest.js';
import { capability } from '../../capabilities/index.js';
import { sniffFormat } from '../../intake/index.js';
import { packageRoot } from '../../runtime/models.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** One API as the console lists it. */
export interface ConsoleApi {
  dialect: 'baidu' | 'kakao';
  name: string;
  /** Where a client sends it. */
  path: string;
  capability?: string;
  summary: string;
  /** The summary in Chinese (the 中文 view; fields carry theirs as `zh`). */
  summary_zh: string;
  fields: ReadonlyArray<{ name: string; description: string; zh: string }>;
  /** False: this process does not serve its capability (BODYLENS_CAPABILITIES) or it is planned. */
  served: boolean;
  planned?: boolean;
  /** Frames of a case (body_tracking dynamic=true). */
  frames?: boolean;
}

/** The APIs of the dialect tables, for the console's picker; a new endpoint row appears here unchanged. */
export function consoleApis(serves: (capability: string) => boolean): ConsoleApi[] {
  const baidu = BAIDU_APIS.map((row): ConsoleApi => {
    const path = `/rest/2.0/image-classify/v1/${row.name}`;
    if (row.capability === undefined) {
      return { dialect: 'baidu', name: row.name, path, summary: 'planned: answers error 3 until its capability lands', summary_zh: '计划中：能力实现之前回答错误 3', fields: [], served: false, planned: true };
    }
    const r = row as BaiduEndpoint;
    return {
      dialect: 'baidu',
      name: r.name,
      path,
      capability: r.capability,
      summary: r.summary ?? capability(r.capability).summary,
      summary_zh: r.summaryZh ?? capability(r.capability).summaryZh,
      fields: r.fields,
      served: serves(r.capability),
      ...(r.case ? { frames: true } : {}),
    };
  });
  const pose = capability('body_analysis');
  const kakao: ConsoleApi[] = [
    { dialect: 'kakao', name: 'pose', path: '/pose', capability: 'body_analysis', summary: pose.summary, summary_zh: pose.summaryZh, fields: [], served: serves('body_analysis') },
    {
      dialect: 'kakao',
      name: 'pose_job',
      path: '/pose/job',
      capability: 'body_analysis',
      summary: 'a video job: poll GET /pose/job/{job_id} until it is done',
      summary_zh: '视频任务：轮询 GET /pose/job/{job_id} 直到完成',
      fields: [{ name: 'smoothing', description: 'true (default): keypoints smoothed over frames', zh: 'true（默认）：关键点在帧间平滑' }],
      served: serves('body_analysis'),
      frames: true,
    },
  ];
  return [...baidu, ...kakao];
}

const dataUrl = (bytes: Uint8Array) => `data:image/${sniffFormat(bytes) ?? 'png'};base64,${Buffer.from(bytes).toString('base64')}`;

/** A call's picture: the capability's render (PNG, drawn by the engine) or a tracking frame's own `show` picture (JPEG). */
function pictureOf(seen: Parameters<Observer>[0]): Uint8Array | null | undefined {
  return seen.frame ? (seen.result as { rendered?: Uint8Array }).rendered : seen.picture;
}

/** The encoded images the result carries (masks, cut-outs, crops: the capability's `files`), as data URLs. */
function carried(row: BaiduEndpoint, seen: Parameters<Observer>[0]): Array<{ name: string; src: string }> {
  const files = seen.frame ? undefined : capability(row.capability).files;
  if (!files) return [];
  return Object.entries(files(seen.result as never)).map(([name, bytes]) => ({ name, src: dataUrl(bytes) }));
}

export async function consoleRoutes(app: FastifyInstance, opts: RestRoutesOptions): Promise<void> {
  const dir = join(packageRoot(), 'console');
  // The assets are the files of console/ at start-up; nothing else is ever read from disk here.
  const files = new Set((await readdir(dir)).filter((f) => TYPES[extname(f)]));
  const sendFile = async (name: string, reply: FastifyReply) => {
    if (!files.has(name)) return reply.code(404).send({ error: 'not_found', message: `no console file ${name}` });
    return reply
      .type(TYPES[extname(name)])
      .header('cache-control', 'no-cache')
      // Only the console's own scripts and styles; pictures are data: or blob: URLs; calls go to this origin.
      .header('content-security-policy', "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
      .send(await readFile(join(dir, name)));
  };
  app.get('/console', (_request, reply) => reply.redirect('/console/'));
  app.get('/console/', (_request, reply) => sendFile('index.html', reply));
  app.get<{ Params: { file: string } }>('/console/assets/:file', (request, reply) => sendFile(request.params.file, reply));
  app.get('/console/api/apis', async () => ({ apis: consoleApis((c) => opts.engine.serves(c)) }));

  app.post('/console/api/try/:api', async (request: FastifyRequest<{ Params: { api: string } }>, reply) => {
    const started = performance.now();
    let seen: { row: BaiduEndpoint; call: Parameters<Observer>[0] } | undefined;
    const response = await answerBaiduCall(opts, request, reply, request.params.api, (row, call) => (seen = { row, call }));
    // Shown only for a success (a shaper that failed leaves a result but answers an error).
    const shown = seen && !('error_code' in response) ? seen : undefined;
    const picture = shown && pictureOf(shown.call);
    const render = picture ? dataUrl(picture) : null;
    const files = shown ? carried(shown.row, shown.call) : [];
    const renderError = shown?.call.renderError;
    return { response, render, files, ...(renderError ? { render_error: renderError } : {}), ms: Math.round(performance.now() - started) };
  });
}
