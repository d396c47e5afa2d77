#!/usr/bin/env node
// The `luigi-deps` command: see src/cli/luigi-deps.ts. Built by `npm run build`.
// The command's V8 settings, which main() applies once the pipeline module is loaded (v8-tuning.ts).
import { useV8Tuning } from "../dist/bundle/v8-tuning.js";
import { main } from "../dist/bundle/luigi-deps.js";

useV8Tuning();
const code = await main(process.argv.slice(2));
process.exitCode = code;
// Done: a step module's stray timer or open socket must not keep the command alive.
setTimeout(() => process.exit(code), 1000).unref();
