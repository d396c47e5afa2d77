/**
 * Luigi's wire protocol JSON-encodes a step's explanation (`expl`) a second time: the worker sends
 * `json.dumps(expl)` (luigi-ts: `JSON.stringify(expl)`) and Luigi's visualiser decodes it. The scheduler
 * keeps and serves it as received (`fetch_error` stays wire-compatible); the history stores the text.
 */

/**
 * The text of an explanation: decoded when it is a JSON string literal, as is otherwise (a client that
 * sends plain text, or anything that is not JSON). Migration 0002 repairs old rows with it, so its
 * meaning must not change.
 */
export function decodeExplanation(expl: string): string {
  if (!expl.startsWith('"')) return expl;
  try {
    const decoded: unknown = JSON.parse(expl);
    return typeof decoded === "string" ? decoded : expl;
  } catch {
    return expl;
  }
}
