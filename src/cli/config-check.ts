import {
  LUIGI_ONLY_KEYS,
  LUIGI_ONLY_SECTIONS,
  OPEN_SECTIONS,
  SETTINGS_SECTIONS,
  type LuigiConfig,
} from "../config/index.js";
import { closestName } from "./closest-name.js";

/** A step family's config section: `[Family] param = value` for each of its parameters. */
export interface FamilySection {
  family: string;
  params: readonly string[];
}

/** Settings keys are looked up with dashes or underscores (LuigiConfig tries both): one key. */
const normal = (key: string): string => key.replaceAll("-", "_");

/** Section -> normalised keys luigi-ts reads there, legacy spellings included, from the key tables. */
function settingsKeys(): Map<string, Set<string>> {
  const known = new Map<string, Set<string>>();
  const add = (section: string, key: string): void => {
    let keys = known.get(section);
    if (keys === undefined) known.set(section, (keys = new Set()));
    keys.add(normal(key));
  };
  for (const def of SETTINGS_SECTIONS) {
    for (const key of Object.keys(def.keys)) {
      add(def.name, key);
      const old = def.legacy?.(key);
      if (old !== undefined) add(old.section, old.key);
    }
  }
  return known;
}

const SETTINGS_KEYS = settingsKeys();

const NOT_USED = "used by Luigi, not (yet) by luigi-ts; ignored";

/**
 * Warnings for what the configuration files set that nothing reads: a misspelt key or section is
 * otherwise silently ignored. One per key (one per section for a whole unknown section), naming the
 * file, the section and the key, with the closest known name. What Luigi reads and luigi-ts does not
 * (`[email]`, `[core] logging_conf_file`, ...) gets a notice saying so instead.
 *
 * Step families' sections are known only from `families`, the classes the module registered; without
 * it (luigid, which loads no module) sections that are not settings are not judged. Values set on the
 * command line are not looked at: unknown flags are refused already.
 */
export function unknownConfigEntries(config: LuigiConfig, families?: readonly FamilySection[]): string[] {
  const warnings: string[] = [];
  const params = new Map(families?.map((f) => [f.family, new Set(f.params)]));
  for (const section of config.sections()) {
    if (OPEN_SECTIONS.has(section)) continue;
    const written = config.ownKeys(section).filter((entry) => entry.file !== undefined);
    const [first] = written;
    if (first === undefined) continue;
    const at = (entry: { file: string | undefined; line: number | undefined }): string =>
      entry.line === undefined ? `${entry.file}` : `${entry.file}:${entry.line}`;

    const settings = SETTINGS_KEYS.get(section);
    const familyParams = params.get(section);
    if (settings !== undefined || familyParams !== undefined) {
      const luigiOnly = new Set((LUIGI_ONLY_KEYS[section] ?? []).map(normal));
      for (const entry of written) {
        const where = `${at(entry)}: [${section}] ${entry.key}`;
        if (settings !== undefined) {
          const name = normal(entry.key);
          if (settings.has(name)) continue;
          if (luigiOnly.has(name)) warnings.push(`${where}: ${NOT_USED}`);
          else warnings.push(`${where}: unknown key${didYouMean(closestName(name, settings))}`);
        } else if (familyParams !== undefined && !familyParams.has(entry.key)) {
          const hint = didYouMean(closestName(entry.key, familyParams));
          warnings.push(`${where}: ${section} has no such parameter${hint}`);
        }
      }
      continue;
    }
    if (LUIGI_ONLY_SECTIONS.has(section)) {
      warnings.push(`${at(first)}: [${section}]: ${NOT_USED}`);
      continue;
    }
    if (families === undefined) continue;
    // TOML reads [my_ns.Report] as the table Report inside [my_ns].
    if (families.some((f) => f.family.startsWith(`${section}.`))) continue;
    const sections = [...SETTINGS_KEYS.keys(), ...params.keys()];
    const hint = closestName(section, sections);
    warnings.push(
      `${at(first)}: [${section}]: unknown section (neither settings nor a known step family)` +
        (hint === undefined ? "" : `; did you mean [${hint}]?`),
    );
  }
  return warnings;
}

function didYouMean(name: string | undefined): string {
  return name === undefined ? "" : `; did you mean ${name}?`;
}
