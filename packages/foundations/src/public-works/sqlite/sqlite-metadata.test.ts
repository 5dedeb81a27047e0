import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeMetadataStoreConformance, sqlAuditTamper } from '../../testing/index.js';
import { verifyAudit } from '../audit-chain.js';
import { loadMigrations } from '../sql/migrations.js';
import { SqliteDatabase } from './sqlite-database.js';
import { SqliteMetadataStore } from './sqlite-metadata-store.js';

async function openStore(path: string): Promise<SqliteMetadataStore> {
  const store = new SqliteMetadataStore({ database: await SqliteDatabase.open({ path }) });
  await store.initialize();
  return store;
}

async function openTamperable(path: string) {
  const database = await SqliteDatabase.open({ path });
  const store = new SqliteMetadataStore({ database });
  await store.initialize();
  const tamper = sqlAuditTamper('sqlite', (sql, params) => database.run(sql, ...(params as (string | number)[])));
  return { store, tamper };
}

describeMetadataStoreConformance('sqlite (in memory)', async () => {
  const { store, tamper } = await openTamperable(':memory:');
  return { store, tamper, cleanup: () => store.shutdown() };
});

describeMetadataStoreConformance('sqlite (file)', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'platform-sqlite-'));
  const { store, tamper } = await openTamperable(join(directory, 'metadata.db'));
  return {
    store,
    tamper,
    cleanup: async () => {
      await store.shutdown();
      await rm(directory, { recursive: true, force: true });
    },
  };
});

describe('SQLite file-backed metadata store', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'platform-sqlite-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps records across a close and reopen, applies migrations once, and is unhealthy once shut down', async () => {
    const path = join(directory, 'reopen.db');
    const first = await openStore(path);
    const file = await first.createFile({ tenantId: 't1', name: 'a.csv', sizeBytes: 1, sha256: 'a'.repeat(64) });
    const journey = await first.createJourney({
      tenantId: 't1',
      template: 'data_mash_flow',
      templateVersion: 1,
      idempotencyKey: file.sha256,
      milestones: [{ name: 'file_uploaded', status: 'pending' }],
    });
    const completedAt = new Date('2026-02-03T04:05:06.789Z');
    const done = await first.updateJourney('t1', journey.id, 1, {
      status: 'completed',
      completedAt,
      milestones: [{ name: 'file_uploaded', status: 'completed', startedAt: completedAt, completedAt }],
    });
    await first.shutdown();

    const database = await SqliteDatabase.open({ path });
    expect(await database.applyMigrations(loadMigrations('sqlite-metadata'))).toEqual({ applied: [] });
    const second = new SqliteMetadataStore({ database });
    await second.initialize();
    expect(await second.getFile('t1', file.id)).toEqual(file);
    expect(await second.getJourney('t1', journey.id)).toEqual(done);
    expect((await second.getJourney('t1', journey.id)).completedAt).toEqual(completedAt);
    expect(database.all('select id from platform_migrations')).toHaveLength(3);
    expect((await second.health()).status).toBe('healthy');
    await second.shutdown();
    expect((await second.health()).status).toBe('unhealthy');
    await expect(second.getFile('t1', file.id)).rejects.toMatchObject({ code: 'ADAPTER_UNAVAILABLE' });
  });

  it('refuses to run when an applied migration was edited', async () => {
    const path = join(directory, 'edited.db');
    const first = await openStore(path);
    await first.shutdown();
    const database = await SqliteDatabase.open({ path });
    try {
      const [migration] = loadMigrations('sqlite-metadata');
      await expect(
        database.applyMigrations([
          { ...(migration as NonNullable<typeof migration>), sql: `${migration?.sql}\n-- edit`, checksum: 'edited' },
        ]),
      ).rejects.toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH' });
    } finally {
      database.close();
    }
  });

  it('leaves records appended before the audit chain unchained, counts them as legacy, and chains the next ones', async () => {
    const database = await SqliteDatabase.open();
    try {
      await database.applyMigrations(loadMigrations('sqlite-metadata').slice(0, 1));
      database.run(
        `insert into platform_governance_records (tenant_id, id, kind, subject_kind, subject_id, data, created_at)
         values ('t1', 'gov_00000000-0000-4000-8000-000000000000', 'audit', 'file', 'f1', '{}', ?)`,
        Date.now() - 86_400_000,
      );
      const store = new SqliteMetadataStore({ database, ownsDatabase: false });
      await store.initialize();
      const first = await store.appendGovernanceRecord({
        tenantId: 't1',
        kind: 'audit',
        subject: { kind: 'file', id: 'f1' },
        data: {},
      });
      await store.appendGovernanceRecord({
        tenantId: 't1',
        kind: 'audit',
        subject: { kind: 'file', id: 'f1' },
        data: {},
      });
      expect(first).toMatchObject({ seq: 1, prevHash: '0'.repeat(64) });
      const [legacy] = (await store.listGovernanceRecords('t1')).items;
      expect(legacy).not.toHaveProperty('seq');
      expect(await verifyAudit(store, 't1')).toMatchObject({ ok: true, records: 2, legacy: 1 });
    } finally {
      database.close();
    }
  });

  it('leaves a shared database open when it does not own it', async () => {
    const database = await SqliteDatabase.open();
    const store = new SqliteMetadataStore({ database, ownsDatabase: false });
    await store.initialize();
    await store.shutdown();
    expect(database.closed).toBe(false);
    expect((await store.health()).status).toBe('healthy');
    database.close();
  });
});

// ---------------------------------------------------------------------------------------------
// Several processes on one file: what the embedded default is for.

const SOURCE = new URL('./', import.meta.url).href;
const WORKERS = 8;

// A worker process. It runs the TypeScript sources with Node's type stripping; a resolve hook maps
// the sources' `./x.js` imports to the `./x.ts` files, as the bundler does for the build. Workers
// wait on stdin between phases, so that all of them open the fresh file, and then write, at once.
const WORKER_SCRIPT = `
import { createHash } from 'node:crypto';
import { registerHooks } from 'node:module';
import { createInterface } from 'node:readline';
registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !specifier.startsWith('.') || !specifier.endsWith('.js')) throw error;
      return next(specifier.slice(0, -3) + '.ts', context);
    }
  },
});
const [source, path, task, index, argument] = process.argv.slice(2);
const { SqliteDatabase } = await import(source + 'sqlite-database.ts');
const { SqliteMetadataStore } = await import(source + 'sqlite-metadata-store.ts');
const { loadMigrations } = await import(source + '../sql/migrations.ts');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const barrier = async (name) => {
  process.stdout.write(JSON.stringify({ waiting: name }) + '\\n');
  await lines.next();
};
const outcome = async (work) => {
  try {
    return { ok: (await work()).id };
  } catch (error) {
    return { code: error.code, details: error.details, message: error.message };
  }
};

await barrier('open');
const database = await SqliteDatabase.open({ path });
const { applied } = await database.applyMigrations(loadMigrations('sqlite-metadata'));
const store = new SqliteMetadataStore({ database, migrate: false });
await barrier('write');
let result;
if (task === 'load') {
  const count = Number(argument);
  // One counter journey for all workers, whoever creates it first.
  const counter = await outcome(() => store.createJourney({
    tenantId: 'acme', template: 'shared', templateVersion: 1, idempotencyKey: 'counter', milestones: [], context: { count: 0 },
  }));
  const sharedId = counter.ok ?? counter.details.existingId;
  const files = [];
  const journeys = [];
  for (let i = 0; i < count; i += 1) {
    const name = 'w' + index + '-' + i;
    files.push((await store.createFile({ tenantId: 'acme', name, sizeBytes: i, sha256: createHash('sha256').update(name).digest('hex') })).id);
    let journey = await store.createJourney({
      tenantId: 'acme', template: 'load', templateVersion: 1, idempotencyKey: name,
      milestones: [{ name: 'step', status: 'pending' }],
    });
    for (let step = 0; step < 3; step += 1) {
      journey = await store.updateJourney('acme', journey.id, journey.version, { context: { step } });
    }
    journeys.push(journey.id);
    // Every worker also increments one shared counter: read, then compare-and-set, again on CONFLICT.
    for (;;) {
      const shared = await store.getJourney('acme', sharedId);
      try {
        await store.updateJourney('acme', shared.id, shared.version, { context: { count: shared.context.count + 1 } });
        break;
      } catch (error) {
        if (error.code !== 'CONFLICT') throw error;
      }
    }
  }
  result = { files, journeys };
} else if (task === 'audit') {
  // Appends from every worker at once, half of them concurrently within the process too.
  const count = Number(argument);
  const append = (i) => store.appendGovernanceRecord({
    tenantId: 'acme', kind: 'audit', subject: { kind: 'worker', id: 'w' + index }, data: { worker: Number(index), i },
  });
  const seqs = [];
  for (let i = 0; i < count / 2; i += 1) seqs.push((await append(i)).seq);
  seqs.push(...(await Promise.all(Array.from({ length: count / 2 }, (_, i) => append(count / 2 + i)))).map((r) => r.seq));
  result = seqs;
} else if (task === 'same-sha') {
  result = await outcome(() => store.createFile({ tenantId: 'acme', name: 'w' + index + '.csv', sizeBytes: 1, sha256: argument }));
} else if (task === 'same-key') {
  result = await outcome(() => store.createJourney({
    tenantId: 'acme', template: 'data_mash_flow', templateVersion: 1, idempotencyKey: argument, milestones: [],
  }));
}
await store.shutdown();
process.stdout.write(JSON.stringify({ applied, result }) + '\\n');
process.exit(0);
`;

interface Worker {
  child: ChildProcessWithoutNullStreams;
  messages: AsyncIterator<string>;
  stderr: string[];
}

async function next(worker: Worker): Promise<Record<string, unknown>> {
  const line = await worker.messages.next();
  if (line.done) {
    throw new Error(`worker exited early: ${worker.stderr.join('')}`);
  }
  return JSON.parse(line.value) as Record<string, unknown>;
}

/** Starts `WORKERS` processes on `path`, releases each phase only once every worker reached it, and returns their results. */
async function runWorkers(
  script: string,
  path: string,
  task: string,
  argument: string,
): Promise<{ applied: string[]; result: unknown }[]> {
  const workers: Worker[] = Array.from({ length: WORKERS }, (_, index) => {
    const child = spawn(process.execPath, ['--no-warnings', script, SOURCE, path, task, String(index), argument]);
    const stderr: string[] = [];
    child.stderr.on('data', (chunk) => stderr.push(String(chunk)));
    return { child, messages: createInterface({ input: child.stdout })[Symbol.asyncIterator](), stderr };
  });
  try {
    for (const phase of ['open', 'write']) {
      const reached = await Promise.all(workers.map(next));
      expect(reached).toEqual(workers.map(() => ({ waiting: phase })));
      for (const worker of workers) worker.child.stdin.write('go\n');
    }
    const done = (await Promise.all(workers.map(next))) as { applied: string[]; result: unknown }[];
    // Of the processes opening the fresh file at once, exactly one applied the migrations.
    expect(done.map((message) => message.applied).sort()).toEqual([
      ...Array.from({ length: WORKERS - 1 }, () => []),
      ['sqlite-metadata/0001_initial', 'sqlite-metadata/0002_audit_chain', 'sqlite-metadata/0003_journey_label'],
    ]);
    return done;
  } finally {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill();
  }
}

interface Outcome {
  ok?: string;
  code?: string;
  details?: { existingId?: string };
}

const sha = (value: string) => createHash('sha256').update(value).digest('hex');

describe('SQLite metadata store shared by several processes', { timeout: 180_000 }, () => {
  let directory: string;
  let script: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'platform-sqlite-procs-'));
    script = join(directory, 'worker.mjs');
    await writeFile(script, WORKER_SCRIPT);
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('loses nothing and duplicates nothing when 8 processes write one fresh file at once', async () => {
    const path = join(directory, 'load.db');
    const perWorker = 15;
    const results = (await runWorkers(script, path, 'load', String(perWorker))).map(
      (message) => message.result as { files: string[]; journeys: string[] },
    );

    const store = await openStore(path);
    try {
      const files = (await store.listFiles('acme', { limit: 1000 })).items;
      const createdFiles = results.flatMap((result) => result.files);
      expect(createdFiles).toHaveLength(WORKERS * perWorker);
      expect(files.map((file) => file.id).sort()).toEqual([...createdFiles].sort());
      expect(new Set(files.map((file) => file.sha256)).size).toBe(WORKERS * perWorker);

      const journeys = (await store.listJourneys('acme', { template: 'load', limit: 1000 })).items;
      const createdJourneys = results.flatMap((result) => result.journeys);
      expect(journeys.map((journey) => journey.id).sort()).toEqual([...createdJourneys].sort());
      for (const journey of journeys) expect(journey).toMatchObject({ version: 4, context: { step: 2 } });

      // Every increment of the shared counter landed: none overwrote another process's.
      const [counter, ...more] = (await store.listJourneys('acme', { template: 'shared' })).items;
      expect(more).toEqual([]);
      expect(counter?.context.count).toBe(WORKERS * perWorker);
      expect(counter?.version).toBe(1 + WORKERS * perWorker);
    } finally {
      await store.shutdown();
    }
    const database = await SqliteDatabase.open({ path });
    try {
      expect(database.all('pragma integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      expect(database.all('select id from platform_migrations')).toHaveLength(3);
    } finally {
      database.close();
    }
  });

  it('keeps one gap-free audit chain when 8 processes append to it at once', async () => {
    const path = join(directory, 'audit.db');
    const perWorker = 20;
    const seqs = (await runWorkers(script, path, 'audit', String(perWorker))).flatMap(
      (message) => message.result as number[],
    );
    const all = Array.from({ length: WORKERS * perWorker }, (_, index) => index + 1);
    expect([...seqs].sort((a, b) => a - b)).toEqual(all);
    const store = await openStore(path);
    try {
      expect(await verifyAudit(store, 'acme')).toMatchObject({ ok: true, records: WORKERS * perWorker, legacy: 0 });
    } finally {
      await store.shutdown();
    }
  });

  it('lets exactly one of 8 processes record a file with the same sha256; the others see the winner', async () => {
    const results = (await runWorkers(script, join(directory, 'same-sha.db'), 'same-sha', sha('same'))).map(
      (message) => message.result as Outcome,
    );
    const winners = results.filter((result) => result.ok);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((result) => !result.ok)) {
      expect(loser).toMatchObject({ code: 'CONFLICT', details: { existingId: winners[0]?.ok } });
    }
  });

  it('creates exactly one journey when 8 processes use the same idempotency key', async () => {
    const path = join(directory, 'same-key.db');
    const results = (await runWorkers(script, path, 'same-key', 'sha-1')).map((message) => message.result as Outcome);
    const winners = results.filter((result) => result.ok);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((result) => !result.ok)) {
      expect(loser).toMatchObject({ code: 'CONFLICT', details: { existingId: winners[0]?.ok } });
    }
    const store = await openStore(path);
    try {
      expect((await store.listJourneys('acme')).items.map((journey) => journey.id)).toEqual([winners[0]?.ok]);
    } finally {
      await store.shutdown();
    }
  });
});
