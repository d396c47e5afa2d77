#!/usr/bin/env node
// The `luigi` command: see src/cli/luigi.ts. Built by `npm run build` (run by `npm ci` through `prepare`).
// The command's V8 settings, which main() applies once the pipeline module is loaded (v8-tuning.ts).
import { useV8Tuning } from "../dist/bundle/v8-tuning.js";
import { main } from "../dist/bundle/luigi.js";

useV8Tuning();
const code = await main(process.argv.slice(2));
process.exitCode = code;
// The run is over: a step's stray timer or open socket must not keep the command alive (stdout and
// stderr are written synchronously to files, pipes and terminals on Linux, so nothing is cut short).
setTimeout(() => process.exit(code), 1000).unref();
