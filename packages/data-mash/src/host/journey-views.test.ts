import type { GovernancePolicy } from '@platform/smart-city';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLOW_PERMISSIONS, salesCsv, startFlowPlatform, testUser } from '../phases/flow.test-helpers.js';
import { DATA_MASH_API, DataMashApiRef } from './data-mash-api.js';

// The console's views of a flow (issue 20), on a real flow on the embedded default stores.
const auditor = testUser('acme', { userId: 'ada', permissions: [...FLOW_PERMISSIONS, 'audit:read'] });
const stranger = testUser('globex', { userId: 'bob', permissions: [...FLOW_PERMISSIONS, 'audit:read'] });
const noAudit = testUser('acme', { userId: 'carl' });

// Reports of data holding e-mail addresses are refused: a denial the governance view shows.
const policy: GovernancePolicy = {
  id: 'platform.data_mash',
  version: 1,
  rules: [
    { id: 'no-email-reports', effect: 'deny', actions: ['report'], when: { pii: ['email'] } },
    { id: 'rest', effect: 'allow', actions: ['*'] },
  ],
  default: 'deny',
};

describe('the journey views: lineage, governance and trace of a flow', () => {
  let harness: Awaited<ReturnType<typeof startFlowPlatform>>;
  let journeyId: string;
  let fileId: string;
  let contentId: string;
  let traceId: string;
  beforeAll(async () => {
    harness = await startFlowPlatform({
      modules: { dataSteward: { policies: [policy] }, governance: { platformPolicy: 'platform.data_mash' } },
    });
    const flow = await harness.flow.executeDataMashFlow({
      userContext: auditor,
      file: { name: 'orders.csv', data: salesCsv(10) },
    });
    if (!flow.success) throw new Error(flow.error.message);
    journeyId = flow.journeyId;
    fileId = flow.phases.file_uploaded.fileId;
    contentId = flow.phases.semantic_processed.contentId;
    traceId = flow.traceId;
    // A report of it is refused by the policy (the file holds e-mail addresses).
    await expect(api().report({ journeyId }, auditor)).rejects.toMatchObject({ code: 'POLICY_DENIED' });
  }, 60_000);
  afterAll(() => harness?.stop());

  const api = () => harness.platform.get(DataMashApiRef);
  // What the API Gateway checks every answer against.
  const output = (name: string) => DATA_MASH_API.find((capability) => capability.name === name)?.output;

  it('declares the three routes with their permissions', () => {
    const route = (name: string) => DATA_MASH_API.find((capability) => capability.name === name);
    expect(route('data_mash.journey_lineage')).toMatchObject({
      permission: 'journeys:read',
      api: { method: 'GET', path: '/journeys/{journeyId}/lineage', handler: 'journeyLineage' },
    });
    expect(route('data_mash.journey_governance')).toMatchObject({
      permission: 'audit:read',
      api: { method: 'GET', path: '/journeys/{journeyId}/governance', handler: 'journeyGovernance' },
    });
    expect(route('data_mash.journey_trace')).toMatchObject({
      permission: 'journeys:read',
      api: { method: 'GET', path: '/journeys/{journeyId}/trace', handler: 'journeyTrace' },
    });
  });

  it('draws the lineage of a CSV: file -> parsed_file -> content -> insights, each edge a completed run', async () => {
    const graph = await api().journeyLineage({ journeyId }, auditor);
    expect(output('data_mash.journey_lineage')?.safeParse(graph).success).toBe(true);
    const [parsed] = await harness.metadata.listParsedFiles('acme', fileId);
    const file = `file:${fileId}`;
    const parsedFile = `parsed_file:${parsed?.id}`;
    const content = `content:${contentId}`;
    const insights = `insights:${contentId}`;
    expect(graph.nodes).toEqual([
      { id: file, kind: 'file', label: 'orders.csv', ref: { kind: 'file', id: fileId } },
      {
        id: parsedFile,
        kind: 'parsed_file',
        label: 'parsed orders.csv',
        ref: { kind: 'parsed_file', id: parsed?.id },
      },
      { id: content, kind: 'content', label: 'content of orders.csv', ref: { kind: 'content', id: contentId } },
      { id: insights, kind: 'insights', label: 'insights', ref: { kind: 'insights', id: contentId } },
    ]);
    const runs = new Map(graph.runs.map((run) => [run.job, run]));
    expect([...runs.keys()]).toEqual([
      'data_mash.upload_file',
      'data_mash.parse_file',
      'data_mash.store_content',
      'data_mash.generate_insights',
    ]);
    expect(graph.edges).toEqual([
      {
        from: file,
        to: parsedFile,
        job: 'data_mash.parse_file',
        relation: 'parsed_from',
        runId: runs.get('data_mash.parse_file')?.runId,
        state: 'COMPLETE',
      },
      {
        from: parsedFile,
        to: content,
        job: 'data_mash.store_content',
        relation: 'derived_from',
        runId: runs.get('data_mash.store_content')?.runId,
        state: 'COMPLETE',
      },
      {
        from: content,
        to: insights,
        job: 'data_mash.generate_insights',
        relation: 'derived_from',
        runId: runs.get('data_mash.generate_insights')?.runId,
        state: 'COMPLETE',
      },
    ]);
  });

  it("lists the flow's governance records oldest first: classification, lineage, and the policy's denial", async () => {
    const answer = await api().journeyGovernance({ journeyId }, auditor);
    expect(output('data_mash.journey_governance')?.safeParse(answer).success).toBe(true);
    const { records, truncated } = answer;
    expect(truncated).toBe(false);
    const seqs = records.map((record) => record.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const kinds = new Set(records.map((record) => record.kind));
    for (const kind of ['classification', 'policy_decision', 'lineage_event', 'lineage_run'])
      expect(kinds).toContain(kind);
    expect(records.find((record) => record.kind === 'classification')).toMatchObject({
      subject: { kind: 'file', id: fileId },
      details: { table: 'orders' },
    });
    const denial = records.find((record) => record.decision === 'deny');
    expect(denial).toMatchObject({
      kind: 'policy_decision',
      subject: { kind: 'journey', id: journeyId },
      action: 'report',
      details: { policy: 'platform.data_mash', rule: 'no-email-reports', allowed: false },
    });
    expect(Number.isNaN(Date.parse(denial?.createdAt as string))).toBe(false);
    // The lineage events are the runs' own records.
    expect(records.filter((record) => record.kind === 'lineage_event').map((record) => record.subject.kind)).toEqual(
      Array(8).fill('run'),
    );
    // Another tenant's records (a flow of the same bytes in globex) are never among them.
    expect(records.every((record) => !JSON.stringify(record).includes('globex'))).toBe(true);
  });

  it('caps the governance records at `limit`, the oldest, with `truncated`', async () => {
    const all = await api().journeyGovernance({ journeyId }, auditor);
    const page = await api().journeyGovernance({ journeyId, limit: 3 }, auditor);
    expect(page.truncated).toBe(true);
    expect(page.records).toEqual(all.records.slice(0, 3));
  });

  it('answers the trace without a trace buffer as not recorded (not an error)', async () => {
    const trace = await api().journeyTrace({ journeyId }, auditor);
    expect(trace).toEqual({ traceId, recorded: false, spans: [] });
    expect(output('data_mash.journey_trace')?.safeParse(trace).success).toBe(true);
  });

  it("answers another tenant's journey NOT_FOUND on all three views, as a journey that does not exist", async () => {
    await harness.flow.executeDataMashFlow({ userContext: stranger, file: { name: 'orders.csv', data: salesCsv(10) } });
    for (const call of [
      (id: string) => api().journeyLineage({ journeyId: id }, stranger),
      (id: string) => api().journeyGovernance({ journeyId: id }, stranger),
      (id: string) => api().journeyTrace({ journeyId: id }, stranger),
    ]) {
      const theirs = await call(journeyId).catch((error: unknown) => error);
      const missing = await call('journey_missing').catch((error: unknown) => error);
      expect(theirs).toMatchObject({ code: 'NOT_FOUND' });
      expect(missing).toMatchObject({ code: 'NOT_FOUND' });
      expect(JSON.stringify(theirs)).not.toContain(fileId);
    }
  });

  it('refuses the governance view without audit:read, the others without journeys:read', async () => {
    await expect(api().journeyGovernance({ journeyId }, noAudit)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    const nothing = testUser('acme', { permissions: [] });
    await expect(api().journeyLineage({ journeyId }, nothing)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
    await expect(api().journeyTrace({ journeyId }, nothing)).rejects.toMatchObject({ code: 'PERMISSION_DENIED' });
  });
});
