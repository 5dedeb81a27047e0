import { createHash } from 'node:crypto';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import type { GovernanceRecord } from './ports/metadata-records.js';
import type { MetadataStore } from './ports/metadata-store.js';
import { assertTenantId } from './ports/tenancy.js';

// The tamper-evident audit chain of governance records (docs/adr/0016-tamper-evident-audit.md):
// per tenant, record n carries seq = n, prevHash = the hash of record n - 1 (64 zeros for the
// first) and hash = sha256(prevHash + canonical JSON of its content and seq). Every adapter
// chains in appendGovernanceRecord with the helpers below; verifyAudit walks a chain back.

/** The `prevHash` of a tenant's first chained record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Where a tenant's chain ends: the last record's `seq` and `hash` (`seq` 0 and {@link GENESIS_HASH} when empty). */
export interface AuditHead {
  seq: number;
  hash: string;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/**
 * JSON with object keys sorted at every level, after a JSON round trip: the text every adapter
 * derives alike from what it stores (Postgres' jsonb reorders keys; `undefined` and `toJSON`
 * values become what `JSON.stringify` makes of them, which is what is stored).
 */
export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? 'null' : JSON.stringify(sortKeys(JSON.parse(text)));
}

/**
 * The hash of a chained record: sha256 (lowercase hex) of `prevHash` followed by the canonical
 * JSON of `{ tenantId, id, kind, subject, data, traceId, createdAt (ISO), seq }`. The arguments
 * are the record, its `seq` and the previous record's hash (the hashed text puts `prevHash` first).
 */
export function governanceRecordHash(record: GovernanceRecord, seq: number, prevHash: string): string {
  const content = {
    tenantId: record.tenantId,
    id: record.id,
    kind: record.kind,
    subject: { kind: record.subject.kind, id: record.subject.id },
    data: record.data,
    ...(record.traceId === undefined ? {} : { traceId: record.traceId }),
    createdAt: record.createdAt.toISOString(),
    seq,
  };
  return createHash('sha256')
    .update(prevHash + canonicalJson(content))
    .digest('hex');
}

/**
 * {@link chainGovernanceRecord} in two steps, so that the costly part runs before the chain's lock
 * is taken: the canonical JSON of the record's content is made now, and the function returned
 * only puts `seq` into it and hashes (the same hash as {@link governanceRecordHash}). Sorted,
 * the content's keys are `createdAt, data, id, kind` before `seq` and `subject, tenantId, traceId`
 * after it, so `seq` goes between the two halves.
 */
export function prepareGovernanceChain(record: GovernanceRecord): (head: AuditHead | undefined) => GovernanceRecord {
  const { seq: _seq, prevHash: _prevHash, hash: _hash, ...content } = record;
  const before = canonicalJson({
    createdAt: content.createdAt.toISOString(),
    data: content.data,
    id: content.id,
    kind: content.kind,
  }).slice(0, -1);
  const after = canonicalJson({
    subject: { kind: content.subject.kind, id: content.subject.id },
    tenantId: content.tenantId,
    ...(content.traceId === undefined ? {} : { traceId: content.traceId }),
  }).slice(1);
  return (head) => {
    const seq = (head?.seq ?? 0) + 1;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const hash = createHash('sha256')
      .update(`${prevHash}${before},"seq":${JSON.stringify(seq)},${after}`)
      .digest('hex');
    return { ...content, seq, prevHash, hash };
  };
}

/** `record` placed after `head` (the tenant's current last record, or none): `seq`, `prevHash`, `hash` set. */
export function chainGovernanceRecord(record: GovernanceRecord, head: AuditHead | undefined): GovernanceRecord {
  const { seq: _seq, prevHash: _prevHash, hash: _hash, ...content } = record;
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  return { ...content, seq, prevHash, hash: governanceRecordHash(content, seq, prevHash) };
}

/** The cursor of `listGovernanceRecords(..., { order: 'seq' })`: the last seq listed. */
export function encodeSeqCursor(seq: number): string {
  return Buffer.from(JSON.stringify(['seq', seq])).toString('base64url');
}

/** The seq of a cursor from {@link encodeSeqCursor}. @throws `VALIDATION_FAILED` for any other cursor. */
export function decodeSeqCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  try {
    const [tag, seq] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (tag === 'seq' && typeof seq === 'number' && Number.isInteger(seq) && seq >= 0) return seq;
  } catch {
    // fall through to the error below
  }
  throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'invalid cursor: pass the nextCursor of a previous page', {
    details: { field: 'cursor' },
  });
}

/** One break in a tenant's audit chain. */
export interface AuditProblem {
  /** Where: the seq of the edited or moved record, or the first seq of a missing run. */
  seq: number;
  /**
   * `edited`: the record's content or hash is not what was appended. `missing`: no record has
   * this seq (deleted), `count` in a row. `reordered`: the record is intact but moved from
   * `originalSeq` (its seq changed, or records swapped places).
   */
  kind: 'edited' | 'missing' | 'reordered';
  /** The record's id (not for `missing`). */
  id?: string;
  /** For `missing`: how many seqs in a row are absent. */
  count?: number;
  /** For `reordered`: the seq the record was appended at. */
  originalSeq?: number;
  message: string;
}

/** What {@link verifyAudit} found. */
export type AuditVerification =
  | { ok: true; tenantId: string; records: number; legacy: number; head: AuditHead }
  | { ok: false; tenantId: string; records: number; legacy: number; head: AuditHead; problems: AuditProblem[] };

/** Options of {@link verifyAudit}. */
export interface VerifyAuditOptions {
  /**
   * A head returned by an earlier verification (or an appended record's `seq` and `hash`), kept
   * outside the store: records removed from the end of the chain since then are `missing`, and a
   * rewritten chain is `edited` there. Without it, removing the newest records is undetectable.
   */
  expectedHead?: AuditHead;
  /** Records per page read from the store (default 1000). */
  pageSize?: number;
}

const MAX_PROBLEMS = 1000;

/**
 * Verifies a tenant's governance records are as appended: walks the chain in seq order
 * (`listGovernanceRecords` with `order: 'seq'`), recomputing every hash and link. An edited
 * record is `edited` at its seq, a deleted one `missing`, records whose seqs were swapped or
 * changed `reordered`. `records` counts the chained records; `legacy` the records written before
 * the chain existed (no `seq`, listed before the first chained one), which are not verified.
 * Reads only; O(page size) memory.
 */
export async function verifyAudit(
  metadata: MetadataStore,
  tenantId: string,
  options: VerifyAuditOptions = {},
): Promise<AuditVerification> {
  assertTenantId(tenantId);
  const limit = options.pageSize ?? 1000;
  const legacy = await countLegacy(metadata, tenantId, limit);
  const problems: AuditProblem[] = [];
  const report = (problem: AuditProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };
  // Records whose hash does not match their content at their seq: classified at the end, as
  // `reordered` when the content matches at another seq that is out of place, else `edited`.
  const suspects: GovernanceRecord[] = [];
  const displacedSeqs = new Set<number>();
  let previous: AuditHead = { seq: 0, hash: GENESIS_HASH };
  let previousSuspect = false;
  let records = 0;
  let cursor: string | undefined;
  const expected = options.expectedHead;
  let expectedSeen = false;
  do {
    const page = await metadata.listGovernanceRecords(tenantId, {
      order: 'seq',
      limit,
      ...(cursor ? { cursor } : {}),
    });
    for (const record of page.items) {
      records += 1;
      const seq = record.seq ?? 0;
      let gap = false;
      if (seq > previous.seq + 1) {
        gap = true;
        const count = seq - previous.seq - 1;
        for (let missing = previous.seq + 1; missing < seq && displacedSeqs.size < MAX_PROBLEMS; missing += 1) {
          displacedSeqs.add(missing);
        }
        report({
          seq: previous.seq + 1,
          kind: 'missing',
          count,
          message: `${count === 1 ? `record ${previous.seq + 1} is` : `records ${previous.seq + 1}-${seq - 1} are`} missing`,
        });
      }
      const intact =
        record.prevHash !== undefined &&
        record.hash !== undefined &&
        governanceRecordHash(record, seq, record.prevHash) === record.hash;
      if (!intact) {
        if (suspects.length < MAX_PROBLEMS) suspects.push(record);
        displacedSeqs.add(seq);
      } else if (record.prevHash !== previous.hash && !gap && !previousSuspect) {
        // This record is intact but its predecessor's hash changed: the predecessor was rewritten
        // with a recomputed hash.
        report({
          seq: previous.seq,
          kind: 'edited',
          message: `record ${previous.seq} was rewritten: record ${seq} links to a different hash`,
        });
      }
      if (expected && seq === expected.seq) {
        expectedSeen = true;
        if (record.hash !== expected.hash) {
          report({ seq, kind: 'edited', id: record.id, message: `record ${seq} is not the expected head` });
        }
      }
      previousSuspect = !intact;
      previous = { seq, hash: record.hash ?? '' };
    }
    cursor = page.nextCursor;
  } while (cursor);

  for (const record of suspects) {
    const seq = record.seq ?? 0;
    const originalSeq = [...displacedSeqs].find(
      (candidate) =>
        candidate !== seq &&
        record.prevHash !== undefined &&
        governanceRecordHash(record, candidate, record.prevHash) === record.hash,
    );
    report(
      originalSeq === undefined
        ? { seq, kind: 'edited', id: record.id, message: `record ${seq} does not match its hash` }
        : {
            seq,
            kind: 'reordered',
            id: record.id,
            originalSeq,
            message: `record ${seq} was appended as record ${originalSeq}`,
          },
    );
  }
  if (expected && !expectedSeen && expected.seq > previous.seq) {
    const count = expected.seq - previous.seq;
    report({
      seq: previous.seq + 1,
      kind: 'missing',
      count,
      message: `the chain ends at ${previous.seq}, before the expected head ${expected.seq}: ${count} missing`,
    });
  }
  problems.sort((a, b) => a.seq - b.seq);
  const head = { seq: previous.seq, hash: previous.hash };
  return problems.length === 0
    ? { ok: true, tenantId, records, legacy, head }
    : { ok: false, tenantId, records, legacy, head, problems };
}

// Records without a seq were appended before the chain existed; they come first in createdAt order.
async function countLegacy(metadata: MetadataStore, tenantId: string, limit: number): Promise<number> {
  let legacy = 0;
  let cursor: string | undefined;
  do {
    const page = await metadata.listGovernanceRecords(tenantId, { limit, ...(cursor ? { cursor } : {}) });
    for (const record of page.items) {
      if (record.seq !== undefined) return legacy;
      legacy += 1;
    }
    cursor = page.nextCursor;
  } while (cursor);
  return legacy;
}
