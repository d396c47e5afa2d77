/** Targets: what steps produce and need. LocalTarget writes atomically; MemoryTarget is for tests. */
export { isTarget, type FileFormat, type FileTarget, type ReadableTarget, type Target } from "./target.js";
export type { FileSystem } from "./file-system.js";
export { FileSystemTarget } from "./file-system-target.js";
export { LocalFileSystem } from "./local-file-system.js";
export { LocalTarget, type LocalTargetOptions } from "./local.js";
export { MemoryTarget } from "./memory.js";
export { AtomicWriteStream, writeFileAtomic } from "./atomic.js";
