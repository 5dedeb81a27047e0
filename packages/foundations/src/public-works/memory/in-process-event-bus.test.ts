import { describe, expect, it } from 'vitest';
import { describeEventBusConformance } from '../../testing/event-bus-conformance.js';
import { InProcessEventBus, type ScheduleTimer } from './in-process-event-bus.js';

describeEventBusConformance('in-process', async () => {
  const bus = new InProcessEventBus({ onHandlerError: () => {} });
  return { bus, ordered: true, cleanup: () => bus.shutdown() };
});

describe('InProcessEventBus', () => {
  it('backs off exponentially on an injected timer, and delivers at once on publish', async () => {
    const timers: Array<{ callback: () => void; delayMs: number }> = [];
    const schedule: ScheduleTimer = (callback, delayMs) => {
      timers.push({ callback, delayMs });
      return () => {};
    };
    const errors: number[] = [];
    const bus = new InProcessEventBus({
      schedule,
      retry: { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 300 },
      onHandlerError: (_error, _event, delivery) => errors.push(delivery.attempt),
    });
    const off = bus.subscribe('a.b', () => {
      throw new Error('no');
    });
    await bus.publish({ id: 'e1', type: 'a.b', tenantId: 'acme', occurredAt: new Date(), payload: {} });
    expect(errors).toEqual([1]);
    for (let step = 0; step < 3; step += 1) {
      timers[step]?.callback();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(timers.map((timer) => timer.delayMs)).toEqual([100, 200, 300]);
    expect(errors).toEqual([1, 2, 3, 4]);
    expect(await bus.deadLetters()).toMatchObject([{ attempts: 4, event: { id: 'e1' } }]);
    await off();
    await bus.shutdown();
    await expect(
      bus.publish({ id: 'e2', type: 'a.b', tenantId: 'acme', occurredAt: new Date(), payload: {} }),
    ).rejects.toMatchObject({ code: 'ADAPTER_UNAVAILABLE' });
  });
});
