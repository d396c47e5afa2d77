/**
 * A captured step log as lines, each marked: part of an error's stack (its frames, `    at ...` and the
 * folded `    ... N frames`, and the line just before them, the error's message), the cut marker, or
 * plain. The same rule as the history pages' (src/history/pages/log-view.ts; not imported: nothing of
 * the server is bundled).
 */
export type LineKind = "stack" | "cut" | "plain";

const FRAME = /^\s+(at |\.\.\. \d+ frames?)/;
const CUT = /^\[… \d+ bytes cut …\]$/;

export function logLines(text: string): { text: string; kind: LineKind }[] {
  if (text === "") return [];
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  const stack = lines.map((line) => FRAME.test(line));
  for (let i = 1; i < lines.length; i++) {
    if (stack[i] && !stack[i - 1] && (lines[i - 1] as string).trim() !== "") stack[i - 1] = true;
  }
  return lines.map((line, i) => ({
    text: line,
    kind: stack[i] ? "stack" : CUT.test(line) ? "cut" : "plain",
  }));
}
