/**
 * Scripted people-counting scenes with exact ground truth, built at run time from the eval data
 * (nothing derived is written anywhere):
 *
 * - background: the per-pixel temporal median of frames of the walking video (the walkers move,
 *   the hall floor stays, so the median is the empty floor);
 * - people: PennFudan pedestrians cut out with their hand-drawn instance masks (complete people
 *   only: not touching the photo's border), scaled to a common height;
 * - scripts: each actor follows a path of timed waypoints (linear in between) and is drawn in
 *   depth order (the lower foot in front), so actors occlude each other where paths meet;
 * - truth: the area is the right part of the frame (three edges on the border, so its left edge
 *   is the one that counts, as in Baidu's example 1); an actor's `in` is the moment its whole
 *   body box has come wholly inside after being wholly outside, `out` the reverse. A body box
 *   wholly inside implies the head-shoulder box is, so the truth does not depend on our
 *   head-shoulder estimate.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { FrameReader, probeVideo } from '../src/video/decode.js';
import type { Box, RgbImage } from '../src/types.js';
import { boxInPolygon, type Point } from '../src/tracking/zones.js';

export interface CutOut {
  width: number;
  height: number;
  /** RGBA, straight alpha from the instance mask. */
  rgba: Uint8Array;
}

/** Per-pixel median of `samples` frames spread over the whole video. */
export async function medianBackground(video: string, samples = 15): Promise<RgbImage> {
  const info = await probeVideo(video);
  const stride = Math.max(1, Math.floor(info.frameCount / samples));
  const frames: RgbImage[] = [];
  for await (const f of new FrameReader(video, { stride, maxSeconds: 3600 }).frames()) {
    frames.push(f.image);
    if (frames.length === samples) break;
  }
  const { width, height } = frames[0];
  const out = new Uint8Array(width * height * 3);
  const values = new Uint8Array(frames.length);
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < frames.length; k++) values[k] = frames[k].data[i];
    values.sort();
    out[i] = values[frames.length >> 1];
  }
  return { width, height, data: out };
}

/** Complete pedestrians of PennFudan (mask not touching the border, tall enough), scaled to `height` px. */
export async function loadCutOuts(dir: string, height: number, limit: number): Promise<CutOut[]> {
  const out: CutOut[] = [];
  for (const f of readdirSync(join(dir, 'images')).filter((x) => x.endsWith('.jpg')).sort()) {
    const photo = await sharp(join(dir, 'images', f)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const mask = await sharp(join(dir, 'masks', f.replace(/\.jpg$/, '_mask.png'))).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    const W = mask.info.width;
    const H = mask.info.height;
    const ext = new Map<number, [number, number, number, number]>();
    for (let i = 0; i < W * H; i++) {
      const id = mask.data[i];
      if (!id) continue;
      const x = i % W;
      const y = (i - x) / W;
      const e = ext.get(id) ?? [x, y, x, y];
      ext.set(id, [Math.min(e[0], x), Math.min(e[1], y), Math.max(e[2], x), Math.max(e[3], y)]);
    }
    for (const [id, [x0, y0, x1, y1]] of ext) {
      const w = x1 - x0 + 1;
      const h = y1 - y0 + 1;
      if (x0 <= 1 || y0 <= 1 || x1 >= W - 2 || y1 >= H - 2 || h < 180 || w > 0.6 * h) continue;
      const rgba = new Uint8Array(w * h * 4);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const s = (y0 + y) * W + x0 + x;
          const d = (y * w + x) * 4;
          rgba.set(photo.data.subarray(s * 3, s * 3 + 3), d);
          rgba[d + 3] = mask.data[s] === id ? 255 : 0;
        }
      }
      const scaled = await sharp(rgba, { raw: { width: w, height: h, channels: 4 } }).resize({ height }).raw().toBuffer({ resolveWithObject: true });
      out.push({ width: scaled.info.width, height: scaled.info.height, rgba: new Uint8Array(scaled.data) });
      if (out.length === limit) return out;
    }
  }
  return out;
}

/** A waypoint: at `t` seconds the actor's body box has its top-left corner at (x, y). */
export interface Waypoint {
  t: number;
  x: number;
  y: number;
}

export interface Actor {
  cutOut: number;
  path: Waypoint[];
}

export interface Scene {
  name: string;
  /** Actors who loiter on the boundary: any count of theirs is a double count. */
  loiterers?: number[];
  seconds: number;
  actors: Actor[];
}

/** Where an actor is at `t` (undefined before its first waypoint or after its last). */
export function actorAt(path: readonly Waypoint[], t: number): { x: number; y: number } | undefined {
  if (t < path[0].t || t > path[path.length - 1].t) return undefined;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1];
    const b = path[i];
    if (t <= b.t) {
      const u = b.t === a.t ? 1 : (t - a.t) / (b.t - a.t);
      return { x: a.x + u * (b.x - a.x), y: a.y + u * (b.y - a.y) };
    }
  }
  return path[path.length - 1];
}

/** The frame at `t`: the background with every actor present, back to front. Returns the frame and each visible actor's body box. */
export function composeFrame(background: RgbImage, cutOuts: readonly CutOut[], scene: Scene, t: number): { image: RgbImage; boxes: Array<Box | undefined> } {
  const data = new Uint8Array(background.data);
  const W = background.width;
  const H = background.height;
  const placed = scene.actors.map((a, i) => {
    const at = actorAt(a.path, t);
    const c = cutOuts[a.cutOut % cutOuts.length];
    return at ? { i, c, x: Math.round(at.x), y: Math.round(at.y) } : undefined;
  });
  const boxes: Array<Box | undefined> = placed.map((p) => {
    if (!p) return undefined;
    const left = Math.max(0, p.x);
    const top = Math.max(0, p.y);
    const right = Math.min(W, p.x + p.c.width);
    const bottom = Math.min(H, p.y + p.c.height);
    return right - left > 4 && bottom - top > 4 ? { left, top, width: right - left, height: bottom - top } : undefined;
  });
  const order = placed.filter((p): p is NonNullable<typeof p> => Boolean(p)).sort((a, b) => a.y + a.c.height - (b.y + b.c.height));
  for (const { c, x, y } of order) {
    for (let cy = 0; cy < c.height; cy++) {
      const iy = y + cy;
      if (iy < 0 || iy >= H) continue;
      for (let cx = 0; cx < c.width; cx++) {
        const ix = x + cx;
        if (ix < 0 || ix >= W) continue;
        const s = (cy * c.width + cx) * 4;
        const alpha = c.rgba[s + 3] / 255;
        if (alpha === 0) continue;
        const d = (iy * W + ix) * 3;
        for (let k = 0; k < 3; k++) data[d + k] = Math.round(alpha * c.rgba[s + k] + (1 - alpha) * data[d + k]);
      }
    }
  }
  return { image: { width: W, height: H, data }, boxes };
}

export interface TruthEvents {
  in: number;
  out: number;
}

/**
 * Exact events of one actor, sampled finely (100 Hz) along its path: changes between wholly
 * outside and wholly inside the area; straddling changes nothing.
 */
export function actorTruth(scene: Scene, actor: Actor, cutOuts: readonly CutOut[], area: readonly Point[]): TruthEvents {
  const c = cutOuts[actor.cutOut % cutOuts.length];
  const events = { in: 0, out: 0 };
  let side: 'inside' | 'outside' | undefined;
  for (let t = actor.path[0].t; t <= actor.path[actor.path.length - 1].t + 1e-9; t += 0.01) {
    const at = actorAt(actor.path, Math.min(t, actor.path[actor.path.length - 1].t))!;
    const where = boxInPolygon({ left: at.x, top: at.y, width: c.width, height: c.height }, area);
    if (where === 'straddle') continue;
    if (side !== undefined && where !== side) events[where === 'inside' ? 'in' : 'out']++;
    side = where;
  }
  return events;
}

/**
 * The scripted scenes for a W×H frame whose area is everything right of `edge`. People are
 * `h` px tall and walk at 0.8 body heights per second (about 1.4 m/s). Several people share a
 * scene (on rows that overlap, so they occlude each other), which keeps the frame count, and
 * the suite's time, down.
 */
export function scenes(W: number, H: number, edge: number, h: number): Scene[] {
  const v = 0.8 * h; // px per second
  const far = { left: edge - 1.4 * h, right: edge + 1.2 * h };
  const walk = (from: number, to: number, y: number, t0 = 0, speed = v): Waypoint[] => [
    { t: t0, x: from, y },
    { t: t0 + Math.abs(to - from) / speed, x: to, y },
  ];
  const row = (k: number) => Math.round(20 + (k * (H - h - 40)) / 3);
  // Walk up to the edge, stand on it swaying for 3 s, walk back: never wholly inside.
  const stand = edge - 0.2 * h;
  const reach = (stand - far.left) / v;
  const sway = [0, 1, 2, 3, 4, 5].map((k) => ({ t: reach + 0.5 * (k + 1), x: stand + (k % 2 ? -0.1 : 0.1) * h, y: row(0) }));
  const there = (far.right - far.left) / v;
  const list: Array<Omit<Scene, 'seconds'>> = [
    {
      // Two people walking in and two walking out at the same time, on alternate rows.
      name: 'enter-leave',
      actors: [
        { cutOut: 0, path: walk(far.left, far.right, row(0)) },
        { cutOut: 1, path: walk(far.right, far.left, row(1), 0.3) },
        { cutOut: 2, path: walk(far.left, far.right, row(2), 0.6) },
        { cutOut: 3, path: walk(far.right, far.left, row(3), 0.9) },
      ],
    },
    {
      // One person loiters on the edge; another goes in, waits inside, and comes back out.
      name: 'loiter-return',
      loiterers: [0],
      actors: [
        { cutOut: 4, path: [{ t: 0, x: far.left, y: row(0) }, { t: reach, x: stand, y: row(0) }, ...sway, { t: 2 * reach + 3.5, x: far.left, y: row(0) }] },
        { cutOut: 5, path: [...walk(far.left, far.right, row(2)), { t: there + 1, x: far.right, y: row(2) }, { t: 2 * there + 1, x: far.left, y: row(2) }] },
      ],
    },
    {
      // Two people meeting on the edge (one in, one out, almost the same row), and a fast
      // walker overtaking a slow one at the edge, passing in front of them.
      name: 'cross-occlude',
      actors: [
        { cutOut: 6, path: walk(far.left, far.right, row(2)) },
        { cutOut: 7, path: walk(far.right, far.left, row(2) + Math.round(0.25 * h)) },
        { cutOut: 1, path: walk(far.left, far.right, row(0), 0, 0.6 * v) },
        { cutOut: 3, path: walk(far.left - 0.8 * h, far.right, row(0) + Math.round(0.3 * h), 0.5, 1.3 * v) },
      ],
    },
    {
      // The roles of cross-occlude reversed: a fast walker overtaking a slow one *behind* them
      // (the hidden one is the fast one), and two people crossing diagonally at the edge, one in
      // and one out, their paths meeting where the boxes straddle it.
      name: 'pass-behind',
      actors: [
        { cutOut: 2, path: walk(far.left, far.right, row(1), 0, 0.6 * v) },
        { cutOut: 5, path: walk(far.left - 0.8 * h, far.right, row(1) - Math.round(0.3 * h), 0.5, 1.3 * v) },
        { cutOut: 0, path: [{ t: 0, x: far.left, y: row(3) }, { t: Math.hypot(far.right - far.left, row(3) - row(2)) / v, x: far.right, y: row(2) }] },
        { cutOut: 4, path: [{ t: 0.2, x: far.right, y: row(2) }, { t: 0.2 + Math.hypot(far.right - far.left, row(3) - row(2)) / v, x: far.left, y: row(3) }] },
      ],
    },
  ];
  return list.map((s) => ({ ...s, seconds: Math.max(...s.actors.map((a) => a.path[a.path.length - 1].t)) + 0.5 }));
}
