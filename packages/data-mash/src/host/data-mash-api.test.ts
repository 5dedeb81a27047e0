import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ada, bob, FLOW_PERMISSIONS, salesCsv, startFlowPlatform, testUser } from '../phases/flow.test-helpers.js';
import { DataMashApiRef } from './data-mash-api.js';

async function* chunks(bytes: Uint8Array) {
  yield bytes;
}

function upload(name: string, bytes: Uint8Array, type?: string) {
  return { name, ...(type ? { type } : {}), file: { name: '', data: chunks(bytes) } };
}

describe('the data mash API: POST /files answers once the file is stored, or with why it was refused', () => {
  let harness: Awaited<ReturnType<typeof startFlowPlatform>>;
  beforeAll(async () => {
    harness = await startFlowPlatform();
  }, 60_000);
  afterAll(() => harness?.stop());

  const api = () => harness.platform.get(DataMashApiRef);

  it('answers 202-style (running or completed) for a good file, then reused for the same bytes', async () => {
    const bytes = salesCsv(8);
    const first = await api().ingestFile(upload('sales.csv', bytes), ada);
    expect(first.status === 'running' || first.status === 'completed').toBe(true);
    // The answer came after the file was stored: its record is there already.
    const journey = await harness.metadata.getJourney('acme', first.journeyId);
    expect(journey.milestones[0]?.status).toBe('completed');
    await api().drain();
    const again = await api().ingestFile(upload('sales-copy.csv', bytes), ada);
    expect(again).toMatchObject({ journeyId: first.journeyId, status: 'completed', run: 'reused' });
  });

  it('answers a quarantined file with FILE_QUARANTINED and its journey id, not with an accepted journey', async () => {
    const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, ...new Array(200).fill(0)]);
    const refused = await api()
      .ingestFile(upload('report.csv', elf), ada)
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(refused).toMatchObject({
      code: 'FILE_QUARANTINED',
      details: { journeyId: expect.stringMatching(/^journey_/) },
    });
    // The same bytes again: refused again, not answered as a journey in progress.
    await expect(api().ingestFile(upload('report.csv', elf), ada)).rejects.toMatchObject({ code: 'FILE_QUARANTINED' });
  });

  it('names the file and its flow in search hits, for the caller tenant only; an erased file is named no more', async () => {
    const bytes = new TextEncoder().encode('warehouse_code,pallets\nLYS-1,12\nBOD-2,30\n');
    const started = await api().ingestFile(upload('stock.csv', bytes), ada);
    await api().drain();
    const { hits } = await api().search({ q: 'warehouse_code pallets', limit: 20 }, ada);
    const mine = hits.filter((hit) => hit.file?.name === 'stock.csv');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]?.file).toEqual({ id: mine[0]?.contentId, name: 'stock.csv', journeyId: started.journeyId });
    // Another tenant finds nothing of it, not even its name.
    const theirs = await api().search({ q: 'warehouse_code pallets', limit: 20 }, bob);
    expect(theirs.hits.filter((hit) => hit.contentId === mine[0]?.contentId)).toEqual([]);
    const eraser = testUser('acme', { userId: 'dpo', permissions: [...FLOW_PERMISSIONS, 'files:delete'] });
    await api().deleteFile({ fileId: mine[0]?.contentId as string }, eraser);
    const after = await api().search({ q: 'warehouse_code pallets', limit: 20 }, ada);
    expect(after.hits.filter((hit) => hit.file?.name === 'stock.csv')).toEqual([]);
  });

  it('finds flows by any part of their file’s name, of the caller’s tenant only, also when started from a stored file', async () => {
    const uploaded = await api().ingestFile(upload('Quarterly Returns.CSV', salesCsv(5)), ada);
    await api().drain();
    const stored = await harness.metadata.getJourney('acme', uploaded.journeyId);
    const fileId = (stored.context as { outputs: { file_uploaded: { fileId: string } } }).outputs.file_uploaded.fileId;
    // A quarantined upload keeps its name too: found by it, though it has no file.
    const names = async (file: string, user = ada) =>
      (await api().listJourneys({ file }, user)).items.map((journey) => journey.label);
    expect(await names('quarterly returns')).toEqual(['Quarterly Returns.CSV']);
    expect(await names('RETURNS.csv')).toEqual(['Quarterly Returns.CSV']);
    expect(await names('report.csv')).toEqual(['report.csv']);
    expect(await names('quarterly', bob)).toEqual([]);
    // A flow started from the stored file (POST /journeys) is labelled by the file's record.
    await harness.metadata.deleteFile('acme', fileId);
    const fresh = await harness.metadata.createFile({
      tenantId: 'acme',
      name: 'restored returns.csv',
      sizeBytes: 10,
      sha256: 'f'.repeat(64),
    });
    const byId = await harness.flow.executeDataMashFlow({ userContext: ada, fileId: fresh.id });
    expect((await harness.metadata.getJourney('acme', byId.journeyId as string)).label).toBe('restored returns.csv');
    expect(await names('returns')).toEqual(['restored returns.csv', 'Quarterly Returns.CSV']);
  });

  it('refuses a hostile name even for bytes ingested before (the duplicate does not hide it)', async () => {
    const bytes = salesCsv(9);
    await api().ingestFile(upload('ok.csv', bytes), ada);
    await api().drain();
    for (const name of ['../../etc/passwd.csv', 'a\u0000b.csv', 'invoice\u202Efdp.csv', 'dir/x.csv']) {
      await expect(api().ingestFile(upload(name, bytes), ada), name).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'name' },
      });
    }
  });
});
