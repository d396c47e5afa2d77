import { statSync, type Dirent } from "node:fs";
import { copyFile, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { tempPathFor } from "./atomic.js";
import { alreadyExists, ioError, isMissing, notADirectory, notFound, parentMissing } from "./errors.js";
import type { FileSystem } from "./file-system.js";

/**
 * A synchronous stat: on a local disk it answers from the inode cache in microseconds, where the async
 * form costs a thread-pool round trip and, for a missing file, an exception (the scheduling walk checks
 * every step once, so this is the walk's main cost).
 */
export function existsOnDisk(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (err) {
    if (isMissing(err)) return false;
    // Not "false": a permission error must not make a step look incomplete and run again.
    throw ioError(err, path, "check");
  }
}

/** The local disk as a FileSystem (Luigi's LocalFileSystem); `LocalTarget` delegates to it. */
export class LocalFileSystem implements FileSystem {
  /** The one instance LocalTargets share (it holds no state). */
  static readonly default = new LocalFileSystem();

  async exists(path: string): Promise<boolean> {
    return existsOnDisk(path);
  }

  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const recursive = opts.recursive ?? true;
    try {
      if (!recursive && (await this.isdir(path))) throw new Error("it is a directory (recursive: false)");
      await rm(path, { force: true, recursive });
    } catch (err) {
      throw ioError(err, path, "remove");
    }
  }

  async mkdir(path: string, opts: { parents?: boolean; raiseIfExists?: boolean } = {}): Promise<void> {
    const found = await this.statOf(path, "create");
    if (found !== undefined) {
      if (opts.raiseIfExists === true) throw alreadyExists(path, "create the directory");
      if (!found.isDirectory()) throw notADirectory(path, "create the directory");
      return;
    }
    try {
      await mkdir(path, { recursive: opts.parents ?? true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw parentMissing(path);
      // Created by somebody else meanwhile: as good as done, unless that was to be refused.
      if (code === "EEXIST" && opts.raiseIfExists !== true && (await this.isdir(path))) return;
      if (code === "EEXIST") throw alreadyExists(path, "create the directory");
      throw ioError(err, path, "create the directory");
    }
  }

  async isdir(path: string): Promise<boolean> {
    return (await this.statOf(path, "check"))?.isDirectory() ?? false;
  }

  async listdir(path: string): Promise<string[]> {
    const found = await this.statOf(path, "list");
    if (found === undefined) return [];
    if (!found.isDirectory()) throw notADirectory(path, "list");
    const files: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return; // removed while listing
        throw ioError(err, dir, "list");
      }
      for (const entry of entries) {
        const full = join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else files.push(full);
      }
    };
    await walk(path);
    return files.sort();
  }

  /**
   * rename() where it can (atomic); across file systems (EXDEV) an atomic copy to the destination, then
   * the source removed. With `raiseIfExists` an existing `dest` is TARGET_EXISTS (checked just before:
   * the local disk offers no rename that refuses to replace).
   */
  async move(path: string, dest: string, opts: { raiseIfExists?: boolean } = {}): Promise<void> {
    if (opts.raiseIfExists === true && existsOnDisk(dest)) throw alreadyExists(dest, `move ${path} there`);
    try {
      await mkdir(dirname(dest), { recursive: true });
      await rename(path, dest);
    } catch (err) {
      if (isMissing(err) && !existsOnDisk(path)) throw notFound(path, err);
      if ((err as NodeJS.ErrnoException).code !== "EXDEV") throw ioError(err, path, `move to ${dest}`);
      await this.copy(path, dest);
      await this.remove(path);
    }
  }

  renameDontMove(path: string, dest: string): Promise<void> {
    return this.move(path, dest, { raiseIfExists: true });
  }

  /** An atomic copy: to a temporary file beside `dest`, fsynced, then renamed over `dest`. */
  async copy(path: string, dest: string, opts: { raiseIfExists?: boolean } = {}): Promise<void> {
    if (opts.raiseIfExists === true && existsOnDisk(dest)) throw alreadyExists(dest, `copy ${path} there`);
    const tmp = tempPathFor(dest);
    try {
      await mkdir(dirname(dest), { recursive: true });
      await copyFile(path, tmp);
      const fh = await open(tmp, "r+");
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, dest);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      if (isMissing(err) && !existsOnDisk(path)) throw notFound(path, err);
      throw ioError(err, path, `copy to ${dest}`);
    }
  }

  /** stat(), undefined when nothing is there; other failures as TARGET_IO. */
  private async statOf(path: string, action: string): Promise<Awaited<ReturnType<typeof stat>> | undefined> {
    try {
      return await stat(path);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw ioError(err, path, action);
    }
  }
}
