#!/usr/bin/env node
// The `luigi` command: see src/cli/luigi.ts. Built by `npm run build` (run by `npm ci` through `prepare`).
// v8-tuning comes first: its settings must be in place before the rest of luigi-ts is loaded.
import "../dist/bundle/v8-tuning.js";
import { main } from "../dist/bundle/luigi.js";

const code = await main(process.argv.slice(2));
process.exitCode = code;
// The run is over: a step's stray timer or open socket must not keep the command alive (stdout and
// stderr are written synchronously to files, pipes and terminals on Linux, so nothing is cut short).
setTimeout(() => process.exit(code), 1000).unref();
