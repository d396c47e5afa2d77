/**
 * What `luigi` and the dependency tools do alike with a parsed command line: put the flags where
 * settings and parameters are read, and build the root step from its own flags.
 */
import type { LuigiConfig } from "../config/index.js";
import { ConfigError, ParameterError, StepDefinitionError, UsageError } from "../errors.js";
import { setFamilyFlag } from "../step/context.js";
import type { Step } from "../step/step.js";
import type { ParsedCommandLine } from "./flags.js";

/** `--section-key` and `[core]` flags into `config`; `--Family-param` flags into the parameter context. */
export function installFlags(config: LuigiConfig, parsed: ParsedCommandLine): void {
  for (const [section, keys] of Object.entries(parsed.sections)) {
    for (const [key, value] of Object.entries(keys)) config.set(section, key, value);
  }
  for (const [key, value] of Object.entries(parsed.core)) config.set("core", key, value);
  for (const [family, params] of Object.entries(parsed.familyParams)) {
    for (const [name, text] of Object.entries(params)) setFamilyFlag(family, name, text);
  }
}

/** The root step from its `--param` flags; the other parameters come from flags, config, defaults. */
export function rootStep(rootClass: typeof Step, parsed: ParsedCommandLine): Step {
  const args: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(parsed.rootParams)) {
    const kind = rootClass.schema[name];
    if (kind) args[name] = kind.parse(text, name, rootClass.family);
  }
  return new (rootClass as unknown as new (a: Record<string, unknown>) => Step)(args);
}

/** Bad input, which `luigi` and the tools answer with one line and exit 2: nothing was run. */
export function isUsageError(err: unknown): err is Error {
  return (
    err instanceof UsageError ||
    err instanceof ParameterError ||
    err instanceof StepDefinitionError ||
    err instanceof ConfigError
  );
}
