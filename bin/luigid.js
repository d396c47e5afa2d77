#!/usr/bin/env node
// The `luigid` central scheduler: see src/cli/luigid.ts.
import { luigidMain } from "../dist/bundle/luigid.js";

process.exitCode = await luigidMain(process.argv.slice(2));
