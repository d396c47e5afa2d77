import { ConfigError } from "../errors.js";
import { DEFAULT_SECTION, type ConfigData, type ConfigEntry } from "./entry.js";

/*
 * A line parser with Python ConfigParser's reading rules (what Luigi's `luigi.cfg` files are written for).
 * The `ini` package is not used because it gets in the way of those rules: it splits dotted section
 * names into nested objects (`[my_ns.Report]` would become `my_ns.Report` two levels deep), does not
 * know `key: value`, turns `true`/`false` into booleans, strips quotes, and has no continuation lines.
 *
 * Rules implemented (ConfigParser defaults, strict=True, no inline comments):
 * - `[section]` headers; text after the closing `]` is ignored; section names are case-sensitive.
 * - `key = value` or `key: value` (split at the first `=` or `:`); key and value are stripped; keys are
 *   case-sensitive (Luigi sets `optionxform = str`).
 * - Whole-line comments start with `#` or `;` (after optional indentation); `a = b ; c` keeps "b ; c".
 * - A line indented deeper than its option line continues the value (joined with "\n"); blank lines
 *   inside a continued value are kept, trailing ones dropped.
 * - A key before any header, a line without `=`/`:`, an empty key, and a section or key repeated within
 *   one file are errors naming the file and line.
 */
export function parseIni(text: string, file: string): ConfigData {
  const data: ConfigData = new Map();
  const seenSections = new Set<string>();
  let section: Map<string, ConfigEntry> | undefined;
  let sectionName = "";
  // The option being read: continuation lines and kept blank lines are appended to `parts`.
  let current: { key: string; line: number; parts: string[] } | undefined;
  let optionIndent = Number.MAX_SAFE_INTEGER;

  function fail(lineNo: number, message: string): never {
    throw new ConfigError(`${file}:${lineNo}: ${message}`, { file, line: lineNo });
  }
  const flush = (): void => {
    if (current === undefined || section === undefined) return;
    const value = current.parts.join("\n").trimEnd();
    section.set(current.key, { value, origin: "cfg", file, line: current.line });
    current = undefined;
  };

  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const lineNo = i + 1;
    const stripped = raw.trim();
    if (stripped === "" || stripped.startsWith("#") || stripped.startsWith(";")) {
      // ConfigParser keeps a blank line inside a value (in case an indented line follows), not a comment.
      if (stripped === "" && current !== undefined) current.parts.push("");
      continue;
    }
    const indent = raw.length - raw.trimStart().length;
    if (current !== undefined && indent > optionIndent) {
      current.parts.push(stripped);
      continue;
    }
    flush();
    optionIndent = indent;

    if (stripped.startsWith("[")) {
      const close = stripped.lastIndexOf("]");
      const name = close > 1 ? stripped.slice(1, close) : "";
      if (name === "") fail(lineNo, `malformed section header: ${stripped}`);
      if (name !== DEFAULT_SECTION && seenSections.has(name)) {
        fail(lineNo, `section [${name}] appears twice in this file`);
      }
      seenSections.add(name);
      sectionName = name;
      section = data.get(name) ?? new Map<string, ConfigEntry>();
      data.set(name, section);
      continue;
    }

    const match = /^(.*?)\s*[=:]\s*(.*)$/.exec(stripped);
    if (match === null) fail(lineNo, `expected "key = value", "key: value" or "[section]", got: ${stripped}`);
    const key = match[1] ?? "";
    if (key === "") fail(lineNo, `missing key before "=" or ":": ${stripped}`);
    if (section === undefined) fail(lineNo, `"${key}" appears before any [section] header`);
    if (section.has(key)) fail(lineNo, `key "${key}" appears twice in section [${sectionName}]`);
    current = { key, line: lineNo, parts: [match[2] ?? ""] };
  }
  flush();
  return data;
}
