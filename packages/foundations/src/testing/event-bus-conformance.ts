import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBus, PlatformEvent } from '../public-works/ports/event-bus.js';
import { expectPlatformError, uniqueTenant } from './assertions.js';

/** What an event bus conformance run needs. */
export interface EventBusFixture {
  bus: EventBus;
  /** Handler failures the bus reported (the fixture wires the bus's error hook to it). */
  handlerErrors: unknown[];
  cleanup?: () => Promise<void>;
}

const event = (type: string, tenantId: string, payload: Record<string, unknown> = {}): PlatformEvent => ({
  id: randomUUID(),
  type,
  tenantId,
  occurredAt: new Date(),
  payload,
});

/** The shared behaviour every {@link EventBus} adapter must have. */
export function describeEventBusConformance(name: string, setup: () => Promise<EventBusFixture>): void {
  describe(`EventBus conformance: ${name}`, () => {
    let fixture: EventBusFixture;
    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

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
      await fixture.bus.publish(event('content.file.stored', tenant));
      await fixture.bus.publish(event('insights.ready', tenant));
      expect(seen.sort()).toEqual([
        'all:content.file.stored',
        'all:insights.ready',
        'exact:content.file.stored',
        'prefix:content.file.stored',
      ]);
      for (const off of offs) off();
      await fixture.bus.publish(event('content.file.stored', tenant));
      expect(seen).toHaveLength(4);
    });

    it('keeps tenants apart and carries the trace id', async () => {
      const owner = uniqueTenant('owner');
      const received: PlatformEvent[] = [];
      const off = fixture.bus.subscribe('*', (item) => void received.push(item), { tenantId: owner });
      await fixture.bus.publish(event('a.b', uniqueTenant('other')));
      await fixture.bus.publish({ ...event('a.b', owner, { n: 1 }), traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
      off();
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        tenantId: owner,
        traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
        payload: { n: 1 },
      });
    });

    it('isolates a failing handler from the publisher and from other handlers', async () => {
      const tenant = uniqueTenant();
      let delivered = false;
      const offs = [
        fixture.bus.subscribe(
          'x.y',
          () => {
            throw new Error('handler broke');
          },
          { tenantId: tenant },
        ),
        fixture.bus.subscribe(
          'x.y',
          () => {
            delivered = true;
          },
          { tenantId: tenant },
        ),
      ];
      const before = fixture.handlerErrors.length;
      await fixture.bus.publish(event('x.y', tenant));
      for (const off of offs) off();
      expect(delivered).toBe(true);
      expect(fixture.handlerErrors.length).toBe(before + 1);
    });

    it('refuses malformed events', async () => {
      await expectPlatformError(fixture.bus.publish({ ...event('Bad Type', uniqueTenant()) }), 'VALIDATION_FAILED');
      await expectPlatformError(fixture.bus.publish({ ...event('a.b', 'bad tenant!') }), 'VALIDATION_FAILED');
    });
  });
}
