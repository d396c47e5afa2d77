/** Targets: what steps produce and need. LocalTarget writes atomically; MemoryTarget is for tests. */
export { isTarget, type FileFormat, type FileTarget, type ReadableTarget, type Target } from "./target.js";
export { LocalTarget, type LocalTargetOptions } from "./local.js";
export { MemoryTarget } from "./memory.js";
export { AtomicWriteStream, writeFileAtomic } from "./atomic.js";
