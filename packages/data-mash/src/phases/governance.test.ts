import type { GovernancePolicy } from '@platform/smart-city';
import { afterEach, describe, expect, it } from 'vitest';
import { DataMashApiRef } from '../host/data-mash-api.js';
import { ada, bob, salesCsv, startFlowPlatform } from './flow.test-helpers.js';

// The platform's own policy: personal data is never embedded; everything else is allowed.
const noPiiEmbedding: GovernancePolicy = {
  id: 'platform.data_mash',
  version: 3,
  rules: [
    { id: 'no-pii-embedding', effect: 'deny', actions: ['embed'], when: { pii: ['any'] } },
    { id: 'rest', effect: 'allow', actions: ['*'] },
  ],
  default: 'deny',
};
// A client's policy: reports and exports of data holding e-mail addresses are refused.
const acmeNoReports: GovernancePolicy = {
  id: 'client.acme',
  version: 1,
  rules: [
    { id: 'no-email-reports', effect: 'deny', actions: ['report', 'export'], when: { pii: ['email'] } },
    { id: 'rest', effect: 'allow', actions: ['*'] },
  ],
};
const allowAll: GovernancePolicy = { id: 'platform.data_mash', version: 1, rules: [], default: 'allow' };

const plainCsv = (rows: number) =>
  new TextEncoder().encode(
    `${['region,amount', ...Array.from({ length: rows }, (_, index) => `r${index},${index}`)].join('\n')}\n`,
  );

type Harness = Awaited<ReturnType<typeof startFlowPlatform>>;
const running: Harness[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((harness) => harness.stop()));
});

async function start(policies: GovernancePolicy[], clientPolicy?: (tenantId: string) => string | undefined) {
  const harness = await startFlowPlatform({
    modules: {
      dataSteward: { policies },
      governance: { platformPolicy: 'platform.data_mash', ...(clientPolicy ? { clientPolicy } : {}) },
    },
  });
  running.push(harness);
  return harness;
}

describe('governance in the flow: the Data Steward asked at every point, a denial stops it', () => {
  it('fails the flow with POLICY_DENIED before embedding personal data, and stores nothing further', async () => {
    const harness = await start([noPiiEmbedding]);
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'sales.csv', data: salesCsv(12) },
      userContext: ada,
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.failedPhase).toBe('file_parsed');
    expect(result.error).toMatchObject({
      code: 'POLICY_DENIED',
      details: { policy: 'platform.data_mash', version: 3, rule: 'no-pii-embedding', action: 'embed', pii: ['email'] },
    });
    const fileId = result.phases.file_uploaded?.fileId as string;
    // Nothing past the decision: no semantic or parse result, no parsed-file record, no content.
    expect(await harness.blobs.head('acme', `parsed/${fileId}/semantic.json`)).toBeUndefined();
    expect(await harness.blobs.head('acme', `parsed/${fileId}/parse.json`)).toBeUndefined();
    expect(await harness.semantic.listContent('acme', { fileId })).toEqual([]);
    // The decisions, recorded on the journey with the policy version and the inputs.
    const decisions = await harness.metadata.listGovernanceRecords('acme', {
      subject: { kind: 'journey', id: result.journeyId as string },
      kind: 'policy_decision',
    });
    expect(decisions.items.map((record) => record.data)).toEqual([
      expect.objectContaining({ action: 'store_parsed', allowed: true, policy: 'platform.data_mash', version: 3 }),
      expect.objectContaining({
        action: 'embed',
        allowed: false,
        rule: 'no-pii-embedding',
        inputs: { roles: [], pii: ['email'], dataClass: 'client' },
      }),
    ]);
  });

  it('lets a file without personal data through, asking at store, embed and index', async () => {
    const harness = await start([noPiiEmbedding]);
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'regions.csv', data: plainCsv(8) },
      userContext: ada,
    });
    expect(result).toMatchObject({ success: true });
    if (!result.success) return;
    const decisions = await harness.metadata.listGovernanceRecords('acme', {
      subject: { kind: 'journey', id: result.journeyId },
      kind: 'policy_decision',
    });
    expect(decisions.items.map((record) => `${record.data.action}:${record.data.allowed}`)).toEqual([
      'store_parsed:true',
      'embed:true',
      'index:true',
    ]);
  });

  it("asks the client's policy too, kept apart from the platform's: a report of e-mails refused for acme only", async () => {
    const harness = await start([allowAll, acmeNoReports], (tenantId) =>
      tenantId === 'acme' ? 'client.acme' : undefined,
    );
    const api = harness.platform.get(DataMashApiRef);
    const acme = await harness.flow.executeDataMashFlow({
      file: { name: 'sales.csv', data: salesCsv(6) },
      userContext: ada,
    });
    const globex = await harness.flow.executeDataMashFlow({
      file: { name: 'sales.csv', data: salesCsv(6) },
      userContext: bob,
    });
    if (!acme.success || !globex.success) throw new Error('flows failed');
    await expect(api.report({ journeyId: acme.journeyId }, ada)).rejects.toMatchObject({
      code: 'POLICY_DENIED',
      details: { policy: 'client.acme', track: 'client', action: 'report' },
    });
    await expect(api.exportTables({ journeyId: acme.journeyId, format: 'csv' }, ada)).rejects.toMatchObject({
      code: 'POLICY_DENIED',
    });
    // Nothing was exported for acme; globex has no client policy.
    expect(
      (await harness.blobs.list('acme', { prefix: `parsed/${acme.phases.file_uploaded.fileId}/exports/` })).items,
    ).toEqual([]);
    expect(await api.report({ journeyId: globex.journeyId }, bob)).toContain('<html');
  });

  it('asks no policy when none is configured, and still classifies every table (kinds, never values)', async () => {
    const harness = await startFlowPlatform();
    running.push(harness);
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'sales.csv', data: salesCsv(5) },
      userContext: ada,
    });
    expect(result.success).toBe(true);
    expect((await harness.metadata.listGovernanceRecords('acme', { kind: 'policy_decision' })).items).toEqual([]);
    const classified = (await harness.metadata.listGovernanceRecords('acme', { kind: 'classification' })).items;
    expect(classified).toHaveLength(1);
    expect(classified[0]?.data).toMatchObject({ table: expect.any(String) });
    expect(JSON.stringify(classified[0]?.data)).not.toMatch(/@/);
  });

  it('refuses to start with a policy the flow would misread: a misspelled action, a bad rule, an unknown id', async () => {
    const typo: GovernancePolicy = {
      ...noPiiEmbedding,
      rules: [{ id: 'no-pii-embedding', effect: 'deny', actions: ['embedd'], when: { pii: ['any'] } }],
    };
    await expect(start([typo])).rejects.toMatchObject({
      message: expect.stringMatching(/platform\.data_mash.*'embedd'/s),
    });
    const badRule = {
      ...noPiiEmbedding,
      rules: [{ id: 'r', effect: 'deny', actions: ['embed'], when: { dataclass: 'client' } }],
    };
    await expect(start([badRule as GovernancePolicy])).rejects.toMatchObject({
      message: expect.stringMatching(/policy 'platform\.data_mash' \(version 3\) is invalid/),
    });
    await expect(start([{ ...allowAll, id: 'platform.data_mesh' }])).rejects.toMatchObject({
      message: expect.stringMatching(/'platform\.data_mash'.*not one of the Data Steward's/s),
    });
  });
});
