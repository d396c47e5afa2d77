import {
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  createWriteStream,
  type WriteStream,
} from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * A log file rotated daily, as luigid's (SPEC 6.4): writes go to `<dir>/<name>`; on the first write of a
 * new day the file is renamed `<name>.YYYY-MM-DD` and only the newest `keep` of those stay.
 */
export class DailyFileStream extends Writable {
  private current: WriteStream;
  private currentDay: string;
  private readonly file: string;

  constructor(
    private readonly dir: string,
    private readonly name = "luigi-server.log",
    private readonly keep = 7,
    private readonly now: () => Date = () => new Date(),
  ) {
    super();
    mkdirSync(dir, { recursive: true });
    this.file = path.join(dir, name);
    this.currentDay = day(now());
    this.current = createWriteStream(this.file, { flags: "a" });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const today = day(this.now());
    if (today !== this.currentDay) this.rotate(today);
    this.current.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.current.end(callback);
  }

  private rotate(today: string): void {
    const finished = this.current;
    finished.end();
    const rotated = `${this.file}.${this.currentDay}`;
    if (existsSync(this.file) && !existsSync(rotated)) renameSync(this.file, rotated);
    this.currentDay = today;
    this.current = createWriteStream(this.file, { flags: "a" });
    const old = readdirSync(this.dir)
      .filter((f) => f.startsWith(`${this.name}.`))
      .sort()
      .reverse()
      .slice(this.keep);
    for (const f of old) rmSync(path.join(this.dir, f), { force: true });
  }
}
