import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlatformError } from '@platform/foundations';
import { DataStewardRef, httpLineageSink, type LineageSink, type OpenLineageRunEvent } from '@platform/smart-city';
import { afterEach, describe, expect, it } from 'vitest';
import { openLineageProblems } from '../../../smart-city/src/data-steward/openlineage-spec/openlineage.test-helpers.js';
import { ada, salesCsv, startFlowPlatform } from './flow.test-helpers.js';
import { abandonJourneyLineage, journeyLineageParent, withPhaseLineage } from './lineage.js';

const JOBS = [
  'data_mash.upload_file',
  'data_mash.parse_file',
  'data_mash.store_content',
  'data_mash.generate_insights',
];
type Harness = Awaited<ReturnType<typeof startFlowPlatform>>;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function platform(options: Parameters<typeof startFlowPlatform>[0] = {}): Promise<Harness> {
  const harness = await startFlowPlatform(options);
  cleanups.push(() => harness.stop());
  return harness;
}

// A Marquez-like receiver on 127.0.0.1: `POST /api/v1/lineage` answered 201, except the requests
// `answer` says otherwise. `accepted` are the bodies it took (201), in order.
async function marquez(answer: (request: number) => number = () => 201) {
  const requests: Array<{ status: number; text: string }> = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const status = request.method === 'POST' && request.url === '/api/v1/lineage' ? answer(requests.length + 1) : 404;
      requests.push({ status, text });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1/lineage`,
    requests,
    accepted: () =>
      requests
        .filter((request) => request.status === 201)
        .map((request) => JSON.parse(request.text) as OpenLineageRunEvent),
  };
}

// Each run's events in order: every run has one START and one terminal event, and the run's
// events are those of one job under one parent.
function runsOf(events: readonly OpenLineageRunEvent[]) {
  const runs = new Map<string, OpenLineageRunEvent[]>();
  for (const event of events) runs.set(event.run.runId, [...(runs.get(event.run.runId) ?? []), event]);
  for (const [runId, run] of runs) {
    expect(
      run.map((event) => event.eventType).filter((type) => type === 'START'),
      runId,
    ).toHaveLength(1);
    expect(
      run.filter((event) => event.eventType !== 'START'),
      runId,
    ).toHaveLength(1);
    expect(new Set(run.map((event) => event.job.name)).size).toBe(1);
  }
  return runs;
}

const summary = (events: readonly OpenLineageRunEvent[]) =>
  events.map((event) => `${event.job.name} ${event.eventType}`);

describe('OpenLineage events of the data mash flow, over HTTP to a Marquez-like receiver', () => {
  it('sends START and COMPLETE per phase, valid, with facets, parented by the journey, and no data value', async () => {
    // The first event is answered 503: the sink sends it again.
    const receiver = await marquez((request) => (request === 1 ? 503 : 201));
    const harness = await platform({
      modules: { dataSteward: { lineageSink: httpLineageSink(receiver.url, { retryDelayMs: 5 }) } },
    });
    const csv = salesCsv();
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'ada-sales.csv', data: csv },
      userContext: ada,
    });
    if (!result.success) throw new Error(JSON.stringify(result.error));

    // The 503 was retried: the same event, then accepted.
    expect(receiver.requests[0]?.status).toBe(503);
    expect(receiver.requests[1]).toEqual({ status: 201, text: receiver.requests[0]?.text });

    const events = receiver.accepted();
    expect(summary(events)).toEqual(JOBS.flatMap((job) => [`${job} START`, `${job} COMPLETE`]));
    const runs = runsOf(events);
    expect(runs.size).toBe(4);
    for (const event of events) expect(openLineageProblems(event)).toEqual([]);

    // Every run's parent is the journey.
    const parent = journeyLineageParent('acme', result.journeyId);
    expect(parent.runId).toBe(result.journeyId.slice(result.journeyId.indexOf('_') + 1));
    for (const event of events) {
      expect(event.run.facets?.parent).toMatchObject({
        run: { runId: parent.runId },
        job: { namespace: 'platform/acme', name: 'data_mash.journey' },
      });
      expect(event.run.facets?.processing_engine).toMatchObject({ name: '@platform/data-mash' });
      expect(event.job).toMatchObject({ namespace: 'platform/acme', facets: { jobType: { jobType: 'TASK' } } });
    }

    // Facets: schemas, quality counts and column lineage along the flow.
    const { fileId } = result.phases.file_uploaded;
    const { contentId } = result.phases.semantic_processed;
    const columns = ['order_id', 'customer_email', 'amount', 'ordered_at'];
    const complete = (job: string) =>
      events.find((event) => event.job.name === job && event.eventType === 'COMPLETE') as OpenLineageRunEvent;
    expect(complete('data_mash.upload_file').outputs).toEqual([
      { namespace: 'platform/acme', name: `files/${fileId}` },
    ]);

    const parse = complete('data_mash.parse_file');
    expect(parse.inputs[0]).toMatchObject({
      name: `files/${fileId}`,
      facets: { schema: { fields: columns.map((name) => ({ name })) } },
      inputFacets: { dataQualityMetrics: { rowCount: 20, columnMetrics: { customer_email: { nullCount: 0 } } } },
    });
    expect(parse.outputs[0]).toMatchObject({ name: `parsed/${fileId}/parse.json` });
    expect(parse.outputs[0]?.facets?.columnLineage?.fields).toEqual(
      Object.fromEntries(
        columns.map((field) => [
          field,
          {
            inputFields: [
              {
                namespace: 'platform/acme',
                name: `files/${fileId}`,
                field,
                transformations: [{ type: 'DIRECT', subtype: 'IDENTITY' }],
              },
            ],
          },
        ]),
      ),
    );

    const store = complete('data_mash.store_content');
    expect(store.inputs[0]).toMatchObject({ name: `parsed/${fileId}/parse.json` });
    expect(store.outputs[0]).toMatchObject({
      name: `semantic/${contentId}`,
      facets: {
        schema: {
          fields: result.phases.file_parsed.semanticResult.columns.map((column) => ({
            name: column.column,
            type: column.semanticType,
          })),
        },
      },
    });
    expect(Object.keys(store.outputs[0]?.facets?.columnLineage?.fields ?? {})).toEqual(columns);

    const insights = complete('data_mash.generate_insights');
    expect(insights.inputs[0]).toMatchObject({
      name: `semantic/${contentId}`,
      inputFacets: {
        dataQualityMetrics: {
          rowCount: 20,
          columnMetrics: { customer_email: { nullCount: 0, distinctCount: 20, count: 20 } },
        },
      },
    });
    expect(insights.outputs[0]).toMatchObject({
      name: `parsed/${fileId}/insights.json`,
      facets: {
        columnLineage: {
          fields: {
            amount: {
              inputFields: [
                { name: `semantic/${contentId}`, field: 'amount', transformations: [{ subtype: 'AGGREGATION' }] },
              ],
            },
          },
        },
      },
    });

    // No value of the file, nor its name, in any body sent.
    const sent = receiver.requests.map((request) => request.text).join('\n');
    const cells = new TextDecoder()
      .decode(csv)
      .trim()
      .split('\n')
      .slice(1)
      .flatMap((line) => line.split(','))
      .filter((cell) => !/^\d+$/.test(cell)); // bare numbers collide with counts
    expect(cells.length).toBeGreaterThan(20);
    for (const cell of cells) expect(sent).not.toContain(cell);
    expect(sent).not.toContain('ada-sales');

    // The sink replaced the default: no lineage event in the metadata store, only the run ledger.
    expect((await harness.metadata.listGovernanceRecords('acme', { kind: 'lineage_event' })).items).toEqual([]);
    const ledger = await harness.metadata.listGovernanceRecords('acme', { kind: 'lineage_run' });
    expect(ledger.items.map((record) => record.data.eventType)).toEqual(JOBS.flatMap(() => ['START', 'COMPLETE']));

    // The same bytes again: the completed flow, no new run.
    const before = receiver.requests.length;
    await harness.flow.executeDataMashFlow({ file: { name: 'copy.csv', data: csv }, userContext: ada });
    expect(receiver.requests).toHaveLength(before);
  }, 60_000);

  it('sends FAIL, with the stable code and no file value, for a phase that fails on a malformed file', async () => {
    const receiver = await marquez();
    const harness = await platform({ modules: { dataSteward: { lineageSink: httpLineageSink(receiver.url) } } });
    const malformed = new TextEncoder().encode('[{"email": "grace@example.com", "amount": 12}, {"email": ');
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'grace.json', data: malformed },
      userContext: ada,
    });
    expect(result).toMatchObject({ success: false, failedPhase: 'file_parsed' });
    if (result.success) return;
    const events = receiver.accepted();
    expect(summary(events)).toEqual([
      'data_mash.upload_file START',
      'data_mash.upload_file COMPLETE',
      'data_mash.parse_file START',
      'data_mash.parse_file FAIL',
    ]);
    runsOf(events);
    for (const event of events) expect(openLineageProblems(event)).toEqual([]);
    const failed = events.at(-1) as OpenLineageRunEvent;
    expect(failed.run.facets?.errorMessage).toMatchObject({
      message: expect.stringMatching(new RegExp(`^${result.error.code}: `)),
      programmingLanguage: 'JavaScript',
    });
    expect(failed.run.facets?.parent).toMatchObject({
      run: { runId: journeyLineageParent('acme', result.journeyId ?? '').runId },
    });
    const sent = receiver.requests.map((request) => request.text).join('\n');
    expect(sent).not.toContain('grace');
  }, 60_000);

  it('sends FAIL for an upload the Content Steward quarantines', async () => {
    const receiver = await marquez();
    const harness = await platform({ modules: { dataSteward: { lineageSink: httpLineageSink(receiver.url) } } });
    const pdfNamedCsv = new TextEncoder().encode('%PDF-1.7\n1 0 obj <<>> endobj\n');
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'x.csv', data: pdfNamedCsv },
      userContext: ada,
    });
    expect(result).toMatchObject({ success: false, failedPhase: 'file_uploaded', error: { code: 'FILE_QUARANTINED' } });
    const events = receiver.accepted();
    expect(summary(events)).toEqual(['data_mash.upload_file START', 'data_mash.upload_file FAIL']);
    expect(events[1]?.run.facets?.errorMessage?.message).toMatch(/^FILE_QUARANTINED: /);
    for (const event of events) expect(openLineageProblems(event)).toEqual([]);
  }, 60_000);
});

describe('phase runs that are retried, interrupted, resumed or given up', () => {
  // An in-process sink recording what it accepted, refusing (503) the events `refuse` names.
  function recordingSink(refuse: (event: OpenLineageRunEvent) => boolean = () => false) {
    const accepted: OpenLineageRunEvent[] = [];
    const sink: LineageSink = async (event) => {
      if (refuse(event)) throw new PlatformError('ADAPTER_UNAVAILABLE', 'lineage endpoint answered 503');
      accepted.push(event);
    };
    return { sink, accepted };
  }

  it.each([
    ['its COMPLETE is refused once: FAIL, then a new run', ['COMPLETE'], 'FAIL'],
    ['its COMPLETE and FAIL are refused: left open, ABORT by the next attempt', ['COMPLETE', 'FAIL'], 'ABORT'],
  ] as const)(
    'a phase retried within the flow after %s',
    async (_name, refused, firstEnd) => {
      const refusedOnce = new Set<string>(refused);
      const { sink, accepted } = recordingSink((event) => {
        if (event.job.name !== 'data_mash.store_content' || !refusedOnce.has(event.eventType)) return false;
        refusedOnce.delete(event.eventType);
        return true;
      });
      const harness = await platform({
        modules: { dataSteward: { lineageSink: sink }, retry: { attempts: 3, initialDelayMs: 5 } },
      });
      const result = await harness.flow.executeDataMashFlow({
        file: { name: 's.csv', data: salesCsv() },
        userContext: ada,
      });
      if (!result.success) throw new Error(JSON.stringify(result.error));
      const store = accepted.filter((event) => event.job.name === 'data_mash.store_content');
      expect(store.map((event) => event.eventType)).toEqual(['START', firstEnd, 'START', 'COMPLETE']);
      const [first, , second] = store;
      expect(store[1]?.run.runId).toBe(first?.run.runId);
      expect(second?.run.runId).not.toBe(first?.run.runId);
      expect(store[3]?.run.runId).toBe(second?.run.runId);
      if (firstEnd === 'FAIL') expect(store[1]?.run.facets?.errorMessage?.message).toMatch(/^ADAPTER_UNAVAILABLE: /);
      runsOf(accepted);
      for (const event of accepted) expect(openLineageProblems(event)).toEqual([]);
      // Each job completed once: no duplicate COMPLETE.
      expect(accepted.filter((event) => event.eventType === 'COMPLETE').map((event) => event.job.name)).toEqual(JOBS);
    },
    60_000,
  );

  it('ends an interrupted attempt with ABORT when the phase resumes, then replays without a second COMPLETE', async () => {
    const { sink, accepted } = recordingSink();
    const harness = await platform({ modules: { dataSteward: { lineageSink: sink } } });
    const steward = harness.platform.get(DataStewardRef);
    const journeyId = 'journey_7d1c3a52-5b0e-4c8e-9f2a-0c4b9e1d2f3a';
    const start = (retry: boolean) => ({
      tenantId: 'acme',
      job: 'data_mash.parse_file',
      context: { journeyId, retry },
      inputs: [{ namespace: 'platform/acme', name: 'files/f' }],
    });
    const link = {
      relation: 'parsed_from',
      input: { kind: 'file', id: 'f' },
      output: { kind: 'parsed_file', id: 'p' },
    };

    // Attempt 1 starts, and its process dies (it never ends).
    void withPhaseLineage(steward, harness.metadata, start(false), () => new Promise<never>(() => {}));
    await expect.poll(() => accepted.length).toBe(1);
    // The milestone runs again: attempt 1 is aborted, attempt 2 is a run of its own.
    const second = await withPhaseLineage(steward, harness.metadata, start(true), async (run) => {
      await run.complete({ link });
      return run;
    });
    expect(second).toMatchObject({ attempt: 2, replay: false });
    const [started, aborted, restarted, completed] = accepted;
    expect(summary(accepted)).toEqual([
      'data_mash.parse_file START',
      'data_mash.parse_file ABORT',
      'data_mash.parse_file START',
      'data_mash.parse_file COMPLETE',
    ]);
    expect(aborted?.run.runId).toBe(started?.run.runId);
    expect(restarted?.run.runId).toBe(second.runId);
    expect(completed?.run.runId).toBe(second.runId);
    expect(aborted?.run.facets?.parent).toEqual(started?.run.facets?.parent);

    // Again after it completed (the journey had not recorded it): a replay sends nothing, links to the completed run.
    const replay = await withPhaseLineage(steward, harness.metadata, start(true), async (run) => {
      await run.complete({ link });
      return run;
    });
    expect(replay).toMatchObject({ replay: true, attempt: 3 });
    expect(accepted).toHaveLength(4);
    expect(await harness.metadata.listLinks('acme', { from: { kind: 'parsed_file', id: 'p' } })).toEqual([
      expect.objectContaining({ metadata: { job: 'data_mash.parse_file', runId: second.runId } }),
    ]);

    // A replay that fails reports its own run: START and FAIL.
    await expect(
      withPhaseLineage(steward, harness.metadata, start(true), async () => {
        throw new PlatformError('ADAPTER_UNAVAILABLE', 'the blob store is down');
      }),
    ).rejects.toMatchObject({ code: 'ADAPTER_UNAVAILABLE' });
    expect(summary(accepted.slice(4))).toEqual(['data_mash.parse_file START', 'data_mash.parse_file FAIL']);
    runsOf(accepted);
    for (const event of accepted) expect(openLineageProblems(event)).toEqual([]);
  });

  it('ends the open runs of a journey given up with ABORT', async () => {
    const { sink, accepted } = recordingSink();
    const harness = await platform({ modules: { dataSteward: { lineageSink: sink } } });
    const steward = harness.platform.get(DataStewardRef);
    const journeyId = 'journey_2a9e6f14-8c3d-4b7a-a1e5-3f6d8c2b9e07';
    const context = { journeyId, retry: false };
    await withPhaseLineage(
      steward,
      harness.metadata,
      { tenantId: 'acme', job: 'data_mash.upload_file', context },
      async () => 1,
    );
    void withPhaseLineage(
      steward,
      harness.metadata,
      { tenantId: 'acme', job: 'data_mash.parse_file', context },
      () => new Promise<never>(() => {}),
    );
    await expect.poll(() => accepted.length).toBe(3);
    const aborted = await abandonJourneyLineage(steward, harness.metadata, {
      tenantId: 'acme',
      journeyId,
      reason: new PlatformError('CONFLICT', "journey 'x' was given up"),
    });
    expect(aborted).toEqual([accepted[2]?.run.runId]);
    expect(summary(accepted)).toEqual([
      'data_mash.upload_file START',
      'data_mash.upload_file COMPLETE',
      'data_mash.parse_file START',
      'data_mash.parse_file ABORT',
    ]);
    expect(accepted[3]?.run.facets?.errorMessage?.message).toBe("CONFLICT: journey '…' was given up");
    // Given up twice: nothing left open.
    expect(await abandonJourneyLineage(steward, harness.metadata, { tenantId: 'acme', journeyId })).toEqual([]);
    runsOf(accepted);
    for (const event of accepted) expect(openLineageProblems(event)).toEqual([]);
  });

  it('writes the events to the metadata store by default: START and COMPLETE per phase', async () => {
    const harness = await platform();
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 's.csv', data: salesCsv() },
      userContext: ada,
    });
    if (!result.success) throw new Error(JSON.stringify(result.error));
    const records = await harness.metadata.listGovernanceRecords('acme', { kind: 'lineage_event' });
    const events = records.items.map((record) => record.data as unknown as OpenLineageRunEvent);
    expect(summary(events)).toEqual(JOBS.flatMap((job) => [`${job} START`, `${job} COMPLETE`]));
    for (const event of events) expect(openLineageProblems(event)).toEqual([]);
  }, 60_000);
});
