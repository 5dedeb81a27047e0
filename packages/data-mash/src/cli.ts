#!/usr/bin/env node
// The `data-mash` bin: exit codes 0 ok, 1 failed, 2 usage, 3 platform unavailable (docs/cli.md).
import { runCli } from './cli/program.js';

// A reader that stops early (`data-mash journeys | head`) closes the pipe: stop quietly, as Unix
// tools do, instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`data-mash: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
