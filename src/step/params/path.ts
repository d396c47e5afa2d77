/**
 * Luigi's PathParameter. The value is a string, normalised the way Python's `pathlib.Path` prints it
 * (`a//b/./c/` -> `a/b/c`, `..` kept), because that printed form is what goes into a Python worker's step id.
 */
import { existsSync } from "node:fs";
import { Param, type ParamOptions } from "./param.js";

export interface PathOptions extends ParamOptions<string> {
  /** Make the path absolute against the working directory (without resolving `..` or links, like pathlib). */
  absolute?: boolean;
  /** Refuse a path that does not exist when the value is parsed or given. */
  exists?: boolean;
}

/** `str(PurePosixPath(p))`: repeated and trailing slashes and `.` parts dropped; exactly two leading `//` kept. */
export function purePosixPath(p: string): string {
  const root = p.startsWith("//") && !p.startsWith("///") ? "//" : p.startsWith("/") ? "/" : "";
  const parts = p.split("/").filter((part) => part !== "" && part !== ".");
  const joined = root + parts.join("/");
  return joined === "" ? "." : joined;
}

export class PathParam<D extends boolean = boolean> extends Param<string, D> {
  readonly kind = "path";
  readonly expected: string;
  readonly absolute: boolean;
  readonly mustExist: boolean;

  constructor(options: PathOptions = {}) {
    const { absolute, exists, ...rest } = options;
    super(rest);
    this.absolute = absolute ?? false;
    this.mustExist = exists ?? false;
    this.expected = this.mustExist ? "a path to an existing file or directory" : "a file system path";
  }

  protected parseText(text: string): string {
    return this.normalizeValue(text);
  }
  serialize(value: string): string {
    return value;
  }
  protected normalizeValue(value: unknown): string {
    if (typeof value !== "string") throw new Error("not a path string");
    let path = purePosixPath(value);
    if (this.absolute && !path.startsWith("/")) path = purePosixPath(`${process.cwd()}/${path}`);
    if (this.mustExist && !existsSync(path)) throw new Error(`${path} does not exist`);
    return path;
  }
}
