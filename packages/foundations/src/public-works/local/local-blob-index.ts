import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import type { SQLInputValue } from 'node:sqlite';
import { z } from 'zod';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { validateBlobKey } from '../ports/blob-store.js';
import { assertTenantId } from '../ports/tenancy.js';
import { SqliteDatabase } from '../sqlite/sqlite-database.js';
import { isMissing } from './local-blob-files.js';

// The index of a LocalBlobStore (ADR 0023): one SQLite file beside the data files, one row an
// object, the bytes of a small object in its row. A commit is one SQLite transaction, where it was
// an index file created and renamed into place: creating a file costs about 1 ms on the project
// machine under load, an SQLite commit 0.04-0.08 ms.

/** What the index records of an object. */
export interface IndexEntry {
  size: number;
  sha256: string;
  contentType?: string;
  metadata: Record<string, string>;
  createdAt: string;
  /** Name of the data file holding the bytes; absent when they are in the row (`inline`). */
  data?: string;
}

/** An entry, with the object's bytes when they are kept in the index. */
export interface IndexRow {
  entry: IndexEntry;
  inline?: Uint8Array;
}

interface Row {
  key: string;
  size: number;
  sha256: string;
  content_type: string | null;
  metadata: string;
  created_at: string;
  data: string | null;
  inline: Uint8Array | null;
}

const SCHEMA = `
create table blob_objects (
  tenant_id text not null,
  key text not null,
  size integer not null,
  sha256 text not null,
  content_type text,
  metadata text not null,
  created_at text not null,
  data text,
  inline blob,
  primary key (tenant_id, key),
  check ((data is null) <> (inline is null))
);
create table blob_index_state (name text primary key, value text not null);
`;

const MIGRATIONS = [
  {
    id: 'local-blob-index/0001_objects',
    sql: SCHEMA,
    checksum: createHash('sha256').update(SCHEMA).digest('hex'),
  },
];

const COLUMNS = 'key, size, sha256, content_type, metadata, created_at, data, inline';

function toRow(row: Row): IndexRow {
  const entry: IndexEntry = {
    size: row.size,
    sha256: row.sha256,
    ...(row.content_type === null ? {} : { contentType: row.content_type }),
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    createdAt: row.created_at,
    ...(row.data === null ? {} : { data: row.data }),
  };
  return row.inline === null ? { entry } : { entry, inline: row.inline };
}

/** The index of one LocalBlobStore directory. */
export class LocalBlobIndex {
  readonly #db: SqliteDatabase;

  private constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /**
   * Opens (creating when missing) `<root>/index.db`, and on first open imports the index files of
   * a store written by an earlier version (`<root>/index/<tenant>/<key>.json`).
   */
  static async open(root: string): Promise<LocalBlobIndex> {
    const db = await SqliteDatabase.open({ path: join(root, 'index.db') });
    try {
      await db.applyMigrations(MIGRATIONS);
      await db.write(() => importIndexFiles(db, join(root, 'index')));
      return new LocalBlobIndex(db);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  get(tenantId: string, key: string): IndexRow | undefined {
    const row = this.#db.get<Row>(`select ${COLUMNS} from blob_objects where tenant_id = ? and key = ?`, tenantId, key);
    return row ? toRow(row) : undefined;
  }

  /**
   * Commits `entry` under the key; answers the data file of the object it replaced, if any.
   * `dataPath`, the entry's data file, is checked to exist inside the transaction: a sweep removes
   * data files under the same lock (see {@link removeUnreferenced}), so a file it removed is never
   * committed, and one committed is never removed.
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the data file is gone (nothing is committed).
   */
  async put(
    tenantId: string,
    key: string,
    entry: IndexEntry,
    inline?: Uint8Array,
    dataPath?: string,
  ): Promise<string | undefined> {
    return this.#db.write(() => {
      if (dataPath !== undefined && !existsSync(dataPath)) {
        throw new PlatformError(
          ErrorCode.ADAPTER_UNAVAILABLE,
          `local blob store: the bytes written for '${key}' were removed before their commit (a sweep with an olderThanMs shorter than the write took?); nothing was stored, write again`,
          { details: { adapter: 'local', key } },
        );
      }
      const previous = this.#db.get<{ data: string | null }>(
        'select data from blob_objects where tenant_id = ? and key = ?',
        tenantId,
        key,
      );
      this.#db.run(
        `insert into blob_objects (tenant_id, ${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (tenant_id, key) do update set size = excluded.size, sha256 = excluded.sha256,
           content_type = excluded.content_type, metadata = excluded.metadata,
           created_at = excluded.created_at, data = excluded.data, inline = excluded.inline`,
        ...entryValues(tenantId, key, entry, inline),
      );
      return previous?.data ?? undefined;
    });
  }

  /**
   * Removes the key; answers what it held (`undefined` when nothing). Bytes kept in the row are
   * overwritten with zeros in the database file (`secure_delete`), and the write-ahead log holding
   * their earlier pages (and those of any earlier value of the key) is checkpointed and emptied at
   * once, so that, as when a data file is removed, no file of the store holds them any more. While
   * another process reads the store the log cannot be emptied; SQLite's next checkpoint does it
   * then. It costs about 1 ms a delete.
   */
  async delete(tenantId: string, key: string): Promise<IndexEntry | undefined> {
    const removed = await this.#db.write(() => {
      const row = this.#db.get<Row>(
        `delete from blob_objects where tenant_id = ? and key = ? returning ${COLUMNS}`,
        tenantId,
        key,
      );
      return row ? toRow(row) : undefined;
    });
    // Every delete, not only of an inline row: a row once inline and since replaced left its
    // earlier bytes in pages the log still holds.
    if (removed) this.#db.checkpoint();
    return removed?.entry;
  }

  /** Up to `limit` entries of keys starting with `prefix`, after `cursor`, in key order (bytes of UTF-8). */
  list(tenantId: string, prefix: string, cursor: string | undefined, limit: number): Array<IndexRow & { key: string }> {
    const rows = this.#db.all<Row>(
      `select key, size, sha256, content_type, metadata, created_at, data, null as inline from blob_objects
       where tenant_id = ? and key >= ? and substr(key, 1, length(?)) = ? and key > ? order by key limit ?`,
      tenantId,
      prefix,
      prefix,
      prefix,
      cursor ?? '',
      limit,
    );
    return rows.map((row) => ({ key: row.key, ...toRow(row) }));
  }

  /**
   * Removes those of `files` no object points to, inside one write transaction, so that no write
   * commits one of them meanwhile (see {@link put}); `alsoReferenced` adds names that must be kept.
   * Answers the paths removed.
   */
  async removeUnreferenced(
    files: ReadonlyArray<{ tenantId: string; path: string }>,
    alsoReferenced: (tenantId: string) => Promise<Set<string>>,
  ): Promise<Set<string>> {
    const tenants = [...new Set(files.map((file) => file.tenantId))];
    const kept = new Map<string, Set<string>>();
    for (const tenantId of tenants) kept.set(tenantId, await alsoReferenced(tenantId));
    return this.#db.write(() => {
      const removed = new Set<string>();
      for (const tenantId of tenants) {
        const referenced = this.referencedData(tenantId);
        for (const name of kept.get(tenantId) ?? []) referenced.add(name);
        for (const file of files) {
          if (file.tenantId !== tenantId || referenced.has(basename(file.path))) continue;
          rmSync(file.path, { force: true });
          removed.add(file.path);
        }
      }
      return removed;
    });
  }

  /** The names of the data files the tenant's objects point to. */
  referencedData(tenantId: string): Set<string> {
    const rows = this.#db.all<{ data: string }>(
      'select data from blob_objects where tenant_id = ? and data is not null',
      tenantId,
    );
    return new Set(rows.map((row) => row.data));
  }

  close(): void {
    this.#db.close();
  }
}

function entryValues(tenantId: string, key: string, entry: IndexEntry, inline?: Uint8Array): SQLInputValue[] {
  return [
    tenantId,
    key,
    entry.size,
    entry.sha256,
    entry.contentType ?? null,
    JSON.stringify(entry.metadata),
    entry.createdAt,
    entry.data ?? null,
    inline ?? null,
  ];
}

const IMPORTED = 'index_files_imported';

/**
 * Copies the index files of an earlier version into the table, once (inside the caller's write
 * transaction, so that of several processes opening the store one imports and the others see it
 * done). The files are left where they are; nothing reads them afterwards.
 * @throws when an index file does not parse: what it points to is unknown, so nothing is imported.
 */
function importIndexFiles(db: SqliteDatabase, directory: string): void {
  if (db.get('select 1 from blob_index_state where name = ?', IMPORTED)) return;
  let files: string[] = [];
  try {
    files = readdirSync(directory, { recursive: true, withFileTypes: true })
      .filter((file) => file.isFile() && file.name.endsWith('.json'))
      .map((file) => relative(directory, join(file.parentPath, file.name)));
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  for (const file of files) {
    const path = join(directory, file);
    let row: { tenantId: string; key: string; entry: IndexEntry };
    try {
      row = legacyRow(file, readFileSync(path, 'utf8'));
    } catch (error) {
      throw new PlatformError(
        ErrorCode.ADAPTER_UNAVAILABLE,
        `local blob store: cannot import the index file '${path}' of an earlier version ` +
          `(${(error as Error).message}); repair or remove it, then open the store again`,
        { details: { adapter: 'local', path }, cause: error },
      );
    }
    db.run(
      `insert into blob_objects (tenant_id, ${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
      ...entryValues(row.tenantId, row.key, row.entry),
    );
  }
  db.run('insert into blob_index_state (name, value) values (?, ?)', IMPORTED, new Date().toISOString());
}

// What earlier versions wrote: `index/<tenant>/<key>.json` holding this, pointing to `data/<tenant>/<uuid>`.
const LegacyEntrySchema = z.object({
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
  createdAt: z.string(),
  data: z.string().regex(/^[0-9a-f-]{36}$/, 'expected the name of a data file (a UUID)'),
});

/** The row of one earlier index file (its path relative to `index/`), checked as a write would be. */
function legacyRow(file: string, text: string): { tenantId: string; key: string; entry: IndexEntry } {
  const [tenantId, ...keyParts] = file.split(sep);
  assertTenantId(tenantId);
  const key = keyParts.join('/').slice(0, -'.json'.length);
  validateBlobKey(key);
  const parsed = LegacyEntrySchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(entry)'}: ${issue.message}`).join('; '),
    );
  }
  const { contentType, ...rest } = parsed.data;
  return { tenantId, key, entry: { ...rest, ...(contentType === undefined ? {} : { contentType }) } };
}
