/**
 * `[auth] trusted_proxies`: the addresses whose proxy headers (`proxy_user_header`, `proxy_role_header`,
 * `X-Forwarded-Proto`) luigid believes. Anyone else sending them is ignored: a header is only as
 * trustworthy as whoever could have set it.
 */
import { BlockList, isIP } from "node:net";
import { ConfigError } from "../errors.js";

export class TrustedProxies {
  private readonly list = new BlockList();

  /** `entries`: addresses and CIDR ranges, IPv4 or IPv6 (`10.0.0.0/8`, `127.0.0.1`, `fd00::/8`). */
  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const [address = "", bits, extra] = entry.split("/");
      const family = isIP(address);
      const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
      const max = family === 6 ? 128 : 32;
      if (family === 0 || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
        throw new ConfigError(
          `[auth] trusted_proxies: ${JSON.stringify(entry)} is not an IP address or CIDR range (e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)`,
          { section: "auth", key: "trusted_proxies", value: entry },
        );
      }
      this.list.addSubnet(address, prefix, family === 6 ? "ipv6" : "ipv4");
    }
  }

  trusts(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? "ipv6" : "ipv4");
  }
}

/** `127.0.0.1` for `::ffff:127.0.0.1` (an IPv4 client of a dual-stack socket); other addresses as they are. */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m?.[1] ?? address;
}
