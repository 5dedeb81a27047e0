import { Readable } from 'node:stream';
import { checkExpectedSha256, checkPutOptions, collectBody } from '../blob-body.js';
import { type BlobInfo, type BlobStore, validateBlobKey } from '../ports/blob-store.js';
import { assertTenantId, notFound, pageLimit } from '../ports/tenancy.js';

interface StoredBlob {
  info: BlobInfo;
  bytes: Buffer;
}

/** A {@link BlobStore} in process memory: for tests and short-lived tools. Nothing survives the process. */
export class MemoryBlobStore implements BlobStore {
  readonly kind = 'memory';
  readonly #blobs = new Map<string, StoredBlob>();

  #address(tenantId: string, key: string): string {
    assertTenantId(tenantId);
    validateBlobKey(key);
    return `${tenantId}\u0000${key}`;
  }

  async put(
    tenantId: string,
    key: string,
    body: Parameters<BlobStore['put']>[2],
    options?: Parameters<BlobStore['put']>[3],
  ) {
    const address = this.#address(tenantId, key);
    checkPutOptions(options);
    const { bytes, sha256 } = await collectBody(body);
    checkExpectedSha256(sha256, options);
    const info: BlobInfo = {
      tenantId,
      key,
      size: bytes.length,
      sha256,
      ...(options?.contentType ? { contentType: options.contentType } : {}),
      metadata: { ...(options?.metadata ?? {}) },
      createdAt: new Date(),
    };
    this.#blobs.set(address, { info, bytes });
    return structuredClone(info);
  }

  async get(tenantId: string, key: string): Promise<Uint8Array> {
    const blob = this.#blobs.get(this.#address(tenantId, key));
    if (!blob) throw notFound('blob', tenantId, key);
    return Buffer.from(blob.bytes);
  }

  async getStream(tenantId: string, key: string) {
    return Readable.from([await this.get(tenantId, key)]);
  }

  async head(tenantId: string, key: string) {
    const blob = this.#blobs.get(this.#address(tenantId, key));
    return blob ? structuredClone(blob.info) : undefined;
  }

  async delete(tenantId: string, key: string) {
    return this.#blobs.delete(this.#address(tenantId, key));
  }

  async list(tenantId: string, options: Parameters<BlobStore['list']>[1] = {}) {
    assertTenantId(tenantId);
    const limit = pageLimit(options);
    const prefix = options.prefix ?? '';
    // Ordered by the keys' UTF-8 bytes, as the local store and Cloud Storage list (JavaScript's
    // own order compares UTF-16 units, which puts U+10000 and above before U+E000-U+FFFF).
    const bytesOf = (key: string) => Buffer.from(key, 'utf8');
    const after = options.cursor === undefined ? undefined : bytesOf(options.cursor);
    const keys = [...this.#blobs.values()]
      .map((blob) => ({ info: blob.info, bytes: bytesOf(blob.info.key) }))
      .filter(
        ({ info, bytes }) =>
          info.tenantId === tenantId &&
          info.key.startsWith(prefix) &&
          (!after || after.length === 0 || Buffer.compare(bytes, after) > 0),
      )
      .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
      .map(({ info }) => info);
    const items = keys.slice(0, limit).map((info) => structuredClone(info));
    const last = items.at(-1);
    return keys.length > limit && last ? { items, nextCursor: last.key } : { items };
  }
}
