/**
 * Who is logged in, in the top bar, with a Log out button for a login session (a plain form POST with the
 * session's CSRF token: luigid ends the session and answers with the login page). Nothing when luigid
 * authenticates nobody.
 */
import { useEffect, useState } from "preact/hooks";
import { currentSession, type SessionInfo } from "../api/client.js";

export function SessionMenu() {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  useEffect(() => {
    currentSession().then(setInfo, () => setInfo(null));
  }, []);
  if (!info?.auth) return null;
  return (
    <div class="session">
      <span class="session-user" title={`${info.user ?? ""}, role ${info.role ?? ""}`}>
        {info.user} <span class="session-role">{info.role}</span>
      </span>
      {info.via === "session" && info.csrfToken !== null && (
        <form method="post" action="../../logout" class="logout">
          <input type="hidden" name="csrf" value={info.csrfToken} />
          <button type="submit">Log out</button>
        </form>
      )}
    </div>
  );
}
