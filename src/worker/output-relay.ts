/**
 * A child process's stdout or stderr, relayed: recorded in the run's capture and printed on the worker's
 * own stream, masked. The pipe hands over text in pieces that may split a line, and a secret with it;
 * so complete lines go on at once and the rest of a line waits for its end, at most HOLD_MS (a progress
 * line without a newline is still shown) or HOLD_BYTES.
 */
import type { CaptureTarget } from "./log-capture.js";
import { writeUncaptured } from "./log-capture.js";

const HOLD_MS = 50;
const HOLD_BYTES = 8192;

export class OutputRelay {
  private held = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly capture: CaptureTarget,
    private readonly out: NodeJS.WriteStream,
  ) {}

  write(text: string): void {
    const all = this.held + text;
    const end = Math.max(all.lastIndexOf("\n"), all.lastIndexOf("\r")) + 1;
    this.held = all.slice(end);
    if (end > 0) this.emit(all.slice(0, end));
    if (this.held.length >= HOLD_BYTES) this.end();
    else if (this.held !== "" && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.end();
      }, HOLD_MS);
      this.timer.unref();
    }
  }

  /** Passes on what is held (the stream ended, or the rest of the line is late). */
  end(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rest = this.held;
    this.held = "";
    if (rest !== "") this.emit(rest);
  }

  private emit(text: string): void {
    writeUncaptured(this.out, this.capture.take(text));
  }
}
