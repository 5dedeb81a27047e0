import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { continueTrace, generateSpanId, generateTraceId } from '@platform/observability';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ada, salesCsv, startFlowPlatform } from './flow.test-helpers.js';
import { installInMemoryTracing } from './tracing.test-helpers.js';

// The flow's traces as a host with the real OpenTelemetry SDK sees them (issue 15).
const tracing = installInMemoryTracing();
afterAll(() => tracing.uninstall());

const MILESTONES = ['file_uploaded', 'file_parsed', 'semantic_processed', 'insights_generated'];

type Harness = Awaited<ReturnType<typeof startFlowPlatform>>;
let harness: Harness;
beforeAll(async () => {
  harness = await startFlowPlatform();
}, 60_000);
afterAll(() => harness?.stop());
beforeEach(() => tracing.reset());

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

// Runs the flow on a file of `rows` rows (new bytes: a new journey) inside a host span.
async function flowUnderHostSpan(rows: number) {
  return tracing.tracer.startActiveSpan('host.request', async (host) => {
    try {
      return await harness.flow.executeDataMashFlow({
        file: { name: `sales-${rows}.csv`, data: salesCsv(rows) },
        userContext: ada,
      });
    } finally {
      host.end();
    }
  });
}

describe('data mash flow traces with the OpenTelemetry SDK', () => {
  it('joins the caller: the journey span is a child of the host span, and every span is in its trace', async () => {
    const result = await flowUnderHostSpan(20);
    if (!result.success) throw new Error(`flow failed: ${JSON.stringify(result.error)}`);
    const host = tracing.span('host.request');
    const journey = tracing.span('journey.data_mash_flow');
    expect(result.traceId).toBe(traceOf(host));
    expect(journey.parentSpanContext?.spanId).toBe(idOf(host));
    expect(journey.parentSpanContext?.isRemote).toBeFalsy();

    const spans = tracing.spans();
    expect(new Set(spans.map(traceOf))).toEqual(new Set([traceOf(host)]));
    // One tree: no parent of our making, no span hanging from a span that was never exported.
    const ids = new Set(spans.map(idOf));
    const orphans = spans.filter((span) => span.parentSpanContext && !ids.has(span.parentSpanContext.spanId));
    expect(orphans.map((span) => span.name)).toEqual([]);
    expect(spans.filter((span) => !span.parentSpanContext)).toEqual([host]);
    expect(tracing.subtree(host)).toHaveLength(spans.length);
  });

  it('records nothing for a caller whose traceparent says not sampled, and still runs in its trace', async () => {
    const traceId = generateTraceId();
    const traceparent = `00-${traceId}-${generateSpanId()}-00`;
    const result = await continueTrace({ headers: { traceparent } }, () =>
      harness.flow.executeDataMashFlow({ file: { name: 'unsampled.csv', data: salesCsv(21) }, userContext: ada }),
    );
    if (!result.success) throw new Error(`flow failed: ${JSON.stringify(result.error)}`);
    expect(result.traceId).toBe(traceId);
    expect(tracing.spans().map((span) => span.name)).toEqual([]);
    expect((await harness.flow.getFlow(ada, result.journeyId)).journey.traceId).toBe(traceId);
  });

  it('gives every milestone a span, with the phase work and every store call under it', async () => {
    const result = await flowUnderHostSpan(22);
    if (!result.success) throw new Error(`flow failed: ${JSON.stringify(result.error)}`);
    const journey = tracing.span('journey.data_mash_flow');
    // The journey's own writes (each milestone running, completed) belong to the milestones too.
    expect(tracing.childrenOf(journey).map((span) => span.name)).toEqual(
      MILESTONES.map((milestone) => `journey.milestone.${milestone}`),
    );
    const under = (milestone: string) =>
      tracing.subtree(tracing.span(`journey.milestone.${milestone}`)).map((span) => span.name);
    expect(under('file_uploaded')).toEqual(
      expect.arrayContaining(['blob_store.put', 'metadata_store.create_file', 'metadata_store.update_journey']),
    );
    expect(under('file_parsed')).toEqual(
      expect.arrayContaining([
        'content_pillar.parse',
        'content_pillar.process_semantics',
        'blob_store.get_stream',
        'blob_store.put',
        'metadata_store.put_parsed_file',
        'metadata_store.update_journey',
      ]),
    );
    // The semantic result is handed over in this process, not read back from the blob just written.
    expect(under('semantic_processed')).not.toContain('blob_store.get');
    expect(under('semantic_processed')).toEqual(
      expect.arrayContaining([
        'semantic_layer.store_content',
        'semantic_store.upsert_content',
        'semantic_store.upsert_embeddings',
        'semantic_store.upsert_graph',
        'metadata_store.update_journey',
      ]),
    );
    expect(under('insights_generated')).toEqual(
      expect.arrayContaining([
        'insights_pillar.profile',
        'blob_store.get',
        'semantic_store.put_correlation_map',
        'blob_store.put',
        'metadata_store.update_journey',
      ]),
    );
    // The parse result is named by the handoff: the content record is not read back for it.
    expect(under('insights_generated')).not.toContain('semantic_store.get_content');

    // Store calls: named by port and method, with the adapter and the tenant.
    const stores = tracing.spans().filter((span) => /^(blob|metadata|semantic)_store\./.test(span.name));
    expect(stores.length).toBeGreaterThan(10);
    for (const span of stores) {
      expect(span.attributes, span.name).toMatchObject({ 'tenant.id': ada.tenantId });
      expect(typeof span.attributes['db.system'], span.name).toBe('string');
    }
    expect(tracing.span('metadata_store.create_file').attributes['db.system']).toBe('sqlite');

    // Phase spans: ids, counts and sizes.
    const fileId = result.phases.file_uploaded.fileId;
    expect(tracing.span('content_pillar.parse').attributes).toMatchObject({
      'file.id': fileId,
      'file.size': result.phases.file_uploaded.sizeBytes,
      'content.format': 'csv',
      'content.rows': 22,
    });
    expect(tracing.span('semantic_layer.store_content').attributes).toMatchObject({
      'file.id': fileId,
      'content.id': result.phases.semantic_processed.contentId,
      'semantic.storage_status': 'stored',
    });
    expect(tracing.span('semantic_layer.store_content').attributes['semantic.bytes']).toBeGreaterThan(0);
    expect(tracing.span('insights_pillar.profile').attributes).toMatchObject({
      'file.id': fileId,
      'insights.rows': 22,
    });

    // Never the data: no cell value of the file appears in any span.
    const recorded = JSON.stringify(tracing.spans().map((span) => [span.name, span.attributes, span.events]));
    expect(recorded).not.toContain('customer1@example.com');
    expect(recorded).not.toContain('2026-0');
  });
});
