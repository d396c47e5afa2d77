import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** Every file of a folder with its bytes: equal maps mean nothing was written, renamed, added or removed. */
export function filesOf(dir: string, except: (name: string) => boolean = () => false): Map<string, Buffer> {
  return new Map(
    readdirSync(dir)
      .filter((name) => !except(name))
      .sort()
      .map((name) => [name, readFileSync(path.join(dir, name))]),
  );
}
