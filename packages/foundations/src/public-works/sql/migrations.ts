import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PlatformError } from '../../errors/platform-error.js';
import type { SqlDriver } from './driver.js';

/** A versioned SQL script shipped in the package under `migrations/<group>/`. */
export interface Migration {
  /** `<group>/<file name without .sql>`, e.g. `metadata/0001_initial`. */
  id: string;
  sql: string;
  /** sha256 of the script: an applied migration whose file changed is refused. */
  checksum: string;
}

/** Groups of migrations: one a store, and `supabase` (row-level security over the metadata tables, for Supabase projects). */
export type MigrationGroup =
  | 'metadata'
  | 'semantic'
  | 'supabase'
  | 'supabase-semantic'
  | 'supabase-key-value'
  | 'sqlite-metadata'
  | 'sqlite-semantic'
  | 'key-value'
  | 'sqlite-key-value';

let packageDirectory: string | undefined;

/**
 * The directory of the `migrations/` folder shipped with `@platform/foundations`, for tools
 * that apply the scripts themselves (e.g. `psql -f` against a Supabase project).
 */
export function migrationsDirectory(): string {
  if (!packageDirectory) {
    // Works from the sources, from dist/ and from a dist chunk: walk up to the package root.
    let directory = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(directory, 'migrations', 'metadata'))) {
      const parent = dirname(directory);
      if (parent === directory)
        throw new Error('@platform/foundations: the migrations folder is missing from the package');
      directory = parent;
    }
    packageDirectory = directory;
  }
  return join(packageDirectory, 'migrations');
}

/** The migrations of `group`, in order. */
export function loadMigrations(group: MigrationGroup): Migration[] {
  const directory = join(migrationsDirectory(), group);
  return readdirSync(directory)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(directory, file), 'utf8');
      return { id: `${group}/${file.slice(0, -4)}`, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * The migrations not applied yet, in order, given the applied ones' checksums by id.
 * @throws {PlatformError} `MIGRATION_CHECKSUM_MISMATCH` when an applied migration's file changed.
 */
export function pendingMigrations(applied: ReadonlyMap<string, string>, migrations: readonly Migration[]): Migration[] {
  return migrations.filter((migration) => {
    const checksum = applied.get(migration.id);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new PlatformError(
        'MIGRATION_CHECKSUM_MISMATCH',
        `migration '${migration.id}' was applied with different contents; migrations are never edited, add a new one`,
        { details: { migration: migration.id } },
      );
    }
    return checksum === undefined;
  });
}

// Any fixed number works; it only has to be the same in every process applying migrations.
const MIGRATION_LOCK = 72_148_530;

/**
 * Applies the migrations not applied yet, in order, in one transaction holding an advisory lock
 * (so concurrent starters do not race), and records each in `platform_migrations`. Safe to run
 * on every start: applied migrations are skipped.
 *
 * @throws {PlatformError} `MIGRATION_CHECKSUM_MISMATCH` when an applied migration's file changed.
 */
export async function applyMigrations(
  driver: SqlDriver,
  migrations: readonly Migration[],
): Promise<{ applied: string[] }> {
  return driver.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.exec(
      'create table if not exists platform_migrations (id text primary key, checksum text not null, applied_at timestamptz not null default now())',
    );
    const { rows } = await tx.query<{ id: string; checksum: string }>('select id, checksum from platform_migrations');
    const applied: string[] = [];
    for (const migration of pendingMigrations(new Map(rows.map((row) => [row.id, row.checksum])), migrations)) {
      await tx.exec(migration.sql);
      await tx.query('insert into platform_migrations (id, checksum) values ($1, $2)', [
        migration.id,
        migration.checksum,
      ]);
      applied.push(migration.id);
    }
    return { applied };
  });
}
