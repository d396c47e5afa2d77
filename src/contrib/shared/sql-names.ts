import { ErrorCode, StepDefinitionError } from "../../errors.js";

/*
 * Table and column names go into SQL text (COPY, INSERT, CREATE TABLE take no bind parameters for
 * them). They are used as written, as Luigi does, so `schema.table` and the unquoted, case-folded names
 * of tables Luigi made keep working; anything but plain or quoted identifiers is refused with an error
 * naming the step's setting, rather than sent to the server.
 */
const PLAIN = "[A-Za-z_][A-Za-z0-9_$]*";

/** Plain identifiers, or quoted with the dialect's quote (`"` or a backtick), a quote doubled inside. */
function partPattern(quote: string): string {
  const q = quote === "`" ? "`" : '"';
  return `(?:${PLAIN}|${q}(?:[^${q}]|${q}${q})+${q})`;
}

/** `name` (at most `parts` dot-separated parts: schema.table), or a StepDefinitionError naming `what`. */
export function sqlName(name: string, what: string, quote: '"' | "`", parts = 2): string {
  const part = partPattern(quote);
  const pattern = new RegExp(`^${part}(?:\\.${part}){0,${parts - 1}}$`);
  if (!pattern.test(name)) {
    throw new StepDefinitionError(
      ErrorCode.STEP_DEFINITION,
      `${what} = ${JSON.stringify(name)}: expected an SQL name (letters, digits, _ and $, ` +
        `or quoted with ${quote}; ${parts > 1 ? "schema.name at most" : "no dots"})`,
      { details: { setting: what, value: name } },
    );
  }
  return name;
}
