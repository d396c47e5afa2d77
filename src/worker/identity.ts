import { randomInt } from "node:crypto";
import { hostname, userInfo } from "node:os";

/** What a worker tells the scheduler about itself (`add_worker` info, SPEC A.3). */
export interface WorkerIdentity {
  id: string;
  info: Record<string, unknown>;
  host: string;
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}

/** Luigi's worker id format: `Worker(salt=..., workers=N, host=H, username=U, pid=P)`. */
export function workerIdentity(processes: number, explicitId?: string, firstStep?: string): WorkerIdentity {
  const salt = String(randomInt(100_000_000, 1_000_000_000));
  const host = hostname();
  const username = currentUser();
  const info: Record<string, unknown> = { salt, workers: processes, host, username, pid: process.pid };
  const sudoUser = process.env.SUDO_USER;
  if (sudoUser) info.sudo_user = sudoUser;
  if (firstStep !== undefined) info.first_task = firstStep;
  const parts = Object.entries(info)
    .filter(([key]) => key !== "first_task")
    .map(([key, value]) => `${key}=${String(value)}`);
  return { id: explicitId || `Worker(${parts.join(", ")})`, info, host };
}
