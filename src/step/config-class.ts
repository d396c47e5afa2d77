/**
 * Luigi's `Config` classes: parameters only, no requires(), output() or run(). Their values come from
 * where every step parameter's come from (SPEC 1.2): `--Family-param` flags, the class's own section of
 * the configuration, the default. Luigi's `Config` is a Task that nobody schedules; here a worker asked to
 * build one fails its scheduling with a message saying what it is.
 *
 * ```ts
 * class Mail extends Config.with({ host: param.str({ default: "localhost" }), port: param.int({ default: 25 }) }) {}
 * Mail.read().host; // [Mail] host = smtp.example.com, or --Mail-host smtp.example.com
 * ```
 */
import { ErrorCode, StepDefinitionError } from "../errors.js";
import {
  Step,
  type AnyStepClass,
  type RunResult,
  type Schema,
  type SchemaOf,
  type StepArgs,
} from "./step.js";

export class Config extends Step {
  /**
   * Luigi's `use_cmdline_section`: false gives the parameters bare flags (`--host` rather than
   * `--Mail-host`). A bare flag that a setting or the root step's parameter already uses stays theirs.
   */
  static useCmdlineSection = true;

  /**
   * The values in force: `overrides`, then flags, `[Family]` and defaults. Equal values give the same
   * instance. A parameter without a default that none of them gives is a ParameterError naming it.
   */
  static read<C extends AnyStepClass & { readonly schema: Schema }>(
    this: C,
    overrides?: Partial<StepArgs<SchemaOf<C>>>,
  ): InstanceType<C> {
    return new (this as unknown as new (args: object) => InstanceType<C>)(overrides ?? {});
  }

  override complete(): Promise<boolean> {
    return Promise.reject(notBuildable(this.family));
  }

  override run(): RunResult {
    throw notBuildable(this.family);
  }
}

function notBuildable(family: string): StepDefinitionError {
  return new StepDefinitionError(
    ErrorCode.STEP_DEFINITION,
    `${family} is a Config (parameters only): read it with ${family}.read() in the steps that need it; it is never built or required`,
    { details: { family } },
  );
}

/** True for a Config class whose flags have no `--Family-` prefix. */
export function hasBareFlags(cls: object): boolean {
  return (
    cls instanceof Function && cls.prototype instanceof Config && !(cls as typeof Config).useCmdlineSection
  );
}
