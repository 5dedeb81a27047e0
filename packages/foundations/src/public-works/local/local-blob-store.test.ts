import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeBlobStoreConformance } from '../../testing/index.js';
import { INLINE_BLOB_BYTES } from './local-blob-files.js';
import { LocalBlobStore } from './local-blob-store.js';

describeBlobStoreConformance('local', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'platform-blobs-'));
  const store = new LocalBlobStore({ directory });
  return {
    store,
    streamsReads: true,
    cleanup: async () => {
      await store.shutdown();
      await rm(directory, { recursive: true, force: true });
    },
  };
});

describe('LocalBlobStore specifics', () => {
  it('keeps no data file behind for replaced, deleted or refused writes', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'platform-blobs-'));
    try {
      const store = new LocalBlobStore({ directory });
      // Larger than what is kept inline, so each object has a data file of its own.
      const large = (text: string) => Buffer.concat([Buffer.from(text), Buffer.alloc(INLINE_BLOB_BYTES)]);
      await store.put('t1', 'a', large('one'));
      await store.put('t1', 'a', large('two'));
      await store.put('t1', 'b', large('three'));
      await store.delete('t1', 'b');
      await expect(store.put('t1', 'c', large('x'), { expectedSha256: '0'.repeat(64) })).rejects.toThrow();
      await store.put('t1', 'a', new TextEncoder().encode('inline now'));
      await store.put('t1', 'd', new TextEncoder().encode('inline'));
      await store.put('t1', 'd', large('four'));
      expect(await readdir(join(directory, 'data', 't1'))).toHaveLength(1);
      await store.shutdown();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('refuses key segments longer than file systems allow', async () => {
    const store = new LocalBlobStore({ directory: join(tmpdir(), 'never-created') });
    await expect(store.put('t1', `${'x'.repeat(300)}/y`, new Uint8Array(1))).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('keeps a key and a key below it apart', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'platform-blobs-'));
    try {
      const store = new LocalBlobStore({ directory });
      await store.put('t1', 'a', new TextEncoder().encode('file'));
      await store.put('t1', 'a/b', new TextEncoder().encode('below'));
      expect(Buffer.from(await store.get('t1', 'a')).toString()).toBe('file');
      expect((await store.list('t1')).items.map((item) => item.key)).toEqual(['a', 'a/b']);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
