import { ErrorCode, StepDefinitionError } from "../errors.js";
import { setStepClassResolver } from "./params/step-param.js";

/**
 * Registry of step families: family name -> class. Classes register when they are first constructed and
 * when `luigi` loads a module (every exported step class). Kept on globalThis so that two copies of this
 * module (e.g. a linked checkout) still share one registry.
 */
export interface RegisteredClass {
  readonly family: string;
}

interface Registry {
  byFamily: Map<string, Set<RegisteredClass>>;
}
const key = Symbol.for("luigi-ts.step-registry");
const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
const registry: Registry = (holder[key] ??= { byFamily: new Map() });

export function registerClass(cls: RegisteredClass): void {
  const family = cls.family;
  let set = registry.byFamily.get(family);
  if (!set) registry.byFamily.set(family, (set = new Set()));
  set.add(cls);
}

export function registeredFamilies(): string[] {
  return [...registry.byFamily.keys()].sort();
}

export function allRegisteredClasses(): RegisteredClass[] {
  const out: RegisteredClass[] = [];
  for (const set of registry.byFamily.values()) if (set.size === 1) out.push(...set);
  return out;
}

/** The class of a family; errors name close matches ("did you mean") or the ambiguity. */
export function lookupFamily(family: string): RegisteredClass {
  const set = registry.byFamily.get(family);
  if (set && set.size === 1) return [...set][0] as RegisteredClass;
  if (set && set.size > 1) {
    throw new StepDefinitionError(
      ErrorCode.STEP_AMBIGUOUS,
      `step family '${family}' is defined by ${set.size} different classes; give one of them another family`,
      { details: { family } },
    );
  }
  const known = registeredFamilies();
  const close = known
    .map((name) => ({ name, distance: editDistance(name, family) }))
    .filter((c) => c.distance <= 5)
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .map((c) => c.name);
  const hint =
    close.length > 0
      ? ` Did you mean: ${close.join(", ")}?`
      : known.length > 0
        ? ` Candidates are: ${known.join(", ")}.`
        : " No step families are registered: did you pass --module?";
  throw new StepDefinitionError(ErrorCode.STEP_NOT_FOUND, `no step family '${family}'.${hint}`, {
    details: { family, candidates: close },
  });
}

// `param.step()` values name a family, looked up here (step-param.ts cannot import this module).
setStepClassResolver(lookupFamily);

/** Levenshtein distance, for "did you mean" hints on short family names. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
