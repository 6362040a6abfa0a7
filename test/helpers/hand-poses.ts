/**
 * Builds hand poses for gesture tests out of real detections: fingers are moved between real
 * hands in the hand's own frame, bent at a joint, and whole hands are turned, mirrored and
 * placed. Used for the Baidu classes that have no evaluation images (docs/hands.md).
 */
import type { Hand } from '../../src/vision/hands.js';
import type { Point3 } from '../../src/vision/hand-landmarks.js';
import { FINGER_JOINTS, handShape, type Finger } from '../../src/vision/hand-geometry.js';

type V = Point3;
const sub = (a: V, b: V): V => ({ x: a.x - b.x, y: a.y - b.y, z: a.z - b.z });
const add = (a: V, b: V): V => ({ x: a.x + b.x, y: a.y + b.y, z: a.z + b.z });
const mul = (a: V, k: number): V => ({ x: a.x * k, y: a.y * k, z: a.z * k });
const dot = (a: V, b: V): number => a.x * b.x + a.y * b.y + a.z * b.z;
const cross = (a: V, b: V): V => ({ x: a.y * b.z - a.z * b.y, y: a.z * b.x - a.x * b.z, z: a.x * b.y - a.y * b.x });
const unit = (a: V): V => mul(a, 1 / (Math.sqrt(dot(a, a)) || 1));

/** Orthonormal hand frame: u along wrist→middle knuckle, v across the knuckles, w = u × v. */
function frame(p: readonly V[]) {
  const u = unit(sub(p[9], p[0]));
  const across = sub(p[5], p[17]);
  const v = unit(sub(across, mul(u, dot(across, u))));
  const w = cross(u, v);
  const size = Math.sqrt(dot(sub(p[9], p[0]), sub(p[9], p[0])));
  return { o: p[0], u, v, w, size };
}
type Frame = ReturnType<typeof frame>;
const toLocal = (f: Frame, p: V): V => {
  const d = sub(p, f.o);
  return { x: dot(d, f.u) / f.size, y: dot(d, f.v) / f.size, z: dot(d, f.w) / f.size };
};
const fromLocal = (f: Frame, l: V): V => add(f.o, mul(add(add(mul(f.u, l.x), mul(f.v, l.y)), mul(f.w, l.z)), f.size));

/** Rodrigues rotation of p about `axis` (unit) through `at`. */
function rotate(p: V, at: V, axis: V, angle: number): V {
  const d = sub(p, at);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const r = add(add(mul(d, c), mul(cross(axis, d), s)), mul(axis, dot(axis, d) * (1 - c)));
  return add(at, r);
}

/** A Hand whose box, keypoints and scores follow its points. */
export function asHand(points: V[], world: V[], side: 'left' | 'right', score = 0.95): Hand {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const left = Math.min(...xs);
  const top = Math.min(...ys);
  return {
    box: { left, top, width: Math.max(...xs) - left, height: Math.max(...ys) - top },
    score,
    keypoints: points.map((p) => ({ x: p.x, y: p.y, score })),
    side,
    points,
    world,
  };
}

const copy = (h: Hand): Hand => asHand(h.points.map((p) => ({ ...p })), h.world.map((p) => ({ ...p })), h.side, h.score);

/** `base` with the listed fingers taken from `donor` (same side), fitted to base's palm. */
export function withFingers(base: Hand, from: Hand, fingers: Finger[]): Hand {
  // Left and right hands are mirror images: a finger moves between them through a mirror.
  const donor = from.side === base.side ? from : mirror(from, 0);
  const out = copy(base);
  for (const key of ['points', 'world'] as const) {
    const fb = frame(base[key]);
    const fd = frame(donor[key]);
    for (const finger of fingers) {
      for (const j of FINGER_JOINTS[finger]) out[key][j] = fromLocal(fb, toLocal(fd, donor[key][j]));
    }
  }
  return asHand(out.points, out.world, out.side, out.score);
}

/** Bends a finger at its k-th joint (0 = knuckle) by `degrees` towards the palm. */
export function bend(hand: Hand, finger: Finger, k: number, degrees: number): Hand {
  const out = copy(hand);
  const joints = FINGER_JOINTS[finger];
  // Which way round the across-knuckles axis is "towards the palm": test a small turn in world.
  const fw = frame(hand.world);
  const normal = handShape(hand.world, hand.points, hand.side).palmNormal;
  const tip = hand.world[joints[3]];
  const sign = dot(sub(rotate(tip, hand.world[joints[k]], fw.v, 0.1), tip), normal) > 0 ? 1 : -1;
  for (const key of ['points', 'world'] as const) {
    const f = frame(hand[key]);
    const at = out[key][joints[k]];
    for (const j of joints.slice(k + 1)) out[key][j] = rotate(out[key][j], at, f.v, (sign * degrees * Math.PI) / 180);
  }
  return asHand(out.points, out.world, out.side, out.score);
}

/** Turns the whole hand about an axis through the wrist (image and world alike). */
export function turn(hand: Hand, axis: V, degrees: number): Hand {
  const a = unit(axis);
  const r = (p: V, o: V) => rotate(p, o, a, (degrees * Math.PI) / 180);
  return asHand(hand.points.map((p) => r(p, hand.points[0])), hand.world.map((p) => r(p, hand.world[0])), hand.side, hand.score);
}

/** The mirror image about the vertical line x = `at` in the image: the other hand. */
export function mirror(hand: Hand, at: number): Hand {
  return asHand(
    hand.points.map((p) => ({ x: 2 * at - p.x, y: p.y, z: p.z })),
    hand.world.map((p) => ({ x: -p.x, y: p.y, z: p.z })),
    hand.side === 'left' ? 'right' : 'left',
    hand.score,
  );
}

/** Sets landmark `k` (image and world) to the given points, e.g. to close a pinch. */
export function setPoint(hand: Hand, k: number, point: V, world: V): Hand {
  const out = copy(hand);
  out.points[k] = { ...point };
  out.world[k] = { ...world };
  return asHand(out.points, out.world, out.side, out.score);
}

export const midpoint = (a: V, b: V): V => mul(add(a, b), 0.5);

/** Moves the hand in the image so that landmark `k` lands on (x, y). */
export function place(hand: Hand, k: number, x: number, y: number): Hand {
  const dx = x - hand.points[k].x;
  const dy = y - hand.points[k].y;
  return asHand(hand.points.map((p) => ({ x: p.x + dx, y: p.y + dy, z: p.z })), hand.world, hand.side, hand.score);
}

/** Turns the hand in the image plane about its wrist so that the a→b direction is (dx, dy). */
export function alignInPlane(hand: Hand, a: number, b: number, dx: number, dy: number): Hand {
  const cur = Math.atan2(hand.points[b].y - hand.points[a].y, hand.points[b].x - hand.points[a].x);
  const want = Math.atan2(dy, dx);
  return turn(hand, { x: 0, y: 0, z: 1 }, ((want - cur) * 180) / Math.PI);
}

/** Swings the thumb away from the index finger by `degrees` about the palm normal (abduction). */
export function spreadThumb(hand: Hand, degrees: number): Hand {
  const normal = handShape(hand.world, hand.points, hand.side).palmNormal;
  // Turn the way that takes the thumb tip further from the index knuckle.
  const gapAfter = (sign: number) => {
    const t = rotate(hand.world[4], hand.world[1], normal, sign * 0.01);
    return Math.sqrt(dot(sub(t, hand.world[5]), sub(t, hand.world[5])));
  };
  const sign = gapAfter(1) > gapAfter(-1) ? 1 : -1;
  // Image points share the world's axes, so the same knuckle cross product, oriented like the
  // world normal, is their palm normal.
  const rawNormal = (p: readonly V[]) => unit(cross(sub(p[5], p[0]), sub(p[17], p[0])));
  const orient = Math.sign(dot(normal, rawNormal(hand.world))) || 1;
  const out = copy(hand);
  for (const key of ['points', 'world'] as const) {
    const n = mul(rawNormal(hand[key]), orient);
    for (const j of [2, 3, 4]) out[key][j] = rotate(out[key][j], out[key][1], n, (sign * degrees * Math.PI) / 180);
  }
  return asHand(out.points, out.world, out.side, out.score);
}
