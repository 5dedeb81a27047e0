import { createHash } from 'node:crypto';
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
  return parseJson<T>(await blobs.get(tenantId, key), key);
}

/** JSON written for the next phase and still held by this process, with the written bytes' digest and size. */
interface HeldJson {
  value: unknown;
  sha256: string;
  bytes: number;
}

// At most this many values held per blob store: a value is let go when the next phase takes it,
// and these few bound what a flow that failed in between keeps.
const MAX_HELD = 4;
const held = new WeakMap<BlobStore, Map<string, HeldJson>>();

/**
 * Writes `value` as JSON under `key`, like {@link putJson}, and keeps it in hand for the next
 * phase in this process ({@link takeJson}): the blob is the claim check that a resumed journey or
 * another worker reads, this process need not read back what it has just written.
 */
export async function putJsonForHandoff(
  blobs: BlobStore,
  tenantId: string,
  key: string,
  value: unknown,
): Promise<void> {
  const bytes = Buffer.from(JSON.stringify(value));
  await blobs.put(tenantId, key, bytes, { contentType: 'application/json' });
  let values = held.get(blobs);
  if (!values) {
    values = new Map();
    held.set(blobs, values);
  }
  const id = `${tenantId}\u0000${key}`;
  values.delete(id);
  values.set(id, { value, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength });
  for (const oldest of values.keys()) {
    if (values.size <= MAX_HELD) break;
    values.delete(oldest);
  }
}

/**
 * The JSON under `key`, with the sha256 and size of its stored bytes: the value this process
 * wrote with {@link putJsonForHandoff} if it still holds it (then let go), else read from the
 * blob store.
 * @throws {PlatformError} `NOT_FOUND` when it is missing; `CONTRACT_VIOLATION` when it is not JSON.
 */
export async function takeJson<T>(
  blobs: BlobStore,
  tenantId: string,
  key: string,
): Promise<{ value: T; sha256: string; bytes: number; fromHand: boolean }> {
  const id = `${tenantId}\u0000${key}`;
  const inHand = held.get(blobs)?.get(id);
  if (inHand) {
    held.get(blobs)?.delete(id);
    return { ...inHand, value: inHand.value as T, fromHand: true };
  }
  const bytes = await blobs.get(tenantId, key);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { value: parseJson<T>(bytes, key), sha256, bytes: bytes.byteLength, fromHand: false };
}

function parseJson<T>(bytes: Uint8Array, key: string): T {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as T;
  } catch (error) {
    throw new PlatformError('CONTRACT_VIOLATION', `'${key}' does not hold JSON: ${(error as Error).message}`, {
      details: { key },
      cause: error,
    });
  }
}
