import { loadConfig, stepDefaults, type LuigiConfig } from "../config/index.js";

/**
 * Where parameter values come from besides the constructor (SPEC 1.2, value resolution order):
 * `--Family-param` command-line flags, then the `[Family]` config section, then the default.
 * Process-wide, like Luigi's: the config is loaded on first use, and `luigi` installs its flags.
 */
interface ParamContext {
  config: LuigiConfig | undefined;
  /** family -> param name -> raw text from `--Family-param value`. */
  flags: Map<string, Map<string, string>>;
}

const key = Symbol.for("luigi-ts.param-context");
const holder = globalThis as unknown as Record<symbol, ParamContext | undefined>;
const context: ParamContext = (holder[key] ??= { config: undefined, flags: new Map() });

/** The configuration in force, loaded from the standard places on first use. */
export function activeConfig(): LuigiConfig {
  return (context.config ??= loadConfig());
}

/** Replaces the configuration in force (the `luigi` command and tests use it). */
export function setActiveConfig(config: LuigiConfig | undefined): void {
  context.config = config;
}

/** Records `--Family-param value` flags; they apply to every instance not given that parameter. */
export function setFamilyFlag(family: string, param: string, text: string): void {
  let forFamily = context.flags.get(family);
  if (!forFamily) context.flags.set(family, (forFamily = new Map<string, string>()));
  forFamily.set(param, text);
}

/** Every `--Family-param` flag recorded, as family -> parameter -> text (a step's child process gets them). */
export function familyFlags(): Record<string, Record<string, string>> {
  return Object.fromEntries(
    [...context.flags].map(([family, params]) => [family, Object.fromEntries(params)]),
  );
}

export function clearFamilyFlags(): void {
  context.flags.clear();
}

/** Raw text for a parameter from flags or config, or undefined. */
export function externalParamText(
  family: string,
  param: string,
): { text: string; source: string } | undefined {
  const flag = context.flags.get(family)?.get(param);
  if (flag !== undefined) return { text: flag, source: `--${family}-${param.replaceAll("_", "-")}` };
  const fromConfig = stepDefaults(activeConfig(), family)[param];
  if (fromConfig !== undefined) return { text: fromConfig, source: `[${family}] ${param}` };
  return undefined;
}
