import type { Writable } from "node:stream";
import type { WorkerProgress } from "../worker/worker.js";

/**
 * A one-line live status on a terminal: counts and what is running, redrawn at most every 100 ms. Log
 * lines go through `writeAbove()` so that they are printed above the status line instead of into it.
 */
export class ProgressLine {
  private latest: WorkerProgress | undefined;
  private shown = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly out: Writable & { columns?: number }) {}

  update(progress: WorkerProgress): void {
    this.latest = progress;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, 100);
  }

  /** Prints text (a log line) above the status line. */
  writeAbove(text: string): void {
    this.clear();
    this.out.write(text);
    this.draw();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    if (this.shown) this.out.write("\r\x1b[K");
    this.shown = false;
  }

  private draw(): void {
    const p = this.latest;
    if (!p) return;
    const first = p.running[0];
    let detail = "";
    if (first) {
      detail = ` | ${first.name}`;
      if (first.statusMessage) detail += `: ${first.statusMessage}`;
      if (first.progress !== undefined) detail += ` ${Math.round(first.progress)}%`;
      if (p.running.length > 1) detail += ` (+${p.running.length - 1} more)`;
    }
    const line = `done ${p.done} · running ${p.running.length} · pending ${p.pending} · failed ${p.failed}${detail}`;
    const width = Math.max(40, (this.out.columns || 120) - 1);
    this.clear();
    this.out.write(line.length > width ? `${line.slice(0, width - 1)}…` : line);
    this.shown = true;
  }
}
