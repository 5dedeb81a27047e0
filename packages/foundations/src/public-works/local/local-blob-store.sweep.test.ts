import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INLINE_BLOB_BYTES } from './local-blob-files.js';
import { LocalBlobStore } from './local-blob-store.js';

const HOUR = 3_600_000;

// Bytes too large to be kept inline in their index file: such objects have data files to sweep.
const large = (text: string) => Buffer.concat([Buffer.from(text), Buffer.alloc(INLINE_BLOB_BYTES, 0x20)]);

describe('LocalBlobStore.sweep', () => {
  let directory: string;
  let store: LocalBlobStore;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'platform-sweep-'));
    store = new LocalBlobStore({ directory });
  });
  afterEach(async () => {
    await store.shutdown();
    await rm(directory, { recursive: true, force: true });
  });

  // Backdates every file under the store, so that only what is written afterwards is young.
  async function ageEverything(hours = 2) {
    const then = new Date(Date.now() - hours * HOUR);
    for (const file of await readdir(directory, { recursive: true, withFileTypes: true })) {
      if (file.isFile()) await utimes(join(file.parentPath, file.name), then, then);
    }
  }

  // What a write killed after streaming its bytes (and, with `pending`, after writing its index
  // file but before the rename that commits it) leaves behind.
  async function interruptedWrite(tenantId: string, bytes: string, pending = false) {
    const name = randomUUID();
    await mkdir(join(directory, 'data', tenantId), { recursive: true });
    await writeFile(join(directory, 'data', tenantId, name), bytes);
    if (pending) {
      await mkdir(join(directory, 'tmp'), { recursive: true });
      await writeFile(join(directory, 'tmp', `${name}.json`), JSON.stringify({ data: name }));
    }
    return { data: join(directory, 'data', tenantId, name), tmp: join(directory, 'tmp', `${name}.json`) };
  }

  async function dataFiles(tenantId: string) {
    return (await readdir(join(directory, 'data', tenantId))).length;
  }

  it('finds unreferenced data files and stale pending index files, and a dry run removes nothing', async () => {
    await store.put('t1', 'kept/a.csv', large('a,b\n1,2\n'));
    await store.put('t1', 'kept/b.json', large('{}'));
    await store.put('t1', 'kept/inline.txt', new TextEncoder().encode('kept in its index file'));
    const killed = await interruptedWrite('t1', 'twelve bytes', true);
    const otherTenant = await interruptedWrite('t2', 'theirs');
    await ageEverything();

    const found = await store.sweep({ tenantId: 't1', olderThanMs: HOUR, dryRun: true });
    expect(found.files.map(({ path, kind, bytes, removed }) => ({ path, kind, bytes, removed })).sort(byPath)).toEqual(
      [
        { path: killed.data, kind: 'data', bytes: 12, removed: false },
        { path: killed.tmp, kind: 'tmp', bytes: expect.any(Number), removed: false },
      ].sort(byPath),
    );
    expect(found.files.find((file) => file.kind === 'data')?.tenantId).toBe('t1');
    expect(existsSync(killed.data) && existsSync(killed.tmp) && existsSync(otherTenant.data)).toBe(true);
    expect(await dataFiles('t1')).toBe(3);

    const everyTenant = await store.sweep({ olderThanMs: HOUR, dryRun: true });
    expect(everyTenant.files.map((file) => file.path).sort()).toEqual(
      [killed.data, killed.tmp, otherTenant.data].sort(),
    );
  });

  it('removes them, keeps every referenced data file however old, and leaves young files alone', async () => {
    await store.put('t1', 'kept/a.csv', large('a,b\n1,2\n'));
    await store.put('t1', 'kept/a.csv', large('a,b\n3,4\n'));
    await store.put('t1', 'kept/b.json', large('{}'));
    await store.put('t1', 'kept/c.txt', new TextEncoder().encode('inline'));
    const killed = await interruptedWrite('t1', 'orphan', true);
    const otherTenant = await interruptedWrite('t2', 'theirs');
    await ageEverything();
    const young = await interruptedWrite('t1', 'being written right now');

    const swept = await store.sweep({ tenantId: 't1', olderThanMs: HOUR, dryRun: false });
    expect(swept.files.map((file) => [file.path, file.removed]).sort()).toEqual(
      [
        [killed.data, true],
        [killed.tmp, true],
      ].sort(),
    );
    expect(existsSync(killed.data) || existsSync(killed.tmp)).toBe(false);
    // The two objects and the young file; the other tenant was not looked at.
    expect(await dataFiles('t1')).toBe(3);
    expect(existsSync(young.data) && existsSync(otherTenant.data)).toBe(true);
    expect(Buffer.from(await store.get('t1', 'kept/a.csv')).equals(large('a,b\n3,4\n'))).toBe(true);
    expect(Buffer.from(await store.get('t1', 'kept/b.json')).equals(large('{}'))).toBe(true);
    expect(Buffer.from(await store.get('t1', 'kept/c.txt')).toString()).toBe('inline');

    // Nothing younger than olderThanMs is found until it is old enough.
    expect((await store.sweep({ tenantId: 't1', olderThanMs: HOUR, dryRun: false })).files).toEqual([]);
    const later = await store.sweep({ tenantId: 't1', olderThanMs: HOUR, dryRun: false, now: Date.now() + 2 * HOUR });
    expect(later.files.map((file) => file.path)).toEqual([young.data]);
    expect(await dataFiles('t1')).toBe(2);
    expect((await store.list('t1')).items.map((item) => item.key)).toEqual(['kept/a.csv', 'kept/b.json', 'kept/c.txt']);
  });

  it('removes a pending index file of no tenant only when sweeping every tenant', async () => {
    await mkdir(join(directory, 'tmp'), { recursive: true });
    const stray = join(directory, 'tmp', `${randomUUID()}.json`);
    await writeFile(stray, '{"data":');
    await mkdir(join(directory, 'data', 'not a tenant'), { recursive: true });
    await writeFile(join(directory, 'data', 'not a tenant', 'x'), 'x');
    await ageEverything();

    expect((await store.sweep({ tenantId: 't1', olderThanMs: 0, dryRun: false })).files).toEqual([]);
    const swept = await store.sweep({ olderThanMs: 0, dryRun: false });
    expect(swept.files.map((file) => [file.kind, file.path])).toEqual([['tmp', stray]]);
    expect(existsSync(stray)).toBe(false);
    // A directory that cannot be a tenant's was not made by the store: it is not touched.
    expect(existsSync(join(directory, 'data', 'not a tenant', 'x'))).toBe(true);
  });

  it('sweeps an empty or missing store, and refuses invalid options', async () => {
    expect(await store.sweep({ olderThanMs: 0, dryRun: false })).toEqual({ files: [] });
    await expect(store.sweep({ olderThanMs: -1, dryRun: true })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(store.sweep({ tenantId: '../t1', olderThanMs: 0, dryRun: true })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});

function byPath(a: { path: string }, b: { path: string }) {
  return a.path.localeCompare(b.path);
}
