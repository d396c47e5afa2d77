/**
 * Luigi's FileSystem: the operations a FileSystemTarget delegates to, so that a local disk, an object store
 * or any other tree of paths offers the same calls. Every method is async; failures are TargetErrors with
 * Luigi's three special cases as codes: TARGET_EXISTS (FileAlreadyExists), TARGET_PARENT_MISSING
 * (MissingParentDirectory) and TARGET_NOT_A_DIRECTORY (NotADirectory); anything else is TARGET_IO, and
 * a missing source TARGET_NOT_FOUND.
 */
export interface FileSystem {
  /** True when a file or directory is at `path`. */
  exists(path: string): Promise<boolean>;
  /** Removes the file, or the directory with its content unless `recursive` is false; nothing at `path` is no error. */
  remove(path: string, opts?: { recursive?: boolean }): Promise<void>;
  /**
   * Creates the directory. `parents` (default true) creates missing parents, else a missing parent is
   * TARGET_PARENT_MISSING; an existing directory is fine unless `raiseIfExists` (TARGET_EXISTS); an existing
   * file is TARGET_NOT_A_DIRECTORY.
   */
  mkdir(path: string, opts?: { parents?: boolean; raiseIfExists?: boolean }): Promise<void>;
  /** True when `path` is a directory; false when it is a file or nothing. */
  isdir(path: string): Promise<boolean>;
  /**
   * Every file under `path`, recursively, as full paths in sorted order (as Luigi's `listdir`, which walks
   * the tree): nothing at `path` gives an empty list, a file TARGET_NOT_A_DIRECTORY.
   */
  listdir(path: string): Promise<string[]>;
  /** Moves `path` to `dest` (parents of `dest` created), replacing what is there unless `raiseIfExists`. */
  move(path: string, dest: string, opts?: { raiseIfExists?: boolean }): Promise<void>;
  /**
   * Renames `path` to `dest` but never into `dest` when that is a directory, and never over anything:
   * an existing `dest` is TARGET_EXISTS. What `temporaryPath()` commits with.
   */
  renameDontMove(path: string, dest: string): Promise<void>;
  /** Copies the file at `path` to `dest` (parents created), replacing what is there unless `raiseIfExists`. */
  copy(path: string, dest: string, opts?: { raiseIfExists?: boolean }): Promise<void>;
}
