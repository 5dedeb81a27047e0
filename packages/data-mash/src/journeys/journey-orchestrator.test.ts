import {
  Curator,
  MemoryMetadataStore,
  type MetadataStore,
  PlatformError,
  SqliteDatabase,
  SqliteMetadataStore,
} from '@platform/foundations';
import { createTelemetry } from '@platform/observability';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineHandoffContract } from '../flow/handoff-contract.js';
import { JourneyOrchestrator, type MilestoneStep } from './journey-orchestrator.js';
import { parseJourneyTemplate } from './template.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());

const template = parseJourneyTemplate(`
name: word_count
version: 1
milestones:
  - { id: received, service: demo.inbox, api: demo.receive, output: text_received@1 }
  - { id: counted, service: demo.counter, api: demo.count, input: text_received@1, output: words_counted@1 }
  - { id: reported, service: demo.reporter, api: demo.report, input: words_counted@1, output: report_written@1 }
`);
const contracts = [
  defineHandoffContract('text_received', 1, z.object({ textKey: z.string().min(1) }).strict()),
  defineHandoffContract(
    'words_counted',
    1,
    z.object({ textKey: z.string(), words: z.number().int().nonnegative() }).strict(),
  ),
  defineHandoffContract('report_written', 1, z.object({ summary: z.string() }).strict()),
];

function stepsWith(calls: string[], failCounting = false): Record<string, MilestoneStep> {
  return {
    received: async (input, context) => {
      calls.push(context.retry ? 'received (retry)' : 'received');
      return { textKey: `texts/${(input as { name: string }).name}` };
    },
    counted: async (input, context) => {
      calls.push(context.retry ? 'counted (retry)' : 'counted');
      if (failCounting) throw new Error('the counter is down');
      return { textKey: (input as { textKey: string }).textKey, words: 42 };
    },
    reported: async (input) => {
      calls.push('reported');
      return { summary: `${(input as { words: number }).words} words` };
    },
  };
}

const stores: Array<[string, () => Promise<MetadataStore>]> = [
  ['memory', async () => new MemoryMetadataStore()],
  [
    'SQLite',
    async () => {
      const store = new SqliteMetadataStore({ database: await SqliteDatabase.open() });
      await store.initialize();
      return store;
    },
  ],
];

describe.each(stores)('JourneyOrchestrator on %s', (_name, openStore) => {
  it('runs every milestone in one trace, persists each transition, and hands off through the contracts', async () => {
    const metadataStore = await openStore();
    const calls: string[] = [];
    const telemetry = createTelemetry({ sink: recorder.sink, service: 'test' });
    const orchestrator = new JourneyOrchestrator({
      template,
      contracts,
      steps: stepsWith(calls),
      metadataStore,
      telemetry,
    });
    recorder.reset();
    const outcome = await orchestrator.run({ tenantId: 'acme', idempotencyKey: 'sha-1', input: { name: 'a.txt' } });
    expect(outcome).toMatchObject({ success: true, run: 'new', outputs: { reported: { summary: '42 words' } } });
    expect(calls).toEqual(['received', 'counted', 'reported']);

    const journey = await metadataStore.getJourney('acme', outcome.journeyId);
    expect(journey).toMatchObject({
      status: 'completed',
      template: 'word_count',
      idempotencyKey: 'sha-1',
      traceId: outcome.traceId,
    });
    expect(journey.milestones.map((milestone) => [milestone.name, milestone.status])).toEqual([
      ['received', 'completed'],
      ['counted', 'completed'],
      ['reported', 'completed'],
    ]);
    expect(journey.milestones[1]?.result).toEqual({ contract: 'words_counted@1', textKey: 'texts/a.txt', words: 42 });
    expect(journey.milestones.every((milestone) => milestone.startedAt && milestone.completedAt)).toBe(true);

    const root = recorder.span('journey.word_count');
    expect(recorder.childrenOf(root).map((span) => span.name)).toEqual([
      'journey.milestone.received',
      'journey.milestone.counted',
      'journey.milestone.reported',
    ]);
    expect(recorder.spans().every((span) => span.traceId === outcome.traceId)).toBe(true);
    const handoffs = recorder.events.filter((event) => event.operation === 'journey.handoff');
    expect(handoffs.map((event) => [event.details?.milestone, event.traceId])).toEqual([
      ['received', outcome.traceId],
      ['counted', outcome.traceId],
      ['reported', outcome.traceId],
    ]);

    // The same key again: the completed journey's outputs, and no step runs.
    const again = await orchestrator.run({ tenantId: 'acme', idempotencyKey: 'sha-1', input: { name: 'a.txt' } });
    expect(again).toMatchObject({
      success: true,
      run: 'reused',
      journeyId: outcome.journeyId,
      outputs: outcome.outputs,
    });
    expect(calls).toHaveLength(3);
    // Another tenant with the same key has a journey of its own.
    const other = await orchestrator.run({ tenantId: 'globex', idempotencyKey: 'sha-1', input: { name: 'a.txt' } });
    expect(other.journeyId).not.toBe(outcome.journeyId);
  });

  it('stops at a failing milestone with its reason and the partial outputs, then resumes there', async () => {
    const metadataStore = await openStore();
    const calls: string[] = [];
    const failing = new JourneyOrchestrator({ template, contracts, steps: stepsWith(calls, true), metadataStore });
    const failed = await failing.run({ tenantId: 'acme', idempotencyKey: 'sha-2', input: { name: 'b.txt' } });
    expect(failed).toMatchObject({
      success: false,
      run: 'new',
      failedMilestone: 'counted',
      outputs: { received: { textKey: 'texts/b.txt' } },
      error: { message: 'the counter is down' },
    });
    const journey = await metadataStore.getJourney('acme', failed.journeyId);
    expect(journey.status).toBe('failed');
    expect(journey.milestones.map((milestone) => milestone.status)).toEqual(['completed', 'failed', 'pending']);
    expect(journey.milestones[1]?.error?.message).toBe('the counter is down');

    const fixed = new JourneyOrchestrator({ template, contracts, steps: stepsWith(calls), metadataStore });
    const resumed = await fixed.run({ tenantId: 'acme', idempotencyKey: 'sha-2' });
    expect(resumed).toMatchObject({
      success: true,
      run: 'resumed',
      journeyId: failed.journeyId,
      traceId: failed.traceId,
    });
    // 'received' ran once, in the first run; the resumed run started at 'counted', told it is a retry.
    expect(calls).toEqual(['received', 'counted', 'counted (retry)', 'reported']);
    expect((await metadataStore.getJourney('acme', failed.journeyId)).status).toBe('completed');
  });

  it('fails a milestone that outlives its timeoutSeconds with TIMEOUT, and aborts its signal', async () => {
    const metadataStore = await openStore();
    const slow = parseJourneyTemplate(`
name: slow
version: 1
milestones:
  - { id: received, service: demo.inbox, api: demo.receive, output: text_received@1, timeoutSeconds: 1 }
`);
    let aborted: unknown;
    const orchestrator = new JourneyOrchestrator({
      template: slow,
      contracts,
      metadataStore,
      steps: {
        received: (_input, context) =>
          new Promise((resolve) => {
            context.signal.addEventListener('abort', () => {
              aborted = context.signal.reason;
              resolve({ textKey: 'too late' });
            });
          }),
      },
    });
    const outcome = await orchestrator.run({ tenantId: 'acme', idempotencyKey: 'slow-1' });
    expect(outcome).toMatchObject({ success: false, failedMilestone: 'received', error: { code: 'TIMEOUT' } });
    expect(aborted).toMatchObject({ code: 'TIMEOUT' });
    const journey = await metadataStore.getJourney('acme', outcome.journeyId);
    expect(journey.milestones[0]).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT' } });
  });

  it('retries a milestone that fails for a transient reason, with backoff, and fails at once otherwise', async () => {
    const metadataStore = await openStore();
    const telemetry = createTelemetry({ sink: recorder.sink, service: 'test' });
    recorder.reset();
    const seen: boolean[] = [];
    let failures = 2;
    const flaky =
      (code: string): MilestoneStep =>
      async (_input, context) => {
        seen.push(context.retry);
        if (failures-- > 0) throw new PlatformError(code as 'ADAPTER_UNAVAILABLE', 'the store is down');
        return { textKey: 'texts/ok' };
      };
    const steps = { ...stepsWith([]), received: flaky('ADAPTER_UNAVAILABLE') };
    const retrying = new JourneyOrchestrator({
      template,
      contracts,
      steps,
      metadataStore,
      telemetry,
      retry: { initialDelayMs: 5 },
    });
    const succeeded = await retrying.run({ tenantId: 'acme', idempotencyKey: 'flaky-1' });
    expect(succeeded).toMatchObject({ success: true });
    expect(seen).toEqual([false, true, true]);
    // The journey keeps how many attempts the milestone took; the others ran once.
    const kept = await metadataStore.getJourney('acme', succeeded.journeyId as string);
    expect(kept.milestones.map((entry) => entry.attempts)).toEqual([3, undefined, undefined]);
    expect(
      recorder.events.filter((event) => event.operation === 'journey.retry').map((event) => event.details?.attempt),
    ).toEqual([2, 3]);

    // Past the attempts: the journey fails with the last error and stays resumable.
    failures = 5;
    seen.length = 0;
    const outcome = await retrying.run({ tenantId: 'acme', idempotencyKey: 'flaky-2' });
    expect(outcome).toMatchObject({
      success: false,
      failedMilestone: 'received',
      error: { code: 'ADAPTER_UNAVAILABLE' },
    });
    expect(seen).toHaveLength(3);
    const failedRun = await metadataStore.getJourney('acme', outcome.journeyId as string);
    expect(failedRun.milestones[0]).toMatchObject({ status: 'failed', attempts: 3 });

    // A failure no retry can fix is not retried.
    failures = 1;
    seen.length = 0;
    const permanent = new JourneyOrchestrator({
      template,
      contracts,
      metadataStore,
      steps: { ...stepsWith([]), received: flaky('MALFORMED_FILE') },
      retry: { initialDelayMs: 5 },
    });
    expect(await permanent.run({ tenantId: 'acme', idempotencyKey: 'flaky-3' })).toMatchObject({
      error: { code: 'MALFORMED_FILE' },
    });
    expect(seen).toEqual([false]);
  });

  it('fails a milestone whose output breaks its contract, naming the field', async () => {
    const metadataStore = await openStore();
    const steps = { ...stepsWith([]), counted: async () => ({ textKey: 'x', words: -3 }) };
    const orchestrator = new JourneyOrchestrator({ template, contracts, steps, metadataStore });
    const outcome = await orchestrator.run({ tenantId: 'acme', idempotencyKey: 'sha-3', input: { name: 'c.txt' } });
    expect(outcome).toMatchObject({
      success: false,
      failedMilestone: 'counted',
      error: { code: 'CONTRACT_VIOLATION' },
    });
    expect(outcome.success === false && outcome.error.message).toMatch(
      /words_counted@1' refused by the producer: words/,
    );
  });

  it('re-checks stored outputs when resuming, so an edited record cannot slip through', async () => {
    const metadataStore = await openStore();
    const orchestrator = new JourneyOrchestrator({ template, contracts, steps: stepsWith([], true), metadataStore });
    const failed = await orchestrator.run({ tenantId: 'acme', idempotencyKey: 'sha-4', input: { name: 'd.txt' } });
    const journey = await metadataStore.getJourney('acme', failed.journeyId);
    await metadataStore.updateJourney('acme', journey.id, journey.version, {
      context: { outputs: { received: { textKey: '' } } },
    });
    const resumed = await new JourneyOrchestrator({ template, contracts, steps: stepsWith([]), metadataStore }).run({
      tenantId: 'acme',
      idempotencyKey: 'sha-4',
    });
    expect(resumed).toMatchObject({
      success: false,
      failedMilestone: 'received',
      error: { code: 'CONTRACT_VIOLATION', details: { contract: 'text_received@1', side: 'consumer' } },
    });
    expect((await metadataStore.getJourney('acme', journey.id)).error?.code).toBe('CONTRACT_VIOLATION');
  });
});

describe('JourneyOrchestrator wiring', () => {
  it('refuses a template whose milestones have no step or name unknown contracts', () => {
    expect(
      () =>
        new JourneyOrchestrator({
          template,
          contracts: contracts.slice(0, 2),
          steps: { received: async () => ({}) },
          metadataStore: new MemoryMetadataStore(),
        }),
    ).toThrow(/milestone 'counted' has no step.*'report_written@1', which is not given/);
  });

  it('checks that every milestone service is registered and offers its API', () => {
    const orchestrator = new JourneyOrchestrator({
      template,
      contracts,
      steps: stepsWith([]),
      metadataStore: new MemoryMetadataStore(),
    });
    const curator = new Curator();
    const capability = (name: string) => ({ name, description: name, input: z.unknown(), output: z.unknown() });
    curator.register({
      id: 'demo.inbox',
      tier: 'realm',
      description: 'inbox',
      capabilities: [capability('demo.receive')],
    });
    curator.register({
      id: 'demo.counter',
      tier: 'realm',
      description: 'counter',
      capabilities: [capability('demo.other')],
    });
    expect(() => orchestrator.assertServices(curator)).toThrow(
      /'counted' calls 'demo.count', which 'demo.counter' does not offer; milestone 'reported' needs service 'demo.reporter', which is not registered/,
    );
  });
});
