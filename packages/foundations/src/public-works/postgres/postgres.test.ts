import { describe, expect, it } from 'vitest';
import { describeMetadataStoreConformance } from '../../testing/index.js';
import { createPostgresTestDatabase } from '../../testing/postgres-test-database.js';
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
