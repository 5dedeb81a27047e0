import { type InstalledTraceBuffer, installTraceBuffer } from '@platform/observability/trace-buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ada, bob, salesCsv, startFlowPlatform } from '../phases/flow.test-helpers.js';
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

  it("keeps tenants apart when two flows share a trace id: neither sees the other's spans", async () => {
    const first = await harness.flow.executeDataMashFlow({
      userContext: ada,
      file: { name: 'a.csv', data: salesCsv(5) },
    });
    if (!first.success) throw new Error(first.error.message);
    // The trace id is not a secret: another tenant's caller can continue it.
    const second = await harness.flow.executeDataMashFlow({
      userContext: bob,
      traceId: first.traceId,
      file: { name: 'b.csv', data: salesCsv(11) },
    });
    if (!second.success) throw new Error(second.error.message);
    expect(second.traceId).toBe(first.traceId);
    const mine = await api().journeyTrace({ journeyId: first.journeyId }, ada);
    const theirs = await api().journeyTrace({ journeyId: second.journeyId }, bob);
    const journeysIn = (trace: typeof mine) =>
      new Set(trace.spans.map((span) => span.attributes['journey.id']).filter((id) => id !== undefined));
    expect(journeysIn(mine)).toEqual(new Set([first.journeyId]));
    expect(journeysIn(theirs)).toEqual(new Set([second.journeyId]));
    const mineIds = new Set(mine.spans.map((span) => span.spanId));
    expect(theirs.spans.filter((span) => mineIds.has(span.spanId))).toEqual([]);
    expect(mine.spans.some((span) => span.attributes['tenant.id'] === 'globex')).toBe(false);
    expect(theirs.spans.some((span) => span.attributes['tenant.id'] === 'acme')).toBe(false);
    // Each still holds its whole flow: the parse of its own file.
    expect(mine.spans.filter((span) => span.name === 'content_pillar.parse')).toHaveLength(1);
    expect(theirs.spans.filter((span) => span.name === 'content_pillar.parse')).toHaveLength(1);
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
