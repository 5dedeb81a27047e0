import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Resolves when a full stream has drained; rejects with its error when it fails or closes first
 * (a stream that failed before is not waited for: it would never drain).
 */
export async function drained(stream: Writable): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (stream.destroyed) throw new Error('the output stream was closed before the export ended');
  if (!stream.writableNeedDrain) return;
  const closed = once(stream, 'close').then(() => {
    throw stream.errored ?? new Error('the output stream was closed before the export ended');
  });
  try {
    await Promise.race([once(stream, 'drain'), closed]);
  } finally {
    closed.catch(() => undefined);
  }
}
