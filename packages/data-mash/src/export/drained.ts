import { once } from 'node:events';
import type { Writable } from 'node:stream';

/**
 * Resolves when a full stream has drained; rejects with its error when it fails or closes first
 * (a stream that failed before is not waited for: it would never drain). Its listeners are removed
 * once it settles: an export waits thousands of times on one stream.
 */
export async function drained(stream: Writable): Promise<void> {
  if (stream.errored) throw stream.errored;
  if (stream.destroyed) throw new Error('the output stream was closed before the export ended');
  if (!stream.writableNeedDrain) return;
  const settled = new AbortController();
  const closed = once(stream, 'close', { signal: settled.signal }).then(() => {
    throw stream.errored ?? new Error('the output stream was closed before the export ended');
  });
  const drain = once(stream, 'drain', { signal: settled.signal });
  try {
    await Promise.race([drain, closed]);
  } finally {
    settled.abort();
    // The one that lost rejects with the abort: seen, not unhandled.
    drain.catch(() => undefined);
    closed.catch(() => undefined);
  }
}
