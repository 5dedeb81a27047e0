import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { checkExpectedSha256, checkPutOptions, chunksOf } from '../blob-body.js';
import { type BlobInfo, type BlobStore, validateBlobKey } from '../ports/blob-store.js';
import { assertTenantId, notFound, pageLimit } from '../ports/tenancy.js';
import { INLINE_BLOB_BYTES, isMissing, joined, readHead } from './local-blob-files.js';
import { type IndexEntry, LocalBlobIndex } from './local-blob-index.js';
import {
  type LocalBlobSweepOptions,
  type LocalBlobSweptFile,
  legacyReferencedData,
  sweepLocalBlobs,
} from './local-blob-sweep.js';

export type { LocalBlobSweepOptions, LocalBlobSweptFile } from './local-blob-sweep.js';

/** Options of {@link LocalBlobStore}. */
export interface LocalBlobStoreOptions {
  /** The directory holding the store; created when missing. */
  directory: string;
}

const MAX_SEGMENT_BYTES = 240;

/**
 * A {@link BlobStore} in a local directory, several processes sharing it safely. Its index is one
 * SQLite file (`index.db`): an object up to 64 KiB is kept in its row; a larger one streams to a
 * fresh data file (`data/<tenant>/<uuid>`) while hashing, and its row points to it. A write commits
 * in one SQLite transaction after its bytes are stored; replaced data is removed after the commit.
 * A crash can leave an unreferenced data file, never a half-written object;
 * {@link LocalBlobStore.sweep} finds and removes such leftovers. A store written by an earlier
 * version (one JSON index file an object, under `index/`) is imported when first opened.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local';
  readonly #root: string;
  #index: Promise<LocalBlobIndex> | undefined;

  constructor(options: LocalBlobStoreOptions) {
    this.#root = resolve(options.directory);
  }

  /** The absolute directory of the store. */
  get directory(): string {
    return this.#root;
  }

  /** Opens the index, if not yet open (every method does it when first called). */
  async initialize(): Promise<void> {
    await this.#openIndex();
  }

  /** Closes the index; a later call opens it again. */
  async shutdown(): Promise<void> {
    const index = this.#index;
    this.#index = undefined;
    if (index) (await index.catch(() => undefined))?.close();
  }

  #openIndex(): Promise<LocalBlobIndex> {
    if (!this.#index) {
      const opening = LocalBlobIndex.open(this.#root);
      this.#index = opening;
      // A failed open is tried again by the next call, not remembered.
      opening.catch(() => {
        if (this.#index === opening) this.#index = undefined;
      });
    }
    return this.#index;
  }

  #inside(...parts: string[]): string {
    const path = resolve(this.#root, ...parts);
    // Keys and tenants are validated already; this is the second lock on the same door.
    if (!path.startsWith(this.#root + sep)) {
      throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'invalid blob key: it resolves outside the store', {
        details: { field: 'key' },
      });
    }
    return path;
  }

  #checkKey(tenantId: string, key: string): void {
    assertTenantId(tenantId);
    validateBlobKey(key);
    // Kept from when keys were file names, so that a key this store accepts moves to any other.
    if (key.split('/').some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)) {
      throw new PlatformError(
        ErrorCode.VALIDATION_FAILED,
        `invalid blob key: a segment is longer than ${MAX_SEGMENT_BYTES} bytes`,
        { details: { field: 'key' } },
      );
    }
  }

  #info(tenantId: string, key: string, entry: IndexEntry): BlobInfo {
    return {
      tenantId,
      key,
      size: entry.size,
      sha256: entry.sha256,
      ...(entry.contentType ? { contentType: entry.contentType } : {}),
      metadata: { ...entry.metadata },
      createdAt: new Date(entry.createdAt),
    };
  }

  async put(
    tenantId: string,
    key: string,
    body: Parameters<BlobStore['put']>[2],
    options?: Parameters<BlobStore['put']>[3],
  ) {
    this.#checkKey(tenantId, key);
    checkPutOptions(options);
    const index = await this.#openIndex();
    const head = await readHead(chunksOf(body), INLINE_BLOB_BYTES);
    const hash = createHash('sha256');
    const entry = (size: number, data?: string): IndexEntry => ({
      size,
      sha256: hash.digest('hex'),
      ...(options?.contentType ? { contentType: options.contentType } : {}),
      metadata: { ...(options?.metadata ?? {}) },
      createdAt: new Date().toISOString(),
      ...(data === undefined ? {} : { data }),
    });
    if (head.rest === undefined) {
      // Small: hashed and checked before anything is written, then committed in its row.
      const bytes = head.chunks.length === 1 ? (head.chunks[0] as Uint8Array) : Buffer.concat(head.chunks);
      hash.update(bytes);
      const small = entry(bytes.byteLength);
      checkExpectedSha256(small.sha256, options);
      this.#removeData(tenantId, await index.put(tenantId, key, small, bytes));
      return this.#info(tenantId, key, small);
    }
    const dataName = randomUUID();
    const dataPath = this.#inside('data', tenantId, dataName);
    try {
      let size = 0;
      await mkdir(dirname(dataPath), { recursive: true });
      await pipeline(
        joined(head.chunks, head.rest),
        async function* (source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            hash.update(chunk);
            size += chunk.byteLength;
            yield chunk;
          }
        },
        createWriteStream(dataPath, { flags: 'wx' }),
      );
      const large = entry(size, dataName);
      checkExpectedSha256(large.sha256, options);
      this.#removeData(tenantId, await index.put(tenantId, key, large, undefined, dataPath));
      return this.#info(tenantId, key, large);
    } catch (error) {
      rmSync(dataPath, { force: true });
      throw error;
    }
  }

  /** Removes the data file of an object that was replaced or deleted (committed already). */
  #removeData(tenantId: string, dataName: string | undefined): void {
    if (dataName !== undefined) rmSync(this.#inside('data', tenantId, dataName), { force: true });
  }

  /**
   * The object's bytes when they are in the index, or else its data file, opened: the file is
   * opened here, not when it is first read, so a replace or delete by another writer in between
   * is NOT_FOUND (or the newer object), never an ENOENT from the read.
   */
  async #open(tenantId: string, key: string): Promise<{ inline: Buffer } | { file: FileHandle }> {
    this.#checkKey(tenantId, key);
    const index = await this.#openIndex();
    // A concurrent replace may remove the data file between reading the index and opening it:
    // read the index again once before giving up.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const row = index.get(tenantId, key);
      if (!row) break;
      const { inline } = row;
      // A Buffer, as for a large object (and in the other stores), viewing the row's bytes.
      if (inline) return { inline: Buffer.from(inline.buffer, inline.byteOffset, inline.byteLength) };
      try {
        return { file: await open(this.#inside('data', tenantId, row.entry.data as string), 'r') };
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    throw notFound('blob', tenantId, key);
  }

  async get(tenantId: string, key: string): Promise<Uint8Array> {
    const found = await this.#open(tenantId, key);
    if ('inline' in found) return found.inline;
    try {
      return await found.file.readFile();
    } finally {
      await found.file.close();
    }
  }

  async getStream(tenantId: string, key: string): Promise<Readable> {
    const found = await this.#open(tenantId, key);
    if ('inline' in found) return Readable.from([found.inline], { objectMode: false });
    return found.file.createReadStream({ highWaterMark: 256 * 1024 });
  }

  async head(tenantId: string, key: string) {
    this.#checkKey(tenantId, key);
    const row = (await this.#openIndex()).get(tenantId, key);
    return row ? this.#info(tenantId, key, row.entry) : undefined;
  }

  async delete(tenantId: string, key: string) {
    this.#checkKey(tenantId, key);
    const removed = await (await this.#openIndex()).delete(tenantId, key);
    if (!removed) return false;
    this.#removeData(tenantId, removed.data);
    return true;
  }

  /**
   * Finds what interrupted writes left behind and, unless `dryRun`, removes it: data files no
   * object points to (a write killed before its commit, a replace killed before removing the old
   * bytes) and pending index files an earlier version left in `tmp/`. A data file an index file of
   * an earlier version points to (`index/`, as a process not yet upgraded writes) is kept. Objects stay untouched: a
   * data file is removed only when it was unreferenced by a look at the index both before and
   * after it was found, and older than `olderThanMs`.
   *
   * Memory: the data file names one tenant's objects refer to, plus what is found.
   *
   * @throws `VALIDATION_FAILED` for an invalid tenant id or `olderThanMs`.
   */
  async sweep(options: LocalBlobSweepOptions): Promise<{ files: LocalBlobSweptFile[] }> {
    if (options.tenantId !== undefined) assertTenantId(options.tenantId);
    if (!Number.isFinite(options.olderThanMs) || options.olderThanMs < 0) {
      throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'olderThanMs must be a number of milliseconds ≥ 0', {
        details: { field: 'olderThanMs' },
      });
    }
    const index = await this.#openIndex();
    const legacy = (tenantId: string) => legacyReferencedData(this.#root, tenantId);
    return sweepLocalBlobs(
      this.#root,
      options,
      async (tenantId) => {
        const referenced = index.referencedData(tenantId);
        for (const name of await legacy(tenantId)) referenced.add(name);
        return referenced;
      },
      (files) => index.removeUnreferenced(files, legacy),
    );
  }

  async list(tenantId: string, options: Parameters<BlobStore['list']>[1] = {}) {
    assertTenantId(tenantId);
    const limit = pageLimit(options);
    const rows = (await this.#openIndex()).list(tenantId, options.prefix ?? '', options.cursor, limit + 1);
    const page = rows.slice(0, limit).map((row) => this.#info(tenantId, row.key, row.entry));
    const last = page.at(-1);
    return rows.length > limit && last ? { items: page, nextCursor: last.key } : { items: page };
  }
}
