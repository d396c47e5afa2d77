import { Writable, type Readable } from "node:stream";
import { notFound } from "./errors.js";
import { decode, encode, readStreamFor, toBuffer } from "./format.js";
import type { FileFormat, FileTarget } from "./target.js";

/*
 * The store lives on globalThis under a registered symbol, so it stays process-wide even when this module
 * is loaded twice (compiled dist/ and source through tsx, or two copies of the package).
 */
const STORE = Symbol.for("luigi-ts.MemoryTarget.store");

function store(): Map<string, Buffer> {
  const holder = globalThis as { [STORE]?: Map<string, Buffer> };
  holder[STORE] ??= new Map();
  return holder[STORE];
}

/**
 * An in-memory file, shared by every MemoryTarget of the same name in the process (Luigi's MockTarget).
 * For tests and examples: same API and atomicity as LocalTarget, nothing touches the disk.
 */
export class MemoryTarget implements FileTarget {
  readonly path: string;
  readonly format: FileFormat;

  constructor(name: string, opts: { format?: FileFormat } = {}) {
    this.path = name;
    this.format = opts.format ?? "text";
  }

  /** Forgets every MemoryTarget's content. */
  static clearAll(): void {
    store().clear();
  }

  /** The names of all stored targets, sorted (for assertions in tests). */
  static names(): string[] {
    return [...store().keys()].sort();
  }

  get name(): string {
    return this.path;
  }

  exists(): Promise<boolean> {
    return Promise.resolve(store().has(this.path));
  }

  async readBytes(): Promise<Buffer> {
    const stored = store().get(this.path);
    if (stored === undefined) throw notFound(this.path);
    // A copy: callers may modify what they read without changing the stored content.
    return Buffer.from(await decode(stored, this.format));
  }

  async read(): Promise<string> {
    return (await this.readBytes()).toString("utf8");
  }

  async write(data: string | Uint8Array): Promise<void> {
    const bytes = await encode(Buffer.from(toBuffer(data)), this.format);
    store().set(this.path, bytes);
  }

  openRead(): Readable {
    const out = readStreamFor(this.format);
    const stored = store().get(this.path);
    // The error is emitted asynchronously, as a LocalTarget's stream emits it.
    if (stored === undefined) process.nextTick(() => out.destroy(notFound(this.path)));
    else out.end(stored);
    return out;
  }

  /** Collects chunks; they become the content only when the stream finishes, never on destroy. */
  openWrite(): Writable {
    const chunks: Buffer[] = [];
    return new Writable({
      write: (chunk: Buffer, _encoding, callback) => {
        chunks.push(chunk);
        callback();
      },
      final: (callback) => {
        encode(Buffer.concat(chunks), this.format).then(
          (bytes) => {
            store().set(this.path, bytes);
            callback();
          },
          (err: unknown) => callback(err as Error),
        );
      },
    });
  }

  remove(): Promise<void> {
    store().delete(this.path);
    return Promise.resolve();
  }

  async move(dest: string): Promise<MemoryTarget> {
    const target = await this.copy(dest);
    store().delete(this.path);
    return target;
  }

  copy(dest: string): Promise<MemoryTarget> {
    const stored = store().get(this.path);
    if (stored === undefined) return Promise.reject(notFound(this.path));
    store().set(dest, Buffer.from(stored));
    return Promise.resolve(new MemoryTarget(dest, { format: this.format }));
  }

  toString(): string {
    return this.path;
  }
}
