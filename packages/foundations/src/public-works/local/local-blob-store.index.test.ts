import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { buffer } from 'node:stream/consumers';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INLINE_BLOB_BYTES } from './local-blob-files.js';
import { LocalBlobStore } from './local-blob-store.js';

// Small objects live in the index (index.db), large ones in data files (ADR 0023):
// these tests hold both paths and the boundary between them to the same results.

let directory: string;
let store: LocalBlobStore;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'platform-local-blob-small-'));
  store = new LocalBlobStore({ directory });
});

afterAll(async () => {
  await store.shutdown();
  await rm(directory, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function* inChunks(bytes: Uint8Array, cuts: number[]): AsyncIterable<Uint8Array> {
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

async function dataFiles(tenantId: string): Promise<string[]> {
  return readdir(join(directory, 'data', tenantId)).catch(() => []);
}

describe('LocalBlobStore: small and large objects', () => {
  it('stores the same bytes and sha256 on either side of the small-object limit, however the body is cut', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: INLINE_BLOB_BYTES - 3, max: INLINE_BLOB_BYTES + 3 }),
        fc.array(fc.integer({ min: 0, max: INLINE_BLOB_BYTES + 3 }), { maxLength: 4 }),
        fc.boolean(),
        async (size, cuts, asStream) => {
          const bytes = new Uint8Array(size).map((_, index) => (index * 31 + round) % 251);
          const key = `boundary/${round++}.bin`;
          const body = asStream
            ? inChunks(
                bytes,
                cuts.filter((cut) => cut <= size),
              )
            : bytes;
          const info = await store.put('t-small', key, body);
          expect(info.size).toBe(size);
          expect(info.sha256).toBe(sha256(bytes));
          expect(Buffer.from(await store.get('t-small', key)).equals(Buffer.from(bytes))).toBe(true);
          const streamed = await buffer(await store.getStream('t-small', key));
          expect(streamed.equals(Buffer.from(bytes))).toBe(true);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('keeps writing large objects when their directory is removed behind its back', async () => {
    const large = new Uint8Array(INLINE_BLOB_BYTES * 2).fill(3);
    await store.put('t-removed', 'a/one.bin', large);
    await rm(join(directory, 'data', 't-removed'), { recursive: true });
    const info = await store.put('t-removed', 'a/two.bin', large);
    expect(info.size).toBe(large.byteLength);
    expect((await store.get('t-removed', 'a/two.bin')).byteLength).toBe(large.byteLength);
  });

  it('stores nothing when a small body does not match expectedSha256', async () => {
    const before = await dataFiles('t-mismatch');
    await expect(
      store.put('t-mismatch', 'x.txt', new TextEncoder().encode('abc'), { expectedSha256: '0'.repeat(64) }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await store.head('t-mismatch', 'x.txt')).toBeUndefined();
    expect(await dataFiles('t-mismatch')).toEqual(before);
  });

  it('stores nothing and closes the source when a large stream fails after its first chunks', async () => {
    let closed = false;
    async function* failing(): AsyncIterable<Uint8Array> {
      try {
        yield new Uint8Array(INLINE_BLOB_BYTES);
        yield new Uint8Array(1024);
        throw new Error('source broke');
      } finally {
        closed = true;
      }
    }
    await expect(store.put('t-broken', 'big.bin', failing())).rejects.toThrow('source broke');
    expect(closed).toBe(true);
    expect(await store.head('t-broken', 'big.bin')).toBeUndefined();
    expect(await dataFiles('t-broken')).toEqual([]);
  });

  it('keeps a small object in its index file, and a large one in a data file removed when replaced', async () => {
    const small = new TextEncoder().encode('small');
    const large = new Uint8Array(INLINE_BLOB_BYTES * 2).fill(7);
    await store.put('t-replace', 'k.bin', small);
    expect(await dataFiles('t-replace')).toHaveLength(0);
    await store.put('t-replace', 'k.bin', large);
    expect(await dataFiles('t-replace')).toHaveLength(1);
    expect((await store.get('t-replace', 'k.bin')).byteLength).toBe(large.byteLength);
    await store.put('t-replace', 'k.bin', small);
    expect(new TextDecoder().decode(await store.get('t-replace', 'k.bin'))).toBe('small');
    expect(await dataFiles('t-replace')).toHaveLength(0);
  });

  it('imports the index files of a store written by an earlier version when first opened', async () => {
    const old = await mkdtemp(join(tmpdir(), 'platform-local-blob-old-'));
    try {
      const bytes = new TextEncoder().encode('written by an earlier version');
      await mkdir(join(old, 'data', 't-old'), { recursive: true });
      await mkdir(join(old, 'index', 't-old', 'nested'), { recursive: true });
      const dataName = '3b2f0c1e-5a4d-4e8f-9c7b-1a2b3c4d5e6f';
      await writeFile(join(old, 'data', 't-old', dataName), bytes);
      const entry = {
        size: bytes.byteLength,
        sha256: sha256(bytes),
        contentType: 'text/plain',
        metadata: { origin: 'v0' },
        createdAt: new Date(0).toISOString(),
        data: dataName,
      };
      await writeFile(join(old, 'index', 't-old', 'nested', 'old.txt.json'), JSON.stringify(entry));
      const opened = [new LocalBlobStore({ directory: old }), new LocalBlobStore({ directory: old })];
      // Two stores opening at once: one imports, neither fails nor imports twice.
      const [first, second] = await Promise.all(opened.map((each) => each.head('t-old', 'nested/old.txt')));
      expect(first).toMatchObject({ size: bytes.byteLength, sha256: entry.sha256, contentType: 'text/plain' });
      expect(second).toEqual(first);
      const store0 = opened[0] as LocalBlobStore;
      expect(new TextDecoder().decode(await store0.get('t-old', 'nested/old.txt'))).toBe(
        'written by an earlier version',
      );
      expect((await store0.list('t-old')).items.map((item) => item.key)).toEqual(['nested/old.txt']);
      // The imported object's data file is referenced: a sweep leaves it.
      expect((await store0.sweep({ tenantId: 't-old', olderThanMs: 0, dryRun: true })).files).toEqual([]);
      await store0.put('t-old', 'nested/old.txt', new TextEncoder().encode('new'));
      expect(await readdir(join(old, 'data', 't-old'))).toEqual([]);
      await Promise.all(opened.map((each) => each.shutdown()));
    } finally {
      await rm(old, { recursive: true, force: true });
    }
  });

  it.each([
    ['does not parse', 't1/x.json', '{"size":'],
    ['is not an object', 't1/x.json', 'null'],
    ['points to no data file', 't1/x.json', JSON.stringify({ size: 1, sha256: 'a'.repeat(64), createdAt: '' })],
    [
      'points outside the data files',
      't1/x.json',
      JSON.stringify({ size: 1, sha256: 'a'.repeat(64), createdAt: '', data: '../../index.db' }),
    ],
    [
      'is in a directory no tenant can have',
      'bad tenant/x.json',
      JSON.stringify({ size: 1, sha256: 'a'.repeat(64), createdAt: '', data: '3b2f0c1e-5a4d-4e8f-9c7b-1a2b3c4d5e6f' }),
    ],
  ])(
    'refuses to open over an index file of an earlier version that %s, naming it, and imports nothing',
    async (_, file, text) => {
      const old = await mkdtemp(join(tmpdir(), 'platform-local-blob-torn-'));
      try {
        const path = join(old, 'index', ...file.split('/'));
        await mkdir(join(path, '..'), { recursive: true });
        await writeFile(path, text);
        const torn = new LocalBlobStore({ directory: old });
        await expect(torn.head('t1', 'x')).rejects.toMatchObject({
          code: 'ADAPTER_UNAVAILABLE',
          message: expect.stringContaining(path),
        });
        await torn.shutdown();
      } finally {
        await rm(old, { recursive: true, force: true });
      }
    },
  );

  it('never sweeps the data file of an object a process of an earlier version committed after the import', async () => {
    const shared = await mkdtemp(join(tmpdir(), 'platform-local-blob-mixed-'));
    const upgraded = new LocalBlobStore({ directory: shared });
    try {
      await upgraded.put('t1', 'new.txt', new TextEncoder().encode('written after the upgrade'));
      // What a process still on the earlier version does: its data file, then its index file.
      const dataName = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';
      await mkdir(join(shared, 'data', 't1'), { recursive: true });
      await mkdir(join(shared, 'index', 't1'), { recursive: true });
      await writeFile(join(shared, 'data', 't1', dataName), 'old process');
      await writeFile(
        join(shared, 'index', 't1', 'old.txt.json'),
        JSON.stringify({
          size: 11,
          sha256: sha256(new TextEncoder().encode('old process')),
          metadata: {},
          createdAt: '',
          data: dataName,
        }),
      );
      const swept = await upgraded.sweep({ tenantId: 't1', olderThanMs: 0, dryRun: false });
      expect(swept.files).toEqual([]);
      expect(await readdir(join(shared, 'data', 't1'))).toEqual([dataName]);
    } finally {
      await upgraded.shutdown();
      await rm(shared, { recursive: true, force: true });
    }
  });

  it('answers Buffers for small and large objects alike', async () => {
    await store.put('t-types', 'small', new TextEncoder().encode('small'));
    await store.put('t-types', 'large', new Uint8Array(INLINE_BLOB_BYTES + 1).fill(65));
    expect(Buffer.isBuffer(await store.get('t-types', 'small'))).toBe(true);
    expect(Buffer.isBuffer(await store.get('t-types', 'large'))).toBe(true);
    expect((await store.get('t-types', 'small')).toString()).toBe('small');
  });

  it('leaves no earlier value of a deleted key in any file of the store, even one replaced before', async () => {
    const erased = await mkdtemp(join(tmpdir(), 'platform-local-blob-erase-'));
    const own = new LocalBlobStore({ directory: erased });
    try {
      const secret = 'erase-me-3f9c2d1b7a';
      await own.put('t1', 'k', new TextEncoder().encode(`${secret} first value`));
      await own.put('t1', 'k', new Uint8Array(INLINE_BLOB_BYTES + 10).fill(0x41));
      await own.put('t1', 'other', new TextEncoder().encode('kept'));
      await own.delete('t1', 'k');
      for (const name of await readdir(erased, { recursive: true })) {
        const path = join(erased, name);
        const bytes = await readFile(path).catch(() => Buffer.alloc(0));
        expect(bytes.includes(secret), path).toBe(false);
      }
      expect(Buffer.from(await own.get('t1', 'other')).toString()).toBe('kept');
    } finally {
      await own.shutdown();
      await rm(erased, { recursive: true, force: true });
    }
  });

  it('commits no object whose data file was removed while it waited for the index (as by a sweep)', async () => {
    const raced = await mkdtemp(join(tmpdir(), 'platform-local-blob-race-'));
    const own = new LocalBlobStore({ directory: raced });
    try {
      await own.put('t1', 'first', new TextEncoder().encode('opens the index'));
      // Another process holds the index's write lock while the large write streams its bytes.
      const other = new DatabaseSync(join(raced, 'index.db'));
      other.exec('begin immediate');
      const writing = own.put('t1', 'large.bin', new Uint8Array(INLINE_BLOB_BYTES * 2).fill(1));
      const dataDir = join(raced, 'data', 't1');
      let files: string[] = [];
      for (let tries = 0; files.length === 0 && tries < 500; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        files = await readdir(dataDir).catch(() => []);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      await rm(join(dataDir, files[0] as string));
      other.exec('commit');
      other.close();
      await expect(writing).rejects.toMatchObject({ code: 'ADAPTER_UNAVAILABLE' });
      expect(await own.head('t1', 'large.bin')).toBeUndefined();
    } finally {
      await own.shutdown();
      await rm(raced, { recursive: true, force: true });
    }
  });
});
