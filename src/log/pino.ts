/**
 * pino, loaded with `require`: it is CommonJS, and importing CommonJS from an ES module makes Node scan
 * the source of each of its files for named exports (cjs-module-lexer) before running them, CPU that
 * every `luigi` process would pay at start (see bench/worker-startup.js). Types come from the package as
 * usual.
 */
import { createRequire } from "node:module";
import type * as Pino from "pino";

const loaded = createRequire(import.meta.url)("pino") as typeof Pino;

export const pino: typeof Pino.pino = loaded.pino;
export const destination: typeof Pino.destination = loaded.destination;
export const symbols: typeof Pino.symbols = loaded.symbols;
