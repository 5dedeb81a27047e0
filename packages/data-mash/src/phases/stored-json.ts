import { type BlobStore, PlatformError } from '@platform/foundations';

/** Writes `value` as JSON under `key` (replacing what was there). */
export async function putJson(blobs: BlobStore, tenantId: string, key: string, value: unknown): Promise<void> {
  await blobs.put(tenantId, key, Buffer.from(JSON.stringify(value)), { contentType: 'application/json' });
}

/**
 * Reads the JSON stored under `key`.
 * @throws {PlatformError} `NOT_FOUND` when it is missing; `CONTRACT_VIOLATION` when it is not JSON.
 */
export async function getJson<T>(blobs: BlobStore, tenantId: string, key: string): Promise<T> {
  const bytes = await blobs.get(tenantId, key);
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  } catch (error) {
    throw new PlatformError('CONTRACT_VIOLATION', `'${key}' does not hold JSON: ${(error as Error).message}`, {
      details: { key },
      cause: error,
    });
  }
}
