import { createInterface } from "node:readline";
import { ErrorCode, StepDefinitionError } from "../../errors.js";
import type { Row } from "./columns.js";

/**
 * CopyToTable's default `rows()`, as Luigi's: each line of the input target split at tabs. The input
 * must be one target with `openRead()` (a LocalTarget, a MemoryTarget, ...).
 */
export async function* tabSeparatedLines(input: unknown, family: string): AsyncGenerator<Row> {
  const readable = input as { openRead?: () => NodeJS.ReadableStream };
  if (typeof readable?.openRead !== "function") {
    throw new StepDefinitionError(
      ErrorCode.STEP_DEFINITION,
      `${family}: define rows(), or require one step whose output can be read (openRead())`,
      { details: { family } },
    );
  }
  const lines = createInterface({ input: readable.openRead(), crlfDelay: Infinity });
  for await (const line of lines) yield line.split("\t");
}
