/** What the failover tests (test/server/ha*.test.ts) share: the workers' settings, their run log, a luigid's role. */
import { existsSync, readFileSync } from "node:fs";

/** Workers that retry fast and long, and stay to the end: they ride out a failover. */
export const WORKER_CFG = `[core]
rpc_retry_wait = 0.5
rpc_retry_attempts = 60
rpc_connect_timeout = 2
[worker]
keep_alive = true
wait_interval = 0.1
wait_jitter = 0.2
ping_interval = 0.5
`;

export function runsOf(log: string): string[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => line.split(" ")[0] ?? "");
}

/** The role luigid says it has (the x-luigid-role header), or undefined when it does not answer. */
export async function roleOf(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/api/is_paused`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.headers.get("x-luigid-role") ?? undefined;
  } catch {
    return undefined;
  }
}
