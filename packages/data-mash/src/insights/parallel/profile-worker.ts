// Worker thread entry: parses and profiles one byte range of a delimited file, sends the state back.
import { parentPort, workerData } from 'node:worker_threads';
import type { RangeTask } from './profile-file.js';
import { profileRange } from './profile-range.js';

profileRange(workerData as RangeTask).then(
  ({ state, report }) => {
    parentPort?.postMessage({ ok: true, state, report }, [state.fingerprints.buffer as ArrayBuffer]);
  },
  (error: unknown) => {
    const failure = error as { code?: string; message?: string; details?: unknown };
    parentPort?.postMessage({
      ok: false,
      code: failure.code ?? 'INTERNAL',
      message: failure.message ?? String(error),
      details: failure.details,
    });
  },
);
