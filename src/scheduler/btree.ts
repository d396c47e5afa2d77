/**
 * sorted-btree ships CommonJS with `exports.default = BTree`. Under NodeNext a default import of it is the
 * whole `module.exports`, so the class sits on `.default`; loaders that unwrap CommonJS defaults
 * themselves (vitest's interop) hand over the class directly. This module hides that difference.
 */
import BTreeModule from "sorted-btree";

type BTreeClass = typeof BTreeModule.default;
const loaded = BTreeModule as unknown as { default?: BTreeClass };

export const BTree: BTreeClass = loaded.default ?? (BTreeModule as unknown as BTreeClass);
export type BTree<K, V> = BTreeModule.default<K, V>;
