import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { FileRecord, JourneyRecord } from '../ports/metadata-records.js';
import { iso } from '../sql/sql-rows.js';

type Row = Record<string, unknown>;

/** What a supabase-js request resolves to: `{ data, error }`, with Postgres' SQLSTATE in `error.code`. */
export interface RestResult {
  data: unknown;
  error: { code?: string; message: string; details?: string | null; hint?: string | null } | null;
  status?: number;
}

export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';

/**
 * A PostgREST error as the port's errors, by what a caller can do about it: `CONFLICT` (a
 * duplicate, a missing parent, a transaction to run again), `RATE_LIMITED`, `ADAPTER_UNAVAILABLE`
 * for what another attempt or the operator can fix (the database or gateway down, the key
 * refused, the schema not migrated), `INTERNAL` for a request the server could not accept (a bug).
 */
export function restError(what: string, error: NonNullable<RestResult['error']>, status?: number): PlatformError {
  const code = error.code ?? '';
  const details = {
    adapter: 'supabase',
    ...(code ? { code } : {}),
    ...(status === undefined ? {} : { status }),
  };
  const message = `supabase: ${what}: ${error.message}`;
  let kind: string;
  if ([UNIQUE_VIOLATION, FOREIGN_KEY_VIOLATION, '40001', '40P01'].includes(code)) kind = ErrorCode.CONFLICT;
  else if (status === 429) kind = ErrorCode.RATE_LIMITED;
  else if (
    status === 401 ||
    status === 403 ||
    (status !== undefined && status >= 502) ||
    /^(PGRST00\d|PGRST3\d\d|PGRST20[25]|08...|57P0\d|53\d\d\d|42501|42P01)$/.test(code)
  ) {
    kind = ErrorCode.ADAPTER_UNAVAILABLE;
  } else kind = ErrorCode.INTERNAL;
  return new PlatformError(kind, message, { details });
}

/** A value inside a PostgREST logical filter (`or=(...)`), quoted so commas and parentheses stay data. */
export function quoteFilterValue(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** The keyset condition after (or before) a cursor over (created_at, id), as a PostgREST `or` filter. */
export function keysetFilter(cursor: { at: Date; id: string }, direction: 'asc' | 'desc'): string {
  const op = direction === 'asc' ? 'gt' : 'lt';
  const at = quoteFilterValue(cursor.at.toISOString());
  return `created_at.${op}.${at},and(created_at.eq.${at},id.${op}.${quoteFilterValue(cursor.id)})`;
}

export function fileToRow(file: FileRecord): Row {
  return {
    tenant_id: file.tenantId,
    id: file.id,
    name: file.name,
    declared_type: file.declaredType ?? null,
    detected_type: file.detectedType ?? null,
    size_bytes: file.sizeBytes,
    sha256: file.sha256,
    status: file.status,
    storage_key: file.storageKey ?? null,
    quarantine_reason: file.quarantineReason ?? null,
    created_by: file.createdBy ?? null,
    metadata: file.metadata,
    created_at: iso(file.createdAt),
    updated_at: iso(file.updatedAt),
    deleted_at: iso(file.deletedAt),
  };
}

export function journeyToRow(journey: JourneyRecord): Row {
  return {
    tenant_id: journey.tenantId,
    id: journey.id,
    template: journey.template,
    template_version: journey.templateVersion,
    status: journey.status,
    idempotency_key: journey.idempotencyKey ?? null,
    // Only when set: a project that has not applied metadata/0003 yet still takes the others.
    ...(journey.label === undefined ? {} : { label: journey.label }),
    trace_id: journey.traceId ?? null,
    milestones: journey.milestones.map((milestone) => ({
      ...milestone,
      ...(milestone.startedAt ? { startedAt: milestone.startedAt.toISOString() } : {}),
      ...(milestone.completedAt ? { completedAt: milestone.completedAt.toISOString() } : {}),
    })),
    context: journey.context,
    error: journey.error ?? null,
    version: journey.version,
    created_at: iso(journey.createdAt),
    updated_at: iso(journey.updatedAt),
    completed_at: iso(journey.completedAt),
  };
}
