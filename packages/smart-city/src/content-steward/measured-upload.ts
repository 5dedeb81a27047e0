import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { ErrorCode, PlatformError } from '@platform/foundations';
import type { IncomingFile } from './content-steward-types.js';

/** How much of the start of a file is kept for sniffing its type. */
const HEAD_BYTES = 65_536;

/** A file's bytes on their way to storage, and what was measured of them once they have all passed. */
export interface MeasuredUpload {
  /** The file's bytes, to be consumed once (by the blob store's `put`). */
  chunks: AsyncIterable<Uint8Array>;
  /** Bytes passed so far. */
  size(): number;
  /** The sha256 of all the bytes, in hex: call once, after `chunks` is consumed. */
  sha256(): string;
  /** The first bytes passed, for sniffing. */
  head(): Buffer;
}

/**
 * Wraps a file's data so that streaming it to storage once also hashes it, counts it and keeps its
 * first bytes: the file is never held whole in memory, nor read twice.
 * @throws {PlatformError} `FILE_TOO_LARGE` from the stream as soon as more than `maxSize` bytes have passed.
 */
export function measureUpload(data: IncomingFile['data'], maxSize: number): MeasuredUpload {
  const hash = createHash('sha256');
  let size = 0;
  const headChunks: Buffer[] = [];
  let headLength = 0;
  const source = data instanceof Uint8Array ? Readable.from([data]) : data;
  async function* counted() {
    for await (const raw of source as AsyncIterable<Uint8Array | string>) {
      const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
      size += chunk.byteLength;
      if (size > maxSize) {
        throw new PlatformError(
          ErrorCode.FILE_TOO_LARGE,
          `the file is larger than the limit of ${maxSize} bytes; raise limits.maxFileBytes (PLATFORM_MAX_FILE_BYTES) to accept it`,
          {
            details: { limitBytes: maxSize, limit: 'limits.maxFileBytes', envVar: 'PLATFORM_MAX_FILE_BYTES' },
          },
        );
      }
      hash.update(chunk);
      if (headLength < HEAD_BYTES) {
        headChunks.push(Buffer.from(chunk.subarray(0, HEAD_BYTES - headLength)));
        headLength += Math.min(chunk.byteLength, HEAD_BYTES - headLength);
      }
      yield chunk;
    }
  }
  return {
    chunks: counted(),
    size: () => size,
    sha256: () => hash.digest('hex'),
    head: () => Buffer.concat(headChunks),
  };
}
