import type { PlatformError } from '../../errors/platform-error.js';
import { chainGovernanceRecord, decodeSeqCursor, encodeSeqCursor } from '../audit-chain.js';
import { prepareGovernanceRecord, prepareRef } from '../metadata-input.js';
import type { GovernanceRecord } from '../ports/metadata-records.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { assertTenantId, pageLimit } from '../ports/tenancy.js';
import { governanceFromRow, iso } from '../sql/sql-rows.js';
import type { SupabaseConnection } from './supabase-connection.js';
import { UNIQUE_VIOLATION } from './supabase-requests.js';

// The audit chain of SupabaseMetadataStore: appending to it and reading it back.

/** How long an audit append keeps reading the head again after losing its seq to other writers. */
const APPEND_RETRY_MS = 60_000;

/**
 * PostgREST runs each request in its own transaction, so the head cannot be locked from here:
 * the store reads the tenant's last chained record and inserts the next seq, and when another
 * writer took that seq first (the unique (tenant_id, seq) index answers 23505) reads again and
 * retries, with jittered backoff, for up to {@link APPEND_RETRY_MS} (then the `CONFLICT`).
 */
export async function appendGovernanceRecord(
  connection: SupabaseConnection,
  input: Parameters<MetadataStore['appendGovernanceRecord']>[0],
): Promise<GovernanceRecord> {
  const prepared: GovernanceRecord = prepareGovernanceRecord(input, new Date());
  const deadline = Date.now() + APPEND_RETRY_MS;
  for (let attempt = 1; ; attempt += 1) {
    const [head] = await connection.rows('read the audit head', (client) =>
      client
        .from('platform_governance_records')
        .select('seq, hash')
        .eq('tenant_id', prepared.tenantId)
        .not('seq', 'is', null)
        .order('seq', { ascending: false })
        .limit(1),
    );
    const record = chainGovernanceRecord(
      prepared,
      head ? { seq: Number(head.seq), hash: String(head.hash) } : undefined,
    );
    try {
      await connection.rows('append governance record', (client) =>
        client.from('platform_governance_records').insert({
          tenant_id: record.tenantId,
          id: record.id,
          kind: record.kind,
          subject_kind: record.subject.kind,
          subject_id: record.subject.id,
          data: record.data,
          trace_id: record.traceId ?? null,
          created_at: iso(record.createdAt),
          seq: record.seq,
          prev_hash: record.prevHash,
          hash: record.hash,
        }),
      );
      return record;
    } catch (error) {
      if ((error as PlatformError).details?.code !== UNIQUE_VIOLATION || Date.now() >= deadline) throw error;
      // The seq was taken, or this very record went in and its answer was lost: look for it first.
      const [mine] = await connection.rows('find governance record', (client) =>
        client.from('platform_governance_records').select('*').match({ tenant_id: record.tenantId, id: record.id }),
      );
      if (mine) return governanceFromRow(mine);
      await new Promise((resolve) => setTimeout(resolve, Math.min(2 ** attempt, 50) * (0.5 + Math.random())));
    }
  }
}

export async function listGovernanceRecords(
  connection: SupabaseConnection,
  tenantId: string,
  options: Parameters<MetadataStore['listGovernanceRecords']>[1] = {},
) {
  assertTenantId(tenantId);
  const filters: Record<string, string> = { tenant_id: tenantId };
  if (options.subject) {
    const subject = prepareRef(options.subject, 'subject');
    Object.assign(filters, { subject_kind: subject.kind, subject_id: subject.id });
  }
  if (options.kind !== undefined) filters.kind = options.kind;
  if (options.order !== 'seq')
    return connection.page('platform_governance_records', filters, options, 'asc', governanceFromRow);
  const limit = pageLimit(options);
  const after = decodeSeqCursor(options.cursor) ?? 0;
  const rows = await connection.rows('list platform_governance_records', (client) =>
    client
      .from('platform_governance_records')
      .select('*')
      .match(filters)
      .gt('seq', after)
      .order('seq', { ascending: true })
      .limit(limit + 1),
  );
  const items = rows.slice(0, limit).map(governanceFromRow);
  const last = items.at(-1);
  return rows.length > limit && last ? { items, nextCursor: encodeSeqCursor(last.seq as number) } : { items };
}
