/**
 * Decoding of MoveNet's raw heads (the converted graphs stop before MoveNet's own decoding tail).
 * Layouts are NHWC as in the TF graph: heat [H,W,17] (sigmoid applied), center [H,W] (sigmoid),
 * regress/offset [H,W,34] with channel 2k = y and 2k+1 = x of keypoint k, in grid cells.
 */

export const MOVENET_KEYPOINTS = 17;

export interface MoveNetHeads {
  gridH: number;
  gridW: number;
  heat: Float32Array;
  center: Float32Array;
  regress: Float32Array;
  offset: Float32Array;
}

/** A keypoint in model-input pixels. */
export interface GridKeypoint {
  x: number;
  y: number;
  score: number;
}

/** MoveNet's keypoint search penalises distance from the regressed guess by 1/(d + 1.8). */
const DISTANCE_BIAS = 1.8;

/** Picks, for keypoint k, the heat-map cell that best balances heat and closeness to (ry, rx). */
function refineKeypoint(
  heads: MoveNetHeads,
  k: number,
  ry: number,
  rx: number,
  bounds: { y0: number; y1: number; x0: number; x1: number },
): { y: number; x: number; score: number } {
  const { gridW, heat, offset } = heads;
  let best = -1;
  let by = 0;
  let bx = 0;
  for (let y = bounds.y0; y <= bounds.y1; y++) {
    const dy2 = (y - ry) * (y - ry);
    for (let x = bounds.x0; x <= bounds.x1; x++) {
      const h = heat[(y * gridW + x) * MOVENET_KEYPOINTS + k];
      const v = h / (Math.sqrt(dy2 + (x - rx) * (x - rx)) + DISTANCE_BIAS);
      if (v > best) {
        best = v;
        by = y;
        bx = x;
      }
    }
  }
  const cell = (by * gridW + bx) * MOVENET_KEYPOINTS * 2;
  return {
    y: by + offset[cell + 2 * k],
    x: bx + offset[cell + 2 * k + 1],
    score: heat[(by * gridW + bx) * MOVENET_KEYPOINTS + k],
  };
}

/** Keypoints of the person whose center is at grid cell (cy, cx), in grid units. */
function decodeAt(heads: MoveNetHeads, cy: number, cx: number, searchRadius?: number): GridKeypoint[] {
  const { gridH, gridW, regress } = heads;
  const base = (cy * gridW + cx) * MOVENET_KEYPOINTS * 2;
  const keypoints: GridKeypoint[] = [];
  for (let k = 0; k < MOVENET_KEYPOINTS; k++) {
    const ry = cy + regress[base + 2 * k];
    const rx = cx + regress[base + 2 * k + 1];
    const r = searchRadius ?? Math.max(gridH, gridW);
    const bounds = {
      y0: Math.max(0, Math.floor(ry - r)),
      y1: Math.min(gridH - 1, Math.ceil(ry + r)),
      x0: Math.max(0, Math.floor(rx - r)),
      x1: Math.min(gridW - 1, Math.ceil(rx + r)),
    };
    if (bounds.y0 > bounds.y1 || bounds.x0 > bounds.x1) {
      keypoints.push({ y: Math.min(Math.max(ry, 0), gridH - 1), x: Math.min(Math.max(rx, 0), gridW - 1), score: 0 });
      continue;
    }
    keypoints.push(refineKeypoint(heads, k, ry, rx, bounds));
  }
  return keypoints;
}

/**
 * Single-person decoding (Lightning/Thunder on a person-centred crop): the person nearest the
 * crop centre wins, as in MoveNet's own graph. Returns keypoints in grid units.
 */
export function decodeSinglePose(heads: MoveNetHeads): GridKeypoint[] {
  const { gridH, gridW, center } = heads;
  const my = gridH / 2;
  const mx = gridW / 2;
  let best = -1;
  let cy = 0;
  let cx = 0;
  for (let y = 0; y < gridH; y++) {
    for (let x = 0; x < gridW; x++) {
      const v = center[y * gridW + x] / (Math.hypot(y - my, x - mx) + DISTANCE_BIAS);
      if (v > best) {
        best = v;
        cy = y;
        cx = x;
      }
    }
  }
  return decodeAt(heads, cy, cx);
}

export interface MultiPoseCandidate {
  /** Centre-heat-map peak value, 0-1. */
  centerScore: number;
  keypoints: GridKeypoint[];
}

/**
 * Multi-person decoding without MoveNet's fixed cap of six: every local maximum of the centre
 * heat map above `minCenterScore` becomes a candidate. Keypoint search is limited to a window
 * around the regressed guess so neighbours' joints are not borrowed.
 */
export function decodeMultiPose(
  heads: MoveNetHeads,
  opts: { minCenterScore: number; maxCandidates: number },
): MultiPoseCandidate[] {
  const { gridH, gridW, center } = heads;
  const peaks: { y: number; x: number; v: number }[] = [];
  for (let y = 0; y < gridH; y++) {
    for (let x = 0; x < gridW; x++) {
      const v = center[y * gridW + x];
      if (v < opts.minCenterScore) continue;
      let isPeak = true;
      for (let dy = -1; dy <= 1 && isPeak; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if ((dy || dx) && yy >= 0 && yy < gridH && xx >= 0 && xx < gridW && center[yy * gridW + xx] > v) {
            isPeak = false;
            break;
          }
        }
      }
      if (isPeak) peaks.push({ y, x, v });
    }
  }
  peaks.sort((a, b) => b.v - a.v);
  return peaks.slice(0, opts.maxCandidates).map((p) => {
    // The window scales with the person's regressed extent: about a third of its size.
    const base = (p.y * gridW + p.x) * MOVENET_KEYPOINTS * 2;
    let extent = 0;
    for (let k = 0; k < MOVENET_KEYPOINTS; k++) {
      extent = Math.max(extent, Math.abs(heads.regress[base + 2 * k]), Math.abs(heads.regress[base + 2 * k + 1]));
    }
    return { centerScore: p.v, keypoints: decodeAt(heads, p.y, p.x, Math.max(2, extent * 0.35)) };
  });
}
