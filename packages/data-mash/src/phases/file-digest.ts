import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type BlobBody, PlatformError } from '@platform/foundations';

/** A file given to the flow: bytes or a stream (`data`), or a path on this machine. */
export type FlowFile = { name: string; declaredType?: string } & ({ data: BlobBody } | { path: string });

/** A file whose sha256 is known, ready to be read once more. */
export interface DigestedFile {
  sha256: string;
  /** A fresh body for the upload. */
  open(): BlobBody;
  /** Removes what digesting kept (a spooled stream's temporary copy). */
  release(): Promise<void>;
}

/** `FILE_TOO_LARGE`, as the Content Steward words it, found before anything is read or stored. */
function tooLarge(maxBytes: number): PlatformError {
  return new PlatformError(
    'FILE_TOO_LARGE',
    `the file is larger than the limit of ${maxBytes} bytes; raise limits.maxFileBytes (PLATFORM_MAX_FILE_BYTES) to accept it`,
    { details: { limitBytes: maxBytes, limit: 'limits.maxFileBytes', envVar: 'PLATFORM_MAX_FILE_BYTES' } },
  );
}

/**
 * Computes a file's sha256 before the flow starts (it names the journey). Bytes are hashed in
 * place, a path is read twice (hash, then upload), and a stream, which can be read only once,
 * is spooled to a temporary file while it is hashed. With `maxBytes`, a file over the limit is
 * refused with `FILE_TOO_LARGE` before it is read (a path, bytes) or as soon as the stream passes
 * it, so no time or disk goes to a file that will be refused.
 */
export async function digestFile(file: FlowFile, options: { maxBytes?: number } = {}): Promise<DigestedFile> {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  if ('path' in file) {
    const size = await stat(file.path).then(
      (info) => info.size,
      () => undefined,
    );
    if (size !== undefined && size > maxBytes) throw tooLarge(maxBytes);
    return { sha256: await hashStream(createReadStream(file.path)), open: () => createReadStream(file.path), release };
  }
  const { data } = file;
  if (data instanceof Uint8Array) {
    if (data.byteLength > maxBytes) throw tooLarge(maxBytes);
    return { sha256: createHash('sha256').update(data).digest('hex'), open: () => data, release };
  }
  if (data === null || typeof (data as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function') {
    throw new PlatformError('VALIDATION_FAILED', 'file data must be a Uint8Array, a Readable or an async iterable', {
      details: { field: 'file.data' },
    });
  }
  const directory = await mkdtemp(join(tmpdir(), 'data-mash-spool-'));
  const spooled = join(directory, 'upload');
  const hash = createHash('sha256');
  const out = createWriteStream(spooled);
  // Always listened to: a spool write still in flight when the upload fails (a client gone, the
  // limit passed) errors after `destroy()`, and an unheard stream error would end the process.
  let writeError: unknown;
  out.on('error', (error) => {
    writeError ??= error;
  });
  let size = 0;
  try {
    for await (const chunk of data as AsyncIterable<Uint8Array | string>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      hash.update(bytes);
      if (!out.write(bytes)) {
        await new Promise<void>((resolve, reject) => {
          const onError = (error: unknown) => reject(error);
          out.once('error', onError);
          out.once('drain', () => {
            out.off('error', onError);
            resolve();
          });
        });
      }
      if (writeError) throw writeError;
    }
    out.end();
    await finished(out);
  } catch (error) {
    out.destroy();
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  return {
    sha256: hash.digest('hex'),
    open: () => createReadStream(spooled),
    release: () => rm(directory, { recursive: true, force: true }),
  };
}

async function hashStream(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of stream) hash.update(chunk as Buffer);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlatformError(
      code === 'ENOENT' ? 'NOT_FOUND' : 'VALIDATION_FAILED',
      `cannot read the file: ${(error as Error).message}`,
      { details: { field: 'file.path', ...(code ? { errno: code } : {}) }, cause: error },
    );
  }
  return hash.digest('hex');
}

async function release(): Promise<void> {}
