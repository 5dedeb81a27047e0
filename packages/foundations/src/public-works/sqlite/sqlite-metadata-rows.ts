import type {
  FileLink,
  FileRecord,
  GovernanceRecord,
  JourneyRecord,
  ParsedFileRecord,
} from '../ports/metadata-records.js';
import { fileFromRow, governanceFromRow, journeyFromRow, linkFromRow, parsedFileFromRow } from '../sql/sql-rows.js';

// Row mapping and write statements of the SQLite metadata store. Reading reuses the SQL adapters'
// mappers, so records compare equal across adapters; only the timestamps differ: SQLite stores
// integer milliseconds (exact ordering and cursors, see the migration), which become Dates first.

export type Row = Record<string, unknown>;
export type Param = string | number | null;

const TIMESTAMPS = ['created_at', 'updated_at', 'deleted_at', 'completed_at'] as const;

function withDates(row: Row): Row {
  const out: Row = { ...row };
  for (const column of TIMESTAMPS) {
    const value = out[column];
    if (typeof value === 'number') out[column] = new Date(value);
  }
  return out;
}

export const ms = (value: Date | undefined): number | null => (value ? value.getTime() : null);
export const json = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));

export const fileRow = (row: Row): FileRecord => fileFromRow(withDates(row));
export const parsedFileRow = (row: Row): ParsedFileRecord => parsedFileFromRow(withDates(row));
export const linkRow = (row: Row): FileLink => linkFromRow(withDates(row));
export const journeyRow = (row: Row): JourneyRecord => journeyFromRow(withDates(row));
export const governanceRow = (row: Row): GovernanceRecord => governanceFromRow(withDates(row));

export const LIVE_FILE_BY_SHA256 = `select * from platform_files where tenant_id = ? and sha256 = ? and status not in ('deleted', 'quarantined')`;

export const INSERT_FILE = `insert into platform_files (tenant_id, id, name, declared_type, detected_type, size_bytes, sha256,
  status, storage_key, quarantine_reason, created_by, metadata, created_at, updated_at)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export const fileValues = (file: FileRecord): Param[] => [
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
  file.createdAt.getTime(),
  file.updatedAt.getTime(),
];

export const UPDATE_FILE = `update platform_files set status = ?, detected_type = ?, storage_key = ?, quarantine_reason = ?,
  metadata = ?, updated_at = ? where tenant_id = ? and id = ?`;

export const fileUpdateValues = (file: FileRecord): Param[] => [
  file.status,
  file.detectedType ?? null,
  file.storageKey ?? null,
  file.quarantineReason ?? null,
  JSON.stringify(file.metadata),
  file.updatedAt.getTime(),
  file.tenantId,
  file.id,
];

// One parsed record per file and parser: writing it again updates it in place, keeping id and createdAt.
export const UPSERT_PARSED_FILE = `insert into platform_parsed_files (tenant_id, id, file_id, format, parser, storage_key,
  row_count, columns, chunk_count, report, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (tenant_id, file_id, parser) do update set format = excluded.format, storage_key = excluded.storage_key,
    row_count = excluded.row_count, columns = excluded.columns, chunk_count = excluded.chunk_count, report = excluded.report
  returning *`;

export const parsedFileValues = (record: ParsedFileRecord): Param[] => [
  record.tenantId,
  record.id,
  record.fileId,
  record.format,
  record.parser,
  record.storageKey ?? null,
  record.rowCount ?? null,
  json(record.columns),
  record.chunkCount ?? null,
  JSON.stringify(record.report),
  record.createdAt.getTime(),
];

export const INSERT_JOURNEY = `insert into platform_journeys (tenant_id, id, template, template_version, status,
  idempotency_key, trace_id, milestones, context, error, version, created_at, updated_at, completed_at, label)
  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export const journeyValues = (journey: JourneyRecord): Param[] => [
  journey.tenantId,
  journey.id,
  journey.template,
  journey.templateVersion,
  journey.status,
  journey.idempotencyKey ?? null,
  journey.traceId ?? null,
  JSON.stringify(journey.milestones),
  JSON.stringify(journey.context),
  json(journey.error),
  journey.version,
  journey.createdAt.getTime(),
  journey.updatedAt.getTime(),
  ms(journey.completedAt),
  journey.label ?? null,
];

/** The update of a journey still at the version last read (compare-and-set): no row when it is not. */
export const UPDATE_JOURNEY = `update platform_journeys set status = ?, trace_id = ?, milestones = ?, context = ?, error = ?,
  completed_at = ?, version = ?, updated_at = ?, label = ? where tenant_id = ? and id = ? and version = ? returning *`;

export const journeyUpdateValues = (journey: JourneyRecord): Param[] => [
  journey.status,
  journey.traceId ?? null,
  JSON.stringify(journey.milestones),
  JSON.stringify(journey.context),
  json(journey.error),
  ms(journey.completedAt),
  journey.version,
  journey.updatedAt.getTime(),
  journey.label ?? null,
  journey.tenantId,
  journey.id,
];

export const INSERT_GOVERNANCE_RECORD = `insert into platform_governance_records (tenant_id, id, kind, subject_kind, subject_id,
  data, trace_id, created_at, seq, prev_hash, hash) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/** The tenant's last chained governance record: the head the next one links to. */
export const GOVERNANCE_HEAD = `select seq, hash from platform_governance_records
  where tenant_id = ? and seq is not null order by seq desc limit 1`;

/** The insert's values of a governance record; `dataJson`: its data as JSON, when made already. */
export const governanceValues = (record: GovernanceRecord, dataJson = JSON.stringify(record.data)): Param[] => [
  record.tenantId,
  record.id,
  record.kind,
  record.subject.kind,
  record.subject.id,
  dataJson,
  record.traceId ?? null,
  record.createdAt.getTime(),
  record.seq ?? null,
  record.prevHash ?? null,
  record.hash ?? null,
];
