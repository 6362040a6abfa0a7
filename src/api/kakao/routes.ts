/**
 * Kakao's Pose API dialect: `POST /pose` (image), `POST /pose/job` and `GET /pose/job/{job_id}`
 * (asynchronous video). Auth is `Authorization: KakaoAK <REST API key>`. Failures are an HTTP
 * status with a JSON body `{code, msg}`, as Kakao's APIs answer them.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError, transportError } from '../../errors.js';
import { KAKAO_INTAKE } from '../../intake/index.js';
import type { Engine } from '../../engine/engine.js';
import type { CapabilityName } from '../../capabilities/index.js';
import type { AddressPolicy } from '../../net/address-policy.js';
import { FetchError, checkUrl, fetchBytes } from '../../net/safe-fetch.js';
import { kakaoJobView, toKakaoPerson } from './format.js';
import { callerGone } from '../caller-gone.js';
import { noteOutcome } from '../outcome.js';
import { kakaoError } from './errors.js';
import type { PoseJobView } from '../../video/jobs.js';
import { booleanField, exactlyOneSource, readImageInput, readVideoInput } from './input.js';

/** The capabilities Kakao's routes call (POST /pose, and video jobs through its frame call). */
export const KAKAO_CAPABILITIES = ['body_analysis'] as const satisfies readonly CapabilityName[];

/** What the job routes need from the video job runner (src/video/jobs.ts). */
export interface PoseJobQueue {
  submit(source: { kind: 'file'; path: string } | { kind: 'url'; url: string }, options: { smoothing: boolean; callbackUrl?: string; appId?: string }): string;
  /** With `appId`, another app's job reads "not found". */
  view(id: string, appId?: string): PoseJobView;
}

export interface KakaoLimits {
  /** Largest accepted image upload or image_url download, bytes. */
  imageMaxBytes: number;
  /** Deadline for downloading an image_url, ms. */
  imageFetchTimeoutMs: number;
  /** Largest accepted video upload, bytes. */
  videoMaxBytes: number;
}

export interface KakaoRoutesOptions {
  engine: Engine;
  /**
   * Identifies the caller of `api` (KakaoAK header) and returns its app id; throws ServiceError.
   * `charge: false` (polling a job) checks the key and permission but uses no QPS or quota.
   */
  authenticate(request: FastifyRequest, api: 'pose' | 'pose_job', charge?: boolean): { appId: string };
  /** Counts how an admitted call ended ('ok' or its error kind), for usage reports. */
  record?(appId: string, api: string, outcome: string): void;
  urlPolicy: AddressPolicy;
  limits: KakaoLimits;
  jobs: PoseJobQueue;
  /** Where uploads wait before their job takes them over. */
  uploadDir: string;
}

/** FetchError → catalogue entry; `tooLarge` says which size error a download over the cap is. */
function fetchFailure(err: FetchError, tooLarge: 'image_size' | 'video_size'): ServiceError {
  if (err.reason === 'too_large') return new ServiceError(tooLarge, err.message);
  return new ServiceError(err.reason === 'refused' ? 'url_refused' : 'url_unreachable', err.message);
}


export async function kakaoRoutes(app: FastifyInstance, opts: KakaoRoutesOptions): Promise<void> {
  await app.register(multipart, { limits: { fileSize: Math.max(opts.limits.imageMaxBytes, opts.limits.videoMaxBytes) } });

  // The app and API of each admitted (charged) call, so its outcome can be counted.
  const charged = new WeakMap<FastifyRequest, { appId: string; api: string }>();
  const admit = (request: FastifyRequest, api: 'pose' | 'pose_job') => {
    noteOutcome(request, { api });
    const caller = opts.authenticate(request, api);
    charged.set(request, { appId: caller.appId, api });
    noteOutcome(request, { app: caller.appId });
    return caller;
  };
  app.addHook('onSend', async (request, reply) => {
    const c = charged.get(request);
    if (c && reply.statusCode < 400) opts.record?.(c.appId, c.api, 'ok');
  });

  app.setErrorHandler((err, request, reply: FastifyReply) => {
    const error = err instanceof FetchError ? fetchFailure(err, 'image_size') : transportError(err);
    if (error.entry.httpStatus >= 500) request.log.error({ err }, 'kakao request failed');
    const c = charged.get(request);
    if (c) {
      opts.record?.(c.appId, c.api, error.kind);
      charged.delete(request);
    }
    const body = kakaoError(error);
    noteOutcome(request, { outcome: error.kind, code: body.code });
    reply.code(error.entry.httpStatus).send(body);
  });

  // Refused before authentication or reading any input, so they cost no quota.
  const served = () => {
    for (const c of KAKAO_CAPABILITIES) {
      if (!opts.engine.serves(c)) throw new ServiceError('not_served', `capability ${c} is not served here (BODYLENS_CAPABILITIES)`);
    }
  };

  app.post('/pose', async (request, reply) => {
    served();
    admit(request, 'pose');
    const source = exactlyOneSource(await readImageInput(request, opts.limits.imageMaxBytes), 'image_url');
    const bytes = 'file' in source
      ? source.file
      : await fetchBytes(source.url, opts.urlPolicy, { maxBytes: opts.limits.imageMaxBytes, timeoutMs: opts.limits.imageFetchTimeoutMs });
    const analysis = await opts.engine.run(KAKAO_CAPABILITIES[0], { bytes, intake: KAKAO_INTAKE }, undefined, { signal: callerGone(reply) });
    return analysis.persons.map(toKakaoPerson);
  });

  app.post('/pose/job', async (request) => {
    served();
    const caller = admit(request, 'pose_job');
    await mkdir(opts.uploadDir, { recursive: true, mode: 0o700 });
    const upload = join(opts.uploadDir, randomUUID());
    const input = await readVideoInput(request, opts.limits.videoMaxBytes, upload);
    try {
      const source = exactlyOneSource(input, 'video_url');
      const smoothing = booleanField(input.fields, 'smoothing', true);
      const callbackUrl = input.fields.callback_url || undefined;
      // URLs are checked now for what needs no network; DNS-based checks happen when fetched.
      if (callbackUrl) checkUrl(callbackUrl, opts.urlPolicy);
      if ('url' in source) checkUrl(source.url, opts.urlPolicy);
      const job = 'file' in source ? { kind: 'file' as const, path: source.file } : { kind: 'url' as const, url: source.url };
      return { job_id: opts.jobs.submit(job, { smoothing, callbackUrl, appId: caller.appId }) };
    } catch (err) {
      if (input.file) await unlink(input.file).catch(() => undefined);
      throw err instanceof FetchError ? fetchFailure(err, 'video_size') : err;
    }
  });

  app.get<{ Params: { job_id: string } }>('/pose/job/:job_id', async (request) => {
    noteOutcome(request, { api: 'pose_job_status' });
    const caller = opts.authenticate(request, 'pose_job', false);
    noteOutcome(request, { app: caller.appId });
    return kakaoJobView(opts.jobs.view(request.params.job_id, caller.appId));
  });
}
