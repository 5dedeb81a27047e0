import type { Readable } from 'node:stream';
import { z } from 'zod';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { type Page, type PageOptions, TenantIdSchema } from './tenancy.js';

/** What a blob store knows about a stored object. */
export const BlobInfoSchema = z.object({
  tenantId: TenantIdSchema,
  key: z.string(),
  size: z.number().int().nonnegative(),
  /** Hex sha256 of the bytes, computed while writing. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string().optional(),
  metadata: z.record(z.string(), z.string()),
  createdAt: z.date(),
});
export type BlobInfo = z.output<typeof BlobInfoSchema>;

/** Bytes to store: a buffer, or a stream (Node `Readable` or any async iterable of chunks). */
export type BlobBody = Uint8Array | Readable | AsyncIterable<Uint8Array>;

/** Options of {@link BlobStore.put}. */
export interface BlobPutOptions {
  contentType?: string;
  /** Small string metadata kept with the object (at most 32 entries). */
  metadata?: Record<string, string>;
  /** When given, the write fails with `VALIDATION_FAILED` (and stores nothing) if the bytes differ. */
  expectedSha256?: string;
}

/**
 * Bytes and streams by key, per tenant. Keys are relative paths of `/`-separated segments
 * (see {@link validateBlobKey}); the same key in two tenants names two objects.
 */
export interface BlobStore {
  /** Adapter name, e.g. `memory`, `local`, `gcs`. */
  readonly kind: string;
  /** Writes (or replaces) an object; returns its info with size and sha256. Streams are not buffered whole. */
  put(tenantId: string, key: string, body: BlobBody, options?: BlobPutOptions): Promise<BlobInfo>;
  /** The whole object. @throws `NOT_FOUND`. */
  get(tenantId: string, key: string): Promise<Uint8Array>;
  /** The object as a stream, for large objects. @throws `NOT_FOUND`. */
  getStream(tenantId: string, key: string): Promise<Readable>;
  /** The object's info, or `undefined` when there is none. */
  head(tenantId: string, key: string): Promise<BlobInfo | undefined>;
  /** Removes the object; `false` when there was none. */
  delete(tenantId: string, key: string): Promise<boolean>;
  /**
   * Objects whose key starts with `prefix`, in the order of the keys' UTF-8 bytes (as Cloud
   * Storage lists them; JavaScript's `<` on strings differs above U+FFFF), a page at a time.
   */
  list(tenantId: string, options?: PageOptions & { prefix?: string }): Promise<Page<BlobInfo>>;
}

const MAX_KEY_BYTES = 1024;

/**
 * Checks a blob key: 1-1024 bytes of `/`-separated segments, none empty, `.` or `..`; no leading
 * `/`, no backslash, no NUL or other control character, no drive letter. Such keys are safe as
 * relative paths on every backend.
 *
 * @throws {PlatformError} `VALIDATION_FAILED` naming the rule that was broken.
 */
export function validateBlobKey(key: unknown): asserts key is string {
  const fail = (why: string) => {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `invalid blob key: ${why}`, { details: { field: 'key' } });
  };
  if (typeof key !== 'string' || key.length === 0) return fail('it must be a non-empty string');
  // A lone surrogate has no UTF-8 form: stores write it as U+FFFD, so two such keys would name one object.
  if (!key.isWellFormed()) return fail('it is not well-formed Unicode (a lone surrogate)');
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return fail(`it is longer than ${MAX_KEY_BYTES} bytes`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(key)) return fail('it contains a control character');
  if (key.includes('\\')) return fail('it contains a backslash');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) return fail('it is an absolute path');
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return fail(`it has an empty, '.' or '..' segment`);
  }
}
