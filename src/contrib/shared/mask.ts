import { maskUrlPassword } from "../../log/mask-url.js";

/**
 * A connection URL as messages may show it: the password (in the user-info part, or a `password=`
 * query option) replaced by `***`. Store URLs are never logged as they are.
 */
export function maskUrl(url: string): string {
  // Text that is not a URL at all could be anything, a bare password included: never shown.
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return "(a setting that is not a URL)";
  return maskUrlPassword(url);
}

/** "postgresql://user:***@host/db", or the words standing for the client's own defaults when "" is given. */
export function shownUrl(url: string, defaults: string): string {
  return url === "" ? defaults : maskUrl(url);
}
