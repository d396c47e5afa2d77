import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import path from "node:path";
import { ROOT } from "./cli.js";

export const LUIGID_BIN = path.join(ROOT, "bin/luigid.js");

// A test that times out never reaches its `finally`: kill what it started when the test process exits,
// so no luigid outlives the suite.
const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});

export interface RunningLuigid {
  child: ChildProcess;
  /** "http://127.0.0.1:PORT" (its port is 0 on a unix socket) */
  url: string;
  port: number;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/**
 * Starts `luigid` as a real process on an ephemeral loopback port and waits until it listens. `address`
 * null leaves --address out (luigid's default: every address), for the tests of that default.
 */
export async function startLuigid(
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    address?: string | null;
    /** How to start it: on another test host (test/helpers/hosts.ts), say. Default node:child_process's. */
    spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
  },
): Promise<RunningLuigid> {
  const address = options.address === null ? [] : ["--address", options.address ?? "127.0.0.1"];
  const start = options.spawn ?? spawn;
  const child = start(process.execPath, [LUIGID_BIN, ...address, "--port", "0", ...args], {
    cwd: options.cwd,
    env: { ...process.env, LUIGI_CONFIG_PATH: "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child);
  child.on("exit", () => started.delete(child));
  let output = "";
  child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`luigid did not start:\n${output}`)), 15_000);
    const check = (): void => {
      // A TCP address ends with its port; a unix socket is a path (port 0 then).
      const m = /luigid listening on (?:\/\S*|\S*:(\d+))/.exec(output);
      if (m) {
        clearTimeout(deadline);
        resolve(Number(m[1] ?? 0));
      }
    };
    child.stderr?.on("data", check);
    child.stdout?.on("data", check);
    child.on("exit", () => {
      clearTimeout(deadline);
      reject(new Error(`luigid exited during start:\n${output}`));
    });
  });
  return {
    child,
    port,
    url: `http://${urlHost(options.address ?? "127.0.0.1")}:${port}`,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs `luigid` to its exit (a start meant to fail, --help, --background's parent); output is stdout + stderr. */
export function runLuigid(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [LUIGID_BIN, ...args], {
    cwd,
    env: { ...process.env, LUIGI_CONFIG_PATH: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child);
  child.on("exit", () => started.delete(child));
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}

/** One RPC to luigid with a JSON body; returns the `response` field. */
export async function rpc<T = unknown>(
  url: string,
  method: string,
  args: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${url}/api/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  const body = (await res.json()) as { response?: T; error?: unknown };
  if (!res.ok) throw new Error(`${method}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.response as T;
}

/** An address as a URL's host: IPv6 in brackets; luigid's every-address default reached on loopback. */
function urlHost(address: string | null): string {
  if (address === null || address === "0.0.0.0" || address === "::") return "127.0.0.1";
  return address.includes(":") ? `[${address}]` : address;
}
