import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { Bucket, File, Storage, StorageOptions } from '@google-cloud/storage';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { checkExpectedSha256, checkPutOptions, chunksOf } from '../blob-body.js';
import { probeHealth } from '../health-probe.js';
import { type BlobInfo, type BlobStore, validateBlobKey } from '../ports/blob-store.js';
import { assertTenantId, notFound, pageLimit } from '../ports/tenancy.js';

/** Options of {@link GcsBlobStore}. */
export interface GcsBlobStoreOptions {
  bucket: string;
  /** Object name prefix for everything the store writes (`<prefix>/<tenant>/<key>`). */
  prefix?: string;
  /** A configured client; otherwise one is made from the options below and the usual Google credentials. */
  storage?: Storage;
  /** Another endpoint, e.g. an emulator (`http://127.0.0.1:9199`). */
  apiEndpoint?: string;
  projectId?: string;
  /**
   * How to authenticate: a `google-auth-library` client, e.g. `new GoogleAuth({ credentials,
   * scopes })` with a service account's key (which is also what signs URLs outside Google Cloud). Default:
   * Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, the metadata server).
   */
  authClient?: StorageOptions['authClient'];
  /** Bodies larger than this (when known) use a resumable upload. Default 8 MiB. */
  resumableThresholdBytes?: number;
  /** Retries of transient errors (429, 5xx, resets) by the client, with exponential backoff. Default 3; 0 turns retries off. */
  maxRetries?: number;
}

// Our own metadata key; user metadata keys starting with it are refused.
const SHA256_KEY = 'platform-sha256';

interface GcsMetadata {
  name?: string;
  size?: string | number;
  contentType?: string;
  timeCreated?: string;
  metadata?: Record<string, string | number | boolean | null> | null;
}

/**
 * Maps a client error (after the client's own retries) to the port's errors: 404 `NOT_FOUND`, 412
 * `CONFLICT`, 429 `RATE_LIMITED`, another 4xx `INTERNAL` (a request GCS cannot accept: a bug),
 * and the network, 408, 5xx and refused credentials (401/403) `ADAPTER_UNAVAILABLE`.
 */
export function translate(error: unknown, what: string): PlatformError {
  if (error instanceof PlatformError) return error;
  const code = (error as { code?: unknown }).code;
  const status = typeof code === 'number' ? code : undefined;
  const message = (error as Error).message ?? String(error);
  if (status === 404) return new PlatformError(ErrorCode.NOT_FOUND, `${what}: not found`, { cause: error });
  if (status === 412) return new PlatformError(ErrorCode.CONFLICT, `${what}: precondition failed`, { cause: error });
  const refused = status === 401 || status === 403;
  const reason = refused
    ? `access denied (${status}): check the credentials and the bucket's IAM permissions`
    : message.split('\n')[0];
  let kind: string = ErrorCode.ADAPTER_UNAVAILABLE;
  if (status === 429) kind = ErrorCode.RATE_LIMITED;
  else if (status !== undefined && status >= 400 && status < 500 && status !== 408 && !refused)
    kind = ErrorCode.INTERNAL;
  return new PlatformError(kind, `gcs: ${what}: ${reason}`, {
    details: { adapter: 'gcs', ...(status ? { status } : {}), ...(typeof code === 'string' ? { errno: code } : {}) },
    cause: error,
  });
}

/**
 * A {@link BlobStore} on Google Cloud Storage (`@google-cloud/storage`, an optional peer
 * dependency). Objects are named `<prefix>/<tenant>/<key>`; the sha256 computed while writing is
 * kept in the object's metadata. Uploads are checked by the client against crc32c, downloads
 * too; bodies above `resumableThresholdBytes` use resumable uploads. A stream is read (and
 * hashed) before its upload starts, in memory up to the threshold and in a temporary file beyond,
 * so a failed or refused write never replaces what was stored. Transient errors are retried by the
 * client with exponential backoff; the rest map to `NOT_FOUND`, `CONFLICT` or `ADAPTER_UNAVAILABLE`.
 */
export class GcsBlobStore implements BlobStore {
  readonly kind = 'gcs';
  readonly #options: GcsBlobStoreOptions;
  #bucket: Bucket | undefined;

  constructor(options: GcsBlobStoreOptions) {
    if (!/^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(options.bucket)) {
      throw new PlatformError(ErrorCode.CONFIG_INVALID, `gcs: '${options.bucket}' is not a bucket name`, {
        details: { adapter: 'gcs', field: 'bucket' },
      });
    }
    this.#options = { ...options, prefix: (options.prefix ?? '').replace(/^\/+|\/+$/g, '') };
  }

  /** Opens the client and checks that the bucket can be reached. @throws `ADAPTER_UNAVAILABLE` */
  async initialize(): Promise<void> {
    const bucket = await this.#open();
    try {
      await bucket.getFiles({ maxResults: 1, autoPaginate: false, prefix: this.#objectName('', '') });
    } catch (error) {
      throw translate(error, `bucket '${this.#options.bucket}' is not reachable`);
    }
  }

  /** Unhealthy, with the reason, when the bucket cannot be listed (start-up's check, again). */
  health() {
    return probeHealth(() => this.initialize());
  }

  async #open(): Promise<Bucket> {
    if (this.#bucket) return this.#bucket;
    let storage = this.#options.storage;
    if (!storage) {
      let StorageClass: new (options?: StorageOptions) => Storage;
      try {
        ({ Storage: StorageClass } = await import('@google-cloud/storage'));
      } catch (error) {
        throw new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, "gcs: install '@google-cloud/storage' to use it", {
          details: { adapter: 'gcs' },
          cause: error,
        });
      }
      const { apiEndpoint, projectId, authClient, maxRetries } = this.#options;
      storage = new StorageClass({
        ...(apiEndpoint ? { apiEndpoint } : {}),
        ...(projectId ? { projectId } : {}),
        ...(authClient ? { authClient } : {}),
        // maxRetries 0 alone still retries for a while (the client's time budget): turn retries off.
        retryOptions: maxRetries === 0 ? { autoRetry: false } : { autoRetry: true, maxRetries: maxRetries ?? 3 },
      });
    }
    this.#bucket = storage.bucket(this.#options.bucket);
    return this.#bucket;
  }

  #objectName(tenantId: string, key: string): string {
    const prefix = this.#options.prefix ? `${this.#options.prefix}/` : '';
    return tenantId ? `${prefix}${tenantId}/${key}` : prefix;
  }

  async #file(tenantId: string, key: string): Promise<File> {
    assertTenantId(tenantId);
    validateBlobKey(key);
    return (await this.#open()).file(this.#objectName(tenantId, key));
  }

  #info(tenantId: string, key: string, metadata: GcsMetadata): BlobInfo {
    const custom = { ...(metadata.metadata ?? {}) };
    const sha256 = String(custom[SHA256_KEY] ?? '');
    delete custom[SHA256_KEY];
    return {
      tenantId,
      key,
      size: Number(metadata.size ?? 0),
      sha256,
      ...(metadata.contentType ? { contentType: metadata.contentType } : {}),
      metadata: Object.fromEntries(Object.entries(custom).map(([name, value]) => [name, String(value)])),
      createdAt: new Date(metadata.timeCreated ?? 0),
    };
  }

  async put(
    tenantId: string,
    key: string,
    body: Parameters<BlobStore['put']>[2],
    options?: Parameters<BlobStore['put']>[3],
  ) {
    checkPutOptions(options);
    if (Object.keys(options?.metadata ?? {}).some((name) => name.startsWith('platform-'))) {
      throw new PlatformError(
        ErrorCode.VALIDATION_FAILED,
        "blob metadata keys starting with 'platform-' are reserved",
        {
          details: { field: 'metadata' },
        },
      );
    }
    const file = await this.#file(tenantId, key);
    const threshold = this.#options.resumableThresholdBytes ?? 8 * 1024 * 1024;
    const describe = (sha256: string) => ({
      ...(options?.contentType ? { contentType: options.contentType } : {}),
      metadata: { ...(options?.metadata ?? {}), [SHA256_KEY]: sha256 },
    });
    // The sha256 goes into the object's metadata, which is sent when the upload starts: a stream
    // is read first (in memory up to the threshold, else into a temporary file), then uploaded.
    const spooled = await spool(body, threshold);
    try {
      checkExpectedSha256(spooled.sha256, options);
      await pipeline(
        spooled.open(),
        file.createWriteStream({
          resumable: spooled.size > threshold,
          validation: 'crc32c',
          metadata: describe(spooled.sha256),
        }),
      );
      const [metadata] = await file.getMetadata();
      return this.#info(tenantId, key, metadata as GcsMetadata);
    } catch (error) {
      throw translate(error, `put '${key}'`);
    } finally {
      await spooled.release();
    }
  }

  async get(tenantId: string, key: string): Promise<Uint8Array> {
    const file = await this.#file(tenantId, key);
    try {
      const [bytes] = await file.download({ validation: 'crc32c' });
      return bytes;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) throw notFound('blob', tenantId, key);
      throw translate(error, `get '${key}'`);
    }
  }

  async getStream(tenantId: string, key: string): Promise<Readable> {
    const file = await this.#file(tenantId, key);
    // The object must exist before the stream is handed out: a missing one is NOT_FOUND here,
    // not an error event later.
    if (!(await this.head(tenantId, key))) throw notFound('blob', tenantId, key);
    return file.createReadStream({ validation: 'crc32c' });
  }

  async head(tenantId: string, key: string): Promise<BlobInfo | undefined> {
    const file = await this.#file(tenantId, key);
    try {
      const [metadata] = await file.getMetadata();
      return this.#info(tenantId, key, metadata as GcsMetadata);
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return undefined;
      throw translate(error, `head '${key}'`);
    }
  }

  async delete(tenantId: string, key: string): Promise<boolean> {
    const file = await this.#file(tenantId, key);
    try {
      await file.delete();
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return false;
      throw translate(error, `delete '${key}'`);
    }
  }

  async list(tenantId: string, options: Parameters<BlobStore['list']>[1] = {}) {
    assertTenantId(tenantId);
    const limit = pageLimit(options);
    const base = this.#objectName(tenantId, '');
    const bucket = await this.#open();
    const items: BlobInfo[] = [];
    let pageToken = options.cursor;
    try {
      // GCS pages may come back short: fill the page.
      while (items.length < limit) {
        const [files, next] = await bucket.getFiles({
          prefix: `${base}${options.prefix ?? ''}`,
          maxResults: limit - items.length,
          autoPaginate: false,
          ...(pageToken ? { pageToken } : {}),
        });
        for (const file of files)
          items.push(this.#info(tenantId, file.name.slice(base.length), file.metadata as GcsMetadata));
        pageToken = (next as { pageToken?: string } | null)?.pageToken;
        if (!pageToken) break;
      }
    } catch (error) {
      throw translate(error, 'list');
    }
    return pageToken ? { items, nextCursor: pageToken } : { items };
  }

  /**
   * A V4 signed URL that lets its holder read the object until it expires (default 15 minutes,
   * at most 7 days). Signing needs a service account (`authClient`), or
   * the IAM signBlob permission on Google Cloud.
   * @throws `NOT_FOUND` when there is no such object.
   */
  async signedReadUrl(tenantId: string, key: string, options: { expiresInSeconds?: number } = {}): Promise<string> {
    const seconds = options.expiresInSeconds ?? 900;
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 604_800) {
      throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'expiresInSeconds is a whole number from 1 to 604800', {
        details: { field: 'expiresInSeconds' },
      });
    }
    if (!(await this.head(tenantId, key))) throw notFound('blob', tenantId, key);
    const file = await this.#file(tenantId, key);
    try {
      const [url] = await file.getSignedUrl({ version: 'v4', action: 'read', expires: Date.now() + seconds * 1000 });
      return url;
    } catch (error) {
      throw translate(error, `sign a URL for '${key}'`);
    }
  }
}

/**
 * Reads a body whole, hashing it: bytes stay as they are, a stream is kept in memory up to
 * `threshold` bytes and in a temporary file beyond (never whole in memory).
 */
async function spool(
  body: Parameters<BlobStore['put']>[2],
  threshold: number,
): Promise<{ sha256: string; size: number; open: () => Readable; release: () => Promise<void> }> {
  if (body instanceof Uint8Array) {
    return {
      sha256: createHash('sha256').update(body).digest('hex'),
      size: body.byteLength,
      open: () => Readable.from([body]),
      release: async () => {},
    };
  }
  const hash = createHash('sha256');
  const buffered: Uint8Array[] = [];
  let size = 0;
  let directory: string | undefined;
  let out: ReturnType<typeof createWriteStream> | undefined;
  try {
    for await (const chunk of chunksOf(body)) {
      hash.update(chunk);
      size += chunk.byteLength;
      if (!out && size > threshold) {
        directory = await mkdtemp(join(tmpdir(), 'platform-gcs-'));
        out = createWriteStream(join(directory, 'body'));
        for (const earlier of buffered.splice(0)) out.write(earlier);
      }
      if (out) {
        if (!out.write(chunk)) await new Promise<void>((resolve) => out?.once('drain', () => resolve()));
      } else buffered.push(chunk);
    }
    if (out) {
      out.end();
      await finished(out);
    }
  } catch (error) {
    out?.destroy();
    if (directory) await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const path = directory ? join(directory, 'body') : undefined;
  return {
    sha256: hash.digest('hex'),
    size,
    open: () => (path ? createReadStream(path) : Readable.from(buffered)),
    release: async () => {
      if (directory) await rm(directory, { recursive: true, force: true });
    },
  };
}
