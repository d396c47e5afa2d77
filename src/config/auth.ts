import type { LuigiConfig } from "./config.js";
import { defineSection, key, readSection } from "./keys.js";
import { commaList } from "./values.js";

/** The `[auth]` section, luigid's: who may call what (see src/auth/). No flags. */
export const AUTH_SECTION = defineSection({
  name: "auth",
  flags: "none",
  help: "users, roles and cross-site protection for luigid",
  keys: {
    users_file: key.string("", "the users file (luigid user add ...); setting it turns authentication on"),
    allowed_origins: key.string(
      "",
      "other origins (comma-separated, e.g. https://ops.example.com) allowed to send state changes",
    ),
    proxy_user_header: key.string("", "a header naming the user, believed only from trusted_proxies"),
    proxy_role_header: key.string("", "a header naming that user's role (else proxy_default_role)"),
    proxy_default_role: key.string("viewer", "the role of a proxy-named user without a role header"),
    trusted_proxies: key.string("", "addresses and CIDR ranges (comma-separated) of the proxies"),
    session_max_age: key.duration(43_200, "seconds a login session lasts", { shown: "43200 (12 h)" }),
  },
});

export interface AuthConfig {
  /** Path of the users file; "" = authentication off. Default "". */
  usersFile: string;
  /** Origins besides luigid's own that may send state-changing requests. Default none. */
  allowedOrigins: string[];
  /** Header that names the user when the request comes from a trusted proxy; "" = off. Default "". */
  proxyUserHeader: string;
  /** Header that names the proxy-named user's role; "" = proxyDefaultRole. Default "". */
  proxyRoleHeader: string;
  /** Role of a proxy-named user without a role header. Default "viewer". */
  proxyDefaultRole: string;
  /** Addresses / CIDR ranges whose proxy headers are believed. Default none. */
  trustedProxies: string[];
  /** Seconds a login session lasts. Default 43,200 (12 h). */
  sessionMaxAge: number;
}

export function authConfig(cfg: LuigiConfig): AuthConfig {
  const v = readSection(cfg, AUTH_SECTION);
  return {
    usersFile: v.users_file.trim(),
    allowedOrigins: commaList(v.allowed_origins),
    proxyUserHeader: v.proxy_user_header.trim(),
    proxyRoleHeader: v.proxy_role_header.trim(),
    proxyDefaultRole: v.proxy_default_role.trim(),
    trustedProxies: commaList(v.trusted_proxies),
    sessionMaxAge: v.session_max_age,
  };
}
