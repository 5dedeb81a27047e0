#!/usr/bin/env -S node --max-semi-space-size=8
// The `data-mash` bin: exit codes 0 ok, 1 failed, 2 usage, 3 platform unavailable (docs/cli.md).
// A young generation of 8 MB (V8 grows it to 64 MB by default): a large file's parse allocates
// fast and briefly, and the default let the peak RSS of a 1 GB ingest reach about 380 MB.
import { printable } from './cli/output.js';
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
    process.stderr.write(`data-mash: ${printable(error)}\n`);
    process.exitCode = 1;
  },
);
