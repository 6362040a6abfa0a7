// Drawing in the browser: counting areas drawn by mouse, and Kakao pose results (which the
// Kakao routes answer as JSON only) drawn over a photo or a video frame.

/** Polygons drawn by clicking on a canvas showing an image; coordinates are image pixels from 1. */
export class AreaDrawing {
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.onChange = onChange;
    this.image = null;
    this.polygons = [];
    this.current = [];
    this.enabled = false;
    canvas.addEventListener('click', (e) => {
      // The second click of a double click is the closing gesture, not a vertex.
      if (!this.enabled || !this.image || e.detail > 1) return;
      this.current.push(this.point(e));
      this.redraw();
    });
    canvas.addEventListener('dblclick', (e) => {
      if (!this.enabled || !this.image) return;
      e.preventDefault();
      this.close();
    });
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    const clamp = (v, hi) => Math.min(hi, Math.max(1, Math.round(v)));
    return { x: clamp(((e.clientX - r.left) * this.canvas.width) / r.width, this.canvas.width), y: clamp(((e.clientY - r.top) * this.canvas.height) / r.height, this.canvas.height) };
  }

  setImage(image) {
    const resized = !image || !this.image || image.width !== this.image.width || image.height !== this.image.height;
    this.image = image;
    if (image) {
      this.canvas.width = image.width;
      this.canvas.height = image.height;
    }
    if (resized) this.clear();
    else this.redraw();
  }

  /** Ends the polygon being drawn (three vertices at least); Baidu takes up to 10 areas. */
  close() {
    if (this.current.length >= 3 && this.polygons.length < 10) this.polygons.push(this.current);
    this.current = [];
    this.changed();
  }

  clear() {
    this.polygons = [];
    this.current = [];
    this.changed();
  }

  /** The `area` field: "x1,y1,x2,y2,...;x1,y1,..." */
  text() {
    return this.polygons.map((p) => p.map((q) => `${q.x},${q.y}`).join(',')).join(';');
  }

  changed() {
    this.redraw();
    this.onChange(this.text());
  }

  redraw() {
    const ctx = this.canvas.getContext('2d');
    const { width, height } = this.canvas;
    ctx.clearRect(0, 0, width, height);
    if (this.image) ctx.drawImage(this.image, 0, 0);
    // Areas belong to APIs with an area field; for the others the photo is shown plain.
    if (!this.enabled) return;
    const unit = Math.max(2, Math.round(Math.max(width, height) / 300));
    ctx.lineWidth = unit;
    const path = (pts, closed) => {
      ctx.beginPath();
      pts.forEach((p, i) => (i ? ctx.lineTo(p.x, p.y) : ctx.moveTo(p.x, p.y)));
      if (closed) ctx.closePath();
    };
    for (const p of this.polygons) {
      path(p, true);
      ctx.fillStyle = 'rgba(30,144,255,0.22)';
      ctx.fill();
      ctx.strokeStyle = '#1e90ff';
      ctx.stroke();
    }
    if (this.current.length) {
      path(this.current, false);
      ctx.strokeStyle = '#ffeb3b';
      ctx.stroke();
      ctx.fillStyle = '#ffeb3b';
      for (const p of this.current) ctx.fillRect(p.x - unit, p.y - unit, 2 * unit, 2 * unit);
    }
  }
}

/** COCO-17 pairs (1-based), as Kakao lists them in its `categories`. */
const SKELETON = [[1, 2], [1, 3], [2, 3], [2, 4], [3, 5], [4, 6], [5, 7], [6, 7], [6, 8], [6, 12], [7, 9], [7, 13], [8, 10], [9, 11], [12, 13], [14, 12], [15, 13], [16, 14], [17, 15]];
const MIN_SCORE = 0.2;

/** A filled label box kept inside the canvas. */
export function label(ctx, text, x, y, size, colour) {
  ctx.font = `600 ${size}px sans-serif`;
  const w = ctx.measureText(text).width + size * 0.6;
  const h = size * 1.35;
  const bx = Math.min(Math.max(0, x), ctx.canvas.width - w);
  const by = Math.min(Math.max(0, y - h), ctx.canvas.height - h);
  ctx.fillStyle = colour;
  ctx.fillRect(bx, by, w, h);
  ctx.fillStyle = '#000';
  ctx.fillText(text, bx + size * 0.3, by + size * 1.05);
}

/** Kakao persons ({bbox, keypoints, score}) over an image or video frame; returns the canvas. */
export function drawKakaoPersons(source, persons, canvas = document.createElement('canvas')) {
  const width = source.videoWidth ?? source.width;
  const height = source.videoHeight ?? source.height;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(source, 0, 0, width, height);
  const unit = Math.max(2, Math.round(Math.max(width, height) / 300));
  for (const p of Array.isArray(persons) ? persons : []) {
    const [x, y, w, h] = p.bbox;
    ctx.lineWidth = unit;
    ctx.strokeStyle = '#f1c40f';
    ctx.strokeRect(x, y, w, h);
    const k = p.keypoints;
    const at = (i) => ({ x: k[3 * (i - 1)], y: k[3 * (i - 1) + 1], s: k[3 * (i - 1) + 2] });
    ctx.lineCap = 'round';
    for (const [a, b] of SKELETON) {
      const pa = at(a), pb = at(b);
      if (pa.s < MIN_SCORE || pb.s < MIN_SCORE) continue;
      // Outlined limbs stay visible on light and dark backgrounds.
      ctx.strokeStyle = '#000';
      ctx.lineWidth = unit * 1.8;
      ctx.beginPath(); ctx.moveTo(pa.x, pa.y); ctx.lineTo(pb.x, pb.y); ctx.stroke();
      ctx.strokeStyle = a % 2 === 0 ? '#2ecc71' : '#e67e22';
      ctx.lineWidth = unit;
      ctx.stroke();
    }
    for (let i = 1; i <= 17; i++) {
      const q = at(i);
      if (q.s < MIN_SCORE) continue;
      ctx.beginPath();
      ctx.arc(q.x, q.y, unit * 1.3, 0, 2 * Math.PI);
      ctx.fillStyle = '#e74c3c';
      ctx.fill();
      ctx.lineWidth = unit / 2;
      ctx.strokeStyle = '#fff';
      ctx.stroke();
    }
    label(ctx, `person ${Number(p.score).toFixed(2)}`, x, y, Math.max(11, 5 * unit), '#f1c40f');
  }
  return canvas;
}
