import type {
  FileLink,
  FileRecord,
  GovernanceRecord,
  JourneyRecord,
  Milestone,
  ParsedFileRecord,
} from '../ports/metadata-records.js';

// Row mapping between SQL columns and the port's records. Optional fields are left out (not set
// to undefined) when the column is null, so records compare equal across adapters.

type Row = Record<string, unknown>;

const optional = <K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } =>
  (value === null || value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

const date = (value: unknown): Date => (value instanceof Date ? value : new Date(String(value)));
const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export const iso = (value: Date | undefined): string | null => (value ? value.toISOString() : null);

export function fileFromRow(row: Row): FileRecord {
  return {
    tenantId: String(row.tenant_id),
    id: String(row.id),
    name: String(row.name),
    ...optional('declaredType', row.declared_type as string | null),
    ...optional('detectedType', row.detected_type as string | null),
    sizeBytes: Number(row.size_bytes),
    sha256: String(row.sha256),
    status: row.status as FileRecord['status'],
    ...optional('storageKey', row.storage_key as string | null),
    ...optional('quarantineReason', row.quarantine_reason as string | null),
    ...optional('createdBy', row.created_by as string | null),
    metadata: json(row.metadata),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    ...optional('deletedAt', row.deleted_at === null || row.deleted_at === undefined ? null : date(row.deleted_at)),
  };
}

export function parsedFileFromRow(row: Row): ParsedFileRecord {
  return {
    tenantId: String(row.tenant_id),
    id: String(row.id),
    fileId: String(row.file_id),
    format: String(row.format),
    parser: String(row.parser),
    ...optional('storageKey', row.storage_key as string | null),
    ...optional('rowCount', row.row_count === null || row.row_count === undefined ? null : Number(row.row_count)),
    ...optional(
      'columns',
      row.columns === null || row.columns === undefined ? null : json<ParsedFileRecord['columns']>(row.columns),
    ),
    ...optional(
      'chunkCount',
      row.chunk_count === null || row.chunk_count === undefined ? null : Number(row.chunk_count),
    ),
    report: json(row.report),
    createdAt: date(row.created_at),
  };
}

export function linkFromRow(row: Row): FileLink {
  return {
    tenantId: String(row.tenant_id),
    from: { kind: String(row.from_kind), id: String(row.from_id) },
    to: { kind: String(row.to_kind), id: String(row.to_id) },
    relation: String(row.relation),
    metadata: json(row.metadata),
    createdAt: date(row.created_at),
  };
}

function milestoneFromJson(value: Record<string, unknown>): Milestone {
  return {
    name: String(value.name),
    status: value.status as Milestone['status'],
    ...optional('startedAt', value.startedAt ? date(value.startedAt) : null),
    ...optional('completedAt', value.completedAt ? date(value.completedAt) : null),
    ...optional('result', value.result as Milestone['result'] | undefined),
    ...optional('error', value.error as Milestone['error'] | undefined),
    ...optional('attempts', value.attempts as number | undefined),
  };
}

export function journeyFromRow(row: Row): JourneyRecord {
  return {
    tenantId: String(row.tenant_id),
    id: String(row.id),
    template: String(row.template),
    templateVersion: Number(row.template_version),
    status: row.status as JourneyRecord['status'],
    ...optional('idempotencyKey', row.idempotency_key as string | null),
    ...optional('label', row.label as string | null),
    ...optional('traceId', row.trace_id as string | null),
    milestones: json<Record<string, unknown>[]>(row.milestones).map(milestoneFromJson),
    context: json(row.context),
    ...optional(
      'error',
      row.error === null || row.error === undefined ? null : json<JourneyRecord['error']>(row.error),
    ),
    version: Number(row.version),
    createdAt: date(row.created_at),
    updatedAt: date(row.updated_at),
    ...optional(
      'completedAt',
      row.completed_at === null || row.completed_at === undefined ? null : date(row.completed_at),
    ),
  };
}

export function governanceFromRow(row: Row): GovernanceRecord {
  return {
    tenantId: String(row.tenant_id),
    id: String(row.id),
    kind: String(row.kind),
    subject: { kind: String(row.subject_kind), id: String(row.subject_id) },
    data: json(row.data),
    ...optional('traceId', row.trace_id as string | null),
    createdAt: date(row.created_at),
    // bigint in Postgres: `pg` answers it as a string.
    ...optional('seq', row.seq === null || row.seq === undefined ? undefined : Number(row.seq)),
    ...optional('prevHash', row.prev_hash as string | null | undefined),
    ...optional('hash', row.hash as string | null | undefined),
  };
}
