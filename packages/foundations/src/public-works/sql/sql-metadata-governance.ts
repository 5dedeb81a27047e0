import { decodeSeqCursor, encodeSeqCursor, prepareGovernanceChain } from '../audit-chain.js';
import { prepareGovernanceRecord, prepareRef } from '../metadata-input.js';
import type { GovernanceRecord, NewGovernanceRecord } from '../ports/metadata-records.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import { assertTenantId, pageLimit } from '../ports/tenancy.js';
import type { SqlDriver } from './driver.js';
import { selectPage } from './sql-metadata-paging.js';
import { governanceFromRow, iso } from './sql-rows.js';

// The audit chain of SqlMetadataStore: appending to it and reading it back.

type Row = Record<string, unknown>;

export async function appendGovernanceRecord(
  db: SqlDriver,
  input: Parameters<MetadataStore['appendGovernanceRecord']>[0],
): Promise<GovernanceRecord> {
  const [record] = await appendGovernanceRecords(db, [input]);
  return record as GovernanceRecord;
}

/** Appends records in order in one transaction, each chained to the one before it in its tenant. */
export async function appendGovernanceRecords(
  db: SqlDriver,
  inputs: readonly NewGovernanceRecord[],
): Promise<GovernanceRecord[]> {
  // Each record's canonical JSON made before the tenant's lock is taken; inside, its seq and hash.
  const prepared = inputs.map((input) => {
    const record = prepareGovernanceRecord(input, new Date());
    return { tenantId: record.tenantId, chain: prepareGovernanceChain(record), dataJson: JSON.stringify(record.data) };
  });
  if (prepared.length === 0) return [];
  // The tenant's advisory lock serializes its appends across connections and processes until
  // commit; the unique (tenant_id, seq) index is the backstop should a writer not take it. Locks
  // are taken in one order (sorted tenants), so two batches of the same tenants cannot deadlock.
  return db.transaction(async (tx) => {
    for (const tenantId of [...new Set(prepared.map((record) => record.tenantId))].sort()) {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [tenantId]);
    }
    const appended: GovernanceRecord[] = [];
    for (const next of prepared) {
      const { rows } = await tx.query<{ seq: string | number; hash: string }>(
        `select seq, hash from platform_governance_records
          where tenant_id = $1 and seq is not null order by seq desc limit 1`,
        [next.tenantId],
      );
      const head = rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : undefined;
      const record = next.chain(head);
      await tx.query(
        `insert into platform_governance_records (tenant_id, id, kind, subject_kind, subject_id, data, trace_id, created_at,
           seq, prev_hash, hash)
         values ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::timestamptz, $9, $10, $11)`,
        [
          record.tenantId,
          record.id,
          record.kind,
          record.subject.kind,
          record.subject.id,
          next.dataJson,
          record.traceId ?? null,
          iso(record.createdAt),
          record.seq,
          record.prevHash,
          record.hash,
        ],
      );
      appended.push(record);
    }
    return appended;
  });
}

export async function listGovernanceRecords(
  db: SqlDriver,
  tenantId: string,
  options: Parameters<MetadataStore['listGovernanceRecords']>[1] = {},
) {
  assertTenantId(tenantId);
  const params: unknown[] = [tenantId];
  let sql = 'select * from platform_governance_records where tenant_id = $1';
  if (options.subject) {
    const subject = prepareRef(options.subject, 'subject');
    params.push(subject.kind, subject.id);
    sql += ` and subject_kind = $${params.length - 1} and subject_id = $${params.length}`;
  }
  if (options.kind !== undefined) {
    params.push(options.kind);
    sql += ` and kind = $${params.length}`;
  }
  if (options.order !== 'seq') return selectPage(db, sql, params, options, 'asc', governanceFromRow);
  const limit = pageLimit(options);
  params.push(decodeSeqCursor(options.cursor) ?? 0, limit + 1);
  const { rows } = await db.query<Row>(
    `${sql} and seq > $${params.length - 1} order by seq limit $${params.length}`,
    params,
  );
  const items = rows.slice(0, limit).map(governanceFromRow);
  const last = items.at(-1);
  return rows.length > limit && last ? { items, nextCursor: encodeSeqCursor(last.seq as number) } : { items };
}
