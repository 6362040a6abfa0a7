/**
 * The web console (`/console`, docs/console.md): static pages committed as source under
 * `console/` at the package root, plus two JSON routes the pages call:
 *
 *   GET  /console/api/apis          every API of the dialect tables: fields, served or not, drawable
 *   POST /console/api/try/:api      one Baidu online call, authenticated and counted exactly as
 *                                   /rest/2.0/image-classify/v1/:api (same callEndpoint path,
 *                                   limits and usage), answered as {response, render}: the
 *                                   dialect's JSON, a PNG of the result drawn by the
 *                                   capability's `render` (a tracking frame: its `show` picture)
 *                                   and the images the result carries (`files`: masks, cut-outs)
 *
 * Apps are managed by the pages through the existing /admin API (admin key in the browser only).
 */
import { readFile, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BAIDU_APIS, type BaiduEndpoint } from '../baidu/endpoints.js';
import { answerBaiduCall, formFields, type RestRoutesOptions } from '../baidu/rest.js';
import { capability } from '../../capabilities/index.js';
import { BAIDU_INTAKE, decodeBase64Image, sniffFormat } from '../../intake/index.js';
import { packageRoot } from '../../runtime/models.js';
import { callerGone } from '../caller-gone.js';

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
  fields: ReadonlyArray<{ name: string; description: string }>;
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
    if (row.capability === undefined) return { dialect: 'baidu', name: row.name, path, summary: 'planned: answers error 3 until its capability lands', fields: [], served: false, planned: true };
    const r = row as BaiduEndpoint;
    return {
      dialect: 'baidu',
      name: r.name,
      path,
      capability: r.capability,
      summary: r.summary ?? capability(r.capability).summary,
      fields: r.fields,
      served: serves(r.capability),
      ...(r.case ? { frames: true } : {}),
    };
  });
  const pose = capability('body_analysis').summary;
  const kakao: ConsoleApi[] = [
    { dialect: 'kakao', name: 'pose', path: '/pose', capability: 'body_analysis', summary: pose, fields: [], served: serves('body_analysis') },
    {
      dialect: 'kakao',
      name: 'pose_job',
      path: '/pose/job',
      capability: 'body_analysis',
      summary: 'a video job: poll GET /pose/job/{job_id} until it is done',
      fields: [{ name: 'smoothing', description: 'true (default): keypoints smoothed over frames' }],
      served: serves('body_analysis'),
      frames: true,
    },
  ];
  return [...baidu, ...kakao];
}

/** The drawn result of a successful call, PNG or (a tracking frame's own `show` picture) JPEG, as a data URL. */
async function drawn(row: BaiduEndpoint, result: unknown, frame: boolean, image: unknown): Promise<string | null> {
  if (frame) {
    const rendered = (result as { rendered?: Uint8Array }).rendered;
    return rendered ? `data:image/jpeg;base64,${Buffer.from(rendered).toString('base64')}` : null;
  }
  const cap = capability(row.capability);
  if (!cap.render) return null;
  const decoded = await decodeBase64Image(image, BAIDU_INTAKE);
  return `data:image/png;base64,${(await cap.render(decoded, result as never)).toString('base64')}`;
}

/** The encoded images the result carries (masks, cut-outs, crops, `show` pictures: the capability's `files`), as data URLs. */
function carried(row: BaiduEndpoint, result: unknown, frame: boolean): Array<{ name: string; src: string }> {
  const files = frame ? undefined : capability(row.capability).files;
  if (!files) return [];
  return Object.entries(files(result as never)).map(([name, bytes]) => ({
    name,
    src: `data:image/${sniffFormat(bytes) ?? 'png'};base64,${Buffer.from(bytes).toString('base64')}`,
  }));
}

/**
 * Console pictures are drawn on the main thread, outside the worker pool's queue: one at a time,
 * so a burst of Try calls queues here instead of stalling every listener, and skipped for a
 * caller who has gone.
 */
function oneAtATime() {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = last.then(work, work);
    last = run.catch(() => undefined);
    return run;
  };
}

export async function consoleRoutes(app: FastifyInstance, opts: RestRoutesOptions): Promise<void> {
  const drawing = oneAtATime();
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
    const gone = callerGone(reply);
    let seen: { row: BaiduEndpoint; result: unknown; frame: boolean } | undefined;
    const response = await answerBaiduCall(opts, request, reply, request.params.api, (row, result, frame) => (seen = { row, result, frame }));
    let render: string | null = null;
    let files: Array<{ name: string; src: string }> = [];
    let renderError: string | undefined;
    // Drawn only for a success (a shaper that failed leaves a result but answers an error).
    if (seen && !('error_code' in response) && !gone.aborted) {
      const call = seen;
      try {
        render = await drawing(() => (gone.aborted ? Promise.resolve(null) : drawn(call.row, call.result, call.frame, formFields(request.body).image)));
        files = carried(call.row, call.result, call.frame);
      } catch (err) {
        renderError = (err as Error).message;
      }
    }
    return { response, render, files, ...(renderError ? { render_error: renderError } : {}), ms: Math.round(performance.now() - started) };
  });
}
