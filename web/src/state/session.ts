/**
 * What the page's user may do, from luigid's answer at auth/session: without `[auth]` everybody may do
 * everything; with it, the visualiser's actions need the operator role (admin includes it). Buttons the
 * user may not use are shown disabled, saying why, instead of failing with 403 when clicked.
 */
import { useEffect, useState } from "preact/hooks";
import { currentSession, type SessionInfo } from "../api/client.js";

/** The roles that include operator (src/auth/roles.ts: viewer < worker < operator < admin). */
const ACTING_ROLES = new Set(["operator", "admin"]);

/** Why the user may not act, or undefined when it may. */
export function actionRefusal(info: SessionInfo | null): string | undefined {
  if (info === null || !info.auth) return undefined;
  if (info.role !== null && ACTING_ROLES.has(info.role)) return undefined;
  return `needs the operator role; ${info.user ?? "you"} ${info.role === null ? "has none" : `is ${info.role}`}`;
}

/** The reason actions are refused to this page's user (undefined: they are allowed), once known. */
export function useActionRefusal(): string | undefined {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  useEffect(() => {
    currentSession().then(setInfo, () => setInfo(null));
  }, []);
  return actionRefusal(info);
}
