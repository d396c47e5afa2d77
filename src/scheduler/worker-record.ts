/** The scheduler's record of one worker (SPEC 2.1). Its step back-references live in `WorkerIndex`. */
import type { FamilySpec, RpcMessage } from "./api.js";

export class WorkerRecord {
  reference: { host: string | null } | null = null;
  lastGetWork: number | null = null;
  readonly started: number;
  info: Record<string, unknown> = {};
  disabled = false;
  rpcMessages: RpcMessage[] = [];
  /**
   * The families an assistant can run, by name (its `add_worker` info's `step_families`, kept apart from
   * `info` so that worker_list stays small); null when it announced none (Luigi's workers never do).
   */
  families: ReadonlyMap<string, FamilySpec> | null = null;
  /** Deadline of this worker's entry in the liveness heap (entries are re-armed lazily). */
  timerAt = 0;

  constructor(
    readonly id: string,
    public lastActive: number,
    started?: number,
  ) {
    this.started = started ?? lastActive;
  }

  get assistant(): boolean {
    return Boolean(this.info["assistant"]);
  }

  get enabled(): boolean {
    return !this.disabled;
  }

  get state(): "active" | "disabled" {
    return this.disabled ? "disabled" : "active";
  }

  /** Processes the worker advertised (`info.workers`), Luigi's default 1. */
  get processes(): number {
    const n = this.info["workers"];
    return typeof n === "number" && Number.isFinite(n) ? n : 1;
  }

  addRpcMessage(name: string, kwargs: Record<string, unknown>): void {
    this.rpcMessages.push({ name, kwargs });
  }

  fetchRpcMessages(): RpcMessage[] {
    const messages = this.rpcMessages;
    this.rpcMessages = [];
    return messages;
  }
}
