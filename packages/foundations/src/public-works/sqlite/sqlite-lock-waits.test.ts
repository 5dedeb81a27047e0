import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteDatabase } from './sqlite-database.js';
import { SqliteMetadataStore } from './sqlite-metadata-store.js';
import { SqliteSemanticStore, sqliteVecPath } from './sqlite-semantic-store.js';

// Every write of the SQLite stores must wait for another process's write lock (through
// SqliteDatabase.write), not fail after the 25 ms a single statement waits. Another connection,
// in a thread of its own, holds the lock for longer than that while every write method is called.

const HOLD_MS = 400;

async function holdWriteLock(path: string): Promise<Worker> {
  const holder = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const { DatabaseSync } = require('node:sqlite');
     const db = new DatabaseSync(workerData.path, { timeout: 10000 });
     db.exec('begin immediate');
     parentPort.postMessage('locked');
     Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
     db.exec('commit');
     db.close();`,
    { eval: true, workerData: { path, holdMs: HOLD_MS } },
  );
  await new Promise((resolve, reject) => {
    holder.once('message', resolve);
    holder.once('error', reject);
  });
  return holder;
}

const sha = (seed: string) => seed.padEnd(64, '0').slice(0, 64);

describe('SQLite stores under another connection’s write lock', () => {
  let directory: string;
  let path: string;
  let database: SqliteDatabase;
  let metadata: SqliteMetadataStore;
  let semantic: SqliteSemanticStore;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'platform-sqlite-locks-'));
    path = join(directory, 'platform.db');
    database = await SqliteDatabase.open({ path, extensions: [await sqliteVecPath()] });
    metadata = new SqliteMetadataStore({ database, ownsDatabase: false });
    semantic = new SqliteSemanticStore({ database, ownsDatabase: false });
    await metadata.initialize();
    await semantic.initialize();
  });
  afterAll(async () => {
    database.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('waits in every metadata write and succeeds once the lock is released', async () => {
    const file = await metadata.createFile({ tenantId: 't', name: 'a.csv', sizeBytes: 1, sha256: sha('a') });
    const doomed = await metadata.createFile({ tenantId: 't', name: 'b.csv', sizeBytes: 1, sha256: sha('b') });
    const journey = await metadata.createJourney({
      tenantId: 't',
      template: 'flow',
      templateVersion: 1,
      idempotencyKey: 'k',
      milestones: [{ name: 'one', status: 'pending' }],
    });
    const holder = await holdWriteLock(path);
    try {
      const results = await Promise.allSettled([
        metadata.createFile({ tenantId: 't', name: 'c.csv', sizeBytes: 1, sha256: sha('c') }),
        metadata.updateFile('t', file.id, { status: 'stored' }),
        metadata.deleteFile('t', doomed.id),
        metadata.putParsedFile({ tenantId: 't', fileId: file.id, format: 'csv', parser: 'p@1' }),
        metadata.addLink({
          tenantId: 't',
          from: { kind: 'parsed_file', id: 'x' },
          to: { kind: 'file', id: file.id },
          relation: 'parsed_from',
        }),
        metadata.createJourney({
          tenantId: 't',
          template: 'flow',
          templateVersion: 1,
          idempotencyKey: 'k2',
          milestones: [{ name: 'one', status: 'pending' }],
        }),
        metadata.updateJourney('t', journey.id, 1, { status: 'running' }),
        metadata.appendGovernanceRecord({
          tenantId: 't',
          kind: 'decision',
          subject: { kind: 'file', id: file.id },
          data: { ok: true },
        }),
      ]);
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    } finally {
      await holder.terminate();
    }
  });

  it('waits in every semantic write and succeeds once the lock is released', async () => {
    await semantic.upsertContent({ tenantId: 't', contentId: 'gone', kind: 'structured' });
    const holder = await holdWriteLock(path);
    try {
      const results = await Promise.allSettled([
        semantic.upsertContent({ tenantId: 't', contentId: 'c1', kind: 'structured' }).then(() =>
          Promise.all([
            semantic.upsertEmbeddings('t', 'c1', [
              { id: 'e1', kind: 'chunk', ref: '0', vector: [1, 0, 0], model: 'm', text: 'hello' },
            ]),
            semantic.upsertGraph('t', 'c1', {
              nodes: [{ id: 'n1', kind: 'column', label: 'a' }],
              edges: [],
            }),
            semantic.putCorrelationMap('t', 'c1', { a: { b: 1 } }),
          ]),
        ),
        semantic.deleteContent('t', 'gone'),
      ]);
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    } finally {
      await holder.terminate();
    }
  });
});
