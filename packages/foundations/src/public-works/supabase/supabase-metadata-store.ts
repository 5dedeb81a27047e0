import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
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
import type { FileRecord, ParsedFileRecord } from '../ports/metadata-records.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { assertTenantId, notFound } from '../ports/tenancy.js';
import { fileFromRow, iso, journeyFromRow, linkFromRow, parsedFileFromRow } from '../sql/sql-rows.js';
import { type Row, SupabaseConnection, type SupabaseMetadataStoreOptions } from './supabase-connection.js';
import { appendGovernanceRecord, listGovernanceRecords } from './supabase-governance.js';
import {
  FOREIGN_KEY_VIOLATION,
  fileToRow,
  journeyToRow,
  type RestResult,
  UNIQUE_VIOLATION,
} from './supabase-requests.js';

export type { SupabaseMetadataStoreOptions } from './supabase-connection.js';

/**
 * A {@link MetadataStore} over Supabase's REST API (PostgREST, through `@supabase/supabase-js`, an
 * optional peer dependency), for deployments that reach Supabase only over HTTPS. It uses the
 * schema of the Postgres adapter (`migrations/metadata/*.sql`, plus the row-level security of
 * `migrations/supabase/*.sql`), and the service role key: every request filters by tenant, and
 * the policies keep other keys (anon, users) to their own tenant.
 *
 * Not run against Supabase on this project's machines (no PostgREST there): its integration suite
 * (the shared conformance suite) runs when `SUPABASE_URL` and `SUPABASE_SERVICE_ROLE_KEY` are set;
 * the requests it builds are unit-tested, and the same schema runs for real under the Postgres
 * adapter.
 */
export class SupabaseMetadataStore implements MetadataStore {
  readonly kind = 'supabase';
  readonly #connection: SupabaseConnection;

  constructor(options: SupabaseMetadataStoreOptions = {}) {
    this.#connection = new SupabaseConnection(options);
  }

  /** Checks that the project answers and the schema is there. @throws `ADAPTER_UNAVAILABLE` */
  async initialize(): Promise<void> {
    const client = await this.#connection.client();
    const result: RestResult = await client.from('platform_journeys').select('id').limit(1);
    if (result.error) {
      throw new PlatformError(
        ErrorCode.ADAPTER_UNAVAILABLE,
        `supabase: the metadata tables cannot be read (${result.error.message}); apply migrations/metadata and migrations/supabase`,
        { details: { adapter: 'supabase', ...(result.error.code ? { code: result.error.code } : {}) } },
      );
    }
  }

  /** Unhealthy, with the reason, when the project does not answer or the tables cannot be read. */
  health() {
    return probeHealth(() => this.initialize());
  }

  async #liveBySha256(tenantId: string, sha256: string): Promise<FileRecord | undefined> {
    const [row] = await this.#connection.rows('find file', (client) =>
      client
        .from('platform_files')
        .select('*')
        .match({ tenant_id: tenantId, sha256 })
        .not('status', 'in', '(deleted,quarantined)')
        .limit(1),
    );
    return row ? fileFromRow(row) : undefined;
  }

  async #duplicateOr<T>(file: FileRecord, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if ((error as PlatformError).details?.code !== UNIQUE_VIOLATION) throw error;
      const existing = await this.#liveBySha256(file.tenantId, file.sha256);
      if (existing && existing.id !== file.id) throw duplicateFile(existing);
      throw new PlatformError(ErrorCode.CONFLICT, `file '${file.id}' already exists`, {
        details: { existingId: file.id },
      });
    }
  }

  async createFile(input: Parameters<MetadataStore['createFile']>[0]) {
    const file = prepareFile(input, new Date());
    await this.#duplicateOr(file, () =>
      this.#connection.rows('create file', (client) => client.from('platform_files').insert(fileToRow(file))),
    );
    return file;
  }

  async getFile(tenantId: string, id: string) {
    checkTenantAndId(tenantId, id);
    const [row] = await this.#connection.rows('get file', (client) =>
      client.from('platform_files').select('*').match({ tenant_id: tenantId, id }).limit(1),
    );
    if (!row) throw notFound('file', tenantId, id);
    return fileFromRow(row);
  }

  async findFileBySha256(tenantId: string, sha256: string) {
    assertTenantId(tenantId);
    return this.#liveBySha256(tenantId, sha256);
  }

  async listFiles(tenantId: string, options: Parameters<MetadataStore['listFiles']>[1] = {}) {
    assertTenantId(tenantId);
    const filters: Record<string, string> = { tenant_id: tenantId };
    if (options.status !== undefined) filters.status = options.status;
    return this.#connection.page('platform_files', filters, options, 'desc', fileFromRow);
  }

  async updateFile(tenantId: string, id: string, patch: Parameters<MetadataStore['updateFile']>[2]) {
    const changes = prepareFilePatch(patch);
    const current = await this.getFile(tenantId, id);
    const next: FileRecord = { ...current, ...changes, updatedAt: new Date() };
    const row = fileToRow(next);
    const [updated] = await this.#duplicateOr(next, () =>
      this.#connection.rows('update file', (client) =>
        client
          .from('platform_files')
          .update({
            status: row.status,
            detected_type: row.detected_type,
            storage_key: row.storage_key,
            quarantine_reason: row.quarantine_reason,
            metadata: row.metadata,
            updated_at: row.updated_at,
          })
          .match({ tenant_id: tenantId, id })
          .select('*'),
      ),
    );
    if (!updated) throw notFound('file', tenantId, id);
    return fileFromRow(updated);
  }

  async deleteFile(tenantId: string, id: string) {
    const current = await this.getFile(tenantId, id);
    const now = new Date();
    const [row] = await this.#connection.rows('delete file', (client) =>
      client
        .from('platform_files')
        .update({ status: 'deleted', updated_at: iso(now), deleted_at: iso(current.deletedAt ?? now) })
        .match({ tenant_id: tenantId, id })
        .select('*'),
    );
    if (!row) throw notFound('file', tenantId, id);
    return fileFromRow(row);
  }

  async putParsedFile(input: Parameters<MetadataStore['putParsedFile']>[0]) {
    const record = prepareParsedFile(input, new Date());
    const values = {
      format: record.format,
      storage_key: record.storageKey ?? null,
      row_count: record.rowCount ?? null,
      columns: record.columns ?? null,
      chunk_count: record.chunkCount ?? null,
      report: record.report,
    };
    const key = { tenant_id: record.tenantId, file_id: record.fileId, parser: record.parser };
    // One record per file and parser: an existing one is updated and keeps its id.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const [updated] = await this.#connection.rows('update parsed file', (client) =>
        client.from('platform_parsed_files').update(values).match(key).select('*'),
      );
      if (updated) return parsedFileFromRow(updated);
      try {
        const [inserted] = await this.#connection.rows('create parsed file', (client) =>
          client
            .from('platform_parsed_files')
            .insert({ ...key, ...values, id: record.id, created_at: iso(record.createdAt) })
            .select('*'),
        );
        return parsedFileFromRow(inserted as Row);
      } catch (error) {
        const code = (error as PlatformError).details?.code;
        if (code === FOREIGN_KEY_VIOLATION) throw notFound('file', record.tenantId, record.fileId);
        // Another writer inserted it between our update and insert: update it on the next round.
        if (code !== UNIQUE_VIOLATION) throw error;
      }
    }
    throw new PlatformError(ErrorCode.CONFLICT, 'parsed file changed concurrently; try again', {
      details: { fileId: record.fileId, parser: record.parser },
    });
  }

  async getParsedFile(tenantId: string, id: string): Promise<ParsedFileRecord> {
    checkTenantAndId(tenantId, id);
    const [row] = await this.#connection.rows('get parsed file', (client) =>
      client.from('platform_parsed_files').select('*').match({ tenant_id: tenantId, id }).limit(1),
    );
    if (!row) throw notFound('parsed file', tenantId, id);
    return parsedFileFromRow(row);
  }

  async listParsedFiles(tenantId: string, fileId: string) {
    checkTenantAndId(tenantId, fileId);
    const rows = await this.#connection.rows('list parsed files', (client) =>
      client
        .from('platform_parsed_files')
        .select('*')
        .match({ tenant_id: tenantId, file_id: fileId })
        .order('created_at')
        .order('id'),
    );
    return rows.map(parsedFileFromRow);
  }

  async addLink(input: Parameters<MetadataStore['addLink']>[0]) {
    const link = prepareLink(input, new Date());
    const key = {
      tenant_id: link.tenantId,
      from_kind: link.from.kind,
      from_id: link.from.id,
      relation: link.relation,
      to_kind: link.to.kind,
      to_id: link.to.id,
    };
    await this.#connection.rows('add link', (client) =>
      client
        .from('platform_file_links')
        .upsert(
          { ...key, metadata: link.metadata, created_at: iso(link.createdAt) },
          { onConflict: 'tenant_id,from_kind,from_id,relation,to_kind,to_id', ignoreDuplicates: true },
        ),
    );
    const [row] = await this.#connection.rows('read link', (client) =>
      client.from('platform_file_links').select('*').match(key),
    );
    return linkFromRow(row as Row);
  }

  async listLinks(tenantId: string, filter: Parameters<MetadataStore['listLinks']>[1]) {
    assertTenantId(tenantId);
    const match: Record<string, string> = { tenant_id: tenantId };
    if (filter.from) {
      const from = prepareRef(filter.from, 'from');
      Object.assign(match, { from_kind: from.kind, from_id: from.id });
    }
    if (filter.to) {
      const to = prepareRef(filter.to, 'to');
      Object.assign(match, { to_kind: to.kind, to_id: to.id });
    }
    if (filter.relation !== undefined) match.relation = filter.relation;
    const rows = await this.#connection.rows('list links', (client) => {
      let query = client.from('platform_file_links').select('*').match(match);
      for (const column of ['created_at', 'from_kind', 'from_id', 'relation', 'to_kind', 'to_id'])
        query = query.order(column);
      return query;
    });
    return rows.map(linkFromRow);
  }

  async createJourney(input: Parameters<MetadataStore['createJourney']>[0]) {
    const journey = prepareJourney(input, new Date());
    try {
      await this.#connection.rows('create journey', (client) =>
        client.from('platform_journeys').insert(journeyToRow(journey)),
      );
    } catch (error) {
      if ((error as PlatformError).details?.code !== UNIQUE_VIOLATION) throw error;
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
    const [row] = await this.#connection.rows('get journey', (client) =>
      client.from('platform_journeys').select('*').match({ tenant_id: tenantId, id }).limit(1),
    );
    if (!row) throw notFound('journey', tenantId, id);
    return journeyFromRow(row);
  }

  async findJourneyByIdempotencyKey(tenantId: string, template: string, key: string) {
    assertTenantId(tenantId);
    const [row] = await this.#connection.rows('find journey', (client) =>
      client
        .from('platform_journeys')
        .select('*')
        .match({ tenant_id: tenantId, template, idempotency_key: key })
        .limit(1),
    );
    return row ? journeyFromRow(row) : undefined;
  }

  async listJourneys(tenantId: string, options: Parameters<MetadataStore['listJourneys']>[1] = {}) {
    assertTenantId(tenantId);
    const filters: Record<string, string> = { tenant_id: tenantId };
    if (options.status !== undefined) filters.status = options.status;
    if (options.template !== undefined) filters.template = options.template;
    const label = options.label === undefined ? undefined : { column: 'label', text: options.label };
    return this.#connection.page('platform_journeys', filters, options, 'desc', journeyFromRow, label);
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
    const row = journeyToRow(next);
    // Compare-and-set on the version: of concurrent writers holding the same version, one wins.
    const [updated] = await this.#connection.rows('update journey', (client) =>
      client
        .from('platform_journeys')
        .update({
          status: row.status,
          trace_id: row.trace_id,
          milestones: row.milestones,
          context: row.context,
          error: row.error,
          completed_at: row.completed_at,
          version: row.version,
          updated_at: row.updated_at,
          // Sent only when the patch names it: a project before metadata/0003 takes the rest.
          ...(changes.label === undefined ? {} : { label: changes.label }),
        })
        .match({ tenant_id: tenantId, id, version: expectedVersion })
        .select('*'),
    );
    if (!updated) {
      const latest = await this.getJourney(tenantId, id);
      throw staleJourney(id, expectedVersion, latest.version);
    }
    return journeyFromRow(updated);
  }

  /** Chains the record after the tenant's last one, retrying while other writers take the seq first. */
  async appendGovernanceRecord(input: Parameters<MetadataStore['appendGovernanceRecord']>[0]) {
    return appendGovernanceRecord(this.#connection, input);
  }

  async listGovernanceRecords(tenantId: string, options: Parameters<MetadataStore['listGovernanceRecords']>[1] = {}) {
    return listGovernanceRecords(this.#connection, tenantId, options);
  }
}
