/**
 * Writes a video by piping packed RGB frames into ffmpeg (H.264 in MP4, playable everywhere).
 * Used by the CLI's `--render` to produce a skeleton overlay video.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ffmpegPath, VideoError } from './decode.js';

export interface VideoWriterOptions {
  width: number;
  height: number;
  fps: number;
}

export class VideoWriter {
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;
  private stderr = '';

  constructor(
    path: string,
    private readonly options: VideoWriterOptions,
  ) {
    const { width, height, fps } = options;
    this.child = spawn(
      ffmpegPath(),
      [
        '-hide_banner', '-nostdin', '-loglevel', 'error', '-y',
        '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
        // yuv420p (what players expect) needs even sizes: pad odd ones by a pixel.
        '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2',
        '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart',
        path,
      ],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4096);
    });
    // A failing encoder closes its stdin; the error surfaces from close(), not as a crash here.
    this.child.stdin!.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('error', () => resolve(null));
      this.child.once('close', (code) => resolve(code));
    });
  }

  /** Appends one frame (packed RGB of the writer's size); waits when the encoder is behind. */
  async write(rgb: Uint8Array): Promise<void> {
    const { width, height } = this.options;
    if (rgb.length !== width * height * 3) {
      throw new VideoError('cannot render a video whose frame size changes', `${rgb.length} bytes for ${width}x${height}`);
    }
    if (!this.child.stdin!.write(rgb)) await Promise.race([once(this.child.stdin!, 'drain'), this.exited]);
  }

  /** Finishes the file; throws if ffmpeg failed. */
  async close(): Promise<void> {
    this.child.stdin!.end();
    const code = await this.exited;
    if (code !== 0) throw new VideoError('failed to encode video', this.stderr.trim().split('\n').pop());
  }

  /** Stops without finishing the file (after an error elsewhere). */
  abort(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
