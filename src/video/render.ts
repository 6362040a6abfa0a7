/**
 * Writes a video by piping packed RGB frames into ffmpeg (H.264 in MP4, playable everywhere).
 * Used by the CLI's `--render` to produce a skeleton overlay video.
 */
import { once } from 'node:events';
import { spawnFfmpeg, VideoError, type FfmpegProcess } from './decode.js';

export interface VideoWriterOptions {
  width: number;
  height: number;
  fps: number;
}

export class VideoWriter {
  private readonly ffmpeg: FfmpegProcess;

  constructor(
    path: string,
    private readonly options: VideoWriterOptions,
  ) {
    const { width, height, fps } = options;
    this.ffmpeg = spawnFfmpeg(
      [
        '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
        '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
        // yuv420p (what players expect) needs even sizes: pad odd ones by a pixel.
        '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2',
        '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart',
        path,
      ],
      { stdin: 'pipe', stdout: 'ignore' },
    );
    // A failing encoder closes its stdin; the error surfaces from close(), not as a crash here.
    this.ffmpeg.child.stdin!.on('error', () => undefined);
  }

  /** Appends one frame (packed RGB of the writer's size); waits when the encoder is behind. */
  async write(rgb: Uint8Array): Promise<void> {
    const { width, height } = this.options;
    if (rgb.length !== width * height * 3) {
      throw new VideoError('cannot render a video whose frame size changes', `${rgb.length} bytes for ${width}x${height}`);
    }
    const { child, exited } = this.ffmpeg;
    if (!child.stdin!.write(rgb)) await Promise.race([once(child.stdin!, 'drain'), exited]);
  }

  /** Finishes the file; throws if ffmpeg failed. */
  async close(): Promise<void> {
    this.ffmpeg.child.stdin!.end();
    const { code } = await this.ffmpeg.exited;
    if (code !== 0) throw new VideoError('failed to encode video', this.ffmpeg.stderr().trim().split('\n').pop());
  }

  /** Stops without finishing the file (after an error elsewhere). */
  abort(): void {
    if (this.ffmpeg.child.exitCode === null) this.ffmpeg.child.kill('SIGKILL');
  }
}
