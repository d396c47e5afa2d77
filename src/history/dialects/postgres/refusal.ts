import { forUser, type RefusalReader } from "../server-check.js";

/** PostgreSQL's SQLSTATEs that refuse a connection for good (see its "Errcodes" appendix). */
export const postgresRefusal: RefusalReader = (err, id, said) => {
  switch ((err as { code?: unknown }).code) {
    case "3D000": // invalid_catalog_name
      return `database "${id.database}" does not exist on ${id.server} (create it, or correct the name in the URL)`;
    case "28P01": // invalid_password
    case "28000": // invalid_authorization_specification: unknown role, no pg_hba.conf entry
      return `authentication failed${forUser(id)} on ${id.server} (the server said: ${said})`;
    case "42501": // insufficient_privilege: no CONNECT on the database
      return `not allowed to connect to database "${id.database}"${forUser(id)} on ${id.server} (the server said: ${said})`;
    default:
      return undefined;
  }
};
