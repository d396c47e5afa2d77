/**
 * The step families as triggered runs see them: what an assistant announces it can run (each family with
 * its parameters' kinds, defaults and choices, for the visualiser's form), and the root step built from a
 * trigger's family and text parameters, refused with a ParameterError as `luigi FAMILY --param ...`
 * would refuse it.
 */
import { ErrorCode, ParameterError } from "../errors.js";
import type { FamilyParamSpec, FamilySpec } from "../scheduler/api.js";
import { ChoiceParam, EnumParam, OptionalParam, type Param } from "../step/params/index.js";
import { allRegisteredClasses, lookupFamily } from "../step/registry.js";
import { ExternalStep, Step } from "../step/step.js";

type StepClass = typeof Step & (new (args: Record<string, unknown>) => Step);

/**
 * Every family registered in this process that a worker can run, sorted by name: external steps are
 * left out (only checked, never run), and so are private parameters (they never leave the process).
 */
export function describeFamilies(): FamilySpec[] {
  const classes = (allRegisteredClasses() as StepClass[]).filter(
    (cls) => cls.prototype instanceof Step && !(cls.prototype instanceof ExternalStep),
  );
  return classes
    .map((cls) => ({
      name: cls.family,
      module: cls.stepModule ?? null,
      params: Object.entries(cls.schema)
        .filter(([, kind]) => kind.visibility !== "private")
        .map(([name, kind]) => describeParam(name, kind)),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function describeParam(name: string, kind: Param<unknown, boolean>): FamilyParamSpec {
  const inner = kind instanceof OptionalParam ? (kind.inner as Param<unknown, boolean>) : kind;
  let choices: string[] | null = null;
  if (inner instanceof ChoiceParam) choices = inner.choices.map((c) => inner.serialize(c));
  else if (inner instanceof EnumParam) choices = [...inner.members.keys()];
  return {
    name,
    kind: kind.kind,
    expected: kind.expected,
    default: defaultText(kind),
    has_default: kind.hasDefault,
    description: kind.description ?? null,
    choices,
    optional: kind instanceof OptionalParam,
    significant: kind.significant,
  };
}

/** The default as the command line would write it; null without one (or one text cannot hold). */
function defaultText(kind: Param<unknown, boolean>): string | null {
  if (!kind.hasDefault) return null;
  try {
    return kind.serialize(kind.normalize(kind.options.default, "default"));
  } catch {
    return null;
  }
}

/**
 * The root step of a trigger: its family looked up (StepDefinitionError when this process has none),
 * each parameter parsed from its text (ParameterError naming the parameter), unknown names refused with
 * the known ones listed, and the rest resolved as the command line's are (`[Family]` config, defaults).
 */
export function buildTriggeredStep(family: string, params: Record<string, string>): Step {
  const cls = lookupFamily(family) as StepClass;
  const args: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(params)) {
    const kind = cls.schema[name];
    if (!kind) {
      const known = Object.keys(cls.schema).join(", ") || "none";
      throw new ParameterError(
        ErrorCode.PARAMETER_UNKNOWN,
        `${cls.family}: unknown parameter '${name}' (known: ${known})`,
        { details: { family: cls.family, param: name } },
      );
    }
    args[name] = kind.parse(text, name, cls.family);
  }
  return new cls(args);
}
