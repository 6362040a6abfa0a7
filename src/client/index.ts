/**
 * `bodylens/client`: a typed client for a bodylens server (or any host speaking the same
 * dialects), for Node 20 and browsers: `fetch`, `FormData`, `Blob` and `btoa` only, no Node
 * imports. One method per API with the official SDK's names; options and results are the types
 * generated from the server's schemas (`./types.ts`).
 *
 *   import { BodylensClient } from 'bodylens/client';
 *   const client = new BodylensClient({ baseUrl: 'http://localhost:8080', apiKey: AK, secretKey: SK });
 *   const { person_info } = await client.bodyAnalysis(imageBytes);
 *
 * The Baidu methods fetch an access token with the API Key and Secret Key, keep it until shortly
 * before it expires, then refresh it (refresh_token grant, or a new client_credentials token), and
 * fetch a new one once when a call answers 110/111. Calls answering Baidu 18 (QPS) or 4 (busy),
 * HTTP 429, or failing on the network are retried with exponential back-off. Failures throw
 * `BodylensError` with the dialect's own code.
 */
import type * as T from './types.js';

export type * from './types.js';
export { BAIDU_API_NAMES } from './types.js';

/** An image or video: bytes, a Blob (browsers: a File), or for Baidu calls its base64 text. */
export type Media = Uint8Array | ArrayBuffer | Blob | string;

export interface BodylensClientOptions {
  /** http(s)://host:port of the server. */
  baseUrl: string;
  /** The app's API Key (also Kakao's REST API key). */
  apiKey: string;
  /** The app's Secret Key, for access tokens (Baidu methods). */
  secretKey?: string;
  /** A fixed access token instead of fetching one (then no refresh). */
  accessToken?: string;
  /** Retries after the first attempt (default 3). */
  retries?: number;
  /** First back-off delay, doubled each retry (default 250 ms). */
  retryDelayMs?: number;
  /** Another fetch (tests, proxies); default the global one. */
  fetch?: typeof fetch;
  /** Clock for token expiry, unix ms (default Date.now). */
  now?: () => number;
}

export type Dialect = 'baidu' | 'oauth' | 'kakao' | 'http' | 'network';

/** A failed call. `code` is the dialect's own: Baidu error_code, Kakao code, OAuth error word, or the HTTP status. */
export class BodylensError extends Error {
  readonly name = 'BodylensError';
  constructor(
    readonly dialect: Dialect,
    readonly code: number | string,
    message: string,
    /** HTTP status (Baidu answers its errors with 200). */
    readonly status: number,
    /** Baidu's log_id of the failed request. */
    readonly logId?: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
  /** Worth trying again later: QPS limit, busy server, 429, network. */
  get retryable(): boolean {
    return (this.dialect === 'baidu' && (this.code === 18 || this.code === 4)) || this.status === 429 || this.dialect === 'network';
  }
}

/** Baidu's token errors: the token is unknown or expired, a new one may work. */
const TOKEN_CODES = new Set([110, 111]);
/** Refresh this long before a token's expiry. */
const REFRESH_MARGIN_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connection errors that prove no request reached the server (Node's fetch puts the code in `cause`; browsers say nothing, so never). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
function neverConnected(err: unknown): boolean {
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' && NOT_SENT.has(code);
}

async function bytesOf(media: Media): Promise<Uint8Array> {
  if (typeof media === 'string') throw new TypeError('expected bytes or a Blob, not a string');
  if (media instanceof Uint8Array) return media;
  if (media instanceof ArrayBuffer) return new Uint8Array(media);
  return new Uint8Array(await media.arrayBuffer());
}

/** Base64 with btoa, which browsers and Node 20 both have. */
export async function toBase64(media: Media): Promise<string> {
  if (typeof media === 'string') return media;
  const bytes = await bytesOf(media);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const blobOf = async (media: Media): Promise<Blob> => (media instanceof Blob ? media : new Blob([new Uint8Array(await bytesOf(media))]));

/** Options as form text: booleans as true/false, numbers as digits, absent fields left out. */
function formOf(image: string, options: object): URLSearchParams {
  const form = new URLSearchParams({ image });
  for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== null) form.set(k, String(v));
  return form;
}

type ResultOf<N extends string> = N extends keyof T.BaiduResults ? T.BaiduResults[N] : Record<string, unknown>;
type OptionsOf<N extends string> = N extends keyof T.BaiduOptions ? T.BaiduOptions[N] : Record<string, string | number | boolean | undefined>;

export interface WaitOptions {
  /** Between polls (default 500 ms). */
  intervalMs?: number;
  /** Give up after (default 10 minutes). */
  timeoutMs?: number;
  /** Called with the job's progress (0-1) while it is processing. */
  progress?(fraction: number, view: T.KakaoJobView): void;
}

export type KakaoJobSuccess = Extract<T.KakaoJobView, { status: 'success' }>;

export class BodylensClient {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private token?: { value: string; refresh?: string; expiresAt: number };
  private pendingToken?: Promise<string>;
  private readonly now: () => number;

  constructor(private readonly options: BodylensClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.doFetch = options.fetch ?? ((...args) => fetch(...args));
    this.now = options.now ?? Date.now;
    if (options.accessToken) this.token = { value: options.accessToken, expiresAt: Number.POSITIVE_INFINITY };
  }

  /**
   * fetch with retries on network errors and on answers `retryable` says are worth repeating.
   * `once`: a request that must not run twice (a video job, a frame of a tracking case): a
   * network error is retried only when the connection was never made, since a lost answer may
   * belong to a request the server ran; refusals (18, 4, 429) are retried, as the server ran nothing.
   */
  private async send<R>(request: () => Promise<Response>, read: (res: Response) => Promise<R>, once = false): Promise<R> {
    const retries = this.options.retries ?? 3;
    const delay = this.options.retryDelayMs ?? 250;
    for (let attempt = 0; ; attempt++) {
      let mayHaveRun = false;
      try {
        let res: Response;
        try {
          res = await request();
        } catch (err) {
          mayHaveRun = once && !neverConnected(err);
          throw new BodylensError('network', 0, `network error: ${(err as Error).message}`, 0);
        }
        return await read(res);
      } catch (err) {
        if (!(err instanceof BodylensError) || !err.retryable || mayHaveRun || attempt >= retries) throw err;
        await sleep(delay * 2 ** attempt);
      }
    }
  }

  private async json(res: Response): Promise<unknown> {
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch {
      throw new BodylensError('http', res.status, `HTTP ${res.status}: not JSON: ${text.slice(0, 200)}`, res.status);
    }
  }

  // ---- Baidu OAuth -------------------------------------------------------------------------

  /** A token from /oauth/2.0/token (client_credentials, or refresh_token when `refresh` is given). */
  async fetchToken(refresh?: string): Promise<T.TokenResult> {
    const { apiKey, secretKey } = this.options;
    if (!secretKey) throw new BodylensError('oauth', 'invalid_client', 'secretKey is needed for access tokens', 0);
    const params = new URLSearchParams({ grant_type: refresh ? 'refresh_token' : 'client_credentials', client_id: apiKey, client_secret: secretKey, ...(refresh ? { refresh_token: refresh } : {}) });
    return this.send(
      () => this.doFetch(`${this.base}/oauth/2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString() }),
      async (res) => {
        const body = (await this.json(res)) as T.TokenResult & { error?: string; error_description?: string };
        if (res.status !== 200 || body.error) throw new BodylensError(res.status === 429 ? 'http' : 'oauth', body.error ?? res.status, body.error_description ?? `HTTP ${res.status}`, res.status, undefined, body);
        return body;
      },
    );
  }

  /** The current access token, fetched or refreshed when needed (one request at a time). */
  async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.expiresAt - REFRESH_MARGIN_MS) return this.token.value;
    this.pendingToken ??= (async () => {
      const old = this.token;
      let answer: T.TokenResult;
      try {
        answer = await this.fetchToken(old?.refresh);
      } catch (err) {
        if (!old?.refresh) throw err;
        answer = await this.fetchToken();
      }
      this.token = { value: answer.access_token, refresh: answer.refresh_token, expiresAt: this.now() + answer.expires_in * 1000 };
      return answer.access_token;
    })().finally(() => {
      this.pendingToken = undefined;
    });
    return this.pendingToken;
  }

  // ---- Baidu online APIs -------------------------------------------------------------------

  /** Any online API by name (`body_analysis`, ...), with its form fields besides image. */
  async call<N extends string>(api: N, image: Media, options: OptionsOf<N> | Record<string, unknown> = {}): Promise<ResultOf<N>> {
    const fields = formOf(await toBase64(image), options);
    const form = fields.toString();
    // A frame of a tracking case moves the case's tracks and counts: it must not be applied twice.
    const caseFrame = fields.get('dynamic') === 'true';
    for (let renewed = false; ; renewed = true) {
      const token = await this.accessToken();
      try {
        return await this.send(
          () => this.doFetch(`${this.base}/rest/2.0/image-classify/v1/${api}?access_token=${encodeURIComponent(token)}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form }),
          async (res) => {
            const body = (await this.json(res)) as T.BaiduErrorBody | ResultOf<N>;
            if (res.status === 429) throw new BodylensError('http', 429, 'too many requests', 429, undefined, body);
            if (body && typeof body === 'object' && 'error_code' in body) {
              const e = body as T.BaiduErrorBody;
              throw new BodylensError('baidu', e.error_code, e.error_msg, res.status, e.log_id, body);
            }
            if (res.status !== 200) throw new BodylensError('http', res.status, `HTTP ${res.status}`, res.status, undefined, body);
            return body as ResultOf<N>;
          },
          caseFrame,
        );
      } catch (err) {
        // A token the server no longer knows (expired, revoked, server restarted): fetch a new one once.
        if (!renewed && err instanceof BodylensError && err.dialect === 'baidu' && TOKEN_CODES.has(err.code as number) && this.options.secretKey) {
          // Only the token that failed: another call may have fetched a fresh one meanwhile.
          if (this.token?.value === token) this.token = undefined;
          continue;
        }
        throw err;
      }
    }
  }

  bodyAnalysis(image: Media): Promise<T.BodyAnalysisResult> {
    return this.call('body_analysis', image);
  }
  bodyAttr(image: Media, options: T.BodyAttrOptions = {}): Promise<T.BodyAttrResult> {
    return this.call('body_attr', image, options);
  }
  bodyNum(image: Media, options: T.BodyNumOptions = {}): Promise<T.BodyNumResult> {
    return this.call('body_num', image, options);
  }
  bodySeg(image: Media, options: T.BodySegOptions = {}): Promise<T.BodySegResult> {
    return this.call('body_seg', image, options);
  }
  gesture(image: Media): Promise<T.GestureResult> {
    return this.call('gesture', image);
  }
  /** driver_behavior: the driver and nine behaviours, each `{score, threshold}` (docs/driver.md). */
  driverBehavior(image: Media, options: T.DriverBehaviorOptions = {}): Promise<T.DriverBehaviorResult> {
    return this.call('driver_behavior', image, options);
  }
  bodyTracking(image: Media, options: T.BodyTrackingOptions): Promise<T.BodyTrackingResult> {
    return this.call('body_tracking', image, options);
  }
  handAnalysis(image: Media): Promise<T.HandAnalysisResult> {
    return this.call('hand_analysis', image);
  }
  fingertip(image: Media): Promise<T.FingertipResult> {
    return this.call('fingertip', image);
  }
  bodySegPhoto(image: Media): Promise<T.BodySegPhotoResult> {
    return this.call('body_seg_photo', image);
  }

  // ---- Kakao Pose ----------------------------------------------------------------------------

  private kakao<R>(method: string, path: string, body?: () => Promise<FormData>, once = false): Promise<R> {
    return this.send(
      async () => this.doFetch(`${this.base}${path}`, { method, headers: { authorization: `KakaoAK ${this.options.apiKey}` }, ...(body ? { body: await body() } : {}) }),
      async (res) => {
        const answer = (await this.json(res)) as R | T.KakaoErrorBody;
        if (res.status >= 400) {
          const e = answer as T.KakaoErrorBody;
          throw new BodylensError(res.status === 429 ? 'http' : 'kakao', res.status === 429 ? 429 : e.code, e.msg ?? `HTTP ${res.status}`, res.status, undefined, answer);
        }
        return answer as R;
      },
      once,
    );
  }

  /** Kakao's POST /pose: an image (bytes or Blob) or `{ url }`. */
  pose(image: Media | { url: string }): Promise<T.KakaoPoseResult> {
    return this.kakao('POST', '/pose', async () => {
      const form = new FormData();
      if (typeof image === 'object' && 'url' in image) form.append('image_url', image.url);
      else form.append('file', await blobOf(image), 'image');
      return form;
    });
  }

  /** Kakao's POST /pose/job: a video (bytes or Blob) or `{ url }`; answers the job id. */
  poseJob(video: Media | { url: string }, options: { smoothing?: boolean; callback_url?: string } = {}): Promise<T.KakaoJobSubmitted> {
    return this.kakao('POST', '/pose/job', async () => {
      const form = new FormData();
      if (typeof video === 'object' && 'url' in video) form.append('video_url', video.url);
      else form.append('file', await blobOf(video), 'video.mp4');
      if (options.smoothing !== undefined) form.append('smoothing', String(options.smoothing));
      if (options.callback_url) form.append('callback_url', options.callback_url);
      return form;
    }, true);
  }

  /** Kakao's GET /pose/job/{job_id} (polling is not charged). */
  job(jobId: string): Promise<T.KakaoJobView> {
    return this.kakao('GET', `/pose/job/${encodeURIComponent(jobId)}`);
  }

  /** Polls a job until it succeeds (its result) or fails / is unknown (BodylensError, code "failed" / "not found"). */
  async waitForJob(jobId: string, options: WaitOptions = {}): Promise<KakaoJobSuccess> {
    const deadline = Date.now() + (options.timeoutMs ?? 600_000);
    for (;;) {
      const view = await this.job(jobId);
      if (view.status === 'success') {
        options.progress?.(1, view);
        return view;
      }
      if (view.status === 'failed') throw new BodylensError('kakao', 'failed', view.description, 200, undefined, view);
      if (view.status === 'not found') throw new BodylensError('kakao', 'not found', `no job ${jobId}`, 200, undefined, view);
      if (view.status === 'processing') options.progress?.(view.progress, view);
      if (Date.now() >= deadline) throw new BodylensError('kakao', 'timeout', `job ${jobId} still ${view.status}`, 200, undefined, view);
      await sleep(options.intervalMs ?? 500);
    }
  }
}
