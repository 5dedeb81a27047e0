import { describe, expect, it } from 'vitest';
import { PlatformError } from '../../errors/platform-error.js';
import { describeMetadataStoreConformance } from '../../testing/index.js';
import { createPostgresTestDatabase, TEST_POSTGRES_URL } from '../../testing/postgres-test-database.js';
import { applyMigrations, loadMigrations } from '../sql/migrations.js';
import { SqlMetadataStore } from '../sql/sql-metadata-store.js';
import { SqlSemanticStore } from '../sql/sql-semantic-store.js';
import { createPostgresMetadataStore, PostgresDriver, redactConnectionString } from './index.js';

describeMetadataStoreConformance('postgres (local server)', async () => {
  const database = await createPostgresTestDatabase();
  const store = await createPostgresMetadataStore({ connectionString: database.url });
  await store.initialize();
  return {
    store,
    cleanup: async () => {
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
      expect(results.flatMap((result) => result.applied)).toEqual(['metadata/0001_initial']);
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
