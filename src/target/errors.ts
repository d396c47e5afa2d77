import { ErrorCode, TargetError } from "../errors.js";

function errnoCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "string"
    ? err.code
    : undefined;
}

/** ENOENT, or ENOTDIR (a path component is a file): either way there is nothing at the path. */
export function isMissing(err: unknown): boolean {
  const code = errnoCode(err);
  return code === "ENOENT" || code === "ENOTDIR";
}

export function notFound(path: string, cause?: unknown): TargetError {
  return new TargetError(ErrorCode.TARGET_NOT_FOUND, `Target not found: ${path}`, {
    cause,
    details: { path },
  });
}

/** Any failure as TARGET_IO (writes: a vanished parent directory is an I/O problem, not a missing target). */
export function ioError(err: unknown, path: string, action: string): TargetError {
  if (err instanceof TargetError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new TargetError(ErrorCode.TARGET_IO, `Cannot ${action} ${path}: ${reason}`, {
    cause: err,
    details: { path, action, errno: errnoCode(err) },
  });
}

/** For reads: a missing file is TARGET_NOT_FOUND, anything else TARGET_IO. */
export function readError(err: unknown, path: string): TargetError {
  return isMissing(err) ? notFound(path, err) : ioError(err, path, "read");
}

/** Something is at `path` where nothing may be (a rename that must not replace, `mkdir` with raiseIfExists). */
export function alreadyExists(path: string, action: string): TargetError {
  return new TargetError(ErrorCode.TARGET_EXISTS, `Cannot ${action}: ${path} already exists`, {
    details: { path, action },
  });
}

export function parentMissing(path: string): TargetError {
  return new TargetError(
    ErrorCode.TARGET_PARENT_MISSING,
    `Cannot create ${path}: its parent directory does not exist (pass parents: true to create it)`,
    { details: { path } },
  );
}

export function notADirectory(path: string, action: string): TargetError {
  return new TargetError(ErrorCode.TARGET_NOT_A_DIRECTORY, `Cannot ${action}: ${path} is not a directory`, {
    details: { path, action },
  });
}
