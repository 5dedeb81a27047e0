import { MemoryMetadataStore, type MetadataStore, PlatformError } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineHandoffContract } from '../flow/handoff-contract.js';
import { leaseOf } from './journey-lease.js';
import { JourneyOrchestrator, type MilestoneStep } from './journey-orchestrator.js';
import { parseJourneyTemplate } from './template.js';

const template = parseJourneyTemplate(`
name: two_steps
version: 1
milestones:
  - { id: first, service: demo.a, api: demo.first, output: first_done@1 }
  - { id: second, service: demo.b, api: demo.second, input: first_done@1, output: second_done@1 }
`);
const contracts = [
  defineHandoffContract('first_done', 1, z.object({ value: z.number() }).strict()),
  defineHandoffContract('second_done', 1, z.object({ value: z.number() }).strict()),
];

function orchestrator(metadataStore: MetadataStore, steps: Record<string, MilestoneStep>, leaseMs?: number) {
  return new JourneyOrchestrator({
    template,
    contracts,
    steps,
    metadataStore,
    retry: { attempts: 1 },
    ...(leaseMs ? { leaseMs } : {}),
  });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('journey leases: one run at a time holds a journey', () => {
  it('joins concurrent runs of one key to one execution; the others answer with its outcome', async () => {
    const store = new MemoryMetadataStore();
    const calls: string[] = [];
    const steps: Record<string, MilestoneStep> = {
      first: async () => {
        calls.push('first');
        for (let index = 0; index < 5; index += 1) await tick();
        return { value: 1 };
      },
      second: async (input) => {
        calls.push('second');
        return { value: (input as { value: number }).value + 1 };
      },
    };
    const runner = orchestrator(store, steps);
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => runner.run({ tenantId: 'acme', idempotencyKey: 'same-bytes' })),
    );
    expect(calls).toEqual(['first', 'second']);
    expect(outcomes.every((outcome) => outcome.success)).toBe(true);
    expect(new Set(outcomes.map((outcome) => outcome.journeyId)).size).toBe(1);
    expect(outcomes.map((outcome) => outcome.run).sort()).toEqual(['new', 'reused', 'reused', 'reused', 'reused']);
    const journey = await store.getJourney('acme', outcomes[0]?.journeyId as string);
    expect(journey.status).toBe('completed');
    expect(leaseOf(journey)).toBeUndefined();
  });

  it('reports a run after a failure as resumed, and a journey whose failure could not be recorded is taken over at once', async () => {
    const store = new MemoryMetadataStore();
    let failWrites = true;
    // The store refuses the write that records the failure (it went down at that moment).
    const flaky = new Proxy(store, {
      get(target, property) {
        if (property !== 'updateJourney') {
          const value = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        }
        return async (...args: Parameters<MetadataStore['updateJourney']>) => {
          if (failWrites && args[3].status === 'failed')
            throw new PlatformError('ADAPTER_UNAVAILABLE', 'the store went away');
          return target.updateJourney(...args);
        };
      },
    });
    let secondFails = true;
    const steps: Record<string, MilestoneStep> = {
      first: async () => ({ value: 1 }),
      second: async () => {
        if (secondFails) throw new PlatformError('MALFORMED_FILE', 'not today');
        return { value: 2 };
      },
    };
    // A lease of ten minutes: if the next run waited for it, the test would time out.
    const runner = orchestrator(flaky, steps, 600_000);
    const first = await runner.run({ tenantId: 'acme', idempotencyKey: 'k' });
    expect(first).toMatchObject({ success: false, failedMilestone: 'second', run: 'new' });
    const stuck = await store.getJourney('acme', first.journeyId);
    expect(stuck.status).toBe('running');
    expect(leaseOf(stuck)).toBeDefined();

    failWrites = false;
    secondFails = false;
    const second = await runner.run({ tenantId: 'acme', idempotencyKey: 'k' });
    expect(second).toMatchObject({ success: true, run: 'resumed', journeyId: first.journeyId });
    expect((await store.getJourney('acme', first.journeyId)).status).toBe('completed');
  }, 30_000);

  it('waits for a live holder on another host, answers its failure without running, and takes over an expired lease', async () => {
    const store = new MemoryMetadataStore();
    const calls: string[] = [];
    let fail = true;
    const steps: Record<string, MilestoneStep> = {
      first: async () => {
        calls.push('first');
        if (fail) throw new PlatformError('MALFORMED_FILE', 'bad bytes');
        return { value: 1 };
      },
      second: async () => ({ value: 2 }),
    };
    const runner = orchestrator(store, steps);
    const failedRun = await runner.run({ tenantId: 'acme', idempotencyKey: 'k' });
    expect(failedRun.success).toBe(false);
    calls.length = 0;

    // Another host holds it and is working on it.
    const hold = async (expiresInMs: number) => {
      const journey = await store.getJourney('acme', failedRun.journeyId);
      const lease = {
        owner: 'run_elsewhere',
        host: 'elsewhere',
        pid: 1,
        expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
      };
      return store.updateJourney('acme', journey.id, journey.version, {
        status: 'running',
        context: { ...journey.context, lease },
      });
    };
    await hold(60_000);
    const waiting = runner.run({ tenantId: 'acme', idempotencyKey: 'k' });
    await tick();
    // ... and fails: the waiting run answers that failure, running nothing itself.
    const held = await store.getJourney('acme', failedRun.journeyId);
    await store.updateJourney('acme', held.id, held.version, {
      status: 'failed',
      error: { code: 'MALFORMED_FILE', message: 'seen elsewhere' },
      context: { ...held.context, lease: null },
    });
    expect(await waiting).toMatchObject({
      success: false,
      error: { code: 'MALFORMED_FILE', message: 'seen elsewhere' },
    });
    expect(calls).toEqual([]);

    // A holder that stopped renewing: its lease expires and the next run takes over.
    fail = false;
    await hold(50);
    const takeover = await runner.run({ tenantId: 'acme', idempotencyKey: 'k' });
    expect(takeover).toMatchObject({ success: true, run: 'resumed' });
    expect(calls).toEqual(['first']);
  }, 30_000);

  it('never leaves a lease on a finished journey, even with a renewal queued behind the last write', async () => {
    const store = new MemoryMetadataStore();
    // Slow writes and a short lease: renewals fall due while transitions are on their way.
    const slow = new Proxy(store, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (property !== 'updateJourney') return typeof value === 'function' ? value.bind(target) : value;
        return async (...args: Parameters<MetadataStore['updateJourney']>) => {
          await new Promise((resolve) => setTimeout(resolve, 40));
          return target.updateJourney(...args);
        };
      },
    });
    for (const fails of [false, true]) {
      const steps: Record<string, MilestoneStep> = {
        first: async () => {
          await new Promise((resolve) => setTimeout(resolve, 120));
          return { value: 1 };
        },
        second: async () => {
          if (fails) throw new PlatformError('MALFORMED_FILE', 'no');
          return { value: 2 };
        },
      };
      const outcome = await orchestrator(slow, steps, 150).run({ tenantId: 'acme', idempotencyKey: `k-${fails}` });
      expect(outcome.success).toBe(!fails);
      // Longer than any renewal that could still be queued.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const journey = await store.getJourney('acme', outcome.journeyId);
      expect(journey.status).toBe(fails ? 'failed' : 'completed');
      expect(leaseOf(journey)).toBeUndefined();
    }
  }, 30_000);

  it('answers with the outcome of the run that took the journey over, not with a CONFLICT', async () => {
    const store = new MemoryMetadataStore();
    let release!: () => void;
    const paused = new Promise<void>((resolve) => {
      release = resolve;
    });
    const steps: Record<string, MilestoneStep> = {
      first: async () => {
        await paused;
        return { value: 1 };
      },
      second: async () => ({ value: 2 }),
    };
    const running = orchestrator(store, steps).run({ tenantId: 'acme', idempotencyKey: 'k' });
    let journey = await store.findJourneyByIdempotencyKey('acme', 'two_steps', 'k');
    while (!journey || !leaseOf(journey)) {
      await tick();
      journey = await store.findJourneyByIdempotencyKey('acme', 'two_steps', 'k');
    }
    // This run is paused past its lease; another host takes the journey over and completes it.
    const takenOver = await store.updateJourney('acme', journey.id, journey.version, {
      context: {
        ...journey.context,
        lease: {
          owner: 'run_elsewhere',
          host: 'elsewhere',
          pid: 1,
          expiresAt: new Date(Date.now() + 60_000).toISOString(),
        },
      },
    });
    release();
    await tick();
    await store.updateJourney('acme', journey.id, (await store.getJourney('acme', journey.id)).version, {
      status: 'completed',
      milestones: takenOver.milestones.map((entry) => ({ ...entry, status: 'completed' as const })),
      context: { outputs: { first: { value: 1 }, second: { value: 2 } }, lease: null },
      completedAt: new Date(),
    });
    expect(await running).toMatchObject({ success: true, run: 'reused', outputs: { second: { value: 2 } } });
  }, 30_000);
});
