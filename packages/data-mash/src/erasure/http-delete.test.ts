import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ada, salesCsv, startFrontDoor } from '../phases/flow.test-helpers.js';
import { setLegalHold } from './legal-hold.js';

// DELETE /files/{fileId} through the front door: the whole erasure, answered in counts.
describe('DELETE /files/{fileId} over HTTP', () => {
  let harness: Awaited<ReturnType<typeof startFrontDoor>>;

  beforeAll(async () => {
    harness = await startFrontDoor();
  }, 60_000);

  afterAll(() => harness?.stop());

  const remove = async (fileId: string, permissions: string[]) => {
    const token = await harness.identity.issueToken({ userId: 'ada', tenantId: 'acme', permissions });
    return fetch(`${harness.url}/files/${fileId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  };

  it('erases with files:delete (409 under legal hold, 403 without the permission), answering counts', async () => {
    const flow = await harness.flow.executeDataMashFlow({
      file: { name: 'sales.csv', data: salesCsv(8) },
      userContext: ada,
    });
    if (!flow.success) throw new Error(JSON.stringify(flow.error));
    const fileId = flow.phases.file_uploaded.fileId;

    expect((await remove(fileId, ['files:write'])).status).toBe(403);
    await setLegalHold(harness.metadata, { tenantId: 'acme', fileId, held: true, reason: 'audit' });
    const held = await remove(fileId, ['files:delete']);
    expect(held.status).toBe(409);
    expect(await held.text()).toContain('legal hold');
    expect(await harness.blobs.head('acme', `files/${fileId}`)).toBeDefined();

    await setLegalHold(harness.metadata, { tenantId: 'acme', fileId, held: false });
    const erased = await remove(fileId, ['files:delete']);
    expect(erased.status).toBe(200);
    const body = (await erased.json()) as { fileId: string; status: string; removed: Record<string, number> };
    expect(body).toMatchObject({ fileId, status: 'deleted', removed: { journeys: 1, contents: 1, parsedFiles: 1 } });
    expect(body.removed.blobs).toBeGreaterThan(3);
    expect((await harness.blobs.list('acme', { prefix: `parsed/${fileId}/` })).items).toEqual([]);
    expect(await harness.semantic.countEmbeddings('acme', fileId)).toBe(0);
  }, 60_000);
});
