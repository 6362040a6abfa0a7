// Usage over time as an inline SVG: one stacked bar per day, stacked per API or per outcome.

const PALETTE = ['#2563eb', '#16a34a', '#f59e0b', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#475569', '#0d9488', '#a16207'];
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** Every day from..to (YYYY-MM-DD, UTC arithmetic), inclusive. */
export function daysBetween(from, to) {
  const out = [];
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d = new Date(d.getTime() + 86_400_000)) out.push(d.toISOString().slice(0, 10));
  return out;
}

/** A round step for about five y-axis ticks. */
function niceStep(max) {
  const raw = Math.max(1, max / 5);
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
}

/** rows: [{api, day, outcome, count}] as GET /admin/apps/:id/usage answers them. */
export function usageChart(rows, { by = 'api', from, to, empty = 'no requests', yLabel = 'requests' }) {
  // Quota days turn at the service's offset (UTC+8 by default), so the last row may be "tomorrow" in UTC.
  const last = rows.reduce((m, r) => (r.day > m ? r.day : m), to);
  const days = daysBetween(from, last);
  const keys = [...new Set(rows.map((r) => r[by]))].sort((a, b) => (a === 'ok' ? -1 : b === 'ok' ? 1 : a < b ? -1 : 1));
  if (!rows.length) return `<p class="empty">${esc(empty)}</p>`;
  const colour = (k, i) => (by === 'outcome' && k === 'ok' ? '#16a34a' : PALETTE[(by === 'outcome' ? i + 2 : i) % PALETTE.length]);
  const totals = new Map();
  for (const r of rows) {
    const key = `${r.day}|${r[by]}`;
    totals.set(key, (totals.get(key) ?? 0) + r.count);
  }
  const perDay = days.map((d) => keys.reduce((s, k) => s + (totals.get(`${d}|${k}`) ?? 0), 0));
  const step = niceStep(Math.max(...perDay));
  const top = Math.max(step, Math.ceil(Math.max(...perDay) / step) * step);
  const W = 720, H = 260, left = 48, right = 12, upper = 14, lower = 44;
  const plotW = W - left - right, plotH = H - upper - lower;
  const bw = plotW / days.length;
  const y = (v) => upper + plotH - (v / top) * plotH;
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H + 22 * Math.ceil(keys.length / 4)}" role="img" aria-label="${esc(yLabel)}" font-family="sans-serif" font-size="11">`];
  for (let v = 0; v <= top; v += step) {
    parts.push(`<line x1="${left}" x2="${W - right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#667085">${v}</text>`);
  }
  parts.push(`<text x="12" y="${upper + plotH / 2}" transform="rotate(-90 12 ${upper + plotH / 2})" text-anchor="middle" fill="#667085">${esc(yLabel)}</text>`);
  days.forEach((d, i) => {
    let acc = 0;
    keys.forEach((k, j) => {
      const v = totals.get(`${d}|${k}`) ?? 0;
      if (!v) return;
      parts.push(`<rect class="bar" data-day="${d}" data-key="${esc(k)}" x="${left + i * bw + bw * 0.12}" y="${y(acc + v)}" width="${bw * 0.76}" height="${y(acc) - y(acc + v)}" fill="${colour(k, j)}"><title>${d} ${esc(k)}: ${v}</title></rect>`);
      acc += v;
    });
    if (i % Math.ceil(days.length / 10) === 0 || i === days.length - 1) parts.push(`<text x="${left + i * bw + bw / 2}" y="${H - lower + 16}" text-anchor="middle" fill="#667085">${d.slice(5)}</text>`);
  });
  keys.forEach((k, j) => {
    const lx = left + (j % 4) * (plotW / 4);
    const ly = H - lower + 34 + 22 * Math.floor(j / 4);
    parts.push(`<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${colour(k, j)}"/><text x="${lx + 14}" y="${ly}" fill="#1d2330">${esc(k)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('');
}
