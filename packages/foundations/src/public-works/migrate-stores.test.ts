import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../config/load.js';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.js';
import { migrateStores } from './migrate-stores.js';
import { applyMigrations, loadMigrations } from './sql/migrations.js';
import { openPGlite } from './store-locations.js';

describe('migrateStores', () => {
  it('migrates the local profile’s SQLite database once, and reports nothing to do after', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'migrate-stores-'));
    try {
      const config = loadPlatformConfig({ dataDir }, { env: {} });
      const first = await migrateStores(config);
      expect(first).toEqual([
        {
          store: 'metadata',
          location: `sqlite://${join(dataDir, 'platform.db')}`,
          applied: loadMigrations('sqlite-metadata').map((migration) => migration.id),
        },
        {
          store: 'semantic',
          location: `sqlite://${join(dataDir, 'platform.db')}`,
          applied: loadMigrations('sqlite-semantic').map((migration) => migration.id),
        },
        {
          store: 'keyValue',
          location: `sqlite://${join(dataDir, 'platform.db')}`,
          applied: loadMigrations('sqlite-key-value').map((migration) => migration.id),
        },
      ]);
      expect((await migrateStores(config)).map((entry) => entry.applied)).toEqual([[], [], []]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('migrates a Postgres metadata store, hides the password, and names a missing pgvector', async () => {
    const database = await createPostgresTestDatabase();
    try {
      const url = new URL(database.url);
      url.password = 'secret';
      const metadataOnly = loadPlatformConfig(
        { stores: { metadata: url.toString(), semantic: 'memory://', keyValue: 'memory://' } },
        { env: {} },
      );
      const report = await migrateStores(metadataOnly);
      expect(report[0]).toMatchObject({ store: 'metadata', applied: loadMigrations('metadata').map((m) => m.id) });
      expect(report[0]?.location).toContain(':***@');
      expect(JSON.stringify(report)).not.toContain('secret');
      expect(report[1]).toMatchObject({ store: 'semantic', applied: [], skipped: 'memory stores have no SQL schema' });

      const both = loadPlatformConfig(
        { stores: { metadata: database.url, semantic: database.url, keyValue: 'memory://' } },
        { env: {} },
      );
      const outcome = await migrateStores(both).catch((error: unknown) => error);
      const { rows } = await (async () => {
        const { default: pg } = await import('pg');
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        try {
          return await client.query("select 1 from pg_available_extensions where name = 'vector'");
        } finally {
          await client.end();
        }
      })();
      if (rows.length === 0)
        expect(outcome).toMatchObject({ code: 'ADAPTER_UNAVAILABLE', details: { missingExtension: 'vector' } });
      else
        expect(outcome).toMatchObject([
          { store: 'metadata', applied: [] },
          { store: 'semantic' },
          { store: 'keyValue' },
        ]);
    } finally {
      await database.drop();
    }
  }, 60_000);

  it('applies the Supabase row-level security, which keeps a signed-in user to its tenant', async () => {
    const database = await createPostgresTestDatabase();
    const { default: pg } = await import('pg');
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const config = loadPlatformConfig(
        { stores: { metadata: database.url, semantic: 'memory://', keyValue: database.url } },
        { env: {} },
      );
      // A plain Postgres is not a Supabase database: refused before anything is applied.
      await expect(migrateStores(config, { supabase: true })).rejects.toMatchObject({ code: 'ADAPTER_UNAVAILABLE' });
      // What a Supabase database has: auth.jwt() reading the request's claims, and the authenticated role.
      await admin.query(`create schema auth;
        create function auth.jwt() returns jsonb language sql stable
          as $$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;
        do $$ begin if not exists (select from pg_roles where rolname = 'authenticated') then create role authenticated nologin; end if; end $$;
        grant usage on schema auth to authenticated;`);
      const report = await migrateStores(config, { supabase: true });
      const ids = (group: Parameters<typeof loadMigrations>[0]) =>
        loadMigrations(group).map((migration) => migration.id);
      expect(report.map(({ store, appliesTo, applied }) => ({ store, appliesTo, applied }))).toEqual([
        { store: 'metadata', appliesTo: undefined, applied: ids('metadata') },
        { store: 'supabase', appliesTo: 'metadata', applied: ids('supabase') },
        { store: 'semantic', appliesTo: undefined, applied: [] },
        { store: 'keyValue', appliesTo: undefined, applied: ids('key-value') },
        { store: 'supabase', appliesTo: 'keyValue', applied: ids('supabase-key-value') },
      ]);
      expect((await migrateStores(config, { supabase: true })).map((entry) => entry.applied)).toEqual([
        [],
        [],
        [],
        [],
        [],
      ]);

      // Every table the SDK made here has row-level security on, its migrations table too.
      const open = await admin.query(
        "select relname from pg_class where relname like 'platform\\_%' and relkind = 'r' and not relrowsecurity",
      );
      expect(open.rows).toEqual([]);

      await admin.query(`insert into platform_files (tenant_id, id, name, size_bytes, sha256, status, created_at, updated_at)
        values ('acme', 'file_a', 'a.csv', 1, repeat('a', 64), 'stored', now(), now()),
               ('globex', 'file_g', 'g.csv', 1, repeat('b', 64), 'stored', now(), now());
        grant select, insert on platform_files to authenticated;`);
      await admin.query('begin');
      await admin.query('set local role authenticated');
      await admin.query(`select set_config('request.jwt.claims', '{"app_metadata":{"tenant_id":"acme"}}', true)`);
      const { rows } = await admin.query('select tenant_id, id from platform_files order by id');
      expect(rows).toEqual([{ tenant_id: 'acme', id: 'file_a' }]);
      await expect(
        admin.query(`insert into platform_files (tenant_id, id, name, size_bytes, sha256, status, created_at, updated_at)
          values ('globex', 'file_x', 'x.csv', 1, repeat('c', 64), 'stored', now(), now())`),
      ).rejects.toMatchObject({ code: '42501' });
      await admin.query('rollback');

      // The key-value table (sessions, rate limits) is nobody's but the service role's.
      await admin.query(`insert into platform_key_values (tenant_id, key, value) values ('acme', 'limit:ada', '1'::jsonb);
        grant select, insert, update, delete on platform_key_values to authenticated;`);
      await admin.query('begin');
      await admin.query('set local role authenticated');
      await admin.query(`select set_config('request.jwt.claims', '{"app_metadata":{"tenant_id":"acme"}}', true)`);
      expect((await admin.query('select * from platform_key_values')).rows).toEqual([]);
      expect((await admin.query("delete from platform_key_values where key = 'limit:ada'")).rowCount).toBe(0);
      await expect(
        admin.query(`insert into platform_key_values (tenant_id, key, value) values ('acme', 'limit:eve', '0'::jsonb)`),
      ).rejects.toMatchObject({ code: '42501' });
      await admin.query('rollback');
      expect((await admin.query('select key from platform_key_values')).rows).toEqual([{ key: 'limit:ada' }]);
    } finally {
      await admin.end();
      await database.drop();
    }
  }, 60_000);

  it('makes the semantic tables readable by a signed-in user of the tenant, and writable by none (PGlite with pgvector)', async () => {
    const driver = await openPGlite(undefined);
    try {
      // What a Supabase database has: auth.jwt() reading the request's claims, and the authenticated role.
      await driver.exec(`create schema auth;
        create function auth.jwt() returns jsonb language sql stable
          as $$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;
        create role authenticated nologin;
        grant usage on schema auth to authenticated;`);
      await applyMigrations(driver, loadMigrations('semantic'));
      await applyMigrations(driver, loadMigrations('supabase-semantic'));
      await driver.exec(`insert into platform_semantic_contents (tenant_id, content_id, kind, created_at, updated_at)
          values ('acme', 'c_a', 'table', now(), now()), ('globex', 'c_g', 'table', now(), now());
        grant select, insert, update, delete on platform_semantic_contents to authenticated;`);
      await driver.exec(`set role authenticated;
        select set_config('request.jwt.claims', '{"app_metadata":{"tenant_id":"acme"}}', false);`);
      const { rows } = await driver.query('select tenant_id, content_id from platform_semantic_contents');
      expect(rows).toEqual([{ tenant_id: 'acme', content_id: 'c_a' }]);
      await expect(
        driver.query(`insert into platform_semantic_contents (tenant_id, content_id, kind, created_at, updated_at)
          values ('acme', 'c_x', 'table', now(), now())`),
      ).rejects.toThrow(/row-level security/);
      expect((await driver.query("update platform_semantic_contents set title = 'x'")).rows).toEqual([]);
      await driver.exec('reset role');
      const all = await driver.query<{ title: string | null }>('select title from platform_semantic_contents');
      expect(all.rows).toEqual([{ title: null }, { title: null }]);
    } finally {
      await driver.close();
    }
  }, 60_000);
});
