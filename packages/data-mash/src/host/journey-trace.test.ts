import { type InstalledTraceBuffer, installTraceBuffer } from '@platform/observability/trace-buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ada, salesCsv, startFlowPlatform } from '../phases/flow.test-helpers.js';
import { DATA_MASH_API, DataMashApiRef } from './data-mash-api.js';

// A global tracer provider: this file runs in a worker of its own (vitest.config.ts, ISOLATED).
describe('GET /journeys/{journeyId}/trace with a trace buffer installed', () => {
  let tracing: InstalledTraceBuffer;
  let harness: Awaited<ReturnType<typeof startFlowPlatform>>;
  beforeAll(async () => {
    tracing = installTraceBuffer();
    harness = await startFlowPlatform({ modules: { traces: tracing.buffer } });
  }, 60_000);
  afterAll(async () => {
    await harness?.stop();
    await tracing?.uninstall();
  });

  const api = () => harness.platform.get(DataMashApiRef);

  it("answers the flow's spans: one root, its phases below it, every parent in the trace", async () => {
    const flow = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'orders.csv', data: salesCsv(6) },
    });
    if (!flow.success) throw new Error(flow.error.message);
    const trace = await api().journeyTrace({ journeyId: flow.journeyId }, ada);
    expect(trace).toMatchObject({ traceId: flow.traceId, recorded: true });
    const schema = DATA_MASH_API.find((capability) => capability.name === 'data_mash.journey_trace')?.output;
    expect(schema?.safeParse(trace).success).toBe(true);
    const ids = new Set(trace.spans.map((span) => span.spanId));
    const children = trace.spans.filter((span) => span.parentSpanId && ids.has(span.parentSpanId));
    expect(children.length).toBeGreaterThan(5);
    // The Content Pillar's parse is a child of another span of the flow, with its (redacted) attributes.
    const parse = trace.spans.find((span) => span.name === 'content_pillar.parse');
    expect(parse).toMatchObject({ status: expect.stringMatching(/^(ok|unset)$/) });
    expect(ids.has(parse?.parentSpanId as string)).toBe(true);
    expect(parse?.attributes).toMatchObject({ 'content.format': 'csv', 'content.rows': 6 });
    for (const span of trace.spans) {
      expect(span.startMs).toBeGreaterThan(Date.UTC(2020, 0, 1));
      expect(span.durationMs).toBeGreaterThanOrEqual(0);
    }
    // By start time: the waterfall's order.
    const starts = trace.spans.map((span) => span.startMs);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('answers recorded: false for a flow whose spans the buffer no longer holds', async () => {
    const flow = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'later.csv', data: salesCsv(7) },
    });
    if (!flow.success) throw new Error(flow.error.message);
    tracing.buffer.clear();
    expect(await api().journeyTrace({ journeyId: flow.journeyId }, ada)).toEqual({
      traceId: flow.traceId,
      recorded: false,
      spans: [],
    });
  });
});
