/**
 * Roles, each including the one before: `viewer` reads (every read-only method, the visualiser, the
 * history pages, /metrics); `worker` also runs steps (the methods a worker calls); `operator` also acts
 * from the visualiser (forgive, re-enable, mark done, pause, disable a worker, resources, messages);
 * `admin` may do everything. The role each RPC method needs is written in src/scheduler/methods.ts.
 */
export const ROLES = ["viewer", "worker", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether a user of role `has` may do what needs role `needs`. */
export function roleAllows(has: Role, needs: Role): boolean {
  return ROLES.indexOf(has) >= ROLES.indexOf(needs);
}
