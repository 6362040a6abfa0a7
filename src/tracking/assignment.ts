/**
 * Minimum-cost assignment of rows to columns (the Hungarian method with potentials,
 * O(n² m) for n ≤ m). Used by the tracker to pair tracks with detections.
 */

/**
 * Returns [row, column] pairs covering min(rows, columns) entries with the least total cost.
 * `cost` is a dense rows × columns matrix of finite numbers.
 */
export function minCostAssignment(cost: readonly (readonly number[])[]): Array<[number, number]> {
  const rows = cost.length;
  const cols = rows ? cost[0].length : 0;
  if (rows === 0 || cols === 0) return [];
  if (rows > cols) {
    const transposed = Array.from({ length: cols }, (_, c) => cost.map((row) => row[c]));
    return minCostAssignment(transposed).map(([c, r]) => [r, c]);
  }
  // 1-based arrays; index 0 is the virtual start column of each augmenting search.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  const rowOfCol = new Int32Array(cols + 1);
  const way = new Int32Array(cols + 1);
  for (let r = 1; r <= rows; r++) {
    rowOfCol[0] = r;
    let col0 = 0;
    const minSlack = new Float64Array(cols + 1).fill(Infinity);
    const used = new Uint8Array(cols + 1);
    do {
      used[col0] = 1;
      const r0 = rowOfCol[col0];
      let delta = Infinity;
      let col1 = 0;
      for (let c = 1; c <= cols; c++) {
        if (used[c]) continue;
        const slack = cost[r0 - 1][c - 1] - u[r0] - v[c];
        if (slack < minSlack[c]) {
          minSlack[c] = slack;
          way[c] = col0;
        }
        if (minSlack[c] < delta) {
          delta = minSlack[c];
          col1 = c;
        }
      }
      for (let c = 0; c <= cols; c++) {
        if (used[c]) {
          u[rowOfCol[c]] += delta;
          v[c] -= delta;
        } else {
          minSlack[c] -= delta;
        }
      }
      col0 = col1;
    } while (rowOfCol[col0] !== 0);
    // Flip the augmenting path back to its start.
    do {
      const prev = way[col0];
      rowOfCol[col0] = rowOfCol[prev];
      col0 = prev;
    } while (col0 !== 0);
  }
  const pairs: Array<[number, number]> = [];
  for (let c = 1; c <= cols; c++) if (rowOfCol[c] !== 0) pairs.push([rowOfCol[c] - 1, c - 1]);
  return pairs;
}
