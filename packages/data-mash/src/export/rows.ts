import { createInterface } from 'node:readline';
import type { BlobStore } from '@platform/foundations';

/**
 * The rows of a stored table (its JSON Lines copy) as values in column order, read as a stream:
 * one line at a time, so a table of any size is read with bounded memory. A key a row lacks (JSON
 * Lines records) is `undefined`. The array is reused from row to row: copy what you keep.
 */
export async function* storedRows(
  blobStore: BlobStore,
  tenantId: string,
  rowsKey: string,
  columns: readonly string[],
): AsyncGenerator<unknown[]> {
  const stream = await blobStore.getStream(tenantId, rowsKey);
  const values: unknown[] = new Array(columns.length);
  try {
    // JSON escapes CR and LF inside strings: every line break is a record's end.
    for await (const line of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      if (line === '') continue;
      const row = JSON.parse(line) as Record<string, unknown>;
      for (let index = 0; index < columns.length; index += 1) {
        const column = columns[index] as string;
        // An own property only: a column named `__proto__` or `constructor` reads the row's value.
        values[index] = Object.hasOwn(row, column) ? row[column] : undefined;
      }
      yield values;
    }
  } finally {
    stream.destroy();
  }
}
