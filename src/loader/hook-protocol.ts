/** What the loader (main thread) and its resolve hook (module-hooks thread) agree on. */

/** Prefix of a specifier to be resolved from a directory of the user's rather than from luigi-ts. */
export const FROM_DIRECTORY = "luigi-ts-from-directory:";

export interface DirectoryRequest {
  specifier: string;
  /** A file URL inside the directory to resolve from (the file itself need not exist). */
  parentURL: string;
}
