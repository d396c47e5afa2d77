/**
 * The step id, byte-identical to Luigi's `task_id_str` (SPEC A.1), so that Python and TypeScript workers
 * sharing one scheduler agree on which step is which.
 */
import { hash as oneShotHash } from "node:crypto";
import { compareCodePoints, pyJsonString } from "./pyjson.js";

/** How many parameter values (first by sorted name) appear in the readable part of the id. */
export const STEP_ID_INCLUDE_PARAMS = 3;
/** How many characters (code points) of each of those values are kept. */
export const STEP_ID_TRUNCATE_PARAMS = 16;
/** Length of the md5 prefix that makes the id unique. */
export const STEP_ID_HASH_LENGTH = 10;

/**
 * `family_summary_hash` from the serialised values of the significant PUBLIC parameters. The hash covers
 * Python's compact sorted ASCII-only JSON of all of them; the summary is for humans only, so it is cut by
 * code points (as Python slices str) and sanitised per code point.
 */
export function stepId(family: string, params: Readonly<Record<string, string>>): string {
  const names = Object.keys(params).sort(compareCodePoints);
  // The one-shot form: a third of createHash().update().digest()'s time (a helper rebuilds every step
  // it is handed, and its requirements).
  const hash = oneShotHash("md5", canonicalJson(names, params), "hex").slice(0, STEP_ID_HASH_LENGTH);
  const summary = names
    .slice(0, STEP_ID_INCLUDE_PARAMS)
    .map((name) =>
      Array.from(params[name] ?? "")
        .slice(0, STEP_ID_TRUNCATE_PARAMS)
        .join(""),
    )
    .join("_")
    .replace(/[^A-Za-z0-9_]/gu, "_");
  return `${family}_${summary}_${hash}`;
}

/**
 * `json.dumps(params, sort_keys=True, separators=(",", ":"))` of a dict of strings, `names` its sorted
 * keys: what pyJsonDumps gives for it, without its general walk (every step built makes one).
 */
function canonicalJson(names: readonly string[], params: Readonly<Record<string, string>>): string {
  let text = "{";
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    text += `${i > 0 ? "," : ""}${pyJsonString(name)}:${pyJsonString(params[name] ?? "")}`;
  }
  return `${text}}`;
}
