import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { ServiceLifecycle } from '../../kernel/service-definition.js';
import { decodeSeqCursor, encodeSeqCursor, prepareGovernanceChain } from '../audit-chain.js';
import { probeHealth } from '../health-probe.js';
import {
  checkTenantAndId,
  decodeCursor,
  duplicateFile,
  duplicateJourney,
  encodeCursor,
  patchedJourney,
  prepareFile,
  prepareFilePatch,
  prepareGovernanceRecord,
  prepareJourney,
  prepareJourneyPatch,
  prepareLink,
  prepareParsedFile,
  prepareRef,
  staleJourney,
} from '../metadata-input.js';
import type { FileRecord, GovernanceRecord, JourneyRecord, NewGovernanceRecord } from '../ports/metadata-records.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { assertTenantId, notFound, type Page, type PageOptions, pageLimit } from '../ports/tenancy.js';
import { loadMigrations } from '../sql/migrations.js';
import { type SqliteDatabase, sqliteConstraintKind } from './sqlite-database.js';
import {
  fileRow,
  fileUpdateValues,
  fileValues,
  GOVERNANCE_HEAD,
  governanceRow,
  governanceValues,
  INSERT_FILE,
  INSERT_GOVERNANCE_RECORD,
  INSERT_JOURNEY,
  journeyRow,
  journeyUpdateValues,
  journeyValues,
  LIVE_FILE_BY_SHA256,
  linkRow,
  type Param,
  parsedFileRow,
  parsedFileValues,
  type Row,
  UPDATE_FILE,
  UPDATE_JOURNEY,
  UPSERT_PARSED_FILE,
} from './sqlite-metadata-rows.js';

/** Options of {@link SqliteMetadataStore}. */
export interface SqliteMetadataStoreOptions {
  /** The connection, from {@link SqliteDatabase.open}. */
  database: SqliteDatabase;
  /** Apply the package's `migrations/sqlite-metadata` in `initialize()`. Default `true`. */
  migrate?: boolean;
  /** Close the database in `shutdown()`. Default `true`; `false` when other stores share the file. */
  ownsDatabase?: boolean;
}

/**
 * A {@link MetadataStore} on an SQLite file through `node:sqlite`: the embedded default. Several
 * processes may use one file at once; every write that reads before it writes (duplicate checks,
 * journey version checks) runs in one `BEGIN IMMEDIATE` transaction, so it is serialized against
 * every other process's writes. The schema is the package's `migrations/sqlite-metadata/*.sql`,
 * applied in `initialize()`.
 *
 * @example
 * ```ts
 * const store = new SqliteMetadataStore({ database: await SqliteDatabase.open({ path: 'data/platform.db' }) });
 * await store.initialize();
 * ```
 */
export class SqliteMetadataStore implements MetadataStore, ServiceLifecycle {
  readonly kind = 'sqlite';
  readonly #db: SqliteDatabase;
  readonly #migrate: boolean;
  readonly #ownsDatabase: boolean;

  constructor(options: SqliteMetadataStoreOptions) {
    this.#db = options.database;
    this.#migrate = options.migrate ?? true;
    this.#ownsDatabase = options.ownsDatabase ?? true;
  }

  /**
   * Applies the migrations not applied yet.
   * @throws {PlatformError} `MIGRATION_CHECKSUM_MISMATCH` when an applied migration was edited.
   */
  async initialize(): Promise<void> {
    if (this.#migrate) await this.#db.applyMigrations(loadMigrations('sqlite-metadata'));
  }

  /** Closes the database when this store owns it; every later call is `ADAPTER_UNAVAILABLE`. */
  async shutdown(): Promise<void> {
    if (this.#ownsDatabase) this.#db.close();
  }

  /** Healthy while the database answers a query. */
  health() {
    return probeHealth(async () => this.#db.get('select 1'));
  }

  #page<T extends { createdAt: Date; id: string }>(
    base: string,
    params: Param[],
    options: PageOptions | undefined,
    direction: 'asc' | 'desc',
    map: (row: Row) => T,
  ): Page<T> {
    const limit = pageLimit(options);
    const cursor = decodeCursor(options?.cursor);
    const values = [...params];
    let sql = base;
    if (cursor) {
      values.push(cursor.at.getTime(), cursor.id);
      sql += ` and (created_at, id) ${direction === 'asc' ? '>' : '<'} (?, ?)`;
    }
    values.push(limit + 1);
    sql += ` order by created_at ${direction}, id ${direction} limit ?`;
    const rows = this.#db.all<Row>(sql, ...values).map(map);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeCursor(last.createdAt, last.id) } : { items };
  }

  #liveBySha256(tenantId: string, sha256: string): FileRecord | undefined {
    const row = this.#db.get<Row>(LIVE_FILE_BY_SHA256, tenantId, sha256);
    return row ? fileRow(row) : undefined;
  }

  async createFile(input: Parameters<MetadataStore['createFile']>[0]) {
    const file = prepareFile(input, new Date());
    return this.#db.write(() => {
      // Checked inside the write transaction, so the existing file named is the one that won.
      const existing = this.#liveBySha256(file.tenantId, file.sha256);
      if (existing) throw duplicateFile(existing);
      try {
        this.#db.run(INSERT_FILE, ...fileValues(file));
      } catch (error) {
        if (sqliteConstraintKind(error) !== 'unique') throw error;
        throw new PlatformError(ErrorCode.CONFLICT, `file '${file.id}' already exists`, {
          details: { existingId: file.id },
        });
      }
      return file;
    });
  }

  async getFile(tenantId: string, id: string) {
    checkTenantAndId(tenantId, id);
    const row = this.#db.get<Row>('select * from platform_files where tenant_id = ? and id = ?', tenantId, id);
    if (!row) throw notFound('file', tenantId, id);
    return fileRow(row);
  }

  async findFileBySha256(tenantId: string, sha256: string) {
    assertTenantId(tenantId);
    return this.#liveBySha256(tenantId, sha256);
  }

  async listFiles(tenantId: string, options: Parameters<MetadataStore['listFiles']>[1] = {}) {
    assertTenantId(tenantId);
    const params: Param[] = [tenantId];
    let sql = 'select * from platform_files where tenant_id = ?';
    if (options.status !== undefined) {
      params.push(options.status);
      sql += ' and status = ?';
    }
    return this.#page(sql, params, options, 'desc', fileRow);
  }

  async updateFile(tenantId: string, id: string, patch: Parameters<MetadataStore['updateFile']>[2]) {
    const changes = prepareFilePatch(patch);
    checkTenantAndId(tenantId, id);
    return this.#db.write(() => {
      const row = this.#db.get<Row>('select * from platform_files where tenant_id = ? and id = ?', tenantId, id);
      if (!row) throw notFound('file', tenantId, id);
      const next: FileRecord = { ...fileRow(row), ...changes, updatedAt: new Date() };
      try {
        this.#db.run(UPDATE_FILE, ...fileUpdateValues(next));
      } catch (error) {
        // Bringing a quarantined or deleted file back to life while another live file has its checksum.
        const existing = sqliteConstraintKind(error) === 'unique' && this.#liveBySha256(tenantId, next.sha256);
        if (existing) throw duplicateFile(existing);
        throw error;
      }
      return next;
    });
  }

  async deleteFile(tenantId: string, id: string) {
    checkTenantAndId(tenantId, id);
    const now = Date.now();
    const row = await this.#db.write(() =>
      this.#db.get<Row>(
        `update platform_files set status = 'deleted', updated_at = ?, deleted_at = coalesce(deleted_at, ?)
         where tenant_id = ? and id = ? returning *`,
        now,
        now,
        tenantId,
        id,
      ),
    );
    if (!row) throw notFound('file', tenantId, id);
    return fileRow(row);
  }

  async putParsedFile(input: Parameters<MetadataStore['putParsedFile']>[0]) {
    const record = prepareParsedFile(input, new Date());
    let row: Row | undefined;
    try {
      row = await this.#db.write(() => this.#db.get<Row>(UPSERT_PARSED_FILE, ...parsedFileValues(record)));
    } catch (error) {
      // The foreign key includes the tenant: a file of another tenant is as absent as a missing one.
      if (sqliteConstraintKind(error) === 'foreign_key') throw notFound('file', record.tenantId, record.fileId);
      throw error;
    }
    return parsedFileRow(row as Row);
  }

  async getParsedFile(tenantId: string, id: string) {
    checkTenantAndId(tenantId, id);
    const row = this.#db.get<Row>('select * from platform_parsed_files where tenant_id = ? and id = ?', tenantId, id);
    if (!row) throw notFound('parsed file', tenantId, id);
    return parsedFileRow(row);
  }

  async listParsedFiles(tenantId: string, fileId: string) {
    checkTenantAndId(tenantId, fileId);
    return this.#db
      .all<Row>(
        'select * from platform_parsed_files where tenant_id = ? and file_id = ? order by created_at, id',
        tenantId,
        fileId,
      )
      .map(parsedFileRow);
  }

  async addLink(input: Parameters<MetadataStore['addLink']>[0]) {
    const link = prepareLink(input, new Date());
    const key = [link.tenantId, link.from.kind, link.from.id, link.relation, link.to.kind, link.to.id];
    // Insert-or-keep and the read back in one transaction: the edge returned is the stored one.
    const row = await this.#db.write(() => {
      this.#db.run(
        `insert into platform_file_links (tenant_id, from_kind, from_id, relation, to_kind, to_id, metadata, created_at)
         values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing`,
        ...key,
        JSON.stringify(link.metadata),
        link.createdAt.getTime(),
      );
      return this.#db.get<Row>(
        `select * from platform_file_links where tenant_id = ? and from_kind = ? and from_id = ? and relation = ?
           and to_kind = ? and to_id = ?`,
        ...key,
      );
    });
    return linkRow(row as Row);
  }

  async listLinks(tenantId: string, filter: Parameters<MetadataStore['listLinks']>[1]) {
    assertTenantId(tenantId);
    const params: Param[] = [tenantId];
    let sql = 'select * from platform_file_links where tenant_id = ?';
    if (filter.from) {
      const from = prepareRef(filter.from, 'from');
      params.push(from.kind, from.id);
      sql += ' and from_kind = ? and from_id = ?';
    }
    if (filter.to) {
      const to = prepareRef(filter.to, 'to');
      params.push(to.kind, to.id);
      sql += ' and to_kind = ? and to_id = ?';
    }
    if (filter.relation !== undefined) {
      params.push(filter.relation);
      sql += ' and relation = ?';
    }
    return this.#db
      .all<Row>(`${sql} order by created_at, from_kind, from_id, relation, to_kind, to_id`, ...params)
      .map(linkRow);
  }

  async createJourney(input: Parameters<MetadataStore['createJourney']>[0]) {
    const journey = prepareJourney(input, new Date());
    return this.#db.write(() => {
      const existing =
        journey.idempotencyKey === undefined
          ? undefined
          : this.#journeyByKey(journey.tenantId, journey.template, journey.idempotencyKey);
      if (existing) throw duplicateJourney(existing);
      try {
        this.#db.run(INSERT_JOURNEY, ...journeyValues(journey));
      } catch (error) {
        if (sqliteConstraintKind(error) !== 'unique') throw error;
        throw new PlatformError(ErrorCode.CONFLICT, `journey '${journey.id}' already exists`, {
          details: { existingId: journey.id },
        });
      }
      return journey;
    });
  }

  async getJourney(tenantId: string, id: string) {
    checkTenantAndId(tenantId, id);
    return this.#journey(tenantId, id);
  }

  #journey(tenantId: string, id: string): JourneyRecord {
    const row = this.#db.get<Row>('select * from platform_journeys where tenant_id = ? and id = ?', tenantId, id);
    if (!row) throw notFound('journey', tenantId, id);
    return journeyRow(row);
  }

  #journeyByKey(tenantId: string, template: string, key: string): JourneyRecord | undefined {
    const row = this.#db.get<Row>(
      'select * from platform_journeys where tenant_id = ? and template = ? and idempotency_key = ?',
      tenantId,
      template,
      key,
    );
    return row ? journeyRow(row) : undefined;
  }

  async findJourneyByIdempotencyKey(tenantId: string, template: string, key: string) {
    assertTenantId(tenantId);
    return this.#journeyByKey(tenantId, template, key);
  }

  async listJourneys(tenantId: string, options: Parameters<MetadataStore['listJourneys']>[1] = {}) {
    assertTenantId(tenantId);
    const params: Param[] = [tenantId];
    let sql = 'select * from platform_journeys where tenant_id = ?';
    if (options.status !== undefined) {
      params.push(options.status);
      sql += ' and status = ?';
    }
    if (options.template !== undefined) {
      params.push(options.template);
      sql += ' and template = ?';
    }
    if (options.label !== undefined) {
      params.push(options.label);
      sql += ' and instr(lower(label), lower(?)) > 0';
    }
    return this.#page(sql, params, options, 'desc', journeyRow);
  }

  async updateJourney(
    tenantId: string,
    id: string,
    expectedVersion: number,
    patch: Parameters<MetadataStore['updateJourney']>[3],
  ) {
    const changes = prepareJourneyPatch(patch);
    checkTenantAndId(tenantId, id);
    // Read and patched before the write lock is taken (a WAL read takes none); the update then
    // applies only if the journey is still at that version, so a writer that committed in between
    // makes it a CONFLICT, as if both had run under the lock. The lock covers the update alone.
    const current = this.#journey(tenantId, id);
    if (current.version !== expectedVersion) throw staleJourney(id, expectedVersion, current.version);
    const values = [...journeyUpdateValues(patchedJourney(current, changes)), expectedVersion];
    const row = await this.#db.write(() => this.#db.get<Row>(UPDATE_JOURNEY, ...values));
    if (!row) throw staleJourney(id, expectedVersion, this.#journey(tenantId, id).version);
    // Returned as stored, so the result equals what a later get returns (milestone dates included).
    return journeyRow(row);
  }

  async appendGovernanceRecord(input: Parameters<MetadataStore['appendGovernanceRecord']>[0]) {
    const [record] = await this.appendGovernanceRecords([input]);
    return record as GovernanceRecord;
  }

  async appendGovernanceRecords(inputs: readonly NewGovernanceRecord[]) {
    // The canonical JSON of each record is made before the write lock is taken (it is the costly
    // part); inside, only its seq and hash.
    const prepared = inputs.map((input) => {
      const record = prepareGovernanceRecord(input, new Date());
      return {
        tenantId: record.tenantId,
        chain: prepareGovernanceChain(record),
        dataJson: JSON.stringify(record.data),
      };
    });
    // Reading each head and inserting in one write transaction (BEGIN IMMEDIATE), one commit: no
    // other writer, in this process or another, can append in between, so the chain has no gaps
    // or forks, and each record is chained to the one before it.
    return this.#db.write(() =>
      prepared.map((record) => {
        const head = this.#db.get<{ seq: number; hash: string }>(GOVERNANCE_HEAD, record.tenantId);
        const chained = record.chain(head);
        this.#db.run(INSERT_GOVERNANCE_RECORD, ...governanceValues(chained, record.dataJson));
        return chained;
      }),
    );
  }

  async listGovernanceRecords(tenantId: string, options: Parameters<MetadataStore['listGovernanceRecords']>[1] = {}) {
    assertTenantId(tenantId);
    const params: Param[] = [tenantId];
    let sql = 'select * from platform_governance_records where tenant_id = ?';
    if (options.subject) {
      const subject = prepareRef(options.subject, 'subject');
      params.push(subject.kind, subject.id);
      sql += ' and subject_kind = ? and subject_id = ?';
    }
    if (options.kind !== undefined) {
      params.push(options.kind);
      sql += ' and kind = ?';
    }
    if (options.order !== 'seq') return this.#page(sql, params, options, 'asc', governanceRow);
    const limit = pageLimit(options);
    params.push(decodeSeqCursor(options.cursor) ?? 0, limit + 1);
    const rows = this.#db.all<Row>(`${sql} and seq > ? order by seq limit ?`, ...params).map(governanceRow);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return rows.length > limit && last ? { items, nextCursor: encodeSeqCursor(last.seq as number) } : { items };
  }
}
