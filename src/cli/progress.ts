/**
 * A progress line for long CLI work (video analysis): on a terminal, one bar redrawn in place
 * with frames done, frames/s and the estimated time left; otherwise (a pipe, a CI log) a plain
 * line every 10 % so logs stay readable. Written to stderr: stdout carries the JSON result.
 */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const fmtSeconds = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);

export class Progress {
  private readonly t0: number;
  private lastDraw = -Infinity;
  private lastTenth = -1;
  private done = 0;

  constructor(
    private readonly label: string,
    /** Expected total (an estimate; a count past it just shows 100 %). */
    private total: number,
    private readonly stream: ProgressStream = process.stderr,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.t0 = now();
  }

  /** `done` units so far (and a better total estimate, when known). */
  update(done: number, total = this.total): void {
    this.done = done;
    this.total = Math.max(1, total);
    const t = this.now();
    if (this.stream.isTTY) {
      if (t - this.lastDraw < 100 && done < this.total) return; // at most 10 redraws a second
      this.lastDraw = t;
      this.stream.write(`\r${this.line(t, true)}\x1b[K`);
      return;
    }
    const tenth = Math.floor((10 * Math.min(done, this.total)) / this.total);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${this.line(t, false)}\n`);
    }
  }

  /** The final line: the count, the rate and the time taken. */
  finish(): void {
    const t = this.now();
    const secs = (t - this.t0) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    this.stream.write(`${this.stream.isTTY ? '\r' : ''}${this.label}: ${this.done} frames in ${fmtSeconds(secs)} (${rate.toFixed(1)} frames/s)${this.stream.isTTY ? '\x1b[K' : ''}\n`);
  }

  /** `label [#####-----] 45% 54/120 frames 12.3 frames/s ETA 5s` (the bar on a terminal only). */
  line(t: number, bar: boolean): string {
    const secs = (t - this.t0) / 1000;
    const rate = secs > 0 ? this.done / secs : 0;
    const fraction = Math.min(1, this.done / this.total);
    const left = rate > 0 ? Math.max(0, this.total - this.done) / rate : undefined;
    const width = Math.max(10, Math.min(30, (this.stream.columns ?? 80) - 60));
    const filled = Math.round(fraction * width);
    const drawn = bar ? ` [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]` : '';
    return `${this.label}${drawn} ${Math.round(fraction * 100)}% ${this.done}/${this.total} frames ${rate.toFixed(1)} frames/s ETA ${left === undefined ? '?' : fmtSeconds(left)}`;
  }
}
