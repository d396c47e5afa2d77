#!/usr/bin/env node
// The `luigi` command: see src/cli/luigi.ts. Built by `npm run build` (run by `npm ci` through `prepare`).
import { main } from "../dist/cli/luigi.js";

const code = await main(process.argv.slice(2));
process.exitCode = code;
