import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlatformError } from '../../errors/platform-error.js';
import { describeMetadataStoreConformance, sqlAuditTamper } from '../../testing/index.js';
import { createPostgresTestDatabase, TEST_POSTGRES_URL } from '../../testing/postgres-test-database.js';
import { verifyAudit } from '../audit-chain.js';
import { applyMigrations, loadMigrations } from '../sql/migrations.js';
import { SqlMetadataStore } from '../sql/sql-metadata-store.js';
import { SqlSemanticStore } from '../sql/sql-semantic-store.js';
import { createPostgresMetadataStore, PostgresDriver, redactConnectionString } from './index.js';

describeMetadataStoreConformance('postgres (local server)', async () => {
  const database = await createPostgresTestDatabase();
  const store = await createPostgresMetadataStore({ connectionString: database.url });
  await store.initialize();
  const raw = await PostgresDriver.connect({ connectionString: database.url });
  return {
    store,
    tamper: sqlAuditTamper('postgres', (sql, params) => raw.query(sql, params)),
    cleanup: async () => {
      await raw.close();
      await store.shutdown();
      await database.drop();
    },
  };
});

describe('Postgres driver', () => {
  it('applies migrations once even when several processes start at the same time', async () => {
    const database = await createPostgresTestDatabase();
    const drivers = await Promise.all(
      Array.from({ length: 4 }, () => PostgresDriver.connect({ connectionString: database.url })),
    );
    try {
      const results = await Promise.all(drivers.map((driver) => applyMigrations(driver, loadMigrations('metadata'))));
      expect(results.flatMap((result) => result.applied)).toEqual([
        'metadata/0001_initial',
        'metadata/0002_audit_chain',
        'metadata/0003_journey_label',
      ]);
      const store = new SqlMetadataStore({ driver: drivers[0] as PostgresDriver, migrate: false });
      expect((await store.health()).status).toBe('healthy');
    } finally {
      await Promise.all(drivers.map((driver) => driver.close()));
      await database.drop();
    }
  });

  it('fails with ADAPTER_UNAVAILABLE naming the server but never the password', async () => {
    const error = await PostgresDriver.connect({
      connectionString: 'postgres://admin:hunter2@127.0.0.1:1/nowhere',
      connectTimeoutMs: 2000,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'ADAPTER_UNAVAILABLE' });
    expect((error as Error).message).toContain('postgres://admin:***@127.0.0.1:1/nowhere');
    expect((error as Error).message).not.toContain('hunter2');
    expect(JSON.stringify(error)).not.toContain('hunter2');
  });

  it('reports a connection the server drops mid-query as ADAPTER_UNAVAILABLE, and the next query reconnects', async () => {
    const database = await createPostgresTestDatabase();
    const driver = await PostgresDriver.connect({ connectionString: database.url });
    const admin = await PostgresDriver.connect({ connectionString: TEST_POSTGRES_URL });
    const name = new URL(database.url).pathname.slice(1);
    const terminateWhenBusy = async () => {
      // Kill the backend running pg_sleep as soon as it shows up, as a failover or a restart would.
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const { rows } = await admin.query<{ killed: boolean }>(
          `select pg_terminate_backend(pid) as killed from pg_stat_activity
            where datname = $1 and query like 'select pg_sleep%' and state = 'active'`,
          [name],
        );
        if (rows.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error('the query never started');
    };
    try {
      for (const run of [
        () => driver.query('select pg_sleep(10)'),
        () => driver.transaction((tx) => tx.query('select pg_sleep(10)')),
      ]) {
        const [failure] = await Promise.all([run().catch((error: unknown) => error), terminateWhenBusy()]);
        expect(failure).toMatchObject({ code: 'ADAPTER_UNAVAILABLE', details: { adapter: 'postgres' } });
        expect((failure as Error).message).toContain(name);
        // The broken connection is gone from the pool: the next queries get working ones.
        for (let index = 0; index < 3; index += 1) {
          expect((await driver.query<{ one: number }>('select 1 as one')).rows).toEqual([{ one: 1 }]);
        }
        expect(await driver.transaction(async (tx) => (await tx.query('select 2 as two')).rows)).toEqual([{ two: 2 }]);
      }
    } finally {
      await driver.close();
      await admin.close();
      await database.drop();
    }
  }, 30_000);

  it('reports serialization failures as CONFLICT and leaves other errors as the server gave them', async () => {
    const database = await createPostgresTestDatabase();
    const driver = await PostgresDriver.connect({ connectionString: database.url });
    try {
      const serialization = await driver
        .transaction((tx) =>
          tx.exec(`do $$ begin raise exception 'could not serialize' using errcode = 'serialization_failure'; end $$`),
        )
        .catch((error: unknown) => error);
      expect(serialization).toMatchObject({ code: 'CONFLICT', details: { sqlState: '40001' } });
      await driver.exec('create table t (id int primary key)');
      await driver.query('insert into t values (1)');
      const duplicate = await driver.query('insert into t values (1)').catch((error: unknown) => error);
      expect(duplicate).toMatchObject({ code: '23505' });
      expect(duplicate).not.toBeInstanceOf(PlatformError);
      // A failed transaction rolled back and its connection went back to the pool in a clean state.
      expect((await driver.query('select count(*)::int as n from t')).rows).toEqual([{ n: 1 }]);
    } finally {
      await driver.close();
      await database.drop();
    }
  });

  it('redacts passwords in URLs and parameters', () => {
    expect(redactConnectionString('postgresql://u:p@h:5432/d?sslmode=require&password=x')).toBe(
      'postgresql://u:***@h:5432/d?sslmode=require&password=***',
    );
    expect(redactConnectionString('not a url')).toBe('(unparseable connection string)');
  });
});

describe('Postgres semantic store', () => {
  it('starts where pgvector is installed, and otherwise refuses naming the extension', async () => {
    const database = await createPostgresTestDatabase();
    const driver = await PostgresDriver.connect({ connectionString: database.url });
    const store = new SqlSemanticStore({ driver, ownsDriver: false });
    try {
      const { rows } = await driver.query("select 1 from pg_available_extensions where name = 'vector'");
      const outcome = await store.initialize().then(
        () => 'started',
        (error: unknown) => error,
      );
      if (rows.length > 0) {
        expect(outcome).toBe('started');
      } else {
        // This machine's Postgres 15 has no pgvector package (Debian bookworm ships none for it).
        expect(outcome).toMatchObject({ code: 'ADAPTER_UNAVAILABLE', details: { missingExtension: 'vector' } });
        expect((outcome as Error).message).toContain("pgvector extension ('vector')");
      }
    } finally {
      await driver.close();
      await database.drop();
    }
  });
});

// A process appending to one tenant's audit chain: the TypeScript sources under Node's type
// stripping, `./x.js` imports mapped to `./x.ts` (as in the SQLite multi-process tests).
const AUDIT_WORKER = `
import { registerHooks } from 'node:module';
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
const [source, url, worker, count] = process.argv.slice(2);
const { createPostgresMetadataStore } = await import(source + 'index.ts');
const store = await createPostgresMetadataStore({ connectionString: url, migrate: false });
const append = (i) => store.appendGovernanceRecord({
  tenantId: 'acme', kind: 'audit', subject: { kind: 'worker', id: 'w' + worker }, data: { worker: Number(worker), i },
});
const half = Number(count) / 2;
const seqs = [];
for (let i = 0; i < half; i += 1) seqs.push((await append(i)).seq);
seqs.push(...(await Promise.all(Array.from({ length: half }, (_, i) => append(half + i)))).map((record) => record.seq));
await store.shutdown();
process.stdout.write(JSON.stringify(seqs));
`;

describe('Postgres audit chain shared by several processes', () => {
  it('stays gap-free when 4 processes append to one tenant at once', async () => {
    const database = await createPostgresTestDatabase();
    const directory = await mkdtemp(join(tmpdir(), 'platform-pg-audit-'));
    const store = await createPostgresMetadataStore({ connectionString: database.url });
    try {
      await store.initialize();
      const script = join(directory, 'worker.mjs');
      await writeFile(script, AUDIT_WORKER);
      const source = new URL('./', import.meta.url).href;
      const perWorker = 40;
      const runs = Array.from(
        { length: 4 },
        (_, worker) =>
          new Promise<number[]>((resolve, reject) => {
            const child = spawn(process.execPath, [
              '--no-warnings',
              script,
              source,
              database.url,
              String(worker),
              String(perWorker),
            ]);
            let out = '';
            let err = '';
            child.stdout.on('data', (chunk) => {
              out += String(chunk);
            });
            child.stderr.on('data', (chunk) => {
              err += String(chunk);
            });
            child.on('error', reject);
            child.on('close', (code) =>
              code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`worker failed: ${err}`)),
            );
          }),
      );
      const seqs = (await Promise.all(runs)).flat().sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 4 * perWorker }, (_, index) => index + 1));
      expect(await verifyAudit(store, 'acme')).toMatchObject({ ok: true, records: 4 * perWorker, legacy: 0 });
    } finally {
      await store.shutdown();
      await rm(directory, { recursive: true, force: true });
      await database.drop();
    }
  }, 60_000);
});
