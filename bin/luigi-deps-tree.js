#!/usr/bin/env node
// The `luigi-deps-tree` command: see src/cli/luigi-deps-tree.ts. Built by `npm run build`.
// v8-tuning comes first, as for `luigi`: its settings must be in place before the rest is loaded.
import "../dist/bundle/v8-tuning.js";
import { main } from "../dist/bundle/luigi-deps-tree.js";

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Done: a step module's stray timer or open socket must not keep the command alive.
setTimeout(() => process.exit(code), 1000).unref();
