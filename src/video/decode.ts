/**
 * Video decoding with ffmpeg as a child process.
 *
 * The binary comes from the npm package `@ffmpeg-installer/ffmpeg` (a static build installed with
 * the package, so nothing is downloaded at run time); BODYLENS_FFMPEG points at another one.
 * Frames are streamed as PPM images (`-f image2pipe -c:v ppm`): every frame carries its own
 * width and height, so ffmpeg's automatic rotation (phone videos with rotation metadata) and odd
 * sizes need no guessing on our side. See docs/video.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { DEFAULT_MAX_PIXELS } from '../intake/index.js';
import { ffmpegSetting } from '../config.js';
import type { RgbImage } from '../types.js';

/** A video we cannot read; `reason` is safe to show to the caller. */
export class VideoError extends Error {
  constructor(
    readonly reason: string,
    readonly detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'VideoError';
  }
}

let bundledFfmpeg: string | undefined;

/** The ffmpeg executable: BODYLENS_FFMPEG, else the binary shipped in `@ffmpeg-installer/ffmpeg`. */
export function ffmpegPath(env?: NodeJS.ProcessEnv): string {
  const configured = ffmpegSetting(env);
  if (configured) return configured;
  if (!bundledFfmpeg) {
    try {
      bundledFfmpeg = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
    } catch (err) {
      // The installer throws a plain string when no binary exists for this platform.
      throw new Error(`no ffmpeg binary (${err instanceof Error ? err.message : String(err)}); set BODYLENS_FFMPEG`);
    }
  }
  return bundledFfmpeg;
}

export interface VideoInfo {
  /** Frames per second of the video stream (ffmpeg's "tbr", the rate a player shows). */
  fps: number;
  /** Frame size after rotation metadata is applied (what decoded frames will have). */
  width: number;
  height: number;
  /** Container duration in seconds (0 when the container does not say). */
  durationSeconds: number;
  /** Estimated frame count, duration × fps (containers do not always store it). */
  frameCount: number;
  /** Rotation metadata as ffmpeg reports it, normalised to 0, 90, 180 or 270 degrees. */
  rotation: number;
  codec: string;
}

/**
 * Container formats (ffmpeg demuxer names) accepted as video: MP4/MOV/3GP, Matroska/WebM, AVI,
 * MPEG-TS/PS, FLV, ASF/WMV, Ogg. Everything else is refused before ffmpeg reads it, notably
 * playlists (HLS, concat) with which an uploaded file could make ffmpeg open other local files
 * or URLs, and formats that turn arbitrary bytes into pictures (text, raw images).
 */
export const VIDEO_DEMUXERS: readonly string[] = ['mov', 'matroska', 'avi', 'mpegts', 'mpeg', 'flv', 'asf', 'ogg'];

/** ffmpeg input options for an untrusted local file: allowed containers only, no network. */
function inputArgs(path: string): string[] {
  // "file:" keeps a path containing ':' from being read as a protocol name.
  return ['-format_whitelist', VIDEO_DEMUXERS.join(','), '-protocol_whitelist', 'file', '-i', `file:${path}`];
}

/** Last part of ffmpeg's stderr; it writes a banner and progress we do not need. */
const STDERR_KEEP = 16 * 1024;

function ffmpegFailure(stderr: string): VideoError {
  if (/No such file or directory/.test(stderr)) return new VideoError('video file not found');
  if (/Invalid data found when processing input|not on whitelist|could not find codec parameters|moov atom not found|Unknown format|End of file/i.test(stderr)) {
    return new VideoError('not a video file or unsupported video format');
  }
  const line = stderr.trim().split('\n').filter((l) => !/^\s/.test(l)).pop();
  return new VideoError('failed to decode video', line?.slice(0, 300));
}

export interface FfmpegProcess {
  child: ChildProcess;
  /** The last STDERR_KEEP characters ffmpeg wrote to stderr so far. */
  stderr(): string;
  /** Settles when the process is gone: its exit code, or the error that kept it from running. */
  exited: Promise<{ code: number | null; error?: Error }>;
}

/** Starts ffmpeg with its stderr captured (tail only) and its end as a promise; never throws. */
export function spawnFfmpeg(args: string[], stdio: { stdin: 'ignore' | 'pipe'; stdout: 'ignore' | 'pipe' }, signal?: AbortSignal): FfmpegProcess {
  const child = spawn(ffmpegPath(), args, { stdio: [stdio.stdin, stdio.stdout, 'pipe'], signal });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  const exited = new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once('error', (error) => resolve({ code: null, error }));
    child.once('close', (code) => resolve({ code }));
  });
  return { child, stderr: () => stderr, exited };
}

async function runFfmpeg(args: string[], signal?: AbortSignal): Promise<{ code: number | null; stderr: string }> {
  const run = spawnFfmpeg(args, { stdin: 'ignore', stdout: 'ignore' }, signal);
  const { code, error } = await run.exited;
  if (error) throw signal?.aborted ? signal.reason ?? error : new Error(`cannot run ffmpeg: ${error.message}`);
  return { code, stderr: run.stderr() };
}

function rate(value: string | undefined): number {
  if (!value) return 0;
  const n = value.endsWith('k') ? Number(value.slice(0, -1)) * 1000 : Number(value);
  return Number.isFinite(n) ? n : 0;
}

/** Parses the stream summary `ffmpeg -i` prints (the static build ships no ffprobe). */
export function parseProbeOutput(stderr: string): VideoInfo {
  const stream = /Stream #\d+:\d+[^\n]*?: Video: ([^\s,]+)([^\n]*)/.exec(stderr);
  if (!stream) {
    if (/Input #0/.test(stderr)) throw new VideoError('the file has no video stream');
    throw ffmpegFailure(stderr);
  }
  const codec = stream[1];
  const details = stream[2];
  const size = /, (\d+)x(\d+)[\s,]/.exec(details + ' ');
  if (!size) throw new VideoError('video stream has no frame size');
  const fps = rate(/([\d.]+k?) fps/.exec(details)?.[1]);
  const tbr = rate(/([\d.]+k?) tbr/.exec(details)?.[1]);
  // tbr is the stream's base frame rate; "fps" is an average that AVI muxers often double.
  // A tbr far above any real camera rate is a timebase, not a frame rate: fall back to fps then.
  const frameRate = tbr > 0 && tbr <= 240 ? tbr : fps;
  if (!(frameRate > 0)) throw new VideoError('video stream has no frame rate');
  const duration = /Duration: (\d+):(\d+):([\d.]+)/.exec(stderr);
  const durationSeconds = duration ? Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]) : 0;
  const rotateTag = /^\s*rotate\s*:\s*(-?\d+)/m.exec(stderr)?.[1];
  const displayMatrix = /rotation of (-?[\d.]+) degrees/.exec(stderr)?.[1];
  // Older builds print a rotate tag, newer ones only the display matrix (opposite sign convention).
  const rawRotation = rotateTag !== undefined ? Number(rotateTag) : displayMatrix !== undefined ? -Number(displayMatrix) : 0;
  const rotation = ((Math.round(rawRotation / 90) * 90) % 360 + 360) % 360;
  let width = Number(size[1]);
  let height = Number(size[2]);
  if (rotation === 90 || rotation === 270) [width, height] = [height, width];
  return {
    fps: Math.round(frameRate * 1000) / 1000,
    width,
    height,
    durationSeconds,
    frameCount: Math.round(durationSeconds * frameRate),
    rotation,
    codec,
  };
}

/** Reads the container and stream headers; throws VideoError for anything that is not a usable video. */
export async function probeVideo(path: string, signal?: AbortSignal): Promise<VideoInfo> {
  // Without an output ffmpeg prints the input summary and exits with status 1: that is expected.
  const { stderr } = await runFfmpeg(['-hide_banner', '-nostdin', ...inputArgs(path)], signal);
  const info = parseProbeOutput(stderr);
  if (info.width * info.height > DEFAULT_MAX_PIXELS) {
    throw new VideoError(`video frame size ${info.width}x${info.height} is too large (at most ${DEFAULT_MAX_PIXELS} pixels)`);
  }
  return info;
}

/**
 * Splits ffmpeg's PPM stream ("P6\n<w> <h>\n255\n" + w×h×3 bytes per frame) into frames.
 * Frames the caller does not want are skipped without being copied.
 */
export class PpmStreamParser {
  private header = '';
  private frame?: Uint8Array;
  private filled = 0;
  private remainingSkip = 0;
  private width = 0;
  private height = 0;
  /** Frames whose header has been read (kept or skipped). */
  framesSeen = 0;

  constructor(private readonly keep: (index: number) => boolean = () => true) {}

  /** Feeds bytes; returns every frame completed by them (with its index in the stream). */
  push(chunk: Uint8Array): Array<{ index: number; image: RgbImage }> {
    const out: Array<{ index: number; image: RgbImage }> = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.frame) {
        const n = Math.min(chunk.length - pos, this.frame.length - this.filled);
        this.frame.set(chunk.subarray(pos, pos + n), this.filled);
        this.filled += n;
        pos += n;
        if (this.filled === this.frame.length) {
          out.push({ index: this.framesSeen - 1, image: { width: this.width, height: this.height, data: this.frame } });
          this.frame = undefined;
        }
      } else if (this.remainingSkip > 0) {
        const n = Math.min(chunk.length - pos, this.remainingSkip);
        this.remainingSkip -= n;
        pos += n;
      } else {
        pos = this.readHeader(chunk, pos);
      }
    }
    return out;
  }

  /** True when the stream ended on a frame boundary. */
  get complete(): boolean {
    return !this.frame && this.remainingSkip === 0 && this.header === '';
  }

  private readHeader(chunk: Uint8Array, start: number): number {
    let pos = start;
    // The header is ASCII and short; accumulate until the four fields and one separator are in.
    while (pos < chunk.length) {
      this.header += String.fromCharCode(chunk[pos++]);
      const m = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s$/.exec(this.header);
      if (m) {
        this.width = Number(m[1]);
        this.height = Number(m[2]);
        if (m[3] !== '255') throw new VideoError('failed to decode video', `unexpected PPM depth ${m[3]}`);
        const size = this.width * this.height * 3;
        const index = this.framesSeen++;
        if (this.keep(index)) {
          this.frame = new Uint8Array(size);
          this.filled = 0;
        } else {
          this.remainingSkip = size;
        }
        this.header = '';
        return pos;
      }
      if (this.header.length > 64) throw new VideoError('failed to decode video', 'malformed frame stream');
    }
    return pos;
  }
}

export interface DecodeOptions {
  /** Only frames whose timestamp is below this are decoded (default 30). */
  maxSeconds?: number;
  /** Keep every stride-th frame (1 = all, the default); skipped frames still count for numbering. */
  stride?: number;
  /** Aborting kills ffmpeg and makes iteration throw the abort reason. */
  signal?: AbortSignal;
}

export interface VideoFrame {
  /** Position of the frame in the source video, 0-based, counting skipped frames. */
  index: number;
  image: RgbImage;
}

/**
 * Streams decoded RGB frames of a video. Reading is paced by the consumer (the pipe is paused
 * while it works), so memory stays at a few frames whatever the video length. After iteration
 * `framesSeen` is the number of source frames within the decoded window.
 */
export class FrameReader {
  framesSeen = 0;

  constructor(
    private readonly path: string,
    private readonly options: DecodeOptions = {},
  ) {}

  async *frames(): AsyncGenerator<VideoFrame> {
    const maxSeconds = this.options.maxSeconds ?? 30;
    const stride = Math.max(1, Math.floor(this.options.stride ?? 1));
    const signal = this.options.signal;
    signal?.throwIfAborted();
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      ...inputArgs(this.path),
      '-map', '0:v:0', '-an', '-sn', '-dn',
      // One output frame per decoded frame (no duplication or dropping to a constant rate), so
      // frame numbers are the source's own.
      '-vsync', 'passthrough',
      '-t', String(maxSeconds),
      '-f', 'image2pipe', '-c:v', 'ppm', '-pix_fmt', 'rgb24',
      'pipe:1',
    ];
    const { child, stderr, exited } = spawnFfmpeg(args, { stdin: 'ignore', stdout: 'pipe' });
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', kill, { once: true });
    const parser = new PpmStreamParser((index) => index % stride === 0);
    let yielded = 0;
    try {
      for await (const chunk of child.stdout!) {
        for (const frame of parser.push(chunk as Buffer)) {
          this.framesSeen = parser.framesSeen;
          yielded++;
          yield frame;
          signal?.throwIfAborted();
        }
      }
      const { code, error } = await exited;
      signal?.throwIfAborted();
      if (error) throw new Error(`cannot run ffmpeg: ${error.message}`);
      if (code !== 0) throw ffmpegFailure(stderr());
      if (!parser.complete) throw new VideoError('failed to decode video', 'truncated frame stream');
      this.framesSeen = parser.framesSeen;
      if (yielded === 0) throw new VideoError('the video has no decodable frames');
    } finally {
      // Reached on normal end, errors, abort, and a consumer that stops early (break/return).
      signal?.removeEventListener('abort', kill);
      kill();
      child.stdout!.destroy();
    }
  }
}
