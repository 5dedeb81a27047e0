import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BlobStore } from '@platform/foundations';
import { ContentStewardRef } from '@platform/smart-city';
import { afterEach, describe, expect, it } from 'vitest';
import { ada, salesCsv, startFlowPlatform, testUser } from '../phases/flow.test-helpers.js';
import { examineStorage } from './doctor.js';

const HOUR = 3_600_000;
const FIXTURE = fileURLToPath(new URL('../phases/interrupted-flow.fixture.mjs', import.meta.url));
const text = (value: string) => new TextEncoder().encode(value);

type Harness = Awaited<ReturnType<typeof startFlowPlatform>>;

// Every key of a tenant, paged, so that any blob removed or added shows.
async function allKeys(blobs: BlobStore, tenantId: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await blobs.list(tenantId, { limit: 1000, ...(cursor ? { cursor } : {}) });
    keys.push(...page.items.map((item) => item.key));
    cursor = page.nextCursor;
  } while (cursor);
  return keys.sort();
}

async function ingest(harness: Harness, rows: number) {
  const result = await harness.flow.executeDataMashFlow({
    file: { name: `sales-${rows}.csv`, data: salesCsv(rows) },
    userContext: ada,
  });
  if (!result.success) throw new Error(JSON.stringify(result.error));
  return result;
}

describe('examineStorage on the embedded default stores', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  it('lists exactly the orphans in a dry run, leaves young ones alone, and with fix removes exactly them', async () => {
    harness = await startFlowPlatform();
    const { blobs, metadata } = harness;
    const flow = await ingest(harness, 20);
    // What an upload killed before its record was created leaves, and parse output of that file.
    const orphanId = `file_${randomUUID()}`;
    await blobs.put('acme', `files/${orphanId}`, new Uint8Array(1000));
    await blobs.put('acme', `parsed/${orphanId}/x.jsonl`, text('{"a":1}\n'));
    // Bytes of a local write killed before its commit.
    const strayData = join(harness.dataDir, 'blobs', 'data', 'acme', randomUUID());
    // Small objects live in the store's index, so the tenant may have no data directory yet.
    await mkdir(dirname(strayData), { recursive: true });
    await writeFile(strayData, 'uncommitted');
    await blobs.put('globex', `files/file_${randomUUID()}`, text('another tenant'));
    const before = await allKeys(blobs, 'acme');
    const orphans = [`files/${orphanId}`, `parsed/${orphanId}/x.jsonl`];

    const dry = await examineStorage({ blobs, metadata, tenantId: 'acme', minAgeMs: 0, pageSize: 2 });
    expect(dry.findings.map(({ kind, key, bytes, fixed }) => ({ kind, key, bytes, fixed }))).toEqual([
      { kind: 'orphan_blob', key: orphans[0], bytes: 1000, fixed: false },
      { kind: 'orphan_blob', key: orphans[1], bytes: 8, fixed: false },
      { kind: 'orphan_local_data', key: strayData, bytes: 11, fixed: false },
    ]);
    expect(dry.findings[0]?.reason).toBe(`no record of file ${orphanId}`);
    expect(dry.summary).toMatchObject({
      fix: false,
      remaining: 3,
      healthy: false,
      byKind: { orphan_blob: { count: 2, bytes: 1008, fixed: 0 }, orphan_local_data: { count: 1, fixed: 0 } },
    });
    expect(await allKeys(blobs, 'acme')).toEqual(before);
    expect(existsSync(strayData)).toBe(true);

    // Everything here was written a moment ago: a flow may still be writing it.
    const young = await examineStorage({ blobs, metadata, tenantId: 'acme', minAgeMs: HOUR, fix: true });
    expect(young.findings).toEqual([]);
    expect(young.summary.skipped.young).toBe(before.length);
    expect(await allKeys(blobs, 'acme')).toEqual(before);
    expect(existsSync(strayData)).toBe(true);

    const fixed = await examineStorage({ blobs, metadata, tenantId: 'acme', minAgeMs: 0, fix: true, pageSize: 2 });
    expect(fixed.findings.map((finding) => [finding.kind, finding.key, finding.fixed])).toEqual([
      ['orphan_blob', orphans[0], true],
      ['orphan_blob', orphans[1], true],
      ['orphan_local_data', strayData, true],
    ]);
    expect(fixed.summary).toMatchObject({ fix: true, remaining: 0, healthy: true });
    expect(await allKeys(blobs, 'acme')).toEqual(before.filter((key) => !orphans.includes(key)));
    expect(existsSync(strayData)).toBe(false);
    // The completed flow lost nothing: its original, its four parse results, its insights.
    const { fileId } = flow.phases.file_uploaded;
    expect(await allKeys(blobs, 'acme')).toEqual([
      `files/${fileId}`,
      ...[`insights.json`, `parse.json`, `semantic.json`, `table-1.jsonl`].map((name) => `parsed/${fileId}/${name}`),
    ]);
    expect((await harness.flow.readInsights(ada, flow.journeyId)).tables[0]?.insights.rowCount).toBe(20);
    expect((await allKeys(blobs, 'globex')).length).toBe(1);

    const after = await examineStorage({ blobs, metadata, tenantId: 'acme', minAgeMs: 0 });
    expect(after.findings).toEqual([]);
    expect(after.summary).toMatchObject({ healthy: true, checked: { blobs: 5, files: 1, journeys: 0 } });
  }, 120_000);

  it('removes the parse output of a deleted file and reports, never fixes, a record whose bytes are gone', async () => {
    harness = await startFlowPlatform();
    const { blobs, metadata } = harness;
    const deleted = (await ingest(harness, 20)).phases.file_uploaded.fileId;
    const bytesLost = (await ingest(harness, 30)).phases.file_uploaded.fileId;
    await harness.platform
      .get(ContentStewardRef)
      .deleteFile(testUser('acme', { userId: 'ada', permissions: ['files:delete'] }), deleted);
    await blobs.delete('acme', `files/${bytesLost}`);
    const before = await allKeys(blobs, 'acme');
    const leftOver = before.filter((key) => key.startsWith(`parsed/${deleted}/`));
    expect(leftOver).toHaveLength(4);

    const report = await examineStorage({ blobs, metadata, tenantId: 'acme', minAgeMs: 0, fix: true });
    expect(report.findings.filter((finding) => finding.kind === 'orphan_blob').map((finding) => finding.key)).toEqual(
      leftOver,
    );
    expect(report.findings.find((finding) => finding.kind === 'orphan_blob')?.reason).toBe(
      `its file ${deleted} is deleted`,
    );
    expect(report.findings.filter((finding) => finding.kind === 'missing_blob')).toEqual([
      expect.objectContaining({ key: `files/${bytesLost}`, id: bytesLost, fixable: false, fixed: false }),
    ]);
    expect(report.summary).toMatchObject({ remaining: 1, healthy: false });
    expect(await allKeys(blobs, 'acme')).toEqual(before.filter((key) => !leftOver.includes(key)));
    expect(await allKeys(blobs, 'acme')).toHaveLength(4);
  }, 120_000);

  it('never touches the blobs of a journey whose lease is held, and reports the journey once its holder is gone', async () => {
    harness = await startFlowPlatform();
    const { blobs, metadata } = harness;
    // A flow of another live process: one file still uploading (no record yet, known by its
    // sha256), one parsed (known by the file id in the journey's outputs).
    const uploading = new Uint8Array(500).fill(7);
    const sha256 = createHash('sha256').update(uploading).digest('hex');
    const parsedId = `file_${randomUUID()}`;
    await blobs.put('acme', `files/file_${randomUUID()}`, uploading);
    await blobs.put('acme', `parsed/${parsedId}/table-1.jsonl`, text('{}\n'));
    const journey = await metadata.createJourney({
      tenantId: 'acme',
      template: 'data_mash_flow',
      templateVersion: 1,
      status: 'running',
      idempotencyKey: sha256,
      milestones: [{ name: 'file_parsed', status: 'running' }],
      context: {
        lease: { owner: 'run_elsewhere', host: hostname(), pid: process.ppid, expiresAt: new Date(Date.now() + HOUR) },
        outputs: { file_uploaded: { fileId: parsedId } },
      },
    });
    const before = await allKeys(blobs, 'acme');

    const held = await examineStorage({ blobs, metadata, tenantId: 'acme', minAgeMs: 0, fix: true });
    expect(held.findings).toEqual([]);
    expect(held.summary.skipped.held).toBe(2);
    expect(await allKeys(blobs, 'acme')).toEqual(before);

    // The holder's lease expired without renewal: nobody will finish the journey.
    await metadata.updateJourney('acme', journey.id, journey.version, {
      context: { ...journey.context, lease: { ...(journey.context.lease as object), expiresAt: new Date(0) } },
    });
    const gone = await examineStorage({ blobs, metadata, tenantId: 'acme', minAgeMs: 0, fix: true });
    expect(gone.findings.map((finding) => [finding.kind, finding.fixed])).toEqual([
      ['interrupted_journey', false],
      ['orphan_blob', true],
      ['orphan_blob', true],
    ]);
    expect(gone.findings[0]).toMatchObject({
      id: journey.id,
      reason: 'data_mash_flow is running at file_parsed but its holder is gone',
      hint: `ingest the same file again (or executeDataMashFlow({ fileId: '${parsedId}' })) to resume it`,
    });
    expect(await allKeys(blobs, 'acme')).toEqual([]);
  }, 120_000);

  it('reports a flow killed mid-way as interrupted, removes none of its blobs, and the flow then resumes', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'data-mash-doctor-'));
    try {
      const file = join(dataDir, 'input', 'sales.csv');
      await mkdir(join(dataDir, 'input'));
      await writeFile(file, salesCsv(50));
      const child = spawnSync(process.execPath, [FIXTURE, dataDir, file, 'file_parsed'], {
        encoding: 'utf8',
        timeout: 90_000,
      });
      expect(child.signal, child.stderr).toBe('SIGKILL');

      harness = await startFlowPlatform({ dataDir });
      const { blobs, metadata } = harness;
      const before = await allKeys(blobs, 'acme');
      const [stopped] = (await metadata.listJourneys('acme')).items;
      const report = await examineStorage({ blobs, metadata, tenantId: 'acme', minAgeMs: 0, fix: true });
      expect(report.findings).toEqual([
        expect.objectContaining({ kind: 'interrupted_journey', id: stopped?.id, fixed: false }),
      ]);
      expect(report.findings[0]?.reason).toContain('running at semantic_processed');
      expect(await allKeys(blobs, 'acme')).toEqual(before);

      const resumed = await harness.flow.executeDataMashFlow({
        file: { name: 'sales.csv', path: file },
        userContext: ada,
      });
      expect(resumed).toMatchObject({ success: true, run: 'resumed', journeyId: stopped?.id });
      expect((await examineStorage({ blobs, metadata, tenantId: 'acme', minAgeMs: 0 })).summary.healthy).toBe(true);
    } finally {
      await harness?.stop(false);
      harness = undefined;
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
