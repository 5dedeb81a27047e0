import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { BlobStore, MetadataStore, PlatformConfigInput, SemanticStore } from '@platform/foundations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataMashApiRef } from '../host/data-mash-api.js';
import {
  ada,
  createTestDatabase,
  startFlowPlatform,
  TEST_POSTGRES_URL,
  testUser,
} from '../phases/flow.test-helpers.js';
import type { DataMashFlowResult } from '../phases/solution-orchestrator.js';
import { ERASED_CODE, ERASURE_RECORD, eraseFile } from './erase-file.js';
import { getLegalHold, LEGAL_HOLD_RECORD, setLegalHold } from './legal-hold.js';
import { runRetention } from './retention.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

type Harness = Awaited<ReturnType<typeof startFlowPlatform>>;

const TENANT = 'acme';
const DAY = 86_400_000;

/** A CSV whose every row holds a value found nowhere else, so a scan can tell whether any of it is left. */
function secretCsv(marker: string, rows = 12): Uint8Array {
  const lines = ['order_id,customer_email,amount,note'];
  for (let index = 1; index <= rows; index += 1)
    lines.push(`${index},${marker}${index}@example.com,${index * 7},${marker} note ${index}`);
  return new TextEncoder().encode(`${lines.join('\n')}\n`);
}

async function runFlow(harness: Harness, name: string, data: Uint8Array) {
  const result = await harness.flow.executeDataMashFlow({ file: { name, data }, userContext: ada });
  if (!result.success) throw new Error(`flow failed: ${JSON.stringify(result.error)}`);
  return result as Extract<DataMashFlowResult, { success: true }>;
}

async function all<T>(list: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/**
 * Everything a tenant's stores hold, read through the ports: every blob (with its bytes), every
 * file, parsed-file record, link around the given records, journey, governance record, semantic
 * content with its embeddings count, correlation map and graph around the given nodes.
 */
async function scan(
  stores: { blobs: BlobStore; metadata: MetadataStore; semantic: SemanticStore },
  refs: { fileIds: string[]; graphStarts: string[] },
) {
  const { blobs, metadata, semantic } = stores;
  const decoder = new TextDecoder();
  const blobList = await all((cursor) => blobs.list(TENANT, { limit: 100, ...(cursor ? { cursor } : {}) }));
  const blobTexts = await Promise.all(
    blobList.map(async (blob) => ({ key: blob.key, text: decoder.decode(await blobs.get(TENANT, blob.key)) })),
  );
  const files = await all((cursor) => metadata.listFiles(TENANT, { limit: 100, ...(cursor ? { cursor } : {}) }));
  const parsed = (await Promise.all(files.map((file) => metadata.listParsedFiles(TENANT, file.id)))).flat();
  const refsToScan = [
    ...files.map((file) => ({ kind: 'file', id: file.id })),
    ...parsed.map((record) => ({ kind: 'parsed_file', id: record.id })),
    ...refs.fileIds.flatMap((id) => [
      { kind: 'content', id },
      { kind: 'insights', id },
    ]),
  ];
  const links = (
    await Promise.all(
      refsToScan.flatMap((ref) => [metadata.listLinks(TENANT, { from: ref }), metadata.listLinks(TENANT, { to: ref })]),
    )
  ).flat();
  const journeys = await all((cursor) => metadata.listJourneys(TENANT, { limit: 100, ...(cursor ? { cursor } : {}) }));
  const governance = await all((cursor) =>
    metadata.listGovernanceRecords(TENANT, { limit: 100, ...(cursor ? { cursor } : {}) }),
  );
  const contents = await semantic.listContent(TENANT);
  const embeddings = await Promise.all(
    contents.map(async (content) => ({
      contentId: content.contentId,
      count: await semantic.countEmbeddings(TENANT, content.contentId),
    })),
  );
  const correlations = (
    await Promise.all(
      [...new Set([...refs.fileIds, ...contents.map((content) => content.contentId)])].map((id) =>
        semantic.getCorrelationMap(TENANT, id),
      ),
    )
  ).filter((map) => map !== undefined);
  const graph = (
    await Promise.all(refs.graphStarts.map((id) => semantic.traverse(TENANT, id, { maxDepth: 5, limit: 1000 })))
  ).flat();
  const neighbors = (await Promise.all(refs.graphStarts.map((id) => semantic.neighbors(TENANT, id)))).flatMap(
    (found) => found.edges,
  );
  const rows = JSON.stringify({ files, parsed, links, journeys, governance, contents, correlations, graph, neighbors });
  return {
    blobList,
    blobTexts,
    files,
    parsed,
    links,
    journeys,
    governance,
    contents,
    embeddings,
    correlations,
    graph,
    neighbors,
    rows,
  };
}

const backends: Array<[string, () => Promise<{ harness: Harness; cleanup: () => Promise<void> }>]> = [
  [
    'the embedded default (SQLite)',
    async () => {
      const harness = await startFlowPlatform();
      return { harness, cleanup: () => harness.stop() };
    },
  ],
  [
    'memory',
    async () => {
      const stores: PlatformConfigInput['stores'] = { blob: 'memory://', metadata: 'memory://', semantic: 'memory://' };
      const harness = await startFlowPlatform({ stores });
      return { harness, cleanup: () => harness.stop() };
    },
  ],
];
if (process.env.PLATFORM_TEST_SKIP_POSTGRES !== '1') {
  backends.push([
    `metadata on Postgres (${new URL(TEST_POSTGRES_URL).host})`,
    async () => {
      const database = await createTestDatabase();
      const harness = await startFlowPlatform({ stores: { metadata: database.url } });
      return {
        harness,
        cleanup: async () => {
          await harness.stop();
          await database.drop();
        },
      };
    },
  ]);
}

describe.each(backends)('erasure on %s', (_name, open) => {
  let harness: Harness;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ harness, cleanup } = await open());
  }, 60_000);
  afterAll(() => cleanup?.());

  const stores = () => ({ blobs: harness.blobs, metadata: harness.metadata, semantic: harness.semantic });

  it('removes everything of the file from every store, leaving only the tombstones and the audit; the same bytes run a new flow', async () => {
    const marker = `zqx${Math.random().toString(36).slice(2, 8)}`;
    const other = await runFlow(harness, 'other.csv', secretCsv(`keep${marker}`));
    const data = secretCsv(marker);
    const flow = await runFlow(harness, 'secret.csv', data);
    const fileId = flow.phases.file_uploaded.fileId;
    const refs = { fileIds: [fileId], graphStarts: [`${fileId}:table:1`, `${fileId}:table:1:column:2`] };
    // An export too: derived blobs beyond what the flow wrote.
    await harness.platform
      .get(DataMashApiRef)
      .exportTables({ journeyId: flow.journeyId, format: 'csv' }, testUser(TENANT, { permissions: ['files:read'] }));

    const before = await scan(stores(), refs);
    expect(
      before.blobTexts.filter((blob) => blob.text.includes(marker) && !blob.text.includes(`keep${marker}`)).length,
    ).toBeGreaterThan(2);
    expect(before.blobList.some((blob) => blob.key.startsWith(`parsed/${fileId}/exports/`))).toBe(true);
    expect(before.embeddings.find((entry) => entry.contentId === fileId)?.count).toBeGreaterThan(0);
    expect(before.graph.length).toBeGreaterThan(0);
    expect(before.correlations.length).toBeGreaterThan(0);
    // The notes' words are searchable (the e-mail addresses are masked before anything is indexed).
    expect((await harness.semantic.searchText(TENANT, marker)).length).toBeGreaterThan(0);

    const report = await eraseFile({ ...stores(), tenantId: TENANT, fileId, by: 'ada', reason: 'test' });
    expect(report.blobs).toContain(`files/${fileId}`);
    expect(report.blobs.at(-1)).toBe(`files/${fileId}`);
    expect(report.blobs).toEqual(
      expect.arrayContaining([`parsed/${fileId}/parse.json`, `parsed/${fileId}/insights.json`]),
    );
    expect(report.contents.map((content) => content.contentId)).toContain(fileId);
    expect(report.journeys).toEqual([flow.journeyId]);

    const after = await scan(stores(), refs);
    // No blob of the file is left; the other file's are untouched.
    expect(after.blobList.filter((blob) => blob.key.includes(fileId))).toEqual([]);
    expect(after.blobList.length).toBe(before.blobList.filter((blob) => !blob.key.includes(fileId)).length);
    // No value of the file in any blob or any row of any store (the other file's marker contains it: excluded).
    for (const blob of after.blobTexts) expect(blob.text.replaceAll(`keep${marker}`, '')).not.toContain(marker);
    expect(after.rows.replaceAll(`keep${marker}`, '')).not.toContain(marker);
    // Semantics: no content, embeddings, graph or correlation map of the file; searches find nothing of it.
    expect(after.contents.map((content) => content.contentId)).not.toContain(fileId);
    expect(after.contents.filter((content) => content.fileId === fileId)).toEqual([]);
    expect(await harness.semantic.countEmbeddings(TENANT, fileId)).toBe(0);
    expect(after.graph).toEqual([]);
    expect(after.neighbors).toEqual([]);
    expect(await harness.semantic.getCorrelationMap(TENANT, fileId)).toBeUndefined();
    expect(await harness.semantic.searchText(TENANT, marker)).toEqual([]);
    expect((await harness.semantic.searchText(TENANT, `keep${marker}`)).length).toBeGreaterThan(0);
    expect(after.contents.map((content) => content.contentId)).toContain(other.phases.file_uploaded.fileId);
    // What stays: the file record marked deleted, the scrubbed parsed record, the journey tombstone, the audit.
    const file = await harness.metadata.getFile(TENANT, fileId);
    expect(file).toMatchObject({ status: 'deleted', metadata: { erasure: { by: 'ada' } } });
    for (const record of after.parsed.filter((entry) => entry.fileId === fileId)) {
      expect(record.storageKey).toBeUndefined();
      expect(record.columns ?? []).toEqual([]);
      expect(record.report).toMatchObject({ erased: true });
    }
    const journey = await harness.metadata.getJourney(TENANT, flow.journeyId);
    expect(journey).toMatchObject({ status: 'failed', error: { code: ERASED_CODE } });
    expect(journey.context).toEqual({ outputs: {}, erased: expect.objectContaining({ fileId }) });
    // Nor its name: the tombstone has no label, and is not found by the file's name.
    expect(journey.label).toBeUndefined();
    expect((await harness.metadata.listJourneys(TENANT, { label: 'secret' })).items).toEqual([]);
    expect(journey.milestones.every((milestone) => milestone.status === 'pending' && !milestone.result)).toBe(true);
    const audit = after.governance.filter((record) => record.kind === ERASURE_RECORD && record.subject.id === fileId);
    expect(audit.map((record) => record.data.phase)).toEqual(['started', 'completed']);
    expect(audit[1]?.data).toMatchObject({ by: 'ada', removed: { journeys: 1, contents: report.contents.length } });

    // On the embedded stores, every file on disk too, the SQLite database included once its
    // write-ahead log is checkpointed (secure delete zeroes what was deleted; see
    // docs/retention-and-erasure.md): none holds a value of it.
    if (harness.blobs.kind === 'local') {
      const database = new DatabaseSync(join(harness.dataDir, 'platform.db'));
      database.exec('pragma wal_checkpoint(TRUNCATE)');
      database.close();
      const blobFiles = await filesUnder(harness.dataDir);
      expect(blobFiles.length).toBeGreaterThan(0);
      for (const path of blobFiles) {
        const text = (await readFile(path)).toString('latin1').replaceAll(`keep${marker}`, '');
        expect(text.includes(marker), path).toBe(false);
      }
    }

    // Reading it says it was erased, not that it has not completed.
    await expect(harness.flow.readInsights(testUser(TENANT), flow.journeyId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('was erased'),
      details: { erased: true },
    });

    // Erasing again changes nothing more and completes.
    const again = await eraseFile({ ...stores(), tenantId: TENANT, fileId });
    expect(again).toMatchObject({ blobs: [], contents: [], parsedFiles: [], journeys: [] });

    // The same bytes again: a new flow, stored again (not the erased one reused).
    const rerun = await runFlow(harness, 'secret again.csv', data);
    expect(rerun.run).toBe('new');
    // The journey is that flow's now: completed, without the erasure's error, named by the new upload.
    const rerunJourney = await harness.metadata.getJourney(TENANT, rerun.journeyId);
    expect(rerunJourney.status).toBe('completed');
    expect(rerunJourney.label).toBe('secret again.csv');
    expect(rerunJourney.error).toBeUndefined();
    expect(rerun.phases.file_uploaded.fileId).not.toBe(fileId);
    const newFile = rerun.phases.file_uploaded.fileId;
    expect(await harness.blobs.head(TENANT, `parsed/${newFile}/insights.json`)).toBeDefined();
    expect(await harness.semantic.countEmbeddings(TENANT, newFile)).toBeGreaterThan(0);
    // The notes' words are searchable (the e-mail addresses are masked before anything is indexed).
    expect((await harness.semantic.searchText(TENANT, marker)).length).toBeGreaterThan(0);
  }, 60_000);

  it('erases through DELETE /files/{fileId} (files:delete), answering counts', async () => {
    const flow = await runFlow(harness, 'api.csv', secretCsv(`api${Math.random().toString(36).slice(2, 8)}`));
    const fileId = flow.phases.file_uploaded.fileId;
    const api = harness.platform.get(DataMashApiRef);
    await expect(api.deleteFile({ fileId }, testUser(TENANT, { permissions: ['files:write'] }))).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    const answer = await api.deleteFile({ fileId }, testUser(TENANT, { permissions: ['files:delete'] }));
    expect(answer).toMatchObject({ fileId, status: 'deleted', removed: { journeys: 1, contents: 1, parsedFiles: 1 } });
    expect(answer.removed.blobs).toBeGreaterThan(3);
    expect(answer.removed.embeddings).toBeGreaterThan(0);
    expect(await harness.blobs.list(TENANT, { prefix: `parsed/${fileId}/` })).toMatchObject({ items: [] });
  }, 60_000);

  it('refuses to erase a file under legal hold, and retention keeps it, until the hold is released', async () => {
    const flow = await runFlow(harness, 'held.csv', secretCsv(`held${Math.random().toString(36).slice(2, 8)}`));
    const fileId = flow.phases.file_uploaded.fileId;
    await setLegalHold(harness.metadata, { tenantId: TENANT, fileId, held: true, by: 'legal', reason: 'case 42' });
    expect(await getLegalHold(harness.metadata, TENANT, fileId)).toMatchObject({ held: true, reason: 'case 42' });
    await expect(eraseFile({ ...stores(), tenantId: TENANT, fileId })).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { reason: 'legal_hold' },
    });
    const retention = await runRetention({
      ...stores(),
      tenantId: TENANT,
      rules: [{ kind: 'file', olderThanDays: 0 }],
      now: Date.now() + DAY,
      apply: true,
    });
    expect(retention.items.find((item) => item.fileId === fileId)).toMatchObject({
      outcome: 'held',
      reason: expect.stringContaining('case 42'),
    });
    expect(await harness.blobs.head(TENANT, `files/${fileId}`)).toBeDefined();
    expect(await harness.semantic.countEmbeddings(TENANT, fileId)).toBeGreaterThan(0);
    // No erasure was even started.
    const audit = await harness.metadata.listGovernanceRecords(TENANT, {
      subject: { kind: 'file', id: fileId },
      kind: ERASURE_RECORD,
    });
    expect(audit.items).toEqual([]);

    await setLegalHold(harness.metadata, { tenantId: TENANT, fileId, held: false, by: 'legal' });
    const holds = await harness.metadata.listGovernanceRecords(TENANT, {
      subject: { kind: 'file', id: fileId },
      kind: LEGAL_HOLD_RECORD,
    });
    expect(holds.items.map((record) => record.data.held)).toEqual([true, false]);
    await eraseFile({ ...stores(), tenantId: TENANT, fileId });
    expect(await harness.blobs.head(TENANT, `files/${fileId}`)).toBeUndefined();
  }, 60_000);

  it('retention: a dry run lists what is due and changes nothing; apply erases it; young files and tombstones are left', async () => {
    const flow = await runFlow(harness, 'old.csv', secretCsv(`old${Math.random().toString(36).slice(2, 8)}`));
    const fileId = flow.phases.file_uploaded.fileId;
    const later = Date.now() + 40 * DAY;
    const rules = [{ kind: 'file', olderThanDays: 30 } as const];

    const young = await runRetention({ ...stores(), tenantId: TENANT, rules, apply: true });
    expect(young.items).toEqual([]);

    const blobsBefore = (await harness.blobs.list(TENANT, { limit: 1000 })).items.length;
    const dry = await runRetention({ ...stores(), tenantId: TENANT, rules, now: later });
    expect(dry.apply).toBe(false);
    expect(dry.items.find((item) => item.fileId === fileId)).toMatchObject({
      outcome: 'due',
      name: 'old.csv',
      ageDays: 40,
      reason: 'file older than 30 days',
    });
    expect((await harness.blobs.list(TENANT, { limit: 1000 })).items.length).toBe(blobsBefore);
    expect(await harness.metadata.getFile(TENANT, fileId)).toMatchObject({ status: 'stored' });
    expect(await harness.semantic.countEmbeddings(TENANT, fileId)).toBeGreaterThan(0);

    const applied = await runRetention({ ...stores(), tenantId: TENANT, rules, now: later, apply: true, by: 'ops' });
    const item = applied.items.find((entry) => entry.fileId === fileId);
    expect(item).toMatchObject({ outcome: 'erased' });
    expect(item?.removed?.journeys).toEqual([flow.journeyId]);
    expect(await harness.metadata.getFile(TENANT, fileId)).toMatchObject({ status: 'deleted' });
    expect(await harness.blobs.list(TENANT, { prefix: `parsed/${fileId}/` })).toMatchObject({ items: [] });
    expect(applied.summary.failed).toBe(0);

    // A journey rule: the erased flow's tombstone is not due again.
    const journeysDue = await runRetention({
      ...stores(),
      tenantId: TENANT,
      rules: [{ kind: 'journey', status: 'failed', olderThanDays: 7 }],
      now: later,
    });
    expect(journeysDue.items.find((entry) => entry.journeyId === flow.journeyId)).toBeUndefined();
  }, 60_000);

  it('refuses a retention rule with a typo instead of keeping data forever', async () => {
    for (const rule of [
      { kind: 'files', olderThanDays: 1 },
      { kind: 'file', olderThanDays: 0, status: 'bogus' },
      { kind: 'journey', olderThanDays: 0, status: 'stored' },
      { kind: 'file', olderThanDays: Number.NaN },
    ]) {
      await expect(
        runRetention({ ...stores(), tenantId: TENANT, rules: [rule as never] }),
        JSON.stringify(rule),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/^retention rule 1: /) });
    }
  });

  it('retention of failed flows: a flow that never stored its file is tombstoned and audited', async () => {
    const failed = await harness.flow.executeDataMashFlow({
      file: { name: 'noise.bin', data: new Uint8Array([0, 159, 146, 150, 0, 1, 2, 3, 255, 254]) },
      userContext: ada,
    });
    expect(failed.success).toBe(false);
    const journeyId = failed.journeyId as string;
    const rules = [{ kind: 'journey', status: 'failed', olderThanDays: 7 } as const];
    const dry = await runRetention({ ...stores(), tenantId: TENANT, rules, now: Date.now() + 8 * DAY });
    expect(dry.items.find((item) => item.journeyId === journeyId)).toMatchObject({
      outcome: 'due',
      reason: 'failed flow older than 7 days',
    });
    expect(await harness.metadata.getJourney(TENANT, journeyId)).not.toMatchObject({ error: { code: ERASED_CODE } });
    const applied = await runRetention({
      ...stores(),
      tenantId: TENANT,
      rules,
      now: Date.now() + 8 * DAY,
      apply: true,
    });
    expect(applied.items.find((item) => item.journeyId === journeyId)).toMatchObject({ outcome: 'erased' });
    expect(await harness.metadata.getJourney(TENANT, journeyId)).toMatchObject({
      status: 'failed',
      error: { code: ERASED_CODE },
      context: { outputs: {} },
    });
    const audit = await harness.metadata.listGovernanceRecords(TENANT, {
      subject: { kind: 'journey', id: journeyId },
      kind: ERASURE_RECORD,
    });
    expect(audit.items).toMatchObject([{ data: { phase: 'completed', removed: { journeys: 1 } } }]);
  }, 60_000);

  it('completes when run again after a crash in the middle of an erasure', async () => {
    const marker = `crash${Math.random().toString(36).slice(2, 8)}`;
    const flow = await runFlow(harness, 'crash.csv', secretCsv(marker));
    const fileId = flow.phases.file_uploaded.fileId;
    // The blob store fails on the third delete: some parsed blobs gone, the rest (and the original) kept.
    let deletes = 0;
    const failing = new Proxy(harness.blobs, {
      get(target, property, receiver) {
        if (property === 'delete')
          return async (tenantId: string, key: string) => {
            deletes += 1;
            if (deletes === 3) throw Object.assign(new Error('disk gone'), { code: 'ADAPTER_UNAVAILABLE' });
            return target.delete(tenantId, key);
          };
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(eraseFile({ ...stores(), blobs: failing, tenantId: TENANT, fileId })).rejects.toThrow('disk gone');
    // Derived data went first: the semantics are gone, the original is still there, the audit says started.
    expect(await harness.semantic.countEmbeddings(TENANT, fileId)).toBe(0);
    expect(await harness.blobs.head(TENANT, `files/${fileId}`)).toBeDefined();
    const started = await harness.metadata.listGovernanceRecords(TENANT, {
      subject: { kind: 'file', id: fileId },
      kind: ERASURE_RECORD,
    });
    expect(started.items.map((record) => record.data.phase)).toEqual(['started']);

    await eraseFile({ ...stores(), tenantId: TENANT, fileId });
    const after = await scan(stores(), { fileIds: [fileId], graphStarts: [`${fileId}:table:1`] });
    expect(after.blobList.filter((blob) => blob.key.includes(fileId))).toEqual([]);
    for (const blob of after.blobTexts) expect(blob.text).not.toContain(marker);
    expect(after.rows).not.toContain(marker);
    const audit = after.governance.filter((record) => record.kind === ERASURE_RECORD && record.subject.id === fileId);
    expect(audit.map((record) => record.data.phase)).toEqual(['started', 'started', 'completed']);
  }, 60_000);
});
