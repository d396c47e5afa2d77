import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A temp directory with `sys/` (stands in for /etc/luigi) and `cwd/`, removed by `cleanup()`. */
export function makeDirs(): {
  root: string;
  sys: string;
  cwd: string;
  write(rel: string, text: string): string;
  cleanup(): void;
} {
  const root = mkdtempSync(join(tmpdir(), "luigi-config-test-"));
  const sys = join(root, "sys");
  const cwd = join(root, "cwd");
  mkdirSync(sys);
  mkdirSync(cwd);
  return {
    root,
    sys,
    cwd,
    write(rel: string, text: string): string {
      const path = join(root, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    cleanup(): void {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
