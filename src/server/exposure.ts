/**
 * The warning luigid logs, once, when it listens beyond this machine without authentication: anyone who
 * can reach the port may then change the scheduler's state. The default bind (every address) warns;
 * 127.0.0.1, ::1, localhost and a unix socket do not.
 */
import { BlockList, isIP } from "node:net";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** 127.0.0.0/8, ::1 (in any spelling) and IPv4-mapped loopback (::ffff:127.x.x.x). */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[(.*)\]$/, "$1");
  const family = isIP(bare);
  return family !== 0 && LOOPBACK.check(bare, family === 4 ? "ipv4" : "ipv6");
}

/**
 * The warning for a luigid bound to `addresses` (as the socket reports them: "::", "0.0.0.0",
 * "127.0.0.1", ...), or undefined when every one is loopback or authentication is on.
 */
export function exposureWarning(
  addresses: readonly string[],
  shown: string,
  authenticated: boolean,
): string | undefined {
  if (authenticated || addresses.every(isLoopbackAddress)) return undefined;
  return (
    `luigid listens on ${shown}, reachable from other machines, without authentication: anyone who can ` +
    `reach this port can change the scheduler's state (mark steps done, pause it, disable workers). Set ` +
    `[auth] users_file to require a login (see docs/security.md), or listen on 127.0.0.1 (--address ` +
    `127.0.0.1) or a unix socket (--unix-socket PATH).`
  );
}
