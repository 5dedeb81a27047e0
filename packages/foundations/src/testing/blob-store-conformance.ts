import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../public-works/ports/blob-store.js';
import { expectPlatformError, uniqueTenant } from './assertions.js';

/** What a blob store conformance run needs: a store, and how to clean up after it. */
export interface BlobStoreFixture {
  store: BlobStore;
  cleanup?: () => Promise<void>;
  /** The store streams reads in chunks instead of one buffer (local files, GCS). */
  streamsReads?: boolean;
  /**
   * `false` for a server that lists in JavaScript's string order instead of by the keys' UTF-8
   * bytes, as the Cloud Storage emulator does (Cloud Storage itself lists by bytes): the order
   * past U+FFFF is then not checked. Default `true`.
   */
  listsByUtf8Bytes?: boolean;
}

const text = (value: string) => new TextEncoder().encode(value);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: Readable): Promise<{ bytes: Buffer; chunks: number }> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Uint8Array));
  return { bytes: Buffer.concat(parts), chunks: parts.length };
}

/** A stream of `total` pseudo-random bytes in chunks of `chunk` bytes, generated lazily. */
function generated(total: number, chunk = 64 * 1024): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  let seed = 7;
  const stream = new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(chunk, total - sent);
      const bytes = Buffer.allocUnsafe(size);
      for (let index = 0; index < size; index += 1) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        bytes[index] = seed & 0xff;
      }
      hash.update(bytes);
      sent += size;
      this.push(bytes);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

/**
 * The shared behaviour every {@link BlobStore} adapter must have. Call it from a vitest file:
 *
 * ```ts
 * describeBlobStoreConformance('my-store', async () => ({ store: new MyStore(...), cleanup }));
 * ```
 */
export function describeBlobStoreConformance(name: string, setup: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let fixture: BlobStoreFixture;
    let store: BlobStore;
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    it('stores, reads, describes and deletes an object', async () => {
      const tenant = uniqueTenant();
      const bytes = text('id,name\n1,Ada\n');
      const info = await store.put(tenant, 'uploads/a.csv', bytes, {
        contentType: 'text/csv',
        metadata: { origin: 'test' },
      });
      expect(info).toMatchObject({ tenantId: tenant, key: 'uploads/a.csv', size: bytes.length, sha256: sha256(bytes) });
      expect(Buffer.from(await store.get(tenant, 'uploads/a.csv')).equals(Buffer.from(bytes))).toBe(true);
      expect(await store.head(tenant, 'uploads/a.csv')).toMatchObject({
        size: bytes.length,
        sha256: sha256(bytes),
        contentType: 'text/csv',
        metadata: { origin: 'test' },
      });
      expect(await store.delete(tenant, 'uploads/a.csv')).toBe(true);
      expect(await store.delete(tenant, 'uploads/a.csv')).toBe(false);
      expect(await store.head(tenant, 'uploads/a.csv')).toBeUndefined();
      await expectPlatformError(store.get(tenant, 'uploads/a.csv'), 'NOT_FOUND');
      await expectPlatformError(store.getStream(tenant, 'uploads/a.csv'), 'NOT_FOUND');
    });

    it('replaces an object written again under the same key', async () => {
      const tenant = uniqueTenant();
      await store.put(tenant, 'k', text('first'));
      await store.put(tenant, 'k', text('second'));
      expect(Buffer.from(await store.get(tenant, 'k')).toString()).toBe('second');
    });

    it('stores an empty object', async () => {
      const tenant = uniqueTenant();
      expect((await store.put(tenant, 'empty', new Uint8Array(0))).size).toBe(0);
      expect((await store.get(tenant, 'empty')).length).toBe(0);
    });

    it('streams a large object in and out, with the right size and checksum', async () => {
      const tenant = uniqueTenant();
      const total = 8 * 1024 * 1024 + 13;
      const source = generated(total);
      const info = await store.put(tenant, 'big/blob.bin', source.stream);
      const expected = source.digest();
      expect(info).toMatchObject({ size: total, sha256: expected });
      const { bytes, chunks } = await readAll(await store.getStream(tenant, 'big/blob.bin'));
      expect(bytes.length).toBe(total);
      expect(sha256(bytes)).toBe(expected);
      if (fixture.streamsReads) expect(chunks).toBeGreaterThan(4);
    });

    it('accepts async iterables of chunks', async () => {
      const tenant = uniqueTenant();
      async function* parts() {
        yield text('a,');
        yield text('b');
      }
      await store.put(tenant, 'iter', parts());
      expect(Buffer.from(await store.get(tenant, 'iter')).toString()).toBe('a,b');
    });

    it('lists by prefix in key order, page by page', async () => {
      const tenant = uniqueTenant();
      const keys = ['p/c', 'p/a', 'p/b/1', 'q/z', 'p/d', 'p/b/2'];
      for (const key of keys) await store.put(tenant, key, text(key));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list(tenant, { prefix: 'p/', limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items.map((item) => item.key));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toEqual(['p/a', 'p/b/1', 'p/b/2', 'p/c', 'p/d']);
    });

    it("lists in the order of the keys' UTF-8 bytes, also past U+FFFF, page by page", async () => {
      const tenant = uniqueTenant();
      // UTF-8 puts U+FF5A before U+1F600; JavaScript's string order puts it after.
      const keys = ['u/\u{1F600}', 'u/\uFF5A', 'u/z', 'u/\u00E9'];
      for (const key of keys) await store.put(tenant, key, text(key));
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list(tenant, { prefix: 'u/', limit: 1, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((item) => item.key));
        cursor = page.nextCursor;
      } while (cursor);
      const byBytes = ['u/z', 'u/\u00E9', 'u/\uFF5A', 'u/\u{1F600}'];
      expect(seen).toEqual(fixture.listsByUtf8Bytes === false ? [...byBytes].sort() : byBytes);
    });

    it('keeps tenants apart for every method', async () => {
      const owner = uniqueTenant('owner');
      const other = uniqueTenant('other');
      await store.put(owner, 'secret.txt', text('mine'));
      await expectPlatformError(store.get(other, 'secret.txt'), 'NOT_FOUND');
      expect(await store.head(other, 'secret.txt')).toBeUndefined();
      expect((await store.list(other, {})).items).toEqual([]);
      expect(await store.delete(other, 'secret.txt')).toBe(false);
      await store.put(other, 'secret.txt', text('theirs'));
      expect(Buffer.from(await store.get(owner, 'secret.txt')).toString()).toBe('mine');
    });

    it.each([
      ['parent traversal', '../etc/passwd'],
      ['nested traversal', 'a/../../b'],
      ['absolute path', '/etc/passwd'],
      ['drive letter', 'C:/Windows/win.ini'],
      ['backslash', 'a\\b'],
      ['NUL byte', 'a\u0000b'],
      ['control character', 'a\nb'],
      ['empty segment', 'a//b'],
      ['dot segment', './a'],
      ['empty key', ''],
      ['oversized key', 'k'.repeat(1025)],
      // No UTF-8 form: stored as U+FFFD, 'a\uD800' and 'a\uDC00' would name one object.
      ['lone surrogate', 'a\uD800'],
    ])('refuses a hostile key (%s) and stores nothing', async (_label, key) => {
      const tenant = uniqueTenant();
      await expectPlatformError(store.put(tenant, key, text('x')), 'VALIDATION_FAILED');
      await expectPlatformError(store.get(tenant, key), 'VALIDATION_FAILED');
      expect((await store.list(tenant, {})).items).toEqual([]);
    });

    it('refuses an invalid tenant id', async () => {
      await expectPlatformError(store.put('../other', 'k', text('x')), 'VALIDATION_FAILED');
      await expectPlatformError(store.list('', {}), 'VALIDATION_FAILED');
    });

    it('refuses bytes that do not match expectedSha256, keeping what was stored', async () => {
      const tenant = uniqueTenant();
      await store.put(tenant, 'kept', text('original'));
      await expectPlatformError(
        store.put(tenant, 'kept', text('tampered'), { expectedSha256: sha256(text('other')) }),
        'VALIDATION_FAILED',
      );
      expect(Buffer.from(await store.get(tenant, 'kept')).toString()).toBe('original');
      await expectPlatformError(
        store.put(tenant, 'new', text('x'), { expectedSha256: sha256(text('y')) }),
        'VALIDATION_FAILED',
      );
      expect(await store.head(tenant, 'new')).toBeUndefined();
      const ok = await store.put(tenant, 'checked', text('x'), { expectedSha256: sha256(text('x')) });
      expect(ok.sha256).toBe(sha256(text('x')));
    });

    it('commits nothing when the body fails mid-stream, keeping what was stored', async () => {
      const tenant = uniqueTenant();
      await store.put(tenant, 'kept', text('original'));
      async function* failing(): AsyncGenerator<Uint8Array> {
        yield text('partial ');
        throw new Error('the upload broke');
      }
      await expect(store.put(tenant, 'kept', failing())).rejects.toThrow();
      await expect(store.put(tenant, 'never', failing())).rejects.toThrow();
      expect(Buffer.from(await store.get(tenant, 'kept')).toString()).toBe('original');
      expect(await store.head(tenant, 'never')).toBeUndefined();
    });

    it('loses nothing when many writers work at once', async () => {
      const tenant = uniqueTenant();
      await Promise.all(
        Array.from({ length: 40 }, (_, index) =>
          store.put(tenant, `many/${String(index).padStart(2, '0')}`, text(`v${index}`)),
        ),
      );
      const page = await store.list(tenant, { prefix: 'many/', limit: 100 });
      expect(page.items.map((item) => item.key)).toEqual(
        Array.from({ length: 40 }, (_, index) => `many/${String(index).padStart(2, '0')}`),
      );
      const bodies = Array.from({ length: 10 }, (_, index) => text(`writer-${index}`.repeat(1000)));
      await Promise.all(bodies.map((body) => store.put(tenant, 'contended', body)));
      const final = await store.get(tenant, 'contended');
      // Last writer wins, whole: the object is exactly one of the bodies, never a mix.
      expect(bodies.map((body) => sha256(body))).toContain(sha256(final));
    });
  });
}
