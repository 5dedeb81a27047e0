import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { ServiceLifecycle } from '../../kernel/service-definition.js';
import { probeHealth } from '../health-probe.js';
import {
  checkTenantAndId,
  duplicateFile,
  duplicateJourney,
  patchedJourney,
  prepareFile,
  prepareFilePatch,
  prepareJourney,
  prepareJourneyPatch,
  prepareLink,
  prepareParsedFile,
  prepareRef,
  staleJourney,
} from '../metadata-input.js';
import type { FileRecord, NewGovernanceRecord } from '../ports/metadata-records.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { assertTenantId, notFound } from '../ports/tenancy.js';
import { type SqlDriver, type SqlExecutor, sqlErrorCode } from './driver.js';
import { applyMigrations, loadMigrations } from './migrations.js';
import { appendGovernanceRecord, appendGovernanceRecords, listGovernanceRecords } from './sql-metadata-governance.js';
import { selectPage } from './sql-metadata-paging.js';
import { fileFromRow, iso, journeyFromRow, linkFromRow, parsedFileFromRow } from './sql-rows.js';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

type Row = Record<string, unknown>;

/** Options of {@link SqlMetadataStore}. */
export interface SqlMetadataStoreOptions {
  driver: SqlDriver;
  /** Apply the package's migrations in `initialize()`. Default `true`; turn off where `migrate` runs separately. */
  migrate?: boolean;
  /** Close the driver in `shutdown()`. Default `true`. */
  ownsDriver?: boolean;
}

/**
 * A {@link MetadataStore} on any Postgres-compatible database through a {@link SqlDriver}: PGlite
 * embedded, or a real Postgres (Supabase's included) through `pg`. The schema is the package's
 * `migrations/metadata/*.sql`, applied in `initialize()`.
 */
export class SqlMetadataStore implements MetadataStore, ServiceLifecycle {
  readonly kind: string;
  readonly #db: SqlDriver;
  readonly #migrate: boolean;
  readonly #ownsDriver: boolean;

  constructor(options: SqlMetadataStoreOptions) {
    this.#db = options.driver;
    this.kind = options.driver.kind;
    this.#migrate = options.migrate ?? true;
    this.#ownsDriver = options.ownsDriver ?? true;
  }

  async initialize(): Promise<void> {
    if (this.#migrate) await applyMigrations(this.#db, loadMigrations('metadata'));
  }

  async shutdown(): Promise<void> {
    if (this.#ownsDriver) await this.#db.close();
  }

  health() {
    return probeHealth(() => this.#db.query('select 1'));
  }

  async #liveBySha256(db: SqlExecutor, tenantId: string, sha256: string): Promise<FileRecord | undefined> {
    const { rows } = await db.query<Row>(
      `select * from platform_files where tenant_id = $1 and sha256 = $2 and status not in ('deleted', 'quarantined')`,
      [tenantId, sha256],
    );
    return rows[0] ? fileFromRow(rows[0]) : undefined;
  }

  async #fileConflict(error: unknown, file: FileRecord): Promise<never> {
    if (sqlErrorCode(error) !== UNIQUE_VIOLATION) throw error;
    const existing = await this.#liveBySha256(this.#db, file.tenantId, file.sha256);
    if (existing) throw duplicateFile(existing);
    throw new PlatformError(ErrorCode.CONFLICT, `file '${file.id}' already exists`, {
      details: { existingId: file.id },
    });
  }

  async createFile(input: Parameters<MetadataStore['createFile']>[0]) {
    const file = prepareFile(input, new Date());
    try {
      await this.#db.query(
        `insert into platform_files (tenant_id, id, name, declared_type, detected_type, size_bytes, sha256, status, storage_key,
           quarantine_reason, created_by, metadata, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::timestamptz, $14::timestamptz)`,
        [
          file.tenantId,
          file.id,
          file.name,
          file.declaredType ?? null,
          file.detectedType ?? null,
          file.sizeBytes,
          file.sha256,
          file.status,
          file.storageKey ?? null,
          file.quarantineReason ?? null,
          file.createdBy ?? null,
          JSON.stringify(file.metadata),
          iso(file.createdAt),
          iso(file.updatedAt),
        ],
      );
    } catch (error) {
      return this.#fileConflict(error, file);
    }
    return file;
  }

  async getFile(tenantId: string, id: string) {
    checkTenantAndId(tenantId, id);
    const { rows } = await this.#db.query<Row>('select * from platform_files where tenant_id = $1 and id = $2', [
      tenantId,
      id,
    ]);
    if (!rows[0]) throw notFound('file', tenantId, id);
    return fileFromRow(rows[0]);
  }

  async findFileBySha256(tenantId: string, sha256: string) {
    assertTenantId(tenantId);
    return this.#liveBySha256(this.#db, tenantId, sha256);
  }

  async listFiles(tenantId: string, options: Parameters<MetadataStore['listFiles']>[1] = {}) {
    assertTenantId(tenantId);
    const params: unknown[] = [tenantId];
    let sql = 'select * from platform_files where tenant_id = $1';
    if (options.status !== undefined) {
      params.push(options.status);
      sql += ` and status = $${params.length}`;
    }
    return selectPage(this.#db, sql, params, options, 'desc', fileFromRow);
  }

  async updateFile(tenantId: string, id: string, patch: Parameters<MetadataStore['updateFile']>[2]) {
    const changes = prepareFilePatch(patch);
    checkTenantAndId(tenantId, id);
    let updated: FileRecord | undefined;
    try {
      updated = await this.#db.transaction(async (tx) => {
        const { rows } = await tx.query<Row>(
          'select * from platform_files where tenant_id = $1 and id = $2 for update',
          [tenantId, id],
        );
        if (!rows[0]) throw notFound('file', tenantId, id);
        const next: FileRecord = { ...fileFromRow(rows[0]), ...changes, updatedAt: new Date() };
        await tx.query(
          `update platform_files set status = $3, detected_type = $4, storage_key = $5, quarantine_reason = $6,
             metadata = $7::jsonb, updated_at = $8::timestamptz where tenant_id = $1 and id = $2`,
          [
            tenantId,
            id,
            next.status,
            next.detectedType ?? null,
            next.storageKey ?? null,
            next.quarantineReason ?? null,
            JSON.stringify(next.metadata),
            iso(next.updatedAt),
          ],
        );
        return next;
      });
    } catch (error) {
      if (sqlErrorCode(error) === UNIQUE_VIOLATION) {
        const existing = await this.getFile(tenantId, id);
        return this.#fileConflict(error, existing);
      }
      throw error;
    }
    return updated;
  }

  async deleteFile(tenantId: string, id: string) {
    checkTenantAndId(tenantId, id);
    const now = iso(new Date());
    const { rows } = await this.#db.query<Row>(
      `update platform_files set status = 'deleted', updated_at = $3::timestamptz, deleted_at = coalesce(deleted_at, $3::timestamptz)
       where tenant_id = $1 and id = $2 returning *`,
      [tenantId, id, now],
    );
    if (!rows[0]) throw notFound('file', tenantId, id);
    return fileFromRow(rows[0]);
  }

  async putParsedFile(input: Parameters<MetadataStore['putParsedFile']>[0]) {
    const record = prepareParsedFile(input, new Date());
    try {
      const { rows } = await this.#db.query<Row>(
        `insert into platform_parsed_files (tenant_id, id, file_id, format, parser, storage_key, row_count, columns, chunk_count, report, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10::jsonb, $11::timestamptz)
         on conflict (tenant_id, file_id, parser) do update set format = excluded.format, storage_key = excluded.storage_key,
           row_count = excluded.row_count, columns = excluded.columns, chunk_count = excluded.chunk_count, report = excluded.report
         returning *`,
        [
          record.tenantId,
          record.id,
          record.fileId,
          record.format,
          record.parser,
          record.storageKey ?? null,
          record.rowCount ?? null,
          record.columns ? JSON.stringify(record.columns) : null,
          record.chunkCount ?? null,
          JSON.stringify(record.report),
          iso(record.createdAt),
        ],
      );
      return parsedFileFromRow(rows[0] as Row);
    } catch (error) {
      if (sqlErrorCode(error) === FOREIGN_KEY_VIOLATION) throw notFound('file', record.tenantId, record.fileId);
      throw error;
    }
  }

  async getParsedFile(tenantId: string, id: string) {
    checkTenantAndId(tenantId, id);
    const { rows } = await this.#db.query<Row>('select * from platform_parsed_files where tenant_id = $1 and id = $2', [
      tenantId,
      id,
    ]);
    if (!rows[0]) throw notFound('parsed file', tenantId, id);
    return parsedFileFromRow(rows[0]);
  }

  async listParsedFiles(tenantId: string, fileId: string) {
    checkTenantAndId(tenantId, fileId);
    const { rows } = await this.#db.query<Row>(
      'select * from platform_parsed_files where tenant_id = $1 and file_id = $2 order by created_at, id',
      [tenantId, fileId],
    );
    return rows.map(parsedFileFromRow);
  }

  async addLink(input: Parameters<MetadataStore['addLink']>[0]) {
    const link = prepareLink(input, new Date());
    const key = [link.tenantId, link.from.kind, link.from.id, link.relation, link.to.kind, link.to.id];
    await this.#db.query(
      `insert into platform_file_links (tenant_id, from_kind, from_id, relation, to_kind, to_id, metadata, created_at)
       values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::timestamptz) on conflict do nothing`,
      [...key, JSON.stringify(link.metadata), iso(link.createdAt)],
    );
    const { rows } = await this.#db.query<Row>(
      `select * from platform_file_links where tenant_id = $1 and from_kind = $2 and from_id = $3 and relation = $4
         and to_kind = $5 and to_id = $6`,
      key,
    );
    return linkFromRow(rows[0] as Row);
  }

  async listLinks(tenantId: string, filter: Parameters<MetadataStore['listLinks']>[1]) {
    assertTenantId(tenantId);
    const params: unknown[] = [tenantId];
    let sql = 'select * from platform_file_links where tenant_id = $1';
    if (filter.from) {
      const from = prepareRef(filter.from, 'from');
      params.push(from.kind, from.id);
      sql += ` and from_kind = $${params.length - 1} and from_id = $${params.length}`;
    }
    if (filter.to) {
      const to = prepareRef(filter.to, 'to');
      params.push(to.kind, to.id);
      sql += ` and to_kind = $${params.length - 1} and to_id = $${params.length}`;
    }
    if (filter.relation !== undefined) {
      params.push(filter.relation);
      sql += ` and relation = $${params.length}`;
    }
    const { rows } = await this.#db.query<Row>(
      `${sql} order by created_at, from_kind, from_id, relation, to_kind, to_id`,
      params,
    );
    return rows.map(linkFromRow);
  }

  async createJourney(input: Parameters<MetadataStore['createJourney']>[0]) {
    const journey = prepareJourney(input, new Date());
    try {
      await this.#db.query(
        `insert into platform_journeys (tenant_id, id, template, template_version, status, idempotency_key, trace_id, milestones,
           context, error, version, created_at, updated_at, completed_at, label)
         values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11, $12::timestamptz, $13::timestamptz, null, $14)`,
        [
          journey.tenantId,
          journey.id,
          journey.template,
          journey.templateVersion,
          journey.status,
          journey.idempotencyKey ?? null,
          journey.traceId ?? null,
          JSON.stringify(journey.milestones),
          JSON.stringify(journey.context),
          journey.error ? JSON.stringify(journey.error) : null,
          journey.version,
          iso(journey.createdAt),
          iso(journey.updatedAt),
          journey.label ?? null,
        ],
      );
    } catch (error) {
      if (sqlErrorCode(error) !== UNIQUE_VIOLATION) throw error;
      const existing =
        journey.idempotencyKey === undefined
          ? undefined
          : await this.findJourneyByIdempotencyKey(journey.tenantId, journey.template, journey.idempotencyKey);
      if (existing) throw duplicateJourney(existing);
      throw new PlatformError(ErrorCode.CONFLICT, `journey '${journey.id}' already exists`, {
        details: { existingId: journey.id },
      });
    }
    return journey;
  }

  async getJourney(tenantId: string, id: string) {
    checkTenantAndId(tenantId, id);
    const { rows } = await this.#db.query<Row>('select * from platform_journeys where tenant_id = $1 and id = $2', [
      tenantId,
      id,
    ]);
    if (!rows[0]) throw notFound('journey', tenantId, id);
    return journeyFromRow(rows[0]);
  }

  async findJourneyByIdempotencyKey(tenantId: string, template: string, key: string) {
    assertTenantId(tenantId);
    const { rows } = await this.#db.query<Row>(
      'select * from platform_journeys where tenant_id = $1 and template = $2 and idempotency_key = $3',
      [tenantId, template, key],
    );
    return rows[0] ? journeyFromRow(rows[0]) : undefined;
  }

  async listJourneys(tenantId: string, options: Parameters<MetadataStore['listJourneys']>[1] = {}) {
    assertTenantId(tenantId);
    const params: unknown[] = [tenantId];
    let sql = 'select * from platform_journeys where tenant_id = $1';
    if (options.status !== undefined) {
      params.push(options.status);
      sql += ` and status = $${params.length}`;
    }
    if (options.template !== undefined) {
      params.push(options.template);
      sql += ` and template = $${params.length}`;
    }
    if (options.label !== undefined) {
      params.push(options.label);
      sql += ` and strpos(lower(label), lower($${params.length})) > 0`;
    }
    return selectPage(this.#db, sql, params, options, 'desc', journeyFromRow);
  }

  async updateJourney(
    tenantId: string,
    id: string,
    expectedVersion: number,
    patch: Parameters<MetadataStore['updateJourney']>[3],
  ) {
    const changes = prepareJourneyPatch(patch);
    const current = await this.getJourney(tenantId, id);
    if (current.version !== expectedVersion) throw staleJourney(id, expectedVersion, current.version);
    const next = patchedJourney(current, changes);
    // Compare-and-set on the version: of concurrent writers holding the same version, one wins.
    const { rows } = await this.#db.query<Row>(
      `update platform_journeys set status = $4, trace_id = $5, milestones = $6::jsonb, context = $7::jsonb, error = $8::jsonb,
         completed_at = $9::timestamptz, version = version + 1, updated_at = $10::timestamptz, label = $11
       where tenant_id = $1 and id = $2 and version = $3 returning *`,
      [
        tenantId,
        id,
        expectedVersion,
        next.status,
        next.traceId ?? null,
        JSON.stringify(next.milestones),
        JSON.stringify(next.context),
        next.error ? JSON.stringify(next.error) : null,
        iso(next.completedAt),
        iso(next.updatedAt),
        next.label ?? null,
      ],
    );
    if (!rows[0]) {
      const latest = await this.getJourney(tenantId, id);
      throw staleJourney(id, expectedVersion, latest.version);
    }
    return journeyFromRow(rows[0]);
  }

  async appendGovernanceRecord(input: Parameters<MetadataStore['appendGovernanceRecord']>[0]) {
    return appendGovernanceRecord(this.#db, input);
  }

  async appendGovernanceRecords(inputs: readonly NewGovernanceRecord[]) {
    return appendGovernanceRecords(this.#db, inputs);
  }

  async listGovernanceRecords(tenantId: string, options: Parameters<MetadataStore['listGovernanceRecords']>[1] = {}) {
    return listGovernanceRecords(this.#db, tenantId, options);
  }
}
