import { installObservabilityRecorder, type RecordedSpan } from '@platform/observability/testing';
import { ContentStewardRef, LibrarianRef, serviceIdentity } from '@platform/smart-city';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildPdf } from '../parsing/documents/fixtures.test-helpers.js';
import {
  ada,
  bob,
  createTestDatabase,
  salesCsv,
  salesXlsx,
  startFlowPlatform,
  TEST_POSTGRES_URL,
  testUser,
} from './flow.test-helpers.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const MILESTONES = ['file_uploaded', 'file_parsed', 'semantic_processed', 'insights_generated'];

type Harness = Awaited<ReturnType<typeof startFlowPlatform>>;

// The same suite on the embedded default (local files + PGlite) and with the metadata (files,
// journeys, lineage) on the machine's Postgres. This Postgres has no pgvector, so the semantic
// store stays on PGlite there.
const backends: Array<[string, () => Promise<{ harness: Harness; cleanup: () => Promise<void> }>]> = [
  [
    'embedded default (local files, PGlite)',
    async () => {
      const harness = await startFlowPlatform({ telemetrySink: recorder.sink });
      return { harness, cleanup: () => harness.stop() };
    },
  ],
  [
    `metadata on Postgres (${new URL(TEST_POSTGRES_URL).host})`,
    async () => {
      const database = await createTestDatabase();
      const harness = await startFlowPlatform({ telemetrySink: recorder.sink, stores: { metadata: database.url } });
      return {
        harness,
        cleanup: async () => {
          await harness.stop();
          await database.drop();
        },
      };
    },
  ],
];

describe.each(backends)('the data mash flow on %s', (_name, open) => {
  let harness: Harness;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ harness, cleanup } = await open());
  }, 60_000);
  afterAll(() => cleanup?.());

  it('takes a CSV through the four phases in one trace, one span per phase, persisted and linked', async () => {
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'sales.csv', data: salesCsv() },
      userContext: ada,
      traceId: TRACE_ID,
    });
    if (!result.success) throw new Error(`flow failed: ${JSON.stringify(result.error)}`);
    expect(result).toMatchObject({ traceId: TRACE_ID, run: 'new' });
    const { file_uploaded, file_parsed, semantic_processed, insights_generated } = result.phases;
    expect(file_uploaded).toMatchObject({ validationStatus: 'valid', fileName: 'sales.csv', traceId: TRACE_ID });
    expect(file_parsed.parseResult).toMatchObject({
      format: 'csv',
      tables: [{ columns: ['order_id', 'customer_email', 'amount', 'ordered_at'], rowCount: 20 }],
    });
    expect(file_parsed.semanticResult.columns.find((column) => column.column === 'customer_email')).toMatchObject({
      semanticType: 'email',
    });
    // What the Insights Pillar reads is in the handoff: the file and its parse result's key.
    expect(semantic_processed).toEqual({
      contentId: file_parsed.semanticResult.contentId,
      fileId: file_uploaded.fileId,
      parseKey: `parsed/${file_uploaded.fileId}/parse.json`,
      storageStatus: 'stored',
      traceId: TRACE_ID,
    });
    expect(insights_generated.insightsResult.tables).toBe(1);
    expect(insights_generated.insightsResult.summary.length).toBeGreaterThan(0);

    // The span tree: the journey's root with one child per phase, all in the caller's trace.
    const spans = recorder.spans().filter((span) => span.traceId === TRACE_ID);
    const root = spans.find((span) => span.name === 'journey.data_mash_flow') as RecordedSpan;
    expect(root).toBeDefined();
    expect(recorder.childrenOf(root).map((span) => span.name)).toEqual(
      MILESTONES.map((milestone) => `journey.milestone.${milestone}`),
    );
    const parse = recorder.childrenOf(root)[1] as RecordedSpan;
    expect(recorder.childrenOf(parse).length).toBeGreaterThan(0);
    // Every handoff is a telemetry event carrying the trace id.
    const handoffs = recorder.events.filter((event) => event.operation === 'journey.handoff');
    expect(handoffs.map((event) => [event.details?.milestone, event.traceId])).toEqual(
      MILESTONES.map((milestone) => [milestone, TRACE_ID]),
    );

    // The journey, persisted with every milestone's timestamps and references.
    const { journey } = await harness.flow.getFlow(ada, result.journeyId);
    expect(journey).toMatchObject({ status: 'completed', traceId: TRACE_ID, idempotencyKey: file_uploaded.sha256 });
    for (const milestone of journey.milestones) {
      expect(milestone).toMatchObject({ status: 'completed', startedAt: expect.any(Date) });
      expect((milestone.completedAt as Date).getTime()).toBeGreaterThanOrEqual((milestone.startedAt as Date).getTime());
    }
    expect(journey.milestones[0]?.result).toMatchObject({ contract: 'file_uploaded@1', fileId: file_uploaded.fileId });

    // Stored: content, embeddings and graph in the semantic layer; the full insights as JSON.
    const { contentId } = semantic_processed;
    expect(await harness.semantic.countEmbeddings('acme', contentId)).toBe(file_parsed.semanticResult.embeddings);
    const insights = await harness.flow.readInsights(ada, result.journeyId);
    expect(insights.tables[0]?.insights.rowCount).toBe(20);
    const amount = insights.tables[0]?.insights.columns.find((column) => column.name === 'amount');
    expect(amount?.numeric?.mean).toBeCloseTo(105, 9);
    expect(await harness.semantic.getCorrelationMap('acme', contentId)).toMatchObject({ tables: [{ name: 'sales' }] });

    // Lineage: file <- parsed file <- content <- insights, as links and as OpenLineage events.
    const [parsedFile] = await harness.metadata.listParsedFiles('acme', file_uploaded.fileId);
    const chain = [
      { from: { kind: 'parsed_file', id: parsedFile?.id }, to: { kind: 'file', id: file_uploaded.fileId } },
      { from: { kind: 'content', id: contentId }, to: { kind: 'parsed_file', id: parsedFile?.id } },
      { from: { kind: 'insights', id: contentId }, to: { kind: 'content', id: contentId } },
    ];
    for (const link of chain) {
      expect(await harness.metadata.listLinks('acme', { from: link.from as never })).toEqual([
        expect.objectContaining({ to: link.to }),
      ]);
    }
    const lineage = await harness.metadata.listGovernanceRecords('acme', { kind: 'lineage_event' });
    // OpenLineage: a START and a COMPLETE event for each phase's run, in order.
    expect(
      lineage.items.map((record) => `${(record.data.job as { name: string }).name}:${record.data.eventType as string}`),
    ).toEqual(
      ['upload_file', 'parse_file', 'store_content', 'generate_insights'].flatMap((job) => [
        `data_mash.${job}:START`,
        `data_mash.${job}:COMPLETE`,
      ]),
    );

    // The same bytes again (another name): the completed flow, nothing stored twice.
    const again = await harness.flow.executeDataMashFlow({
      file: { name: 'sales-copy.csv', data: salesCsv() },
      userContext: ada,
    });
    expect(again).toMatchObject({ success: true, run: 'reused', journeyId: result.journeyId, traceId: TRACE_ID });
    expect((await harness.metadata.listFiles('acme')).items).toHaveLength(1);

    // What the flow stored is searchable through the Librarian.
    const hits = await harness.platform.get(LibrarianRef).search(ada, 'customer email', { kind: '*' });
    expect(hits.some((hit) => hit.contentId === contentId && hit.ref === 'sales.customer_email')).toBe(true);
  }, 60_000);

  it('parses XLSX, PDF and JSON files through the same flow', async () => {
    const xlsx = await harness.flow.executeDataMashFlow({
      file: { name: 'orders.xlsx', data: await salesXlsx() },
      userContext: ada,
    });
    expect(xlsx).toMatchObject({ success: true });
    if (!xlsx.success) return;
    expect(xlsx.phases.file_parsed.parseResult).toMatchObject({
      format: 'xlsx',
      tables: [
        { name: 'Orders', columns: ['region', 'units', 'price'], rowCount: 4 },
        { name: 'Notes', columns: ['note'], rowCount: 0 },
      ],
    });

    const pdf = await harness.flow.executeDataMashFlow({
      file: { name: 'report.pdf', data: buildPdf([['Quarterly report', 'Revenue grew 12% to $1,200,000.']]) },
      userContext: ada,
    });
    if (!pdf.success) throw new Error(JSON.stringify(pdf.error));
    expect(pdf.phases.file_parsed.parseResult).toMatchObject({ format: 'pdf', tables: [], text: { chunks: 1 } });
    expect((await harness.flow.readInsights(ada, pdf.journeyId)).text?.keywords.map((entry) => entry.word)).toContain(
      'revenue',
    );

    const json = await harness.flow.executeDataMashFlow({
      file: {
        name: 'people.json',
        data: new TextEncoder().encode(
          JSON.stringify([
            { name: 'Ada', born: 1815 },
            { name: 'Grace', born: 1906 },
          ]),
        ),
      },
      userContext: ada,
    });
    if (!json.success) throw new Error(JSON.stringify(json.error));
    expect(json.phases.file_parsed.parseResult).toMatchObject({ format: 'json', tables: [{ rowCount: 2 }] });
  }, 60_000);

  it('fails a file that does not parse at the parsing milestone with the reason, and keeps the original', async () => {
    const broken = new TextEncoder().encode('[{"name": "Ada", "born": 1815}, {"name": "Grace", "bo');
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'broken.json', data: broken },
      userContext: ada,
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result).toMatchObject({ failedPhase: 'file_parsed', error: { code: 'MALFORMED_FILE' } });
    expect(Object.keys(result.phases)).toEqual(['file_uploaded']);
    const { journey } = await harness.flow.getFlow(ada, result.journeyId as string);
    expect(journey).toMatchObject({ status: 'failed', error: { code: 'MALFORMED_FILE' } });
    expect(journey.milestones.map((milestone) => milestone.status)).toEqual([
      'completed',
      'failed',
      'pending',
      'pending',
    ]);
    expect(journey.milestones[1]).toMatchObject({
      error: { code: 'MALFORMED_FILE' },
      startedAt: expect.any(Date),
      completedAt: expect.any(Date),
    });
    const original = await harness.platform
      .get(ContentStewardRef)
      .readFile(ada, result.phases.file_uploaded?.fileId as string);
    const chunks: Buffer[] = [];
    for await (const chunk of original.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(Buffer.from(broken))).toBe(true);
    // Nothing was parsed into storage for it.
    expect(await harness.metadata.listParsedFiles('acme', result.phases.file_uploaded?.fileId as string)).toEqual([]);
  }, 60_000);

  it('stops a corrupt workbook at the upload milestone: quarantined with the reason, bytes kept', async () => {
    const workbook = await salesXlsx();
    const corrupt = workbook.slice(0, Math.floor(workbook.length * 0.6));
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'broken.xlsx', data: corrupt },
      userContext: ada,
    });
    if (result.success) throw new Error('a truncated workbook went through');
    expect(result).toMatchObject({ failedPhase: 'file_uploaded', error: { code: 'FILE_QUARANTINED' }, phases: {} });
    const fileId = result.error.details?.fileId as string;
    expect(await harness.metadata.getFile('acme', fileId)).toMatchObject({ status: 'quarantined' });
    const stored = await harness.blobs.get(
      'acme',
      (await harness.metadata.getFile('acme', fileId)).storageKey as string,
    );
    expect(Buffer.from(stored).equals(Buffer.from(corrupt))).toBe(true);
    // The journey names its file although no milestone recorded it.
    const journey = await harness.metadata.getJourney('acme', result.journeyId as string);
    expect(journey.context).toMatchObject({ about: { fileName: 'broken.xlsx' } });
  }, 60_000);

  it('takes a file whose header names are longer than the semantic store keeps', async () => {
    const long = 'n'.repeat(5_000);
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'long-names.csv', data: new TextEncoder().encode(`id,${long}\n1,2\n3,4\n`) },
      userContext: testUser('long-names'),
    });
    expect(result, JSON.stringify(result)).toMatchObject({ success: true });
  });

  it('joins concurrent uploads of the same bytes in one tenant to one journey, with no CONFLICT', async () => {
    const user = testUser('joiners');
    const bytes = salesCsv(30);
    const results = await Promise.all(
      Array.from({ length: 3 }, () =>
        harness.flow.executeDataMashFlow({ file: { name: 'same.csv', data: bytes }, userContext: user }),
      ),
    );
    for (const result of results) expect(result, JSON.stringify(result)).toMatchObject({ success: true });
    expect(new Set(results.map((result) => (result.success ? result.journeyId : ''))).size).toBe(1);
    expect(results.map((result) => (result.success ? result.run : '')).sort()).toEqual(['new', 'reused', 'reused']);
    expect((await harness.metadata.listFiles('joiners')).items).toHaveLength(1);
    expect((await harness.blobs.list('joiners', { prefix: 'files/', limit: 100 })).items).toHaveLength(1);
  });

  it('keeps two tenants that ingest the same file apart', async () => {
    const bytes = salesCsv(7);
    const [forAda, forBob] = await Promise.all([
      harness.flow.executeDataMashFlow({ file: { name: 'shared.csv', data: bytes }, userContext: ada }),
      harness.flow.executeDataMashFlow({ file: { name: 'shared.csv', data: bytes }, userContext: bob }),
    ]);
    if (!forAda.success || !forBob.success) throw new Error('a tenant’s flow failed');
    expect(forAda.run).toBe('new');
    expect(forBob.run).toBe('new');
    expect(forBob.journeyId).not.toBe(forAda.journeyId);
    expect(forBob.phases.file_uploaded.fileId).not.toBe(forAda.phases.file_uploaded.fileId);
    await expect(harness.flow.getFlow(bob, forAda.journeyId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(harness.flow.readInsights(bob, forAda.journeyId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const bobsFlows = await harness.flow.listFlows(bob);
    expect(bobsFlows.items.map((journey) => journey.id)).toEqual([forBob.journeyId]);
    expect((await harness.semantic.listContent('globex')).map((content) => content.contentId)).toEqual([
      forBob.phases.semantic_processed.contentId,
    ]);
  }, 60_000);

  it('answers bad requests with a typed error and no journey', async () => {
    const noUser = await harness.flow.executeDataMashFlow({
      file: { name: 'x.csv', data: salesCsv(1) },
      userContext: { userId: 'x' },
    });
    expect(noUser).toMatchObject({ success: false, phases: {}, error: { code: 'AUTHENTICATION_FAILED' } });
    expect(noUser).not.toHaveProperty('journeyId');
    const unknownFile = await harness.flow.executeDataMashFlow({ fileId: 'no-such-file', userContext: ada });
    expect(unknownFile).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
    const missingPath = await harness.flow.executeDataMashFlow({
      file: { name: 'gone.csv', path: '/nonexistent/gone.csv' },
      userContext: ada,
    });
    expect(missingPath).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
  });

  it('refuses an unverified caller, well-shaped or a copy of a verified one, storing nothing and starting no journey', async () => {
    const verified = testUser('forgers');
    const forged = [
      { userId: 'ada', tenantId: 'forgers', roles: [], permissions: ['*'] },
      { ...verified },
      { ...verified, permissions: ['*'] },
      structuredClone(verified),
    ];
    for (const userContext of forged) {
      const result = await harness.flow.executeDataMashFlow({
        file: { name: 'x.csv', data: salesCsv(3) },
        userContext,
      });
      expect(result).toMatchObject({
        success: false,
        phases: {},
        error: { code: 'AUTHENTICATION_FAILED', details: { reason: 'unverified_user_context' } },
      });
      expect(result).not.toHaveProperty('journeyId');
      await expect(harness.flow.listFlows(userContext)).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    }
    expect((await harness.metadata.listFiles('forgers')).items).toEqual([]);
    expect((await harness.blobs.list('forgers', { limit: 100 })).items).toEqual([]);
    expect((await harness.metadata.listJourneys('forgers')).items).toEqual([]);
  });

  it('refuses a verified user without files:write (PERMISSION_DENIED): no file, no bytes, no journey', async () => {
    const reader = testUser('readers', {
      userId: 'rita',
      permissions: ['journeys:read', 'insights:read', 'content:read'],
    });
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'x.csv', data: salesCsv(3) },
      userContext: reader,
    });
    expect(result).toMatchObject({
      success: false,
      phases: {},
      error: { code: 'PERMISSION_DENIED', details: { action: 'files:write', reason: 'no_permission' } },
    });
    expect(result).not.toHaveProperty('journeyId');
    // An ordinary user with no permissions at all cannot ingest either.
    const nobody = testUser('readers', { userId: 'nina', permissions: [] });
    expect(
      await harness.flow.executeDataMashFlow({ file: { name: 'y.csv', data: salesCsv(4) }, userContext: nobody }),
    ).toMatchObject({ success: false, error: { code: 'PERMISSION_DENIED' } });
    expect((await harness.metadata.listFiles('readers')).items).toEqual([]);
    expect((await harness.blobs.list('readers', { limit: 100 })).items).toEqual([]);
    expect((await harness.metadata.listJourneys('readers')).items).toEqual([]);
    // What the reader may do, it can.
    expect((await harness.flow.listFlows(reader)).items).toEqual([]);
  });

  it('checks journeys:read to list and read flows, and insights:read to read insights', async () => {
    const tenant = 'permission-checks';
    const result = await harness.flow.executeDataMashFlow({
      file: { name: 'p.csv', data: salesCsv(5) },
      userContext: testUser(tenant),
    });
    if (!result.success) throw new Error(`flow failed: ${JSON.stringify(result.error)}`);
    const uploader = testUser(tenant, { userId: 'uma', permissions: ['files:write'] });
    await expect(harness.flow.listFlows(uploader)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'journeys:read' },
    });
    await expect(harness.flow.getFlow(uploader, result.journeyId)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'journeys:read' },
    });
    await expect(harness.flow.readInsights(uploader, result.journeyId)).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'insights:read' },
    });
    const viewer = testUser(tenant, { userId: 'vic', permissions: ['journeys:read', 'insights:read'] });
    expect((await harness.flow.listFlows(viewer)).items.map((journey) => journey.id)).toEqual([result.journeyId]);
    expect((await harness.flow.readInsights(viewer, result.journeyId)).tables).toHaveLength(1);
    // The platform's own processes act with their tenant's trust.
    const worker = serviceIdentity({ service: 'data-mash-worker', tenantId: tenant });
    expect((await harness.flow.getFlow(worker, result.journeyId)).journey.id).toBe(result.journeyId);
  }, 60_000);
});
