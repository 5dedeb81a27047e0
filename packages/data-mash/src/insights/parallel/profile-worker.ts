// Worker thread entry: parses and profiles one byte range of a delimited file, or profiles a
// delimited file streamed to it by its parser (StreamedProfile); sends the state back.
import { parentPort, workerData } from 'node:worker_threads';
import type { RangeTask } from './profile-file.js';
import { profileRange } from './profile-range.js';
import { StreamedProfile, type StreamProfileTask } from './stream-profile.js';

/** A message to a streaming profile worker. */
export type StreamMessage =
  | { chunk: Uint8Array }
  | { rows: string[][] }
  | { end: true; columns: string[]; scannedRows: number };

function fail(error: unknown): void {
  const failure = error as { code?: string; message?: string; details?: unknown };
  parentPort?.postMessage({
    ok: false,
    code: failure.code ?? 'INTERNAL',
    message: failure.message ?? String(error),
    details: failure.details,
  });
}

const task = workerData as RangeTask | StreamProfileTask;
if ('kind' in task && task.kind === 'stream') {
  const profile = new StreamedProfile(task);
  // Acknowledged as the scan takes them, a mebibyte at a time (a message a chunk cost about as
  // much as scanning it): the parser holds back while too much waits here.
  let taken = 0;
  profile.onTaken = (bytes) => {
    taken += bytes;
    if (taken < 1024 * 1024) return;
    parentPort?.postMessage({ taken });
    taken = 0;
  };
  parentPort?.on('message', (message: StreamMessage) => {
    if ('chunk' in message) profile.push(message.chunk);
    else if ('rows' in message)
      profile.values(message.rows).then(() => parentPort?.postMessage({ taken: 0, rows: message.rows.length }), fail);
    else
      profile.end(message.columns, message.scannedRows).then((profiler) => {
        const state = profiler.state();
        parentPort?.postMessage({ ok: true, state }, [state.fingerprints.buffer as ArrayBuffer]);
      }, fail);
  });
} else {
  profileRange(task as RangeTask).then(({ state, report }) => {
    parentPort?.postMessage({ ok: true, state, report }, [state.fingerprints.buffer as ArrayBuffer]);
  }, fail);
}
