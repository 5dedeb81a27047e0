import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vector } from '@electric-sql/pglite-pgvector';
import { afterAll, describe, expect, it } from 'vitest';
import { PGliteDriver, reuseInitializedPGliteClusters } from './pglite-driver.js';

// New databases started from a kept, freshly initialized cluster are as new as initdb's.
describe('PGliteDriver with initialized clusters reused', () => {
  const directories: string[] = [];
  afterAll(async () => {
    reuseInitializedPGliteClusters(false);
    await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
  });

  it('starts each new database empty and apart, in memory and in a new directory, with extensions', async () => {
    reuseInitializedPGliteClusters(true);
    const first = await PGliteDriver.open();
    await first.exec('create table kept (x int); insert into kept values (1)');
    const second = await PGliteDriver.open({ extensions: { vector } });
    // The second started from the cluster the first was created with (taken before it wrote).
    expect(second.fromKeptCluster).toBe(true);
    // Nothing the first wrote: the kept cluster was taken before it wrote anything.
    const tables = "select count(*)::int as n from information_schema.tables where table_schema = 'public'";
    expect((await second.query<{ n: number }>(tables)).rows).toEqual([{ n: 0 }]);
    await second.exec('create extension if not exists vector');
    expect((await second.query("select '[1,2,3]'::vector <-> '[1,2,4]'::vector as d")).rows).toEqual([{ d: 1 }]);
    await second.exec('create table kept (y text)');
    expect((await first.query('select x from kept')).rows).toEqual([{ x: 1 }]);

    const directory = await mkdtemp(join(tmpdir(), 'pglite-reuse-'));
    directories.push(directory);
    const onDisk = await PGliteDriver.open({ dataDir: directory });
    expect(onDisk.fromKeptCluster).toBe(true);
    expect((await onDisk.query<{ n: number }>(tables)).rows).toEqual([{ n: 0 }]);
    await onDisk.exec("create table notes (t text); insert into notes values ('stays')");
    await onDisk.close();
    // Reopened: the directory holds its cluster, which is opened as it is, not replaced.
    const reopened = await PGliteDriver.open({ dataDir: directory });
    expect(reopened.fromKeptCluster).toBe(false);
    expect((await reopened.query('select t from notes')).rows).toEqual([{ t: 'stays' }]);
    await Promise.all([first.close(), second.close(), reopened.close()]);
  });
});
