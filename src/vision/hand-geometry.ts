/**
 * Geometry of one hand from its 21 landmarks, in terms a gesture rule can use: how bent each
 * finger is, where it points, which way the palm faces, and how close fingertips are.
 * Bend angles come from the metric 3D (world) points, so they do not depend on the viewpoint.
 */
import type { Point3 } from './hand-landmarks.js';

export const FINGERS = ['thumb', 'index', 'middle', 'ring', 'little'] as const;
export type Finger = (typeof FINGERS)[number];

/** Landmark indices per finger, base to tip (Baidu / MediaPipe order). */
export const FINGER_JOINTS: Record<Finger, [number, number, number, number]> = {
  thumb: [1, 2, 3, 4],
  index: [5, 6, 7, 8],
  middle: [9, 10, 11, 12],
  ring: [13, 14, 15, 16],
  little: [17, 18, 19, 20],
};

const sub = (a: Point3, b: Point3): Point3 => ({ x: a.x - b.x, y: a.y - b.y, z: a.z - b.z });
const dot = (a: Point3, b: Point3): number => a.x * b.x + a.y * b.y + a.z * b.z;
const norm = (a: Point3): number => Math.sqrt(dot(a, a));
const cross = (a: Point3, b: Point3): Point3 => ({ x: a.y * b.z - a.z * b.y, y: a.z * b.x - a.x * b.z, z: a.x * b.y - a.y * b.x });

/** Angle in degrees between two vectors (0 = same direction). */
export function angleBetween(a: Point3, b: Point3): number {
  const n = norm(a) * norm(b);
  if (n === 0) return 0;
  return (Math.acos(Math.max(-1, Math.min(1, dot(a, b) / n))) * 180) / Math.PI;
}

export interface FingerShape {
  /** Bend at the base knuckle (MCP; for the thumb: CMC→MCP vs MCP→IP), degrees. */
  base: number;
  /** Bend at the middle and end joints together (PIP + DIP; thumb: IP), degrees. */
  upper: number;
  /** Tip distance from the wrist divided by the joint chain length from the wrist: 1 = straight out. */
  reach: number;
  /** 2D pointing direction base→tip in image axes (unit vector, y down). */
  direction: { x: number; y: number };
}

export interface HandShape {
  fingers: Record<Finger, FingerShape>;
  /** Palm size: wrist to middle-finger knuckle, world metres. */
  palm: number;
  /** Unit palm normal (out of the palm) in image axes, z towards the viewer negative. */
  palmNormal: Point3;
  /** 2D direction wrist → middle knuckle (unit, image axes). */
  handDirection: { x: number; y: number };
  /** Distance between two landmarks divided by palm size. */
  gap(a: number, b: number): number;
}

function unit2(dx: number, dy: number): { x: number; y: number } {
  const n = Math.hypot(dx, dy) || 1;
  return { x: dx / n, y: dy / n };
}

/**
 * `side` is the person's own hand; it decides which way the palm normal points (the cross product
 * of index and little knuckle directions flips between left and right hands).
 */
export function handShape(world: readonly Point3[], image: readonly Point3[], side: 'left' | 'right'): HandShape {
  const wrist = world[0];
  const fingers = {} as Record<Finger, FingerShape>;
  for (const f of FINGERS) {
    const [a, b, c, d] = FINGER_JOINTS[f];
    const v0 = sub(world[a], wrist);
    const v1 = sub(world[b], world[a]);
    const v2 = sub(world[c], world[b]);
    const v3 = sub(world[d], world[c]);
    const base = f === 'thumb' ? angleBetween(v1, v2) : angleBetween(v0, v1);
    const upper = f === 'thumb' ? angleBetween(v2, v3) : angleBetween(v1, v2) + angleBetween(v2, v3);
    const chain = norm(v0) + norm(v1) + norm(v2) + norm(v3);
    const reach = norm(sub(world[d], wrist)) / (chain || 1);
    fingers[f] = { base, upper, reach, direction: unit2(image[d].x - image[b].x, image[d].y - image[b].y) };
  }
  const palm = norm(sub(world[9], wrist)) || 1;
  const n = cross(sub(world[5], wrist), sub(world[17], wrist));
  const nn = norm(n) || 1;
  // A right hand with its palm to the viewer has index→little running right to left on screen,
  // which makes this cross product point at the viewer (-z); a left hand needs the sign flipped.
  const s = side === 'right' ? 1 : -1;
  const palmNormal = { x: (s * n.x) / nn, y: (s * n.y) / nn, z: (s * n.z) / nn };
  return {
    fingers,
    palm,
    palmNormal,
    handDirection: unit2(image[9].x - image[0].x, image[9].y - image[0].y),
    gap: (a, b) => norm(sub(world[a], world[b])) / palm,
  };
}
