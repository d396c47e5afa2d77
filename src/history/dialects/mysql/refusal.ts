import { forUser, type RefusalReader } from "../server-check.js";

/** MySQL / MariaDB error codes that refuse a connection for good. */
export const mysqlRefusal: RefusalReader = (err, id, said) => {
  switch ((err as { code?: unknown }).code) {
    case "ER_BAD_DB_ERROR": // 1049 Unknown database
      return `database "${id.database}" does not exist on ${id.server} (create it, or correct the name in the URL)`;
    case "ER_ACCESS_DENIED_ERROR": // 1045
    case "ER_ACCESS_DENIED_NO_PASSWORD_ERROR": // 1698
    case "ER_NOT_SUPPORTED_AUTH_MODE": // 1251
      return `authentication failed${forUser(id)} on ${id.server} (the server said: ${said})`;
    case "ER_DBACCESS_DENIED_ERROR": // 1044
      return `not allowed to use database "${id.database}"${forUser(id)} on ${id.server} (the server said: ${said})`;
    default:
      return undefined;
  }
};
