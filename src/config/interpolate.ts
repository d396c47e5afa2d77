import { ConfigError } from "../errors.js";
import type { Env } from "./entry.js";

/** Python ConfigParser's MAX_INTERPOLATION_DEPTH. */
export const MAX_INTERPOLATION_DEPTH = 10;

/** A value another value refers to by `%(name)s`. `literal` values (overrides) are not expanded further. */
export interface Referent {
  value: string;
  literal: boolean;
}

export interface InterpolationContext {
  /** Where the value being read lives; every error names these. */
  file: string | undefined;
  section: string;
  key: string;
  /** Finds `name` by its exact spelling in the value's section, then in [DEFAULT]. */
  lookup(name: string): Referent | undefined;
  env: Env;
}

function where(ctx: InterpolationContext): string {
  return `${ctx.file ?? "<config>"} [${ctx.section}] ${ctx.key}`;
}

function fail(ctx: InterpolationContext, message: string, extra: Record<string, unknown> = {}): never {
  throw new ConfigError(`${where(ctx)}: ${message}`, {
    file: ctx.file,
    section: ctx.section,
    key: ctx.key,
    ...extra,
  });
}

/**
 * Luigi's CombinedInterpolation: first ConfigParser's BasicInterpolation (`%%` -> `%`, `%(name)s` ->
 * that option's value, itself interpolated), then `${VAR}` from the environment on the result.
 */
export function interpolate(raw: string, ctx: InterpolationContext): string {
  return substituteEnv(expand(raw, [ctx.key], ctx), ctx);
}

function expand(value: string, chain: readonly string[], ctx: InterpolationContext): string {
  let out = "";
  let rest = value;
  for (;;) {
    const at = rest.indexOf("%");
    if (at < 0) return out + rest;
    out += rest.slice(0, at);
    rest = rest.slice(at);
    if (rest.startsWith("%%")) {
      out += "%";
      rest = rest.slice(2);
      continue;
    }
    if (!rest.startsWith("%(")) {
      fail(
        ctx,
        `'%' must be followed by '%' or '(' (write a literal % as %%), found: ${JSON.stringify(rest)}`,
      );
    }
    const ref = /^%\(([^)]+)\)s/.exec(rest);
    const name = ref?.[1];
    if (ref === null || name === undefined) fail(ctx, `bad interpolation reference ${JSON.stringify(rest)}`);
    if (chain.includes(name)) {
      fail(ctx, `interpolation cycle: ${[...chain, name].join(" -> ")}`, { cycle: [...chain, name] });
    }
    if (chain.length > MAX_INTERPOLATION_DEPTH) {
      fail(
        ctx,
        `interpolation nested more than ${MAX_INTERPOLATION_DEPTH} levels deep: ${chain.join(" -> ")}`,
      );
    }
    const target = ctx.lookup(name);
    if (target === undefined) {
      fail(ctx, `%(${name})s refers to "${name}", which is not in [${ctx.section}] or [DEFAULT]`, {
        missing: name,
      });
    }
    out += target.literal ? target.value : expand(target.value, [...chain, name], ctx);
    rest = rest.slice(ref[0].length);
  }
}

function substituteEnv(value: string, ctx: InterpolationContext): string {
  return value.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
    const found = ctx.env[name];
    if (found === undefined) fail(ctx, `environment variable \${${name}} is not set`, { envVar: name });
    return found;
  });
}
