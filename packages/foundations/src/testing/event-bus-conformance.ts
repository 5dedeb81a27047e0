import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delivery, EventBus, PlatformEvent } from '../public-works/ports/event-bus.js';
import { expectPlatformError, uniqueTenant } from './assertions.js';

/** An event bus the suite may shut down. */
export type ClosableEventBus = EventBus & { shutdown(): Promise<void> };

/** How a child process builds the same bus: `new (await import(module))[exportName](options)`. */
export interface EventBusProcessRecipe {
  /** Absolute path or file URL of the adapter's module (TypeScript sources work: the worker maps `.js` to `.ts`). */
  module: string;
  exportName: string;
  /** JSON-serialisable constructor options. */
  options: unknown;
}

/** What an event bus conformance run needs. */
export interface EventBusFixture {
  bus: EventBus;
  /**
   * Opens another bus on the same broker (another connection, as another process would), which
   * the suite shuts down. Omitted for a bus that lives in one process: the suite uses `bus` again.
   */
  openBus?: () => Promise<ClosableEventBus>;
  /** How worker processes build the bus; omitted when the bus cannot span processes (those tests are skipped). */
  process?: EventBusProcessRecipe;
  /** True when one publisher's events reach each subscriber in publication order (retries excepted). */
  ordered: boolean;
  cleanup?: () => Promise<void>;
}

const FAST_RETRY = { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 100 };
const WAIT_MS = 25_000;

const event = (type: string, tenantId: string, payload: Record<string, unknown> = {}): PlatformEvent => ({
  id: randomUUID(),
  type,
  tenantId,
  occurredAt: new Date(),
  payload,
});

/** Polls `condition` until it holds; fails with `what` after `timeoutMs` (generous: machines may be loaded). */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const WORKER = fileURLToPath(new URL('./event-bus-worker.fixture.mjs', import.meta.url));

interface Worker {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function startWorker(recipe: EventBusProcessRecipe, args: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [WORKER, JSON.stringify({ ...recipe, ...args })], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // Not one of the worker's reports.
    }
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

/**
 * The shared behaviour every {@link EventBus} adapter must have: pattern and tenant filters,
 * broadcast, consumer groups (across connections), retries with backoff then dead letters (with
 * the attempt count, replay and drop), unsubscribe waiting for handlers in flight, ordering where
 * the adapter promises it, and, for buses that span processes, redelivery after a consumer process
 * dies without acknowledging, and a publisher process with two consumer processes in one group.
 * Assertions wait for conditions (never for fixed delays), so they hold on a loaded machine.
 */
export function describeEventBusConformance(name: string, setup: () => Promise<EventBusFixture>): void {
  describe(`EventBus conformance: ${name}`, () => {
    let fixture: EventBusFixture;
    const opened: ClosableEventBus[] = [];
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      for (const bus of opened) await bus.shutdown();
      await fixture?.cleanup?.();
    });
    const another = async (): Promise<EventBus> => {
      if (!fixture.openBus) return fixture.bus;
      const bus = await fixture.openBus();
      opened.push(bus);
      return bus;
    };

    it('delivers to exact, prefix and catch-all subscribers, and stops after unsubscribe', async () => {
      const tenant = uniqueTenant();
      const seen: string[] = [];
      const offs = [
        fixture.bus.subscribe('content.file.stored', (received) => void seen.push(`exact:${received.type}`), {
          tenantId: tenant,
        }),
        fixture.bus.subscribe('content.*', (received) => void seen.push(`prefix:${received.type}`), {
          tenantId: tenant,
        }),
        fixture.bus.subscribe('*', (received) => void seen.push(`all:${received.type}`), { tenantId: tenant }),
      ];
      await Promise.all(offs.map((off) => off.ready));
      await fixture.bus.publish(event('content.file.stored', tenant));
      await fixture.bus.publish(event('content.file.parsed.deep', tenant));
      await fixture.bus.publish(event('insights.ready', tenant));
      await fixture.bus.publish(event('contentious', tenant));
      await waitFor('7 deliveries', () => seen.length >= 7);
      expect(seen.sort()).toEqual([
        'all:content.file.parsed.deep',
        'all:content.file.stored',
        'all:contentious',
        'all:insights.ready',
        'exact:content.file.stored',
        'prefix:content.file.parsed.deep',
        'prefix:content.file.stored',
      ]);
      await Promise.all(offs.map((off) => off()));
      await fixture.bus.publish(event('content.file.stored', tenant));
      // A sentinel on a live subscription: once it arrives, the stopped ones had their chance.
      let sentinel = false;
      const live = fixture.bus.subscribe(
        'sentinel.seen',
        () => {
          sentinel = true;
        },
        { tenantId: tenant },
      );
      await live.ready;
      await fixture.bus.publish(event('sentinel.seen', tenant));
      await waitFor('the sentinel', () => sentinel);
      await live();
      expect(seen).toHaveLength(7);
    });

    it('keeps tenants apart and carries the trace id, the payload and the time', async () => {
      const owner = uniqueTenant('owner');
      const received: PlatformEvent[] = [];
      const off = fixture.bus.subscribe('*', (item) => void received.push(item), { tenantId: owner });
      await off.ready;
      await fixture.bus.publish(event('a.b', uniqueTenant('other')));
      const sent = {
        ...event('a.b', owner, { n: 1, nested: { list: [1, 'x'] } }),
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      };
      await fixture.bus.publish(sent);
      await waitFor('the owner event', () => received.length >= 1);
      await off();
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        id: sent.id,
        tenantId: owner,
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        payload: { n: 1, nested: { list: [1, 'x'] } },
      });
      expect(received[0]?.occurredAt).toBeInstanceOf(Date);
      expect(received[0]?.occurredAt.getTime()).toBe(sent.occurredAt.getTime());
    });

    it('broadcasts to every subscriber without a group, from the moment it subscribed', async () => {
      const tenant = uniqueTenant();
      await fixture.bus.publish(event('news.before', tenant));
      const first: string[] = [];
      const second: string[] = [];
      const other = await another();
      const offs = [
        fixture.bus.subscribe('news.*', (item) => void first.push(item.type), { tenantId: tenant }),
        other.subscribe('news.*', (item) => void second.push(item.type), { tenantId: tenant }),
      ];
      await Promise.all(offs.map((off) => off.ready));
      for (let index = 0; index < 5; index += 1) await fixture.bus.publish(event(`news.n${index}`, tenant));
      await waitFor('5 events at each subscriber', () => first.length >= 5 && second.length >= 5);
      await Promise.all(offs.map((off) => off()));
      expect(new Set(first).size).toBe(5);
      expect(new Set(second).size).toBe(5);
      expect(first).not.toContain('news.before');
    });

    it('gives each event to one member of each group, across connections', async () => {
      const tenant = uniqueTenant();
      const group = `g${randomUUID().slice(0, 8)}`;
      const byMember: Record<string, string[]> = { a: [], b: [], c: [], audit: [] };
      const other = await another();
      const offs = [
        fixture.bus.subscribe('work.item', (item) => void byMember.a?.push(item.id), { tenantId: tenant, group }),
        other.subscribe('work.item', (item) => void byMember.b?.push(item.id), { tenantId: tenant, group }),
        other.subscribe('work.item', (item) => void byMember.c?.push(item.id), { tenantId: tenant, group }),
        fixture.bus.subscribe('work.item', (item) => void byMember.audit?.push(item.id), {
          tenantId: tenant,
          group: `${group}-audit`,
        }),
      ];
      await Promise.all(offs.map((off) => off.ready));
      const ids: string[] = [];
      for (let index = 0; index < 30; index += 1) {
        const item = event('work.item', tenant, { index });
        ids.push(item.id);
        await fixture.bus.publish(item);
      }
      const workers = () => [...(byMember.a ?? []), ...(byMember.b ?? []), ...(byMember.c ?? [])];
      await waitFor('30 events in each group', () => workers().length >= 30 && (byMember.audit?.length ?? 0) >= 30);
      await Promise.all(offs.map((off) => off()));
      expect(workers().sort()).toEqual([...ids].sort());
      expect([...(byMember.audit ?? [])].sort()).toEqual([...ids].sort());
    });

    it('retries a failing handler with backoff, then dead-letters it with the attempt count', async () => {
      const tenant = uniqueTenant();
      const attempts: Delivery[] = [];
      const off = fixture.bus.subscribe(
        'job.run',
        (_item, delivery) => {
          attempts.push(delivery);
          throw new Error('handler broke');
        },
        { tenantId: tenant, group: 'jobs', retry: FAST_RETRY },
      );
      let healthy = 0;
      const other = fixture.bus.subscribe(
        'job.run',
        () => {
          healthy += 1;
        },
        { tenantId: tenant },
      );
      await Promise.all([off.ready, other.ready]);
      const sent = event('job.run', tenant, { n: 7 });
      await fixture.bus.publish(sent);
      await waitFor('a dead letter', async () => (await fixture.bus.deadLetters({ tenantId: tenant })).length > 0);
      await off();
      expect(healthy).toBe(1);
      expect(attempts.map((delivery) => delivery.attempt)).toEqual([1, 2, 3]);
      expect(attempts[0]).toMatchObject({ maxAttempts: 3, group: 'jobs' });
      const [letter] = await fixture.bus.deadLetters({ tenantId: tenant });
      expect(letter).toMatchObject({
        tenantId: tenant,
        attempts: 3,
        error: 'handler broke',
        subscription: { type: 'job.run', group: 'jobs', tenantId: tenant },
        event: { id: sent.id, type: 'job.run', payload: { n: 7 } },
      });
      expect(letter?.failedAt).toBeInstanceOf(Date);
      expect(await fixture.bus.deadLetters({ tenantId: uniqueTenant('nobody') })).toEqual([]);

      // Replayed to the same group, now healthy, with a fresh attempt count.
      const replayed: Delivery[] = [];
      const fixed = fixture.bus.subscribe('job.run', (_item, delivery) => void replayed.push(delivery), {
        tenantId: tenant,
        group: 'jobs',
        retry: FAST_RETRY,
      });
      await fixed.ready;
      await fixture.bus.replayDeadLetter(letter as NonNullable<typeof letter>);
      await waitFor('the replayed event', () => replayed.length >= 1);
      expect(replayed[0]?.attempt).toBe(1);
      expect(await fixture.bus.deadLetters({ tenantId: tenant })).toEqual([]);
      await Promise.all([fixed(), other()]);
      expect(healthy).toBe(1);
    });

    it('acknowledges a handler that succeeds on a retry, and drops a dead letter on request', async () => {
      const tenant = uniqueTenant();
      const attempts: number[] = [];
      const off = fixture.bus.subscribe(
        'flaky.job',
        (item, delivery) => {
          attempts.push(delivery.attempt);
          if (item.payload.doomed === true || delivery.attempt < 2) throw new Error('not yet');
        },
        { tenantId: tenant, retry: FAST_RETRY },
      );
      await off.ready;
      await fixture.bus.publish(event('flaky.job', tenant));
      await waitFor('the second attempt', () => attempts.length >= 2);
      await fixture.bus.publish(event('flaky.job', tenant, { doomed: true }));
      await waitFor('a dead letter', async () => (await fixture.bus.deadLetters({ tenantId: tenant })).length > 0);
      await off();
      expect(attempts).toEqual([1, 2, 1, 2, 3]);
      const letters = await fixture.bus.deadLetters({ tenantId: tenant });
      expect(letters).toHaveLength(1);
      expect(letters[0]?.event.payload).toEqual({ doomed: true });
      await fixture.bus.dropDeadLetter(letters[0] as NonNullable<(typeof letters)[0]>);
      expect(await fixture.bus.deadLetters({ tenantId: tenant })).toEqual([]);
      await expectPlatformError(
        fixture.bus.dropDeadLetter(letters[0] as NonNullable<(typeof letters)[0]>),
        'NOT_FOUND',
      );
      // An id that is no id of this bus's is no dead letter either, whatever its form.
      for (const id of ['nope', '', '1-1', '../x']) {
        await expectPlatformError(fixture.bus.dropDeadLetter({ id, tenantId: tenant }), 'NOT_FOUND');
        await expectPlatformError(fixture.bus.replayDeadLetter({ id, tenantId: tenant }), 'NOT_FOUND');
      }
    });

    it('waits for the handlers in flight when unsubscribing', async () => {
      const tenant = uniqueTenant();
      let started = false;
      let finished = false;
      const off = fixture.bus.subscribe(
        'slow.job',
        async () => {
          started = true;
          await new Promise((resolve) => setTimeout(resolve, 300));
          finished = true;
        },
        { tenantId: tenant },
      );
      await off.ready;
      void fixture.bus.publish(event('slow.job', tenant));
      await waitFor('the handler to start', () => started);
      await off();
      expect(finished).toBe(true);
    });

    it('keeps the order of one publisher where the adapter promises it', async (context) => {
      if (!fixture.ordered) context.skip();
      const tenant = uniqueTenant();
      const received: number[] = [];
      const off = fixture.bus.subscribe('seq.n', (item) => void received.push(item.payload.n as number), {
        tenantId: tenant,
      });
      await off.ready;
      for (let n = 0; n < 40; n += 1) await fixture.bus.publish(event('seq.n', tenant, { n }));
      await waitFor('40 events', () => received.length >= 40);
      await off();
      expect(received).toEqual(Array.from({ length: 40 }, (_, n) => n));
    });

    it('refuses malformed events and patterns', async () => {
      await expectPlatformError(fixture.bus.publish({ ...event('Bad Type', uniqueTenant()) }), 'VALIDATION_FAILED');
      await expectPlatformError(fixture.bus.publish({ ...event('a.b', 'bad tenant!') }), 'VALIDATION_FAILED');
      expect(() => fixture.bus.subscribe('content.**', () => undefined)).toThrow(/event type/);
    });

    it('redelivers to another member the events a consumer process took and never acknowledged', async (context) => {
      const recipe = fixture.process;
      if (!recipe || !existsSync(WORKER)) return context.skip();
      const tenant = uniqueTenant();
      const group = `g${randomUUID().slice(0, 8)}`;
      const dying = startWorker(recipe, { role: 'hang', tenant, group, type: 'crash.job' });
      await waitFor('the dying consumer to subscribe', () => dying.lines.some((line) => line.ready === true));
      const sent = event('crash.job', tenant);
      await fixture.bus.publish(sent);
      await waitFor('the dying consumer to take the event', () => dying.lines.some((line) => line.got === sent.id));
      dying.child.kill('SIGKILL');
      await dying.exited;
      const taken: Delivery[] = [];
      const survivor = fixture.bus.subscribe('crash.job', (_item, delivery) => void taken.push(delivery), {
        tenantId: tenant,
        group,
      });
      await survivor.ready;
      await waitFor('the redelivery', () => taken.length >= 1);
      await survivor();
      expect(taken[0]?.attempt).toBeGreaterThanOrEqual(2);
    });

    it('shares a group between two consumer processes fed by a publisher process', async (context) => {
      const recipe = fixture.process;
      if (!recipe || !existsSync(WORKER)) return context.skip();
      const tenant = uniqueTenant();
      const group = `g${randomUUID().slice(0, 8)}`;
      const consumers = [0, 1].map(() => startWorker(recipe, { role: 'consume', tenant, group, type: 'order.*' }));
      try {
        await waitFor('both consumers to subscribe', () =>
          consumers.every((worker) => worker.lines.some((line) => line.ready === true)),
        );
        const publisher = startWorker(recipe, { role: 'publish', tenant, type: 'order.placed', count: 100 });
        expect(await publisher.exited).toBe(0);
        const published = publisher.lines
          .filter((line) => typeof line.published === 'string')
          .map((line) => line.published);
        expect(published).toHaveLength(100);
        const handled = () =>
          consumers.flatMap((worker) =>
            worker.lines.filter((line) => typeof line.handled === 'string').map((line) => line.handled),
          );
        await waitFor('every published event handled', () => new Set(handled()).size >= 100, 60_000);
        expect([...new Set(handled())].sort()).toEqual([...published].sort());
        // Both members took part (each event went to one of them, at least once overall).
        expect(consumers.every((worker) => worker.lines.some((line) => typeof line.handled === 'string'))).toBe(true);
      } finally {
        for (const worker of consumers) worker.child.kill('SIGTERM');
        await Promise.all(consumers.map((worker) => worker.exited));
      }
    });
  });
}
