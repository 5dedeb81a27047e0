import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { BlobInfo, BlobStore } from '@platform/foundations';

const FLUSH_BYTES = 256 * 1024;

/**
 * Streams rows into a BlobStore object as JSON Lines while they are parsed: lines are batched
 * into 256 KiB writes, and a full pipe pauses the parser (the caller awaits `write`), so a
 * table of any size goes to storage with bounded memory.
 */
export class JsonLinesSink {
  readonly #stream = new PassThrough();
  readonly #stored: Promise<BlobInfo>;
  #batch = '';
  #failure: unknown;

  constructor(blobStore: BlobStore, tenantId: string, key: string) {
    this.#stored = blobStore.put(tenantId, key, this.#stream, { contentType: 'application/x-ndjson' });
    // Seen here so a storage failure is not unhandled while rows are still being written.
    this.#stored.catch((error: unknown) => {
      this.#failure = error;
      this.#stream.destroy();
    });
  }

  /** Adds one row; resolves at once unless storage is behind. */
  write(row: unknown): undefined | Promise<void> {
    this.#batch += `${JSON.stringify(row)}\n`;
    if (this.#batch.length < FLUSH_BYTES) return undefined;
    return this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#failure) throw this.#failure;
    const batch = this.#batch;
    this.#batch = '';
    if (batch && !this.#stream.write(batch)) await Promise.race([once(this.#stream, 'drain'), this.#stored]);
  }

  /** Writes what is left and waits until the object is stored. */
  async close(): Promise<BlobInfo> {
    await this.#flush();
    this.#stream.end();
    return this.#stored;
  }

  /** Gives up: the object is not stored (or is removed by the store's own atomic commit). */
  abort(error: Error): void {
    this.#stream.destroy(error);
    this.#stored.catch(() => undefined);
  }
}
