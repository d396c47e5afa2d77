/**
 * sorted-btree ships CommonJS with `exports.default = BTree`. It is loaded with `require`, not `import`:
 * importing a CommonJS file from an ES module makes Node scan its source for named exports
 * (cjs-module-lexer), which for this 74 kB file costs about 0.03 s of CPU in every process that loads
 * luigi-ts (measured with bench/worker-startup.js); `require` reads it in about 0.005 s. Loaders that
 * unwrap CommonJS defaults themselves hand over the class directly; this module hides that difference.
 */
import { createRequire } from "node:module";
import type BTreeModule from "sorted-btree";

type BTreeClass = typeof BTreeModule.default;
const loaded = createRequire(import.meta.url)("sorted-btree") as { default?: BTreeClass } | BTreeClass;

export const BTree: BTreeClass = typeof loaded === "function" ? loaded : (loaded.default as BTreeClass);
export type BTree<K, V> = BTreeModule.default<K, V>;
