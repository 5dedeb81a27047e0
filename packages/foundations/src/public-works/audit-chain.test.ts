import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  decodeSeqCursor,
  encodeSeqCursor,
  GENESIS_HASH,
  governanceRecordHash,
  prepareGovernanceChain,
  verifyAudit,
} from './audit-chain.js';
import { MemoryMetadataStore } from './memory/memory-metadata-store.js';
import type { GovernanceRecord } from './ports/metadata-records.js';
import type { MetadataStore } from './ports/metadata-store.js';

async function chain(length: number): Promise<GovernanceRecord[]> {
  const store = new MemoryMetadataStore();
  const records: GovernanceRecord[] = [];
  for (let n = 1; n <= length; n += 1) {
    records.push(
      await store.appendGovernanceRecord({
        tenantId: 't1',
        kind: 'audit',
        subject: { kind: 'file', id: 'f' },
        data: { n },
      }),
    );
  }
  return records;
}

/** A store answering `listGovernanceRecords` from `records` as they are (tampered or not). */
function storeOf(records: GovernanceRecord[]): MetadataStore {
  return {
    async listGovernanceRecords(_tenantId: string, options: { order?: string; cursor?: string; limit?: number } = {}) {
      if (options.order !== 'seq') {
        const legacy = records.filter((record) => record.seq === undefined);
        const chained = records.filter((record) => record.seq !== undefined);
        return { items: [...legacy, ...chained.slice(0, 1)] };
      }
      const after = decodeSeqCursor(options.cursor) ?? 0;
      const sorted = records
        .filter((record) => (record.seq ?? 0) > after)
        .sort((a, b) => (a.seq as number) - (b.seq as number));
      const limit = options.limit ?? 100;
      const items = sorted.slice(0, limit);
      return sorted.length > limit ? { items, nextCursor: encodeSeqCursor(items.at(-1)?.seq as number) } : { items };
    },
  } as unknown as MetadataStore;
}

const kinds = (result: Awaited<ReturnType<typeof verifyAudit>>) =>
  result.ok ? [] : result.problems.map((problem) => [problem.seq, problem.kind]);

describe('audit chain', () => {
  it('hashes canonical JSON: key order and undefined values do not matter', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2}]},"b":1}',
    );
    const record: GovernanceRecord = {
      tenantId: 't1',
      id: 'gov_00000000-0000-4000-8000-000000000000',
      kind: 'audit',
      subject: { kind: 'file', id: 'f' },
      data: { b: 1, a: 2 },
      createdAt: new Date('2026-01-01T00:00:00.000Z'),
    };
    const hash = governanceRecordHash(record, 1, GENESIS_HASH);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(governanceRecordHash({ ...record, data: { a: 2, b: 1 } }, 1, GENESIS_HASH)).toBe(hash);
    expect(governanceRecordHash(record, 2, GENESIS_HASH)).not.toBe(hash);
    expect(governanceRecordHash({ ...record, traceId: 'x' }, 1, GENESIS_HASH)).not.toBe(hash);
    expect(governanceRecordHash(record, 1, 'f'.repeat(64))).not.toBe(hash);
  });

  it('verifies an intact chain pages at a time and reports its head', async () => {
    const records = await chain(7);
    expect(await verifyAudit(storeOf(records), 't1', { pageSize: 3 })).toEqual({
      ok: true,
      tenantId: 't1',
      records: 7,
      legacy: 0,
      head: { seq: 7, hash: records[6]?.hash },
    });
    await expect(verifyAudit(storeOf(records), 'bad tenant!')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('finds an edit even when the hash was recomputed: the next record no longer links to it', async () => {
    const records = await chain(5);
    const edited = { ...(records[2] as GovernanceRecord), data: { n: 99 } };
    edited.hash = governanceRecordHash(edited, 3, edited.prevHash as string);
    records[2] = edited;
    expect(kinds(await verifyAudit(storeOf(records), 't1'))).toEqual([[3, 'edited']]);
  });

  it('finds a rewritten chain against a head kept elsewhere, and records cut off the end', async () => {
    const records = await chain(5);
    const head = { seq: 5, hash: records[4]?.hash as string };
    const rewritten = { ...(records[4] as GovernanceRecord), data: { n: 50 } };
    rewritten.hash = governanceRecordHash(rewritten, 5, rewritten.prevHash as string);
    expect(await verifyAudit(storeOf([...records.slice(0, 4), rewritten]), 't1')).toMatchObject({ ok: true });
    expect(
      kinds(await verifyAudit(storeOf([...records.slice(0, 4), rewritten]), 't1', { expectedHead: head })),
    ).toEqual([[5, 'edited']]);
    const cut = await verifyAudit(storeOf(records.slice(0, 3)), 't1', { expectedHead: head });
    expect(cut).toMatchObject({ ok: false, problems: [{ seq: 4, kind: 'missing', count: 2 }] });
  });

  it('finds a record moved to another seq, runs of missing records, and a record with its hash removed', async () => {
    const records = await chain(8);
    const moved = { ...(records[1] as GovernanceRecord), seq: 20 };
    const stripped = { ...(records[6] as GovernanceRecord) };
    delete stripped.hash;
    const tampered = [records[0], records[2], moved, records[5], stripped, records[7]] as GovernanceRecord[];
    const result = await verifyAudit(storeOf(tampered), 't1');
    expect(result).toMatchObject({
      ok: false,
      problems: [
        { seq: 2, kind: 'missing', count: 1 },
        { seq: 4, kind: 'missing', count: 2 },
        { seq: 7, kind: 'edited' },
        { seq: 9, kind: 'missing', count: 11 },
        { seq: 20, kind: 'reordered', originalSeq: 2 },
      ],
    });
  });

  it('counts legacy records, listed before the first chained one', async () => {
    const records = await chain(2);
    const legacy = { ...(records[0] as GovernanceRecord), id: 'gov_legacy' };
    delete legacy.seq;
    delete legacy.prevHash;
    delete legacy.hash;
    expect(await verifyAudit(storeOf([legacy, legacy, ...records]), 't1')).toMatchObject({
      ok: true,
      records: 2,
      legacy: 2,
    });
  });
});

describe('prepareGovernanceChain', () => {
  // Any JSON, nested "seq" keys and key-like text included: the prepared hash is the record's hash.
  const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.string(),
      fc.constantFrom('"seq":0', ',"seq":1,', '}', '{'),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('seq', 'subject', 'kind', 'id')), tie('value'), {
        maxKeys: 4,
      }),
    ),
  })).value;

  it('hashes every record exactly as governanceRecordHash does, for any content, seq and head', () => {
    fc.assert(
      fc.property(
        fc.record({
          tenantId: fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
          id: fc.string({ minLength: 1, maxLength: 40 }),
          kind: fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/),
          subject: fc.record({ kind: fc.string({ minLength: 1 }), id: fc.string({ minLength: 1 }) }),
          data: fc.dictionary(fc.string(), json, { maxKeys: 5 }),
          traceId: fc.option(fc.string(), { nil: undefined }),
          createdAt: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
        }),
        fc.option(fc.record({ seq: fc.nat({ max: 2 ** 40 }), hash: fc.stringMatching(/^[0-9a-f]{64}$/) }), {
          nil: undefined,
        }),
        (fields, head) => {
          const { traceId, ...rest } = fields;
          const record = { ...rest, ...(traceId === undefined ? {} : { traceId }) } as GovernanceRecord;
          const chained = prepareGovernanceChain(record)(head);
          const seq = (head?.seq ?? 0) + 1;
          const prevHash = head?.hash ?? GENESIS_HASH;
          expect(chained).toMatchObject({ seq, prevHash });
          expect(chained.hash).toBe(governanceRecordHash(record, seq, prevHash));
        },
      ),
      { numRuns: 300 },
    );
  });
});
