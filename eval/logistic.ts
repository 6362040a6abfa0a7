/** Small logistic fits shared by the eval tools (driver cues, the face gender fusion, head probabilities). */

/** Ridge-regularised logistic regression by Newton's method (few features, few hundred rows). */
export function fitLogistic(rows: readonly number[][], labels: readonly number[], ridge = 1e-2): number[] {
  const d = rows[0].length + 1;
  const w = new Array(d).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const g = new Array(d).fill(0);
    const h = Array.from({ length: d }, () => new Array(d).fill(0));
    rows.forEach((r, i) => {
      const x = [1, ...r];
      const p = 1 / (1 + Math.exp(-x.reduce((s, v, k) => s + v * w[k], 0)));
      for (let a = 0; a < d; a++) {
        g[a] += (p - labels[i]) * x[a];
        for (let b = 0; b < d; b++) h[a][b] += p * (1 - p) * x[a] * x[b];
      }
    });
    for (let a = 1; a < d; a++) { g[a] += ridge * w[a]; h[a][a] += ridge; }
    const step = solve(h, g);
    let moved = 0;
    for (let a = 0; a < d; a++) { w[a] -= step[a]; moved = Math.max(moved, Math.abs(step[a])); }
    if (moved < 1e-6) break;
  }
  return w;
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const piv = m[c][c] || 1e-12;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / piv;
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / (row[i] || 1e-12));
}
