/** Short test videos made with the real ffmpeg from a committed still photo. */
import { execFileSync } from 'node:child_process';
import { ffmpegPath } from '../../src/video/decode.js';
import { fixture } from './helpers.js';

export interface ClipOptions {
  frames: number;
  fps: number;
  /** Pixels the view moves per frame (so the person moves at constant speed). */
  dx?: number;
  dy?: number;
  width?: number;
  height?: number;
  /** Rotation metadata (degrees) written into the MP4. */
  rotate?: number;
  /** Default yuv444p (odd sizes encode as they are); yuv420p (even sizes) for clips a browser plays. */
  pixelFormat?: 'yuv444p' | 'yuv420p';
}

/** The skier photo (640×425) seen through a window that slides a few pixels each frame. */
export function makeSkierClip(out: string, o: ClipOptions): string {
  const w = o.width ?? 601;
  const h = o.height ?? 401;
  const crop = `crop=w=${w}:h=${h}:x='min(${o.dx ?? 2}*n,iw-${w})':y='min(${o.dy ?? 1}*n,ih-${h})'`;
  const encoded = o.rotate ? `${out}.plain.mp4` : out;
  const run = (args: string[]) => execFileSync(ffmpegPath(), ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  run([
    '-loop', '1', '-framerate', String(o.fps), '-i', fixture('coco-000000000785.jpg'),
    '-vf', crop, '-frames:v', String(o.frames),
    // 4:4:4 so odd frame sizes encode as they are.
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', o.pixelFormat ?? 'yuv444p',
    encoded,
  ]);
  // Rotation metadata only sticks when remuxing (as a phone's file would carry it).
  if (o.rotate) run(['-i', encoded, '-c', 'copy', '-metadata:s:v:0', `rotate=${o.rotate}`, out]);
  return out;
}
