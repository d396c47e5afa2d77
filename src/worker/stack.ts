/**
 * Stack traces a person can read: the frames of the user's own code first, luigi-ts's frames and
 * Node.js's internals folded into one line (unless `full`), so that a failing step points at the line
 * of the pipeline that failed.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The luigi-ts package's folder (this file is `<root>/dist/worker/stack.js` or `<root>/src/worker/stack.ts`). */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const OWN_FOLDERS = ["dist", "src", "bin"].map((d) => path.join(PACKAGE_ROOT, d) + path.sep);

const FRAME = /^\s+at /;

/** Whether a stack frame is luigi-ts's own, Node's, or the TypeScript loader's rather than the user's. */
export function isInternalFrame(line: string): boolean {
  if (line.includes("node:") || line.includes("(<anonymous>)") || line.includes("(native)")) return true;
  const file = frameFile(line);
  if (file === undefined) return false;
  if (OWN_FOLDERS.some((folder) => file.startsWith(folder))) return true;
  return /[\\/]node_modules[\\/](luigi-ts|tsx|esbuild)[\\/]/.test(file);
}

/** The file a frame names (`at f (/a/b.ts:1:2)`, `at /a/b.ts:1:2`, `file:///a/b.ts:1:2`), if any. */
function frameFile(line: string): string | undefined {
  const m = /\(?((?:file:\/\/)?[^\s()]+?):\d+:\d+\)?\s*$/.exec(line);
  if (!m?.[1]) return undefined;
  const where = m[1];
  if (!where.startsWith("file://")) return where;
  try {
    return fileURLToPath(where);
  } catch {
    return where;
  }
}

/**
 * The stack with the user's frames first and the rest folded into a count; `full` keeps every frame (in
 * the original order). Text that is not a stack (no frames) comes back unchanged.
 */
export function foldStack(stack: string, options: { full?: boolean } = {}): string {
  const lines = stack.split("\n");
  const firstFrame = lines.findIndex((l) => FRAME.test(l));
  if (firstFrame < 0 || options.full) return stack;
  const head = lines.slice(0, firstFrame);
  const frames = lines.slice(firstFrame);
  const user = frames.filter((l) => FRAME.test(l) && !isInternalFrame(l));
  const hidden = frames.filter((l) => FRAME.test(l) && isInternalFrame(l)).length;
  // Lines that are neither frames nor the message (a cause's header, say) stay, in place after the user's.
  const other = frames.filter((l) => !FRAME.test(l) && l.trim() !== "");
  const out = [...head, ...user, ...other];
  if (hidden > 0) {
    out.push(
      `    ... ${hidden} frame${hidden === 1 ? "" : "s"} of luigi-ts and Node.js (--log-level debug shows them)`,
    );
  }
  return out.join("\n");
}
