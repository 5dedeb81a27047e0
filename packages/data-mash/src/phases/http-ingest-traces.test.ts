import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { injectTraceHeaders } from '@platform/observability';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesCsv, startFrontDoor } from './flow.test-helpers.js';
import { installInMemoryTracing } from './tracing.test-helpers.js';

// An HTTP ingest as a host with the real OpenTelemetry SDK traces it (issue 15): the host's span
// calls the API with its traceparent, and the whole request, the flow it starts in the background
// included, is one tree under that span.
const tracing = installInMemoryTracing();
afterAll(() => tracing.uninstall());

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const traceOf = (span: ReadableSpan) => span.spanContext().traceId;

describe('the exported span tree of an HTTP ingest under a host span', () => {
  let harness: Awaited<ReturnType<typeof startFrontDoor>>;

  beforeAll(async () => {
    harness = await startFrontDoor();
  }, 60_000);

  afterAll(() => harness?.stop());

  it('hangs the request, the gateway, the journey, its milestones and its store calls under the host span', async () => {
    const token = await harness.identity.issueToken({ userId: 'ada', tenantId: 'acme', permissions: ['files:write'] });
    const { journeyId, host } = await tracing.tracer.startActiveSpan('host.upload', async (span) => {
      try {
        const headers = injectTraceHeaders({ authorization: `Bearer ${token}` } as Record<string, string>, {
          traceId: span.spanContext().traceId,
          spanId: span.spanContext().spanId,
        });
        const response = await fetch(`${harness.url}/files?name=sales.csv`, {
          method: 'POST',
          headers,
          body: salesCsv(12),
        });
        expect(response.status).toBe(202);
        expect(response.headers.get('x-trace-id')).toBe(span.spanContext().traceId);
        return { journeyId: ((await response.json()) as { journeyId: string }).journeyId, host: span };
      } finally {
        span.end();
      }
    });
    // The flow runs on after the 202: wait for its journey span to end.
    for (let attempt = 0; attempt < 400; attempt += 1) {
      if (tracing.spans().some((span) => span.name === 'journey.data_mash_flow')) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const journey = await harness.metadata.getJourney('acme', journeyId);
    expect(journey.status).toBe('completed');

    const inTrace = tracing.spans().filter((span) => traceOf(span) === host.spanContext().traceId);
    const hostSpan = inTrace.find((span) => span.name === 'host.upload') as ReadableSpan;
    const request = inTrace.find((span) => span.name === 'http.request') as ReadableSpan;
    expect(request.parentSpanContext?.spanId).toBe(idOf(hostSpan));
    const names = new Set(tracing.subtree(request).map((span) => span.name));
    for (const name of [
      'communication_director.route_request',
      'api_gateway.route',
      'security_guard.authenticate',
      'journey.data_mash_flow',
      'journey.milestone.file_uploaded',
      'journey.milestone.insights_generated',
      'blob_store.put',
      'metadata_store.create_journey',
    ]) {
      expect(names, name).toContain(name);
    }
    // One tree: every span of the trace hangs from an exported span, the host's being the root.
    const ids = new Set(inTrace.map(idOf));
    const orphans = inTrace.filter((span) => span.parentSpanContext && !ids.has(span.parentSpanContext.spanId));
    expect(orphans.map((span) => span.name)).toEqual([]);
    expect(inTrace.filter((span) => !span.parentSpanContext)).toEqual([hostSpan]);
  });
});
