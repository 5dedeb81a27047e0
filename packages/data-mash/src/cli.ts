#!/usr/bin/env node
// The `data-mash` bin: exit codes 0 ok, 1 failed, 2 usage, 3 platform unavailable (docs/cli.md).
import { runCli } from './cli/program.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`data-mash: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
