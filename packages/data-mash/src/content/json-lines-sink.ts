import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { BlobInfo, BlobStore } from '@platform/foundations';

const FLUSH_BYTES = 256 * 1024;
// Room past the flush mark, so that a line seldom finds the buffer too full to take it.
const CAPACITY = FLUSH_BYTES + 64 * 1024;

/**
 * Streams rows into a BlobStore object as JSON Lines while they are parsed: lines are encoded
 * into buffers of about 256 KiB as they come (no batch string to build, flatten and encode
 * again: strings that large go to V8's large-object space, which held 10-35 MB through a 1 GB
 * file), and a full pipe pauses the parser (the caller awaits `write`), so a table of any size
 * goes to storage with bounded memory.
 */
export class JsonLinesSink {
  readonly #stream = new PassThrough();
  readonly #stored: Promise<BlobInfo>;
  #buffer = Buffer.allocUnsafe(CAPACITY);
  #length = 0;
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
    const line = JSON.stringify(row);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit (JSON.stringify leaves no lone surrogate).
    const most = line.length * 3 + 1;
    if (this.#length + most > this.#buffer.length) this.#handOff(most);
    this.#length += this.#buffer.write(line, this.#length);
    this.#buffer[this.#length] = 0x0a;
    this.#length += 1;
    if (this.#length < FLUSH_BYTES) return undefined;
    return this.#flush();
  }

  /**
   * Room for one line of at most `most` bytes, its newline aside, to be written in place from
   * {@link lineStart} and ended with {@link endLine}: lines encoded straight from parsed bytes.
   */
  reserve(most: number): Buffer {
    if (this.#length + most + 1 > this.#buffer.length) this.#handOff(most + 1);
    return this.#buffer;
  }

  /** Where the line being written in the buffer {@link reserve} gave starts. */
  get lineStart(): number {
    return this.#length;
  }

  /** Ends the line written in place up to `end`; resolves at once unless storage is behind. */
  endLine(end: number): undefined | Promise<void> {
    this.#buffer[end] = 0x0a;
    this.#length = end + 1;
    if (this.#length < FLUSH_BYTES) return undefined;
    return this.#flush();
  }

  // Hands the lines so far to the stream and starts a buffer of at least `room` bytes. Only a
  // line longer than the room past the flush mark gets here; the flush after it waits for storage.
  #handOff(room: number): void {
    if (this.#failure) throw this.#failure;
    if (this.#length > 0) this.#stream.write(this.#buffer.subarray(0, this.#length));
    this.#buffer = Buffer.allocUnsafe(Math.max(CAPACITY, room));
    this.#length = 0;
  }

  async #flush(): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#length === 0) return;
    // The filled buffer goes to the stream as it is; later lines go to a new one.
    const filled = this.#buffer.subarray(0, this.#length);
    this.#buffer = Buffer.allocUnsafe(CAPACITY);
    this.#length = 0;
    if (!this.#stream.write(filled)) {
      try {
        await Promise.race([once(this.#stream, 'drain'), this.#stored]);
      } catch (error) {
        // The store failing (a full disk) also aborts the stream, and that abort can come first:
        // what the caller needs to hear is the store's reason, not "the operation was aborted".
        throw await this.#stored.then(
          () => error,
          (stored: unknown) => stored,
        );
      }
    }
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
