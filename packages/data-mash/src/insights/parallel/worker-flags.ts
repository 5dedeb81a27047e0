import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * The flags of this process a profiling worker thread is started with: all of them (so loaders,
 * `--import`/`--require` hooks and `--conditions` apply in the worker too) except `--input-type`,
 * which is for `node -e` and stops a worker from loading its file.
 */
export function workerExecArgv(parent: readonly string[] = process.execArgv): string[] {
  const flags: string[] = [];
  for (let index = 0; index < parent.length; index += 1) {
    const flag = parent[index] as string;
    if (flag === '--input-type') index += 1;
    else if (!flag.startsWith('--input-type=')) flags.push(flag);
  }
  return flags;
}

// Flags a Worker refused before: left out from the start.
const refusedBefore = new Set<string>();

/**
 * Starts a worker thread with this process's flags ({@link workerExecArgv}) but those a worker's
 * `execArgv` refuses (`ERR_WORKER_INVALID_EXEC_ARGV`): V8 options (`--no-maglev`,
 * `--max-semi-space-size=...`, `--max-old-space-size=...`, `--stack-size=...`) and options of
 * the process (`--title=...`). They need not be passed: V8's hold for every thread of the process,
 * the others concern the process. Node does not publish which flags those are, but names them in
 * the error: they are left out and the worker started again.
 */
export function startWorker(
  file: URL | string,
  options: Omit<WorkerOptions, 'execArgv'>,
  parent: readonly string[] = process.execArgv,
): Worker {
  const execArgv = workerExecArgv(parent).filter((flag) => !refusedBefore.has(flag));
  try {
    return new Worker(file, { ...options, execArgv });
  } catch (error) {
    const refused = refusedFlags(error, execArgv);
    if (refused.size === 0) throw error;
    for (const flag of refused) refusedBefore.add(flag);
    return new Worker(file, { ...options, execArgv: execArgv.filter((flag) => !refused.has(flag)) });
  }
}

// The flags of `execArgv` a Worker constructor refused, from its ERR_WORKER_INVALID_EXEC_ARGV
// error ("Initiated Worker with invalid execArgv flags: --a, --b=1"); empty for any other error.
function refusedFlags(error: unknown, execArgv: readonly string[]): Set<string> {
  const failure = error as { code?: unknown; message?: unknown };
  if (failure?.code !== 'ERR_WORKER_INVALID_EXEC_ARGV' || typeof failure.message !== 'string') return new Set();
  const listed = failure.message.slice(failure.message.indexOf(': ') + 2);
  // Flags are listed as given, joined by ', ': match whole flags of execArgv, not split names.
  return new Set(execArgv.filter((flag) => `, ${listed}, `.includes(`, ${flag}, `)));
}
