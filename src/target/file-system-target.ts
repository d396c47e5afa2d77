import { randomDigits } from "./atomic.js";
import type { FileSystem } from "./file-system.js";
import type { Target } from "./target.js";

/**
 * A target at a path of a FileSystem (Luigi's FileSystemTarget): `exists()` and `remove()` are the file
 * system's, and `temporaryPath()` gives any program a place to write that becomes `path` only on success.
 */
export abstract class FileSystemTarget implements Target {
  abstract readonly path: string;
  /** The file system the path belongs to. */
  abstract readonly fs: FileSystem;

  exists(): Promise<boolean> {
    return this.fs.exists(this.path);
  }

  /** Removes the file or directory at `path`; no error when there is nothing. */
  remove(): Promise<void> {
    return this.fs.remove(this.path);
  }

  /**
   * Luigi's `temporary_path()`, for outputs that something other than this target writes (an external
   * program, a library that wants a file name). `fn` gets `<path>-luigi-tmp-NNNNNNNNNN` (a trailing slash
   * kept, for a directory) with its parent directory created; when `fn` resolves, the temporary path is
   * renamed to `path` with `fs.renameDontMove` (so an existing `path` is TARGET_EXISTS, as in Luigi), and
   * its result returned. When `fn` throws, or the rename fails, whatever it left at the temporary path is
   * removed and the error rethrown: `path` never holds a partial output.
   *
   *     await this.output().temporaryPath((tmp) => run(["sort", "-o", tmp, input]));
   */
  async temporaryPath<T>(fn: (tmp: string) => Promise<T> | T): Promise<T> {
    const slashless = this.path.replace(/[/\\]+$/, "");
    const trailing = this.path.slice(slashless.length, slashless.length + 1);
    const tmp = `${slashless}-luigi-tmp-${randomDigits()}${trailing}`;
    const parent = parentOf(slashless);
    if (parent !== "") await this.fs.mkdir(parent, { parents: true });
    try {
      const result = await fn(tmp);
      await this.fs.renameDontMove(tmp, this.path);
      return result;
    } catch (err) {
      // The caller's own error is what matters; a failed clean-up leaves only a -luigi-tmp- name behind.
      await this.fs.remove(tmp).catch(() => undefined);
      throw err;
    }
  }

  toString(): string {
    return this.path;
  }
}

/** The parent of a `/`-separated path (or `\` on Windows), "" for a bare name: works for URLs' paths too. */
function parentOf(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut <= 0 ? (cut === 0 ? path.slice(0, 1) : "") : path.slice(0, cut);
}
