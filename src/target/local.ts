import { createReadStream, promises as fsPromises, type Dirent } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve as resolvePath, sep } from "node:path";
import type { Readable, Writable } from "node:stream";
import { AtomicWriteStream, randomDigits, writeFileAtomic } from "./atomic.js";
import { ioError, isMissing, readError } from "./errors.js";
import { FileSystemTarget } from "./file-system-target.js";
import { decode, encode, readStreamFor, toBuffer } from "./format.js";
import { existsOnDisk, LocalFileSystem } from "./local-file-system.js";
import type { FileFormat, FileTarget } from "./target.js";

export interface LocalTargetOptions {
  /** Default "text". */
  format?: FileFormat;
  /**
   * Also fsync the file and its directory before a write counts as done, so it survives a power loss.
   * Default false, as in Luigi: the temp-file-and-rename already guarantees that a crashed or killed
   * step never leaves a partial output; fsync costs about 2 ms per file on a typical disk.
   */
  fsync?: boolean;
}

/**
 * Entries a listing reads in the time of one stat: existsInBulk lists a folder only when it asks about
 * at least 1/STATS_PER_LISTED_ENTRY of what the folder held at its last listing.
 */
const STATS_PER_LISTED_ENTRY = 4;
/** Entry counts of the folders existsInBulk listed last, by absolute path (forgotten past this many). */
const listedSizes = new Map<string, number>();
const MAX_LISTED_SIZES = 10_000;

/**
 * A file on the local file system (a FileSystemTarget over LocalFileSystem). Every write goes to
 * `<path>-luigi-tmp-NNNNNNNNNN` in the same directory (parents created), then is renamed over `path`
 * (fsynced first with the `fsync` option): readers and dependants never see a partial output, even if
 * the process dies mid-write. `temporaryPath()` gives the same guarantee to a file that some other
 * program writes.
 */
export class LocalTarget extends FileSystemTarget implements FileTarget {
  readonly path: string;
  readonly format: FileFormat;

  /** See LocalTargetOptions.fsync. */
  readonly fsync: boolean;

  constructor(path: string, opts: LocalTargetOptions = {}) {
    super();
    this.path = path;
    this.format = opts.format ?? "text";
    this.fsync = opts.fsync ?? false;
  }

  /** A target at a random path in the OS temp directory (nothing is created until it is written). */
  static temporary(opts: LocalTargetOptions & { suffix?: string } = {}): LocalTarget {
    return new LocalTarget(join(tmpdir(), `luigi-tmp-${randomDigits()}${opts.suffix ?? ""}`), opts);
  }

  /** The local disk, shared by every LocalTarget. */
  get fs(): LocalFileSystem {
    return LocalFileSystem.default;
  }

  /**
   * A synchronous stat (see existsOnDisk), defined here rather than inherited so that existsInBulk can
   * tell a subclass's own exists() from this one.
   */
  override async exists(): Promise<boolean> {
    return existsOnDisk(this.path);
  }

  /**
   * Which of `targets` exist, with one directory listing per parent directory instead of one stat per
   * file: 3,650 daily outputs in one folder cost one `readdir`. The answers are exists()'s: a symbolic
   * link, a name listed only in another letter case or Unicode form (a case-insensitive disk), and a
   * path a listing cannot answer (`dir/`, `..`) are stat-ed; a directory that cannot be read falls back
   * to exists() for its targets, which reports the error. A subclass's own exists() is called as it is.
   */
  static async existsInBulk(targets: readonly LocalTarget[]): Promise<boolean[]> {
    const found = new Array<boolean>(targets.length).fill(false);
    const byDirectory = new Map<string, number[]>();
    const alone: number[] = [];
    targets.forEach((target, i) => {
      const name = basename(target.path);
      const listable = target.exists === LocalTarget.prototype.exists && !/^\.{0,2}$/.test(name);
      if (!listable || target.path.endsWith("/") || target.path.endsWith(sep)) {
        alone.push(i);
        return;
      }
      const dir = dirname(target.path);
      const list = byDirectory.get(dir);
      if (list) list.push(i);
      else byDirectory.set(dir, [i]);
    });
    const check = async (indexes: readonly number[]): Promise<void> => {
      for (const i of indexes) found[i] = await (targets[i] as LocalTarget).exists();
    };
    await Promise.all([
      check(alone),
      ...[...byDirectory].map(async ([dir, indexes]) => {
        // A listing costs what the folder holds, a stat what is asked: a few targets of a folder known to
        // be big (a fleet filling it while the walk asks 500 at a time) are stat-ed, not listed.
        const key = resolvePath(dir);
        const size = listedSizes.get(key);
        if (size !== undefined && indexes.length * STATS_PER_LISTED_ENTRY < size) {
          await check(indexes);
          return;
        }
        let entries: Dirent[];
        try {
          // Through the `promises` object, not a named import, so that a test can count the listings.
          entries = await fsPromises.readdir(dir, { withFileTypes: true });
        } catch (err) {
          if (!isMissing(err)) await check(indexes);
          return;
        }
        if (listedSizes.size >= MAX_LISTED_SIZES) listedSizes.clear();
        listedSizes.set(key, entries.length);
        const names = new Set<string>();
        const unsure = new Set<string>();
        for (const entry of entries) (entry.isSymbolicLink() ? unsure : names).add(entry.name);
        let folded: Set<string> | undefined;
        const restat: number[] = [];
        for (const i of indexes) {
          const name = basename((targets[i] as LocalTarget).path);
          if (names.has(name)) found[i] = true;
          else if (unsure.has(name) || (folded ??= foldAll(entries)).has(fold(name))) restat.push(i);
        }
        await check(restat);
      }),
    ]);
    return found;
  }

  async readBytes(): Promise<Buffer> {
    let stored: Buffer;
    try {
      stored = await readFile(this.path);
    } catch (err) {
      throw readError(err, this.path);
    }
    try {
      return await decode(stored, this.format);
    } catch (err) {
      throw ioError(err, this.path, "decode");
    }
  }

  async read(): Promise<string> {
    return (await this.readBytes()).toString("utf8");
  }

  async write(data: string | Uint8Array): Promise<void> {
    await writeFileAtomic(this.path, await encode(toBuffer(data), this.format), { fsync: this.fsync });
  }

  openRead(): Readable {
    const out = readStreamFor(this.format);
    const file = createReadStream(this.path);
    file.on("error", (err) => out.destroy(readError(err, this.path)));
    // A consumer that stops early (destroys `out`) must not leave the file descriptor open.
    out.on("close", () => file.destroy());
    file.pipe(out);
    return out;
  }

  openWrite(): Writable {
    return new AtomicWriteStream(this.path, { gzip: this.format === "gzip", fsync: this.fsync });
  }

  /** Removes the file, or a directory with its content (as Luigi's `remove(recursive=True)`); no error when missing. */
  override remove(): Promise<void> {
    return this.fs.remove(this.path);
  }

  /**
   * Renames the file to `dest` (parent directories created, an existing `dest` replaced unless
   * `raiseIfExists`) and returns a target for it. Across file systems, where rename() cannot work, it
   * copies atomically then removes.
   */
  async move(dest: string, opts: { raiseIfExists?: boolean } = {}): Promise<LocalTarget> {
    await this.fs.move(this.path, dest, opts);
    return new LocalTarget(dest, { format: this.format });
  }

  /** Copies the stored bytes to `dest` atomically (temp file + fsync + rename) and returns a target for it. */
  async copy(dest: string, opts: { raiseIfExists?: boolean } = {}): Promise<LocalTarget> {
    await this.fs.copy(this.path, dest, opts);
    return new LocalTarget(dest, { format: this.format });
  }
}

/** A file name as a case-insensitive, normalising disk compares it. */
function fold(name: string): string {
  return name.normalize("NFC").toLowerCase();
}

function foldAll(entries: readonly Dirent[]): Set<string> {
  return new Set(entries.map((entry) => fold(entry.name)));
}
