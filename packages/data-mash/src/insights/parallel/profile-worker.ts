// Worker thread entry: parses and profiles one byte range of a delimited file, sends the state back.
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { parseDelimitedValues } from '../../parsing/delimited.js';
import { TableProfiler } from '../table-profiler.js';
import type { RangeTask } from './profile-file.js';

async function run(task: RangeTask): Promise<void> {
  const profiler = new TableProfiler(task.columns, task.profiler);
  const report = await parseDelimitedValues(
    createReadStream(task.path, { start: task.start, end: task.end - 1 }),
    (values) => profiler.addValues(values),
    { ...task.csv, delimiter: task.delimiter, columns: task.columns },
  );
  const state = profiler.state();
  parentPort?.postMessage({ ok: true, state, report }, [state.fingerprints.buffer as ArrayBuffer]);
}

run(workerData as RangeTask).catch((error: unknown) => {
  const failure = error as { code?: string; message?: string; details?: unknown };
  parentPort?.postMessage({
    ok: false,
    code: failure.code ?? 'INTERNAL',
    message: failure.message ?? String(error),
    details: failure.details,
  });
});
