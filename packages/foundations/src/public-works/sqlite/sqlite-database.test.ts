import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectPlatformError } from '../../testing/index.js';
import { isSqliteConstraint, SqliteDatabase, sqliteConstraintKind } from './sqlite-database.js';

let directory: string;
const freshPath = () => join(directory, `db-${randomUUID()}.sqlite`);

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'platform-sqlite-db-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function openWithTable(path = ':memory:', busyTimeoutMs?: number): Promise<SqliteDatabase> {
  const db = await SqliteDatabase.open({ path, ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }) });
  db.exec('create table if not exists items (id integer primary key, name text not null unique)');
  return db;
}

// Milliseconds `work` took to settle. Only ever used as a lower bound: a slow machine makes it longer.
async function elapsed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work().catch(() => undefined);
  return performance.now() - start;
}

describe('SqliteDatabase', () => {
  it('commits a transaction that returns, and rolls back every statement of one that throws', async () => {
    const db = await openWithTable();
    try {
      expect(db.transaction(() => db.run('insert into items (name) values (?)', 'kept'))).toBe(1);
      const failure = new Error('boom');
      expect(() =>
        db.transaction(() => {
          db.run('insert into items (name) values (?)', 'lost-1');
          db.run('insert into items (name) values (?)', 'lost-2');
          throw failure;
        }),
      ).toThrow(failure);
      // A constraint violation half-way rolls back the statements before it too.
      expect(() =>
        db.transaction(() => {
          db.run('insert into items (name) values (?)', 'lost-3');
          db.run('insert into items (name) values (?)', 'kept');
        }),
      ).toThrow(expect.objectContaining({ errcode: 2067 }));
      expect(db.all('select name from items')).toEqual([{ name: 'kept' }]);
      // Nothing is left open: the next transaction begins normally.
      db.transaction(() => db.run('insert into items (name) values (?)', 'next'));
      expect(db.get<{ n: number }>('select count(*) as n from items')?.n).toBe(2);
    } finally {
      db.close();
    }
  });

  it('classifies constraint errors', async () => {
    const db = await SqliteDatabase.open();
    try {
      db.exec(`create table parent (id text primary key);
        create table child (id text primary key, parent text references parent (id), n integer check (n > 0));`);
      db.run('insert into parent values (?)', 'p');
      const kind = (sql: string, ...params: (string | number)[]) => {
        try {
          db.run(sql, ...params);
        } catch (error) {
          expect(isSqliteConstraint(error)).toBe(true);
          return sqliteConstraintKind(error);
        }
        throw new Error(`no error from ${sql}`);
      };
      expect(kind('insert into parent values (?)', 'p')).toBe('unique');
      expect(kind('insert into child values (?, ?, ?)', 'c', 'missing', 1)).toBe('foreign_key');
      expect(kind('insert into child values (?, ?, ?)', 'c', 'p', 0)).toBe('check');
      expect(sqliteConstraintKind(new Error('not sqlite'))).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it('waits for another connection to release its write lock without blocking the event loop, then goes ahead', async () => {
    const path = freshPath();
    const db = await openWithTable(path);
    // The other connection is in a thread of its own: this thread blocks while SQLite waits.
    const holder = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const { DatabaseSync } = require('node:sqlite');
       const db = new DatabaseSync(workerData);
       db.exec('begin immediate');
       db.exec("insert into items (name) values ('from the other connection')");
       parentPort.postMessage('locked');
       Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 600);
       db.exec('commit');
       db.close();`,
      { eval: true, workerData: path },
    );
    try {
      await new Promise((resolve, reject) => {
        holder.once('message', resolve);
        holder.once('error', reject);
      });
      // The event loop keeps turning while write() waits: a timer fires again and again meanwhile
      // (SQLite's own wait would sleep this thread for the whole 600 ms).
      let ticks = 0;
      const ticker = setInterval(() => {
        ticks += 1;
      }, 5);
      // Runs only once the other transaction committed, so it sees its row.
      const names = await db.write(() => {
        db.run('insert into items (name) values (?)', 'after');
        return db.all<{ name: string }>('select name from items order by id').map((row) => row.name);
      });
      clearInterval(ticker);
      expect(names).toEqual(['from the other connection', 'after']);
      expect(ticks).toBeGreaterThanOrEqual(3);
    } finally {
      await holder.terminate();
      db.close();
    }
  });

  it('fails with ADAPTER_UNAVAILABLE once a lock held by another connection outlasts the busy timeout', async () => {
    const path = freshPath();
    const holder = await openWithTable(path);
    const waiter = await openWithTable(path, 150);
    try {
      holder.exec('begin immediate');
      holder.run('insert into items (name) values (?)', 'uncommitted');
      const waited = await elapsed(() =>
        expectPlatformError(async () => waiter.write(() => waiter.run('delete from items')), 'ADAPTER_UNAVAILABLE'),
      );
      expect(waited).toBeGreaterThanOrEqual(120);
      await expectPlatformError(
        async () => waiter.run('insert into items (name) values (?)', 'autocommit'),
        'ADAPTER_UNAVAILABLE',
      );
      // WAL: readers are never blocked by the writer, and see the last committed state.
      expect(waiter.all('select name from items')).toEqual([]);
      holder.exec('commit');
      waiter.transaction(() => waiter.run('insert into items (name) values (?)', 'now'));
      expect(waiter.all('select name from items order by id')).toEqual([{ name: 'uncommitted' }, { name: 'now' }]);
    } finally {
      holder.close();
      waiter.close();
    }
  });

  it('waits out the busy timeout when switching a new file to WAL while another connection writes it', async () => {
    // SQLite itself fails this switch at once, without waiting (its deadlock avoidance): this is
    // what broke several processes opening one new file together.
    const path = freshPath();
    const writer = new DatabaseSync(path);
    try {
      writer.exec('begin immediate');
      writer.exec('create table items (id integer primary key)');
      const waited = await elapsed(() =>
        expect(SqliteDatabase.open({ path, busyTimeoutMs: 150 })).rejects.toMatchObject({
          code: 'ADAPTER_UNAVAILABLE',
        }),
      );
      expect(waited).toBeGreaterThanOrEqual(120);

      // Released while open() waits: the open goes through, in WAL mode.
      const opening = SqliteDatabase.open({ path });
      setImmediate(() => writer.exec('commit'));
      const db = await opening;
      expect(db.get('pragma journal_mode')).toEqual({ journal_mode: 'wal' });
      expect(db.all('select * from items')).toEqual([]);
      db.close();
    } finally {
      if (writer.isTransaction) writer.exec('rollback');
      writer.close();
    }
  });

  it('is ADAPTER_UNAVAILABLE after close, and closes once', async () => {
    const db = await openWithTable();
    db.close();
    db.close();
    expect(db.closed).toBe(true);
    await expectPlatformError(async () => db.get('select 1'), 'ADAPTER_UNAVAILABLE');
    await expectPlatformError(async () => db.all('select * from items'), 'ADAPTER_UNAVAILABLE');
    await expectPlatformError(async () => db.run('delete from items'), 'ADAPTER_UNAVAILABLE');
    await expectPlatformError(async () => db.exec('select 1'), 'ADAPTER_UNAVAILABLE');
    await expectPlatformError(async () => db.transaction(() => 1), 'ADAPTER_UNAVAILABLE');
    await expectPlatformError(async () => db.applyMigrations([]), 'ADAPTER_UNAVAILABLE');
  });

  it('applies migrations once, in order, and refuses an edited one', async () => {
    const path = freshPath();
    const migrations = [
      { id: 'test/0001', sql: 'create table a (x integer);', checksum: 'one' },
      { id: 'test/0002', sql: 'create table b (y integer);', checksum: 'two' },
    ];
    const db = await SqliteDatabase.open({ path });
    expect(await db.applyMigrations(migrations.slice(0, 1))).toEqual({ applied: ['test/0001'] });
    expect(await db.applyMigrations(migrations)).toEqual({ applied: ['test/0002'] });
    db.close();
    const reopened = await SqliteDatabase.open({ path });
    try {
      expect(await reopened.applyMigrations(migrations)).toEqual({ applied: [] });
      await expectPlatformError(
        async () => reopened.applyMigrations([{ ...(migrations[0] as (typeof migrations)[0]), checksum: 'edited' }]),
        'MIGRATION_CHECKSUM_MISMATCH',
      );
      // A failing migration leaves nothing behind: neither its tables nor its record.
      await expect(
        reopened.applyMigrations([
          ...migrations,
          { id: 'test/0003', sql: 'create table c (z integer); create table a (x integer);', checksum: 'three' },
        ]),
      ).rejects.toThrow();
      expect(reopened.all("select name from sqlite_master where type = 'table' and name = 'c'")).toEqual([]);
      expect(reopened.all('select id from platform_migrations order by id')).toEqual([
        { id: 'test/0001' },
        { id: 'test/0002' },
      ]);
    } finally {
      reopened.close();
    }
  });

  it('cannot open a path it cannot create', async () => {
    await expect(SqliteDatabase.open({ path: join('/dev/null', 'x', 'db.sqlite') })).rejects.toMatchObject({
      code: 'ADAPTER_UNAVAILABLE',
    });
  });

  it('reads a file through a 256 MiB memory map unless told otherwise, and refuses a size that is not one', async () => {
    const mapped = async (options: { mmapBytes?: number }) => {
      const db = await SqliteDatabase.open({ path: freshPath(), ...options });
      try {
        return db.get<{ mmap_size: number }>('pragma mmap_size')?.mmap_size;
      } finally {
        db.close();
      }
    };
    expect(await mapped({})).toBe(256 * 1024 * 1024);
    expect(await mapped({ mmapBytes: 0 })).toBe(0);
    expect(await mapped({ mmapBytes: 1024 * 1024 })).toBe(1024 * 1024);
    for (const mmapBytes of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expectPlatformError(SqliteDatabase.open({ path: freshPath(), mmapBytes }), 'CONFIG_INVALID');
    }
  });
});
