import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { checkExpectedSha256, checkPutOptions, chunksOf } from '../blob-body.js';
import { type BlobInfo, type BlobStore, validateBlobKey } from '../ports/blob-store.js';
import { assertTenantId, notFound, pageLimit } from '../ports/tenancy.js';
import { type LocalBlobSweepOptions, type LocalBlobSweptFile, sweepLocalBlobs } from './local-blob-sweep.js';

export type { LocalBlobSweepOptions, LocalBlobSweptFile } from './local-blob-sweep.js';

/** Options of {@link LocalBlobStore}. */
export interface LocalBlobStoreOptions {
  /** The directory holding the store; created when missing. */
  directory: string;
}

interface IndexEntry {
  size: number;
  sha256: string;
  contentType?: string;
  metadata: Record<string, string>;
  createdAt: string;
  /** Name of the data file holding the bytes. */
  data: string;
}

const MAX_SEGMENT_BYTES = 240;

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

/**
 * A {@link BlobStore} in a local directory. Each write streams to a fresh data file while hashing,
 * then commits by atomically renaming a small index file into place; replaced data is removed
 * after the commit. A crash can leave an unreferenced data file, never a half-written object;
 * {@link LocalBlobStore.sweep} finds and removes such leftovers.
 *
 * Layout: `index/<tenant>/<key>.json` points to `data/<tenant>/<uuid>`; `tmp/` holds index files
 * being written.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local';
  readonly #root: string;

  constructor(options: LocalBlobStoreOptions) {
    this.#root = resolve(options.directory);
  }

  /** The absolute directory of the store. */
  get directory(): string {
    return this.#root;
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

  #paths(tenantId: string, key: string): { index: string } {
    assertTenantId(tenantId);
    validateBlobKey(key);
    if (key.split('/').some((segment) => Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)) {
      throw new PlatformError(
        ErrorCode.VALIDATION_FAILED,
        `invalid blob key: a segment is longer than ${MAX_SEGMENT_BYTES} bytes`,
        {
          details: { field: 'key' },
        },
      );
    }
    return { index: this.#inside('index', tenantId, `${key}.json`) };
  }

  async #readIndex(path: string): Promise<IndexEntry | undefined> {
    try {
      return JSON.parse(await readFile(path, 'utf8')) as IndexEntry;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
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
    const { index } = this.#paths(tenantId, key);
    checkPutOptions(options);
    const dataName = randomUUID();
    const dataPath = this.#inside('data', tenantId, dataName);
    await mkdir(dirname(dataPath), { recursive: true });
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        chunksOf(body),
        async function* (source: AsyncIterable<Uint8Array>) {
          for await (const chunk of source) {
            hash.update(chunk);
            size += chunk.byteLength;
            yield chunk;
          }
        },
        createWriteStream(dataPath, { flags: 'wx' }),
      );
      const sha256 = hash.digest('hex');
      checkExpectedSha256(sha256, options);
      const entry: IndexEntry = {
        size,
        sha256,
        ...(options?.contentType ? { contentType: options.contentType } : {}),
        metadata: { ...(options?.metadata ?? {}) },
        createdAt: new Date().toISOString(),
        data: dataName,
      };
      const previous = await this.#readIndex(index);
      const pending = this.#inside('tmp', `${dataName}.json`);
      await mkdir(dirname(pending), { recursive: true });
      await writeFile(pending, JSON.stringify(entry), { flag: 'wx' });
      await mkdir(dirname(index), { recursive: true });
      await rename(pending, index);
      if (previous) await rm(this.#inside('data', tenantId, previous.data), { force: true });
      return this.#info(tenantId, key, entry);
    } catch (error) {
      await rm(dataPath, { force: true });
      throw error;
    }
  }

  async #open(tenantId: string, key: string): Promise<{ entry: IndexEntry; path: string }> {
    const { index } = this.#paths(tenantId, key);
    // A concurrent replace may remove the data file between reading the index and opening it:
    // read the index again once before giving up.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const entry = await this.#readIndex(index);
      if (!entry) break;
      const path = this.#inside('data', tenantId, entry.data);
      try {
        await stat(path);
        return { entry, path };
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    }
    throw notFound('blob', tenantId, key);
  }

  async get(tenantId: string, key: string): Promise<Uint8Array> {
    const { path } = await this.#open(tenantId, key);
    return readFile(path);
  }

  async getStream(tenantId: string, key: string): Promise<Readable> {
    const { path } = await this.#open(tenantId, key);
    return createReadStream(path, { highWaterMark: 256 * 1024 });
  }

  async head(tenantId: string, key: string) {
    const { index } = this.#paths(tenantId, key);
    const entry = await this.#readIndex(index);
    return entry ? this.#info(tenantId, key, entry) : undefined;
  }

  async delete(tenantId: string, key: string) {
    const { index } = this.#paths(tenantId, key);
    const entry = await this.#readIndex(index);
    if (!entry) return false;
    try {
      await rm(index);
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
    await rm(this.#inside('data', tenantId, entry.data), { force: true });
    return true;
  }

  /**
   * Finds what interrupted writes left behind and, unless `dryRun`, removes it: data files no index
   * points to (a write killed before its commit, a replace killed before removing the old bytes)
   * and pending index files in `tmp/` whose commit never happened. Objects stay untouched: a data
   * file is removed only when it was unreferenced by a look at the index both before and after it
   * was found, and older than `olderThanMs`.
   *
   * Memory: the data file names one tenant's index refers to, plus what is found.
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
    return sweepLocalBlobs(this.#root, options);
  }

  async list(tenantId: string, options: Parameters<BlobStore['list']>[1] = {}) {
    assertTenantId(tenantId);
    const limit = pageLimit(options);
    const prefix = options.prefix ?? '';
    const base = this.#inside('index', tenantId);
    let files: string[];
    try {
      files = await readdir(base, { recursive: true });
    } catch (error) {
      if (isMissing(error)) return { items: [] };
      throw error;
    }
    const keys = files
      .filter((file) => file.endsWith('.json'))
      .map((file) => file.split(sep).join('/').slice(0, -'.json'.length))
      .filter((key) => key.startsWith(prefix) && (!options.cursor || key > options.cursor))
      .sort();
    const items: BlobInfo[] = [];
    for (const key of keys) {
      if (items.length > limit) break;
      const entry = await this.#readIndex(join(base, `${key}.json`));
      if (entry) items.push(this.#info(tenantId, key, entry));
    }
    const page = items.slice(0, limit);
    const last = page.at(-1);
    return items.length > limit && last ? { items: page, nextCursor: last.key } : { items: page };
  }
}
