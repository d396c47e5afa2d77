import { readFileSync, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { ConfigError } from "../errors.js";
import { LuigiConfig, type ConfigFormat } from "./config.js";
import type { Env } from "./entry.js";

export interface LoadConfigOptions {
  /** Directory `./luigi.cfg` and a relative LUIGI_CONFIG_PATH are resolved against. Default: process.cwd(). */
  cwd?: string;
  /** Environment (LUIGI_CONFIG_PARSER, LUIGI_CONFIG_PATH, `${VAR}` values). Default: process.env. */
  env?: Env;
  /** Where the system-wide files live. Default "/etc/luigi"; tests point it at a temp directory. */
  systemDir?: string;
}

/** LUIGI_CONFIG_PARSER values (and LUIGI_CONFIG_PATH extensions) and the format each selects. */
const PARSERS: Readonly<Record<string, ConfigFormat>> = { cfg: "cfg", conf: "cfg", ini: "cfg", toml: "toml" };

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function addFile(config: LuigiConfig, path: string): void {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError(
      `${path}: cannot read configuration file: ${(err as Error).message}`,
      { file: path },
      err,
    );
  }
  config.addSource(text, path);
}

/**
 * Loads the configuration files in Luigi's search order (SPEC 6.5), later files overriding earlier ones
 * key by key. INI: <systemDir>/client.cfg, <systemDir>/luigi.cfg, ./client.cfg, ./luigi.cfg; TOML:
 * <systemDir>/luigi.toml, ./luigi.toml; then LUIGI_CONFIG_PATH in both cases. Missing files are skipped.
 */
export function loadConfig(opts: LoadConfigOptions = {}): LuigiConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const systemDir = opts.systemDir ?? "/etc/luigi";

  const parserName = (env.LUIGI_CONFIG_PARSER ?? "").trim() || "cfg";
  const format = PARSERS[parserName];
  if (format === undefined) {
    throw new ConfigError(
      `LUIGI_CONFIG_PARSER=${parserName} is not a known parser (use cfg, conf, ini or toml)`,
      {
        parser: parserName,
      },
    );
  }
  const config = new LuigiConfig(format, { env });

  const candidates =
    format === "toml"
      ? [join(systemDir, "luigi.toml"), join(cwd, "luigi.toml")]
      : [
          join(systemDir, "client.cfg"),
          join(systemDir, "luigi.cfg"),
          join(cwd, "client.cfg"),
          join(cwd, "luigi.cfg"),
        ];
  for (const path of candidates) {
    if (!isFile(path)) continue;
    if (path.endsWith("client.cfg")) config.warn(`${path}: client.cfg is deprecated; rename it to luigi.cfg`);
    addFile(config, path);
  }

  const extra = env.LUIGI_CONFIG_PATH;
  if (extra !== undefined && extra !== "") {
    const path = resolve(cwd, extra);
    if (!isFile(path)) {
      config.warn(`Config file does not exist: ${path} (from LUIGI_CONFIG_PATH)`);
    } else {
      // As in Luigi, the extension picks the parser the file belongs to; an unknown one means the active parser.
      const own = PARSERS[extname(path).slice(1)] ?? format;
      if (own === format) addFile(config, path);
      else {
        config.warn(
          `Config for ${own} parser added (${path}), but the ${format} parser is active; ` +
            `set LUIGI_CONFIG_PARSER=${own} to use it. File not loaded.`,
        );
      }
    }
  }
  return config;
}
