// Helpers of LocalBlobStore.

/** Objects up to this size are kept in the store's index (its SQLite file), not in a file of their own. */
export const INLINE_BLOB_BYTES = 64 * 1024;

export function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * The first chunks of a body, up to `limit` bytes. `rest` is the iterator still to read when the
 * body is larger; `undefined` when `chunks` hold all of it.
 */
export async function readHead(
  source: AsyncIterable<Uint8Array>,
  limit: number,
): Promise<{ chunks: Uint8Array[]; size: number; rest: AsyncIterator<Uint8Array> | undefined }> {
  const iterator = source[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size <= limit) {
    const next = await iterator.next();
    if (next.done) return { chunks, size, rest: undefined };
    chunks.push(next.value);
    size += next.value.byteLength;
  }
  return { chunks, size, rest: iterator };
}

/** `chunks`, then what `rest` yields. */
export async function* joined(chunks: Uint8Array[], rest: AsyncIterator<Uint8Array>): AsyncIterable<Uint8Array> {
  try {
    yield* chunks;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    // Stopped early (a failed write): let the source release what it holds.
    await rest.return?.();
  }
}
