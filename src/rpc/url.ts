/**
 * Where a RemoteScheduler sends its calls (SPEC 3.1): `http://host:port/`, `https://...`, a kept path prefix
 * (`http://h/luigi/` -> `http://h/luigi/api/ping`), credentials in the URL sent as HTTP Basic auth, and
 * `http+unix://<percent-encoded socket path>/` for a unix socket. A luigid with `[auth]` also takes a
 * bearer token, from the environment variable LUIGI_SCHEDULER_TOKEN (kept out of the URL, where it would
 * show in `ps` and in logs).
 */
import { ConfigError } from "../errors.js";
import { maskUrlPassword } from "../log/mask-url.js";

export interface SchedulerEndpoint {
  protocol: "http:" | "https:";
  /** Host name without IPv6 brackets ("localhost" for a unix socket, for the Host header). */
  hostname: string;
  port: number | undefined;
  socketPath: string | undefined;
  /** Always ends with "/": a prefix without one is still treated as a directory. */
  basePath: string;
  /** `Basic ...` when the URL holds credentials, `Bearer ...` with LUIGI_SCHEDULER_TOKEN. */
  authorization: string | undefined;
  /** The URL without its password, for messages and logs. */
  display: string;
}

export function schedulerUrl(options: { url?: string; host?: string; port?: number }): string {
  if (options.url !== undefined && options.url !== "") return options.url;
  const host = options.host ?? "localhost";
  // A bare IPv6 address needs brackets in a URL.
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${hostPart}:${options.port ?? 8082}/`;
}

export function parseSchedulerUrl(text: string, env: NodeJS.ProcessEnv = process.env): SchedulerEndpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(text, "not a valid URL");
  }
  const unix = url.protocol === "http+unix:";
  if (!unix && url.protocol !== "http:" && url.protocol !== "https:") {
    throw invalid(text, "the scheme must be http, https or http+unix");
  }
  const basePath = url.pathname.endsWith("/") ? url.pathname : `${url.pathname}/`;
  const token = env.LUIGI_SCHEDULER_TOKEN?.trim() ?? "";
  const inUrl = url.username !== "" || url.password !== "";
  if (inUrl && token !== "") {
    throw invalid(text, "holds credentials while LUIGI_SCHEDULER_TOKEN is set too: use one of them");
  }
  const authorization = token !== "" ? `Bearer ${token}` : inUrl ? basicAuth(url) : undefined;
  const shown = new URL(url.href);
  if (shown.password !== "") shown.password = "***";
  shown.pathname = basePath;
  shown.search = "";
  shown.hash = "";
  if (unix) {
    const socketPath = decodeURIComponent(url.hostname);
    if (socketPath === "") throw invalid(text, "http+unix:// needs a percent-encoded socket path as host");
    return {
      protocol: "http:",
      hostname: "localhost",
      port: undefined,
      socketPath,
      basePath,
      authorization,
      display: shown.href,
    };
  }
  return {
    protocol: url.protocol as "http:" | "https:",
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port === "" ? undefined : Number(url.port),
    socketPath: undefined,
    basePath,
    authorization,
    display: shown.href,
  };
}

/** `http://h/luigi/api/add_task` for messages; the request itself uses `basePath`. */
export function methodUrl(endpoint: SchedulerEndpoint, method: string): string {
  return new URL(`api/${method}`, endpoint.display).href;
}

function basicAuth(url: URL): string {
  const pair = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(pair).toString("base64")}`;
}

function invalid(text: string, why: string): ConfigError {
  // Never echo a password, even from a URL too broken to parse.
  const masked = maskUrlPassword(text);
  return new ConfigError(`scheduler URL ${JSON.stringify(masked)}: ${why}`, {
    key: "scheduler_url",
    value: masked,
  });
}

/**
 * `http://a:8082,http://b:8082`: the schedulers of one state_url, active and standbys, each parsed as
 * parseSchedulerUrl does. One URL is the usual case; the same URL twice is refused (a typo, likely).
 */
export function parseSchedulerUrls(text: string, env: NodeJS.ProcessEnv = process.env): SchedulerEndpoint[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.length === 1) return [parseSchedulerUrl(text.trim(), env)];
  if (parts.some((p) => p === "")) throw invalid(text, "an empty URL in the comma list");
  const endpoints = parts.map((p) => parseSchedulerUrl(p, env));
  const seen = new Set<string>();
  for (const e of endpoints) {
    if (seen.has(e.display)) throw invalid(text, `${e.display} is named twice`);
    seen.add(e.display);
  }
  return endpoints;
}
