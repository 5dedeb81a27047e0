import { MemoryMetadataStore } from '@platform/foundations';
import { continueTrace, generateSpanId } from '@platform/observability';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineHandoffContract } from '../flow/handoff-contract.js';
import { installInMemoryTracing } from '../phases/tracing.test-helpers.js';
import { JourneyOrchestrator } from './journey-orchestrator.js';
import { parseJourneyTemplate } from './template.js';

const tracing = installInMemoryTracing();
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.reset());

const template = parseJourneyTemplate(`
name: word_count
version: 1
milestones:
  - { id: received, service: demo.inbox, api: demo.receive, output: text_received@1 }
  - { id: counted, service: demo.counter, api: demo.count, input: text_received@1, output: words_counted@1 }
`);
const contracts = [
  defineHandoffContract('text_received', 1, z.object({ textKey: z.string().min(1) }).strict()),
  defineHandoffContract('words_counted', 1, z.object({ words: z.number().int().nonnegative() }).strict()),
];

// An orchestrator whose `counted` step fails while `counterDown.value` is true.
function orchestrator() {
  const counterDown = { value: false };
  const journeys = new JourneyOrchestrator({
    template,
    contracts,
    metadataStore: new MemoryMetadataStore(),
    retry: { attempts: 1 },
    steps: {
      received: async () => ({ textKey: 'texts/a.txt' }),
      counted: async () => {
        if (counterDown.value) throw new Error('the counter is down');
        return { words: 42 };
      },
    },
  });
  return { journeys, counterDown };
}

const request = { tenantId: 'acme', idempotencyKey: 'sha-1', input: {} };

function underHostSpan<T>(name: string, run: () => Promise<T>): Promise<T> {
  return tracing.tracer.startActiveSpan(name, async (span) => {
    try {
      return await run();
    } finally {
      span.end();
    }
  });
}

describe('journey traces', () => {
  it('runs in the caller’s trace as a child of its span, with no parent of its own making', async () => {
    const { journeys } = orchestrator();
    const outcome = await underHostSpan('host', () => journeys.run(request));
    const host = tracing.span('host');
    const journey = tracing.span('journey.word_count');
    expect(outcome.traceId).toBe(host.spanContext().traceId);
    expect(journey.parentSpanContext?.spanId).toBe(host.spanContext().spanId);
    expect(journey.parentSpanContext?.isRemote).toBeFalsy();
    expect(journey.links).toEqual([]);
    expect(tracing.spans().map((span) => span.name)).not.toContain('journey.word_count.resume');
  });

  it('resumes in the journey’s own trace, linked to the caller’s span and covered in the caller’s trace', async () => {
    const { journeys, counterDown } = orchestrator();
    counterDown.value = true;
    const first = await underHostSpan('host.first', () => journeys.run(request));
    expect(first).toMatchObject({ success: false, failedMilestone: 'counted' });
    tracing.reset();

    counterDown.value = false;
    const second = await underHostSpan('host.second', () => journeys.run(request));
    expect(second).toMatchObject({ success: true, run: 'resumed', traceId: first.traceId });
    const host = tracing.span('host.second');
    const callerTrace = host.spanContext().traceId;
    expect(callerTrace).not.toBe(first.traceId);

    const resume = tracing.span('journey.word_count.resume');
    expect(resume.spanContext().traceId).toBe(callerTrace);
    expect(resume.parentSpanContext?.spanId).toBe(host.spanContext().spanId);
    expect(resume.attributes['journey.trace_id']).toBe(first.traceId);

    const journey = tracing.span('journey.word_count');
    expect(journey.spanContext().traceId).toBe(first.traceId);
    expect(journey.links.map((link) => [link.context.traceId, link.context.spanId])).toEqual([
      [callerTrace, host.spanContext().spanId],
    ]);
    expect(tracing.childrenOf(journey).map((span) => span.name)).toEqual(['journey.milestone.counted']);
  });

  it('records nothing of a resumed journey when the caller is not sampled', async () => {
    const { journeys, counterDown } = orchestrator();
    counterDown.value = true;
    const first = await journeys.run(request);
    tracing.reset();
    counterDown.value = false;
    const callerTrace = 'aaaabbbbccccddddeeeeffff00001111';
    const traceparent = `00-${callerTrace}-${generateSpanId()}-00`;
    const second = await continueTrace({ headers: { traceparent } }, () => journeys.run(request));
    expect(second).toMatchObject({ success: true, run: 'resumed', traceId: first.traceId });
    expect(tracing.spans().map((span) => span.name)).toEqual([]);
  });

  it('starts the journey’s trace when the caller has none', async () => {
    const { journeys } = orchestrator();
    const outcome = await journeys.run(request);
    const journey = tracing.span('journey.word_count');
    expect(journey.spanContext().traceId).toBe(outcome.traceId);
    expect(journey.parentSpanContext?.isRemote).toBe(true);
  });
});
