#!/usr/bin/env -S node --max-semi-space-size=8
// The `data-mash` bin: exit codes 0 ok, 1 failed, 2 usage, 3 platform unavailable (docs/cli.md).
// A young generation of 8 MB (V8 grows it to 64 MB by default): a large file's parse allocates
// fast and briefly, and the default let the peak RSS of a 1 GB ingest reach about 380 MB.
import { mkdirSync } from 'node:fs';
import { enableCompileCache } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Compiling the ~600 modules a command loads is a large share of its start: Node keeps their
 * compiled code in its on-disk cache, os.tmpdir()/node-compile-cache (NODE_COMPILE_CACHE, which
 * Node reads itself, chooses another folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off). It has to
 * be on before the imports below, which is why they are dynamic.
 */
function useCompileCache(): void {
  if (process.env.NODE_COMPILE_CACHE) return;
  const directory = join(tmpdir(), 'node-compile-cache');
  try {
    // Made here, one level only: Node's own recursive mkdir never returns on a folder it cannot
    // create under /proc (Node 24), and a TMPDIR that does not exist is no reason to create it.
    mkdirSync(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return;
  }
  enableCompileCache(directory);
}
useCompileCache();

// A reader that stops early (`data-mash journeys | head`) closes the pipe: stop quietly, as Unix
// tools do, instead of crashing on EPIPE.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

try {
  const { runCli } = await import('./cli/program.js');
  process.exitCode = await runCli(process.argv.slice(2));
} catch (error) {
  // The printer may be what failed to load: then the error goes out as it is.
  const printable = await import('./cli/output.js').then(
    (output) => output.printable,
    () => String,
  );
  process.stderr.write(`data-mash: ${printable(error)}\n`);
  process.exitCode = 1;
}
