import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, governanceRecordHash, verifyAudit } from '../public-works/audit-chain.js';
import { appendGovernanceBatch } from '../public-works/governance-batch.js';
import type { GovernanceRecord } from '../public-works/ports/metadata-records.js';
import type { MetadataStore } from '../public-works/ports/metadata-store.js';
import { expectPlatformError, uniqueTenant } from './assertions.js';

/**
 * Writes behind the store's back, as someone with direct access to its database would, to check
 * that `verifyAudit` notices. Each acts on the tenant's chained governance record(s) at `seq`.
 */
export interface AuditTamper {
  /** Replaces the record's `data` (leaving its hash as it was). */
  editData(tenantId: string, seq: number, data: Record<string, unknown>): Promise<void>;
  /** Deletes the record. */
  remove(tenantId: string, seq: number): Promise<void>;
  /** Swaps the seqs of two records (moving each to the other's place in the chain). */
  swapSeq(tenantId: string, a: number, b: number): Promise<void>;
}

/** What a metadata store conformance run needs. */
export interface MetadataStoreFixture {
  store: MetadataStore;
  cleanup?: () => Promise<void>;
  /** Direct access to the store's database, for the tamper-evidence tests (skipped without it). */
  tamper?: AuditTamper;
}

const sha = (value: string) => createHash('sha256').update(value).digest('hex');
const newFile = (tenantId: string, name = `f-${randomUUID().slice(0, 6)}.csv`) => ({
  tenantId,
  name,
  sizeBytes: 12,
  sha256: sha(`${tenantId}/${name}/${randomUUID()}`),
  declaredType: 'text/csv',
});
const pause = () => new Promise((resolve) => setTimeout(resolve, 3));

async function chainOf(store: MetadataStore, tenantId: string): Promise<GovernanceRecord[]> {
  const records: GovernanceRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listGovernanceRecords(tenantId, {
      order: 'seq',
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    records.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return records;
}

const audit = (tenantId: string, n: number) => ({
  tenantId,
  kind: 'audit',
  subject: { kind: 'file', id: `file-${n}` },
  data: { n, nested: { b: [1, { z: true, a: null }], a: 'x' } },
});

/** The shared behaviour every {@link MetadataStore} adapter must have. */
export function describeMetadataStoreConformance(name: string, setup: () => Promise<MetadataStoreFixture>): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    let fixture: MetadataStoreFixture;
    let store: MetadataStore;
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    describe('files', () => {
      it('creates a file with defaults and reads it back exactly', async () => {
        const tenant = uniqueTenant();
        const created = await store.createFile({
          ...newFile(tenant, 'a.csv'),
          metadata: { rows: 2, nested: { ok: true } },
        });
        expect(created).toMatchObject({
          tenantId: tenant,
          name: 'a.csv',
          status: 'received',
          metadata: { rows: 2, nested: { ok: true } },
        });
        expect(created.id).toMatch(/^file_[0-9a-f-]{36}$/);
        expect(created.createdAt).toBeInstanceOf(Date);
        expect(await store.getFile(tenant, created.id)).toEqual(created);
      });

      it('detects duplicates per tenant by sha256, and allows them again once the first is deleted', async () => {
        const tenant = uniqueTenant();
        const input = newFile(tenant);
        const first = await store.createFile(input);
        const conflict = await expectPlatformError(store.createFile({ ...input, name: 'copy.csv' }), 'CONFLICT');
        expect(conflict.details.existingId).toBe(first.id);
        expect((await store.findFileBySha256(tenant, input.sha256))?.id).toBe(first.id);
        const otherTenant = uniqueTenant();
        await store.createFile({ ...input, tenantId: otherTenant });
        await store.deleteFile(tenant, first.id);
        expect(await store.findFileBySha256(tenant, input.sha256)).toBeUndefined();
        const again = await store.createFile(input);
        expect(again.id).not.toBe(first.id);
      });

      it('refuses malformed records, writing nothing', async () => {
        const tenant = uniqueTenant();
        const error = await expectPlatformError(
          store.createFile({ ...newFile(tenant), sha256: 'not-a-hash', sizeBytes: -1 } as never),
          'VALIDATION_FAILED',
        );
        expect(error.message).toContain('sha256');
        expect(error.message).toContain('sizeBytes');
        await expectPlatformError(
          store.createFile({ ...newFile(tenant), tenantId: 'bad tenant!' }),
          'VALIDATION_FAILED',
        );
        await expectPlatformError(
          store.createFile({ ...newFile(tenant), unexpected: 1 } as never),
          'VALIDATION_FAILED',
        );
        expect((await store.listFiles(tenant)).items).toEqual([]);
      });

      it('updates only the fields given, and marks deleted files without losing them', async () => {
        const tenant = uniqueTenant();
        const file = await store.createFile(newFile(tenant));
        await pause();
        const stored = await store.updateFile(tenant, file.id, {
          status: 'stored',
          storageKey: 'files/x',
          detectedType: undefined,
        });
        expect(stored).toMatchObject({
          status: 'stored',
          storageKey: 'files/x',
          declaredType: 'text/csv',
          name: file.name,
        });
        expect(stored.updatedAt.getTime()).toBeGreaterThan(file.updatedAt.getTime());
        const deleted = await store.deleteFile(tenant, file.id);
        expect(deleted.status).toBe('deleted');
        expect(deleted.deletedAt).toBeInstanceOf(Date);
        expect((await store.getFile(tenant, file.id)).status).toBe('deleted');
        await expectPlatformError(store.updateFile(tenant, file.id, { bogus: 1 } as never), 'VALIDATION_FAILED');
      });

      it('lists newest first, filters by status, and pages with a cursor', async () => {
        const tenant = uniqueTenant();
        const ids: string[] = [];
        for (let index = 0; index < 5; index += 1) {
          ids.push((await store.createFile(newFile(tenant, `n${index}.csv`))).id);
          await pause();
        }
        await store.updateFile(tenant, ids[1] as string, { status: 'quarantined', quarantineReason: 'executable' });
        const seen: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await store.listFiles(tenant, { limit: 2, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((file) => file.id));
          cursor = page.nextCursor;
        } while (cursor);
        expect(seen).toEqual([...ids].reverse());
        expect((await store.listFiles(tenant, { status: 'quarantined' })).items.map((file) => file.id)).toEqual([
          ids[1],
        ]);
        await expectPlatformError(store.listFiles(tenant, { cursor: 'tampered' }), 'VALIDATION_FAILED');
        await expectPlatformError(store.listFiles(tenant, { limit: 0 }), 'VALIDATION_FAILED');
      });

      it('keeps tenants apart for every file method', async () => {
        const owner = uniqueTenant('owner');
        const other = uniqueTenant('other');
        const file = await store.createFile(newFile(owner));
        await expectPlatformError(store.getFile(other, file.id), 'NOT_FOUND');
        await expectPlatformError(store.updateFile(other, file.id, { status: 'stored' }), 'NOT_FOUND');
        await expectPlatformError(store.deleteFile(other, file.id), 'NOT_FOUND');
        expect(await store.findFileBySha256(other, file.sha256)).toBeUndefined();
        expect((await store.listFiles(other)).items).toEqual([]);
        expect((await store.getFile(owner, file.id)).status).toBe('received');
      });

      it('loses nothing under concurrent writers, and lets exactly one of many identical uploads in', async () => {
        const tenant = uniqueTenant();
        await Promise.all(Array.from({ length: 20 }, (_, index) => store.createFile(newFile(tenant, `c${index}.csv`))));
        expect((await store.listFiles(tenant, { limit: 100 })).items).toHaveLength(20);
        const same = newFile(tenant, 'same.csv');
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => store.createFile(same)));
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        for (const result of results.filter((entry) => entry.status === 'rejected')) {
          expect((result as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
        }
      });
    });

    describe('parsed files and links', () => {
      it('keeps one parsed record per file and parser, updated in place', async () => {
        const tenant = uniqueTenant();
        const file = await store.createFile(newFile(tenant));
        const first = await store.putParsedFile({
          tenantId: tenant,
          fileId: file.id,
          format: 'csv',
          parser: 'csv@1',
          rowCount: 1,
        });
        const second = await store.putParsedFile({
          tenantId: tenant,
          fileId: file.id,
          format: 'csv',
          parser: 'csv@1',
          rowCount: 2,
          columns: [{ name: 'id', type: 'integer' }],
          storageKey: 'parsed/x.jsonl',
        });
        expect(second.id).toBe(first.id);
        expect(await store.getParsedFile(tenant, first.id)).toMatchObject({
          rowCount: 2,
          columns: [{ name: 'id', type: 'integer' }],
          report: {},
        });
        await store.putParsedFile({ tenantId: tenant, fileId: file.id, format: 'csv', parser: 'csv@2' });
        expect((await store.listParsedFiles(tenant, file.id)).map((row) => row.parser)).toEqual(['csv@1', 'csv@2']);
      });

      it('refuses a parsed record for a file of another tenant', async () => {
        const owner = uniqueTenant('owner');
        const file = await store.createFile(newFile(owner));
        await expectPlatformError(
          store.putParsedFile({ tenantId: uniqueTenant('other'), fileId: file.id, format: 'csv', parser: 'csv@1' }),
          'NOT_FOUND',
        );
      });

      it('adds lineage links once and finds them from either end', async () => {
        const tenant = uniqueTenant();
        const file = { kind: 'file', id: `file_${randomUUID()}` };
        const parsed = { kind: 'parsed_file', id: `parsed_${randomUUID()}` };
        const content = { kind: 'content', id: 'content-1' };
        await store.addLink({ tenantId: tenant, from: parsed, to: file, relation: 'parsed_from' });
        await store.addLink({ tenantId: tenant, from: parsed, to: file, relation: 'parsed_from' });
        await store.addLink({
          tenantId: tenant,
          from: content,
          to: parsed,
          relation: 'derived_from',
          metadata: { phase: 3 },
        });
        expect(await store.listLinks(tenant, { from: parsed })).toHaveLength(1);
        expect((await store.listLinks(tenant, { to: parsed }))[0]).toMatchObject({
          from: content,
          relation: 'derived_from',
          metadata: { phase: 3 },
        });
        expect(await store.listLinks(tenant, { relation: 'derived_from' })).toHaveLength(1);
        expect(await store.listLinks(uniqueTenant(), { from: parsed })).toEqual([]);
        await expectPlatformError(
          store.addLink({ tenantId: tenant, from: parsed, to: file, relation: 'Bad-Relation' }),
          'VALIDATION_FAILED',
        );
      });
    });

    describe('journeys', () => {
      const journey = (tenantId: string, idempotencyKey?: string) => ({
        tenantId,
        template: 'data_mash_flow',
        templateVersion: 1,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        milestones: [
          { name: 'file_uploaded', status: 'pending' as const },
          { name: 'file_parsed', status: 'pending' as const },
        ],
      });

      it('creates, finds by idempotency key, and refuses a second journey for the same key', async () => {
        const tenant = uniqueTenant();
        const created = await store.createJourney(journey(tenant, 'sha-1'));
        expect(created).toMatchObject({ status: 'pending', version: 1, context: {} });
        expect((await store.findJourneyByIdempotencyKey(tenant, 'data_mash_flow', 'sha-1'))?.id).toBe(created.id);
        const conflict = await expectPlatformError(store.createJourney(journey(tenant, 'sha-1')), 'CONFLICT');
        expect(conflict.details.existingId).toBe(created.id);
        await store.createJourney(journey(uniqueTenant(), 'sha-1'));
        expect(await store.getJourney(tenant, created.id)).toEqual(created);
      });

      it('updates with optimistic concurrency: a stale version is a CONFLICT', async () => {
        const tenant = uniqueTenant();
        const created = await store.createJourney(journey(tenant));
        const startedAt = new Date('2026-01-01T00:00:00.000Z');
        const running = await store.updateJourney(tenant, created.id, 1, {
          status: 'running',
          milestones: [
            {
              name: 'file_uploaded',
              status: 'completed',
              startedAt,
              completedAt: startedAt,
              result: { fileId: 'file_x', rows: 3 },
            },
            { name: 'file_parsed', status: 'running', startedAt },
          ],
        });
        expect(running.version).toBe(2);
        expect((await store.getJourney(tenant, created.id)).milestones[0]).toEqual({
          name: 'file_uploaded',
          status: 'completed',
          startedAt,
          completedAt: startedAt,
          result: { fileId: 'file_x', rows: 3 },
        });
        const stale = await expectPlatformError(
          store.updateJourney(tenant, created.id, 1, { status: 'failed' }),
          'CONFLICT',
        );
        expect(stale.details.currentVersion).toBe(2);
        const racers = await Promise.allSettled(
          Array.from({ length: 6 }, (_, index) =>
            store.updateJourney(tenant, created.id, 2, { context: { winner: index } }),
          ),
        );
        expect(racers.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        expect((await store.getJourney(tenant, created.id)).version).toBe(3);
        await expectPlatformError(
          store.updateJourney(uniqueTenant(), created.id, 3, { status: 'failed' }),
          'NOT_FOUND',
        );
      });

      it('keeps an error until a patch clears it with null', async () => {
        const tenant = uniqueTenant();
        const created = await store.createJourney(journey(tenant));
        const error = { code: 'TIMEOUT', message: 'milestone took too long' };
        const failed = await store.updateJourney(tenant, created.id, 1, { status: 'failed', error });
        expect(failed.error).toEqual(error);
        const context = await store.updateJourney(tenant, created.id, 2, { context: { note: 'kept' } });
        expect(context.error).toEqual(error);
        const cleared = await store.updateJourney(tenant, created.id, 3, { status: 'running', error: null });
        expect(cleared.error).toBeUndefined();
        expect((await store.getJourney(tenant, created.id)).error).toBeUndefined();
        expect((await store.getJourney(tenant, created.id)).context).toEqual({ note: 'kept' });
      });

      it('lists journeys newest first by status and template', async () => {
        const tenant = uniqueTenant();
        const a = await store.createJourney(journey(tenant));
        await pause();
        const b = await store.createJourney({ ...journey(tenant), template: 'custom_flow' });
        await pause();
        const c = await store.createJourney(journey(tenant));
        await store.updateJourney(tenant, c.id, 1, { status: 'completed', completedAt: new Date() });
        expect((await store.listJourneys(tenant)).items.map((item) => item.id)).toEqual([c.id, b.id, a.id]);
        expect((await store.listJourneys(tenant, { template: 'custom_flow' })).items.map((item) => item.id)).toEqual([
          b.id,
        ]);
        expect((await store.listJourneys(tenant, { status: 'completed' })).items.map((item) => item.id)).toEqual([
          c.id,
        ]);
        expect((await store.listJourneys(uniqueTenant())).items).toEqual([]);
      });

      it('finds journeys by any part of their label, ignoring case, wildcards taken literally, page by page', async () => {
        const tenant = uniqueTenant();
        const labels = ['Q3 Sales.csv', 'q3_sales_2026.xlsx', 'Sales 100%.csv', 'notes.txt', undefined];
        const created = [];
        for (const label of labels) {
          created.push(await store.createJourney({ ...journey(tenant), ...(label ? { label } : {}) }));
          await pause();
        }
        expect(await store.getJourney(tenant, created[0]?.id as string)).toMatchObject({ label: 'Q3 Sales.csv' });
        expect((await store.getJourney(tenant, created[4]?.id as string)).label).toBeUndefined();
        const labelsOf = async (text: string, limit?: number) => {
          const found: (string | undefined)[] = [];
          let cursor: string | undefined;
          do {
            const page = await store.listJourneys(tenant, {
              label: text,
              ...(limit ? { limit } : {}),
              ...(cursor ? { cursor } : {}),
            });
            found.push(...page.items.map((item) => item.label));
            cursor = page.nextCursor;
          } while (cursor);
          return found;
        };
        expect(await labelsOf('SALES', 1)).toEqual(['Sales 100%.csv', 'q3_sales_2026.xlsx', 'Q3 Sales.csv']);
        // % and _ match themselves, not any text or any letter.
        expect(await labelsOf('100%')).toEqual(['Sales 100%.csv']);
        expect(await labelsOf('%')).toEqual(['Sales 100%.csv']);
        expect(await labelsOf('q3_')).toEqual(['q3_sales_2026.xlsx']);
        expect(await labelsOf('sales.x')).toEqual([]);
        expect(await labelsOf('nothing like it')).toEqual([]);
        expect((await store.listJourneys(tenant, { label: 'sales', status: 'completed' })).items).toEqual([]);
        expect((await store.listJourneys(uniqueTenant(), { label: 'sales' })).items).toEqual([]);
        await expectPlatformError(
          store.createJourney({ ...journey(tenant), label: 'x'.repeat(501) }),
          'VALIDATION_FAILED',
        );
        // A patch replaces the label, or removes it with null (and the journey is found by it no more).
        const renamed = await store.updateJourney(tenant, created[3]?.id as string, 1, { label: 'renamed sales.csv' });
        expect(renamed.label).toBe('renamed sales.csv');
        expect(await labelsOf('renamed')).toEqual(['renamed sales.csv']);
        const cleared = await store.updateJourney(tenant, renamed.id, 2, { label: null });
        expect(cleared.label).toBeUndefined();
        expect((await store.getJourney(tenant, renamed.id)).label).toBeUndefined();
        expect(await labelsOf('renamed')).toEqual([]);
        // A patch without it keeps it.
        const kept = await store.updateJourney(tenant, created[0]?.id as string, 1, { status: 'running' });
        expect(kept.label).toBe('Q3 Sales.csv');
      });
    });

    describe('governance records', () => {
      it('appends records and lists them oldest first, by subject and kind, page by page', async () => {
        const tenant = uniqueTenant();
        const subject = { kind: 'file', id: 'file-1' };
        const ids: string[] = [];
        for (const kind of ['policy_decision', 'quality_check', 'policy_decision']) {
          ids.push(
            (await store.appendGovernanceRecord({ tenantId: tenant, kind, subject, data: { kind }, traceId: 'abc' }))
              .id,
          );
          await pause();
        }
        await store.appendGovernanceRecord({
          tenantId: tenant,
          kind: 'audit',
          subject: { kind: 'file', id: 'file-2' },
          data: {},
        });
        const first = await store.listGovernanceRecords(tenant, { subject, limit: 2 });
        const second = await store.listGovernanceRecords(tenant, {
          subject,
          limit: 2,
          ...(first.nextCursor ? { cursor: first.nextCursor } : {}),
        });
        expect([...first.items, ...second.items].map((record) => record.id)).toEqual(ids);
        expect(second.nextCursor).toBeUndefined();
        expect((await store.listGovernanceRecords(tenant, { kind: 'policy_decision' })).items).toHaveLength(2);
        expect((await store.listGovernanceRecords(uniqueTenant())).items).toEqual([]);
      });
    });

    describe('tamper-evident audit chain', () => {
      it('appends a batch in order, each record chained to the one before, after what was there', async () => {
        const tenant = uniqueTenant();
        const first = await store.appendGovernanceRecord(audit(tenant, 0));
        const batch = await appendGovernanceBatch(store, [audit(tenant, 1), audit(tenant, 2), audit(tenant, 3)]);
        expect(batch.map((record) => record.seq)).toEqual([2, 3, 4]);
        expect(batch.map((record) => record.data)).toEqual([1, 2, 3].map((n) => audit(tenant, n).data));
        expect(batch[0]?.prevHash).toBe(first.hash);
        for (const [index, record] of batch.entries()) {
          expect(record.hash).toBe(governanceRecordHash(record, index + 2, record.prevHash as string));
          if (index > 0) expect(record.prevHash).toBe(batch[index - 1]?.hash);
        }
        expect(await chainOf(store, tenant)).toEqual([first, ...batch]);
        expect(await appendGovernanceBatch(store, [])).toEqual([]);
      });

      it('appends nothing of a batch holding an invalid record', async () => {
        const tenant = uniqueTenant();
        await expectPlatformError(
          appendGovernanceBatch(store, [audit(tenant, 1), { ...audit(tenant, 2), kind: 'Not A Kind!' }]),
          'VALIDATION_FAILED',
        );
        expect((await store.listGovernanceRecords(tenant)).items).toEqual([]);
      });

      it('chains each tenant on its own: seq 1, 2, ..., each linked to the previous hash', async () => {
        const [a, b] = [uniqueTenant(), uniqueTenant()];
        const appended: GovernanceRecord[] = [];
        for (let n = 0; n < 3; n += 1) {
          appended.push(await store.appendGovernanceRecord({ ...audit(a, n), traceId: `trace-${n}` }));
          await store.appendGovernanceRecord(audit(b, n));
        }
        expect(appended.map((record) => record.seq)).toEqual([1, 2, 3]);
        expect(appended[0]?.prevHash).toBe(GENESIS_HASH);
        for (const [index, record] of appended.entries()) {
          expect(record.hash).toBe(governanceRecordHash(record, index + 1, record.prevHash as string));
          if (index > 0) expect(record.prevHash).toBe(appended[index - 1]?.hash);
        }
        // Read back exactly as appended, in either order, and page by page in seq order.
        expect(await chainOf(store, a)).toEqual(appended);
        expect((await store.listGovernanceRecords(a)).items).toEqual(appended);
        const first = await store.listGovernanceRecords(a, { order: 'seq', limit: 2 });
        expect(first.items.map((record) => record.seq)).toEqual([1, 2]);
        const rest = await store.listGovernanceRecords(a, {
          order: 'seq',
          limit: 2,
          cursor: first.nextCursor as string,
        });
        expect(rest).toEqual({ items: [appended[2]] });
        expect((await store.listGovernanceRecords(a, { order: 'seq', kind: 'other' })).items).toEqual([]);
        expect((await chainOf(store, b)).map((record) => record.seq)).toEqual([1, 2, 3]);
        // A cursor of one order is not a cursor of the other.
        await expectPlatformError(
          store.listGovernanceRecords(a, {
            order: 'seq',
            cursor: (await store.listGovernanceRecords(a, { limit: 1 })).nextCursor as string,
          }),
          'VALIDATION_FAILED',
        );
        await expectPlatformError(
          store.listGovernanceRecords(a, { cursor: first.nextCursor as string }),
          'VALIDATION_FAILED',
        );
        await expectPlatformError(
          store.appendGovernanceRecord({ ...audit(a, 9), seq: 7 } as never),
          'VALIDATION_FAILED',
        );
        expect(await verifyAudit(store, a)).toEqual({
          ok: true,
          tenantId: a,
          records: 3,
          legacy: 0,
          head: { seq: 3, hash: appended[2]?.hash },
        });
        expect(await verifyAudit(store, uniqueTenant())).toMatchObject({
          ok: true,
          records: 0,
          head: { seq: 0, hash: GENESIS_HASH },
        });
      });

      it('keeps the chain gap-free under 3 concurrent writers of 50 appends each', async () => {
        const tenant = uniqueTenant();
        const writers = [0, 1, 2].map((writer) =>
          Promise.all(
            Array.from({ length: 50 }, (_, n) => store.appendGovernanceRecord(audit(tenant, writer * 100 + n))),
          ),
        );
        const appended = (await Promise.all(writers)).flat();
        expect(appended.map((record) => record.seq).sort((x, y) => (x as number) - (y as number))).toEqual(
          Array.from({ length: 150 }, (_, index) => index + 1),
        );
        const chain = await chainOf(store, tenant);
        expect(chain.map((record) => record.seq)).toEqual(Array.from({ length: 150 }, (_, index) => index + 1));
        expect(await verifyAudit(store, tenant, { pageSize: 40 })).toMatchObject({ ok: true, records: 150, legacy: 0 });
      });

      it('detects an edited, a deleted and a moved record, and records cut off the end', async (context) => {
        const tamper = fixture.tamper;
        if (!tamper) {
          context.skip();
          return;
        }
        const tenant = uniqueTenant();
        const appended: GovernanceRecord[] = [];
        for (let n = 0; n < 10; n += 1) appended.push(await store.appendGovernanceRecord(audit(tenant, n)));
        const head = { seq: 10, hash: appended[9]?.hash as string };
        const other = uniqueTenant();
        await store.appendGovernanceRecord(audit(other, 0));

        await tamper.editData(tenant, 2, { n: 2, approved: true });
        expect(await verifyAudit(store, tenant)).toMatchObject({
          ok: false,
          problems: [{ seq: 2, kind: 'edited', id: appended[1]?.id }],
        });
        await tamper.remove(tenant, 5);
        await tamper.swapSeq(tenant, 7, 8);
        await tamper.remove(tenant, 10);
        const result = await verifyAudit(store, tenant, { expectedHead: head });
        expect(result.ok).toBe(false);
        expect(
          result.ok
            ? []
            : result.problems.map(({ seq, kind, originalSeq, count }) => ({ seq, kind, originalSeq, count })),
        ).toEqual([
          { seq: 2, kind: 'edited', originalSeq: undefined, count: undefined },
          { seq: 5, kind: 'missing', originalSeq: undefined, count: 1 },
          { seq: 7, kind: 'reordered', originalSeq: 8, count: undefined },
          { seq: 8, kind: 'reordered', originalSeq: 7, count: undefined },
          { seq: 10, kind: 'missing', originalSeq: undefined, count: 1 },
        ]);
        // Other tenants' chains are untouched.
        expect(await verifyAudit(store, other)).toMatchObject({ ok: true, records: 1 });
      });
    });
  });
}
