/**
 * A from-scratch recomputation of every index, compared with the incrementally maintained one. It is the
 * safety net of the "uncount, mutate, recount" design: tests call it after every scenario.
 */
import { Indexes } from "./indexes.js";
import type { SchedulerState } from "./state.js";
import { isBlocking, type StepRecord } from "./step-record.js";

export function verifyState(state: SchedulerState): void {
  const fail = (msg: string): never => {
    throw new Error(`scheduler index mismatch: ${msg}`);
  };
  const expectedReverse = new Map<string, number>();
  for (const rec of state.steps.values()) {
    let unmet = 0;
    let blocked = 0;
    for (const d of rec.deps) {
      if (d === rec.id) {
        unmet++;
        continue;
      }
      expectedReverse.set(d, (expectedReverse.get(d) ?? 0) + 1);
      if (!state.dependents.has(d, rec.id)) fail(`reverse edge ${d} -> ${rec.id} missing`);
      const dep = state.steps.get(d);
      if (!dep || dep.status !== "DONE") unmet++;
      if (dep && isBlocking(dep)) blocked++;
    }
    if (unmet !== rec.unmetDeps) fail(`${rec.id}: unmetDeps ${rec.unmetDeps}, expected ${unmet}`);
    if (blocked !== rec.blockedDeps) fail(`${rec.id}: blockedDeps ${rec.blockedDeps}, expected ${blocked}`);
    for (const w of rec.stakeholders) {
      if (!state.workers.has(w)) fail(`${rec.id}: stakeholder ${w} is no live worker`);
      if (!state.idx.perWorker.get(w)?.stakeOf.has(rec.id)) fail(`${rec.id}: stakeOf(${w}) missing`);
    }
    for (const w of rec.workers) if (!state.workers.has(w)) fail(`${rec.id}: worker ${w} is no live worker`);
  }
  if (state.dependents.size !== expectedReverse.size) {
    fail(`reverse edges for ${state.dependents.size} ids, expected ${expectedReverse.size}`);
  }
  for (const [d, n] of expectedReverse) {
    if (state.dependents.count(d) !== n)
      fail(`reverse edges of ${d}: ${state.dependents.count(d)}, expected ${n}`);
  }

  const fresh = new Indexes();
  for (const rec of state.steps.values()) fresh.count(rec);
  const idx = state.idx;
  for (const [status, ids] of fresh.byStatus)
    sameSet(ids, idx.byStatus.get(status), `byStatus ${status}`, fail);
  sameSet(fresh.pendingBlocked, idx.pendingBlocked, "pendingBlocked", fail);
  sameKeys(fresh.byFamily, idx.byFamily, "byFamily", fail);
  for (const [family, ids] of fresh.byFamily)
    sameSet(ids, idx.byFamily.get(family), `family ${family}`, fail);
  sameList(fresh.runnableReady.values(), idx.runnableReady.values(), "runnableReady", fail);
  sameList(fresh.resourceReady.values(), idx.resourceReady.values(), "resourceReady", fail);
  for (const [name, used] of fresh.usedResources) {
    if (Math.abs(used - (idx.usedResources.get(name) ?? 0)) > 1e-6) fail(`usedResources ${name}`);
  }
  for (const name of idx.usedResources.keys())
    if (!fresh.usedResources.has(name)) fail(`usedResources ${name} extra`);
  sameKeys(fresh.runningByResource, idx.runningByResource, "runningByResource", fail);
  for (const [name, ids] of fresh.runningByResource)
    sameSet(ids, idx.runningByResource.get(name), name, fail);
  sameKeys(fresh.batchMembers, idx.batchMembers, "batchMembers", fail);
  for (const [id, members] of fresh.batchMembers)
    sameSet(members, idx.batchMembers.get(id), `batch ${id}`, fail);
  for (const [w, f] of fresh.perWorker) {
    const cur = idx.perWorker.get(w);
    if (!cur) return fail(`perWorker ${w} missing`);
    sameSet(f.eligible, cur.eligible, `eligible(${w})`, fail);
    sameSet(f.runs, cur.runs, `runs(${w})`, fail);
    sameSet(f.runningEligible, cur.runningEligible, `runningEligible(${w})`, fail);
    sameList(f.ready.values(), cur.ready.values(), `ready(${w})`, fail);
    for (const key of ["nPending", "nUnique", "nLastScheduled", "nListPending", "nListUnique"] as const) {
      if (f[key] !== cur[key]) fail(`${key}(${w}) ${cur[key]}, expected ${f[key]}`);
    }
  }
  for (const [w, cur] of idx.perWorker) {
    if (!fresh.perWorker.has(w) && (cur.eligible.size || cur.runs.size || cur.ready.size || cur.nPending)) {
      fail(`perWorker ${w} has stale entries`);
    }
  }
}

function sameSet<T>(a: Set<T>, b: Set<T> | undefined, what: string, fail: (m: string) => never): void {
  if (!b || a.size !== b.size) fail(`${what}: size ${b?.size ?? 0}, expected ${a.size}`);
  for (const x of a) if (!b?.has(x)) fail(`${what}: missing ${String(x)}`);
}

function sameKeys<K, V>(a: Map<K, V>, b: Map<K, V>, what: string, fail: (m: string) => never): void {
  if (a.size !== b.size) fail(`${what}: ${b.size} keys, expected ${a.size}`);
}

function sameList(
  a: IterableIterator<StepRecord>,
  b: IterableIterator<StepRecord>,
  what: string,
  fail: (m: string) => never,
): void {
  const x = [...a].map((r) => r.id);
  const y = [...b].map((r) => r.id);
  if (x.join("\u0000") !== y.join("\u0000")) fail(`${what}: [${y.join(", ")}], expected [${x.join(", ")}]`);
}
