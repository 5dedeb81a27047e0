import { createHash } from 'node:crypto';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import type { BlobBody, BlobPutOptions } from './ports/blob-store.js';

/** The chunks of any {@link BlobBody}, as `Uint8Array`s. */
export async function* chunksOf(body: BlobBody): AsyncIterable<Uint8Array> {
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  if (body === null || typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
    throw new PlatformError(
      ErrorCode.VALIDATION_FAILED,
      'blob body must be a Uint8Array, a Readable or an async iterable',
      {
        details: { field: 'body' },
      },
    );
  }
  for await (const chunk of body as AsyncIterable<unknown>) {
    if (chunk instanceof Uint8Array) yield chunk;
    else if (typeof chunk === 'string') yield Buffer.from(chunk);
    else {
      throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'blob body streams must yield bytes', {
        details: { field: 'body' },
      });
    }
  }
}

/** Checks put options shared by every blob store. */
export function checkPutOptions(options: BlobPutOptions | undefined): void {
  const entries = Object.entries(options?.metadata ?? {});
  if (
    entries.length > 32 ||
    entries.some(([key, value]) => typeof value !== 'string' || key.length > 128 || value.length > 1024)
  ) {
    throw new PlatformError(
      ErrorCode.VALIDATION_FAILED,
      'blob metadata is at most 32 string entries (keys 128, values 1024 characters)',
      {
        details: { field: 'metadata' },
      },
    );
  }
  if (options?.expectedSha256 !== undefined && !/^[0-9a-f]{64}$/.test(options.expectedSha256)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'expectedSha256 must be 64 lowercase hex characters', {
      details: { field: 'expectedSha256' },
    });
  }
}

/** Throws `VALIDATION_FAILED` when the written bytes do not have the sha256 the caller expected. */
export function checkExpectedSha256(actual: string, options: BlobPutOptions | undefined): void {
  if (options?.expectedSha256 !== undefined && options.expectedSha256 !== actual) {
    throw new PlatformError(
      ErrorCode.VALIDATION_FAILED,
      'the bytes received do not match expectedSha256; nothing was stored',
      {
        details: { field: 'body', expectedSha256: options.expectedSha256, actualSha256: actual },
      },
    );
  }
}

/** Reads a whole body into memory, hashing it on the way. */
export async function collectBody(body: BlobBody): Promise<{ bytes: Buffer; sha256: string }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  for await (const chunk of chunksOf(body)) {
    hash.update(chunk);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return { bytes: Buffer.concat(chunks), sha256: hash.digest('hex') };
}
