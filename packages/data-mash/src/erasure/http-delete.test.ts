import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiGateway,
  communicationDirector,
  type DevelopmentIdentity,
  developmentIdentity,
  securityGuard,
  trafficCop,
} from '@platform/smart-city';
import { createHttpApp } from '@platform/smart-city/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ada, salesCsv, startFlowPlatform } from '../phases/flow.test-helpers.js';
import { setLegalHold } from './legal-hold.js';

// DELETE /files/{fileId} through the front door: the whole erasure, answered in counts.
describe('DELETE /files/{fileId} over HTTP', () => {
  let harness: Awaited<ReturnType<typeof startFlowPlatform>>;
  let identity: DevelopmentIdentity;
  let keys: string;
  let server: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    keys = await mkdtemp(join(tmpdir(), 'http-erasure-'));
    identity = await developmentIdentity(keys);
    harness = await startFlowPlatform({
      modules: { roles: [securityGuard(identity.guardOptions), trafficCop(), apiGateway(), communicationDirector()] },
    });
    server = await createHttpApp(harness.platform).serve({ port: 0 });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await harness?.stop();
    await rm(keys, { recursive: true, force: true });
  });

  const remove = async (fileId: string, permissions: string[]) => {
    const token = await identity.issueToken({ userId: 'ada', tenantId: 'acme', permissions });
    return fetch(`${server.url}/files/${fileId}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
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
