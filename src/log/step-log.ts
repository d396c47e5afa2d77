/**
 * One attempt's captured log, bounded: the first half of the budget holds the head of what the step
 * printed, the second half its tail, and what fell between them is counted as cut. The worker and the
 * scheduler keep the same structure: the worker ships what it holds as chunks at byte offsets of the
 * whole stream, and the scheduler, appending those chunks at their offsets, ends up holding what the
 * worker holds (a gap between two chunks is bytes the worker let go before shipping them: cut).
 *
 * Sizes are UTF-8 bytes, and every cut falls on a character boundary, so both sides count alike.
 * Whether a byte is in the head depends only on its offset, never on how the stream was split into
 * writes, which is what lets a chunked copy agree with the original.
 */

/** `[worker] log_tail_bytes` and `[scheduler] step_log_bytes` default: 256 KiB. */
export const DEFAULT_LOG_TAIL_BYTES = 262_144;
/** The smallest budget accepted: below it the head and tail would hold less than a few lines. */
export const MIN_LOG_TAIL_BYTES = 1024;

/** A held log as JSON (the scheduler's snapshot). */
export interface BoundedLogSnapshot {
  limit: number;
  head: string;
  headClosed: boolean;
  tail: string;
  total: number;
}

/** A piece of the stream: `text` starts at byte `offset`. */
export interface LogPiece {
  offset: number;
  text: string;
}

/** What a log shows: the text with the cut marked, and the byte counts behind it. */
export interface RenderedLog {
  text: string;
  /** Bytes of the whole stream (everything the step printed). */
  bytes: number;
  /** Bytes not shown (between the head and the tail). */
  cut: number;
}

const utf8 = (text: string): number => Buffer.byteLength(text, "utf8");

/** The longest prefix of `text` of at most `bytes` UTF-8 bytes, and the rest. */
function splitAtMost(text: string, bytes: number): [string, string] {
  if (bytes <= 0) return ["", text];
  const buf = Buffer.from(text, "utf8");
  if (buf.length <= bytes) return [text, ""];
  let end = bytes;
  // Back to the start of the character the limit falls in (continuation bytes are 10xxxxxx).
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return [buf.subarray(0, end).toString("utf8"), buf.subarray(end).toString("utf8")];
}

/** `text` without its first `bytes` bytes, moved forward to a character boundary; and what was dropped. */
function dropAtLeast(text: string, bytes: number): { rest: string; dropped: number } {
  const buf = Buffer.from(text, "utf8");
  let start = Math.min(bytes, buf.length);
  while (start < buf.length && ((buf[start] as number) & 0xc0) === 0x80) start++;
  return { rest: buf.subarray(start).toString("utf8"), dropped: start };
}

/** The marker line between the head and the tail. */
export function cutMarker(bytes: number): string {
  return `[… ${bytes} bytes cut …]\n`;
}

export class BoundedLog {
  private readonly headMax: number;
  private readonly tailMax: number;
  private head = "";
  private headBytes = 0;
  /** Set once a byte beyond the head arrived: the head never grows again. */
  private headClosed = false;
  /** The tail's pieces from index `first` on, with their byte sizes (consumed pieces before `first`). */
  private tail: string[] = [];
  private sizes: number[] = [];
  private first = 0;
  private tailBytes = 0;
  /** Bytes of the whole stream so far, cut ones included. */
  private size = 0;

  constructor(readonly limit: number) {
    this.headMax = Math.floor(limit / 2);
    this.tailMax = limit - this.headMax;
  }

  /** Bytes of the whole stream so far. */
  get total(): number {
    return this.size;
  }

  /** Bytes held (head and tail). */
  get held(): number {
    return this.headBytes + this.tailBytes;
  }

  get empty(): boolean {
    return this.size === 0;
  }

  append(text: string): void {
    if (text === "") return;
    let rest = text;
    if (!this.headClosed) {
      const n = utf8(rest);
      if (this.headBytes + n <= this.headMax) {
        this.head += rest;
        this.headBytes += n;
        this.size += n;
        return;
      }
      const [fit, over] = splitAtMost(rest, this.headMax - this.headBytes);
      const fitBytes = utf8(fit);
      this.head += fit;
      this.headBytes += fitBytes;
      this.size += fitBytes;
      this.headClosed = true;
      rest = over;
    }
    if (rest === "") return;
    const n = utf8(rest);
    const last = this.tail.length - 1;
    // Many small writes (a line each): joined into pieces of a few KiB, so trimming stays cheap.
    if (last >= this.first && n < 1024 && (this.sizes[last] as number) < 4096) {
      this.tail[last] += rest;
      this.sizes[last] = (this.sizes[last] as number) + n;
    } else {
      this.tail.push(rest);
      this.sizes.push(n);
    }
    this.tailBytes += n;
    this.size += n;
    this.trimTail();
  }

  /**
   * Appends a piece shipped from a worker: bytes already held (a resend, a replayed journal entry) are
   * skipped, and a gap before the piece is counted as cut.
   */
  appendAt(offset: number, text: string): void {
    if (!(offset >= 0) || !Number.isSafeInteger(offset)) return;
    if (offset < this.size) {
      const overlap = this.size - offset;
      if (overlap >= utf8(text)) return;
      const { rest } = dropAtLeast(text, overlap);
      this.append(rest);
      return;
    }
    if (offset > this.size) this.skip(offset - this.size);
    this.append(text);
  }

  /**
   * The pieces of the stream from byte `from` on that are still held: the head's part, then the tail's.
   * A worker ships these; the scheduler's appendAt() reads a gap between them as cut.
   */
  since(from: number): LogPiece[] {
    const pieces: LogPiece[] = [];
    if (from < this.headBytes) {
      const { rest } = dropAtLeast(this.head, from);
      pieces.push({ offset: this.headBytes - utf8(rest), text: rest });
    }
    if (this.tailBytes > 0) {
      const tailStart = this.size - this.tailBytes;
      const tail = this.tailText();
      if (from <= tailStart) pieces.push({ offset: tailStart, text: tail });
      else if (from < this.size) {
        const { rest } = dropAtLeast(tail, from - tailStart);
        pieces.push({ offset: this.size - utf8(rest), text: rest });
      }
    }
    return pieces;
  }

  /**
   * The log as shown: the whole stream when nothing was cut; else the head up to its last full line,
   * the cut marker, and the tail from its first full line.
   */
  render(): RenderedLog {
    const tail = this.tailText();
    let cut = this.size - this.headBytes - this.tailBytes;
    if (cut === 0) return { text: this.head + tail, bytes: this.size, cut: 0 };
    let head = this.head;
    if (head !== "" && !head.endsWith("\n")) {
      const nl = head.lastIndexOf("\n");
      if (nl >= 0) {
        cut += utf8(head.slice(nl + 1));
        head = head.slice(0, nl + 1);
      } else head += "\n";
    }
    let shownTail = tail;
    const first = tail.indexOf("\n");
    if (first >= 0 && first < tail.length - 1) {
      cut += utf8(tail.slice(0, first + 1));
      shownTail = tail.slice(first + 1);
    }
    return { text: head + cutMarker(cut) + shownTail, bytes: this.size, cut };
  }

  /** The last `n` lines shown (the cut marker counts as a line when it is among them). */
  lastLines(n: number): { lines: string[]; of: number } {
    const text = this.render().text;
    const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
    if (text === "") return { lines: [], of: 0 };
    return { lines: lines.slice(-n), of: lines.length };
  }

  toJSON(): BoundedLogSnapshot {
    return {
      limit: this.limit,
      head: this.head,
      headClosed: this.headClosed,
      tail: this.tailText(),
      total: this.size,
    };
  }

  static fromJSON(snap: BoundedLogSnapshot): BoundedLog {
    const log = new BoundedLog(snap.limit);
    log.head = snap.head;
    log.headBytes = utf8(snap.head);
    log.headClosed = snap.headClosed;
    log.tailBytes = utf8(snap.tail);
    if (snap.tail !== "") {
      log.tail = [snap.tail];
      log.sizes = [log.tailBytes];
    }
    log.size = Math.max(snap.total, log.headBytes + log.tailBytes);
    return log;
  }

  /** Bytes that never arrived: the head is over, and what the tail held is no longer its end. */
  private skip(bytes: number): void {
    this.headClosed = true;
    this.tail = [];
    this.sizes = [];
    this.first = 0;
    this.tailBytes = 0;
    this.size += bytes;
  }

  private tailText(): string {
    return this.first === 0 ? this.tail.join("") : this.tail.slice(this.first).join("");
  }

  private trimTail(): void {
    while (this.tailBytes > this.tailMax) {
      const n = this.sizes[this.first] as number;
      if (this.tailBytes - n >= this.tailMax) {
        this.tailBytes -= n;
        this.first++;
        continue;
      }
      const { rest, dropped } = dropAtLeast(this.tail[this.first] as string, this.tailBytes - this.tailMax);
      this.tail[this.first] = rest;
      this.sizes[this.first] = n - dropped;
      this.tailBytes -= dropped;
    }
    // Drop the consumed pieces once they are most of the arrays.
    if (this.first > 64 && this.first * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.first);
      this.sizes = this.sizes.slice(this.first);
      this.first = 0;
    }
  }
}
