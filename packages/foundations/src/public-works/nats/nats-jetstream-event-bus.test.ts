import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeEventBusConformance } from '../../testing/event-bus-conformance.js';
import { NatsJetStreamEventBus, type NatsJetStreamEventBusOptions } from './nats-jetstream-event-bus.js';

// Needs the NATS server (JetStream on) at 127.0.0.1:4222. Every run has its own prefix, hence its
// own two streams, deleted at the end.
const SERVERS = process.env.PLATFORM_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

async function deleteStreams(bus: NatsJetStreamEventBus): Promise<void> {
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: SERVERS });
  const jsm = await jetstreamManager(nc);
  for (const name of Object.values(bus.streams)) await jsm.streams.delete(name).catch(() => {});
  await nc.close();
}

describeEventBusConformance('nats-jetstream', async () => {
  const options: NatsJetStreamEventBusOptions = {
    servers: SERVERS,
    prefix: `test_${randomUUID().slice(0, 8)}`,
    ackWaitMs: 1_500,
  };
  const bus = await NatsJetStreamEventBus.connect({ ...options, onHandlerError: () => {} });
  return {
    bus,
    ordered: true,
    openBus: () => NatsJetStreamEventBus.connect({ ...options, onHandlerError: () => {} }),
    process: {
      module: fileURLToPath(new URL('./nats-jetstream-event-bus.ts', import.meta.url)),
      exportName: 'NatsJetStreamEventBus',
      options,
    },
    cleanup: async () => {
      await bus.shutdown();
      await deleteStreams(bus);
    },
  };
});

describe('NatsJetStreamEventBus', () => {
  it('publishes an event id once within the duplicate window, and reports its health', async () => {
    const bus = await NatsJetStreamEventBus.connect({ servers: SERVERS, prefix: `test_${randomUUID().slice(0, 8)}` });
    try {
      const seen: string[] = [];
      const off = bus.subscribe('a.*', (event) => void seen.push(event.id), { tenantId: 'acme.eu' });
      await off.ready;
      const event = { id: randomUUID(), type: 'a.b', tenantId: 'acme.eu', occurredAt: new Date(), payload: {} };
      await bus.publish(event);
      await bus.publish(event);
      await bus.publish({ ...event, id: randomUUID(), tenantId: 'acme' });
      const deadline = Date.now() + 20_000;
      while (seen.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await off();
      expect(seen).toEqual([event.id]);
      expect((await bus.health()).status).toBe('healthy');
    } finally {
      await bus.shutdown();
      await deleteStreams(bus);
    }
  });

  it('refuses a prefix that is not a subject', () => {
    expect(() => new NatsJetStreamEventBus({ servers: SERVERS, prefix: 'a b' })).toThrow(/prefix/);
  });
});
