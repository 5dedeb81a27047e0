/**
 * The cost of the event bus adapters over the bare clients, across a real broker: delivered
 * messages per second and p99 publish-to-handler latency of
 *   - `RedisStreamsEventBus` (a group subscriber; `publish` per event) against ioredis doing
 *     XADD / XREADGROUP (COUNT 100, BLOCK) / XACK by hand (the baseline);
 *   - `NatsJetStreamEventBus` against @nats-io/jetstream doing publish / consume / ack by hand.
 * Each case publishes `--messages` events from this process with up to 64 publishes in flight
 * and one consumer handling them; latency is the time from the start of `publish` to the handler
 * (one clock, one process). Cases are interleaved over `--rounds` rounds; medians are reported,
 * and ratios are against the bare client measured in the same run.
 *
 *   node event-bus.bench.ts [--quick] [--messages 20000] [--rounds 3]
 *
 * Needs Redis at 127.0.0.1:6379 and NATS with JetStream at 127.0.0.1:4222 (PLATFORM_TEST_REDIS_URL,
 * PLATFORM_TEST_NATS_URL override). Every case uses its own keys / streams and deletes them.
 * The adapters are loaded from the foundations sources (they are not in the package's build yet).
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { EventBus } from '@platform/foundations';
import { NatsJetStreamEventBus } from '@platform/foundations/nats';
import { RedisStreamsEventBus } from '@platform/foundations/redis';
import { Redis } from 'ioredis';
import { median, numericArgument, printTable } from './harness.ts';

const REDIS = process.env.PLATFORM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NATS = process.env.PLATFORM_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
const quick = process.argv.includes('--quick');
const MESSAGES = numericArgument('--messages', quick ? 3_000 : 20_000);
const ROUNDS = numericArgument('--rounds', quick ? 1 : 3);
const IN_FLIGHT = 64;
const TENANT = 'bench';

interface Sample {
  perSecond: number;
  p99Ms: number;
}

/** Publishes MESSAGES events through `publish` (64 in flight) and waits until `handled` reaches them. */
async function drive(
  publish: (index: number, sentAt: number) => Promise<unknown>,
  handled: () => number,
  latencies: number[],
): Promise<Sample> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < MESSAGES) {
        const index = next++;
        await publish(index, performance.now());
      }
    }),
  );
  const deadline = Date.now() + 120_000;
  while (handled() < MESSAGES) {
    if (Date.now() > deadline) throw new Error(`only ${handled()} of ${MESSAGES} handled`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const seconds = (performance.now() - started) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  return { perSecond: MESSAGES / seconds, p99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN };
}

const event = (index: number, sentAt: number) => ({
  id: randomUUID(),
  type: 'bench.tick',
  tenantId: TENANT,
  occurredAt: new Date(),
  payload: { index, sentAt },
});

async function deleteRedisKeys(prefix: string): Promise<void> {
  const client = new Redis(REDIS);
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await client.quit();
}

async function redisBare(): Promise<Sample> {
  const prefix = `bench:event-bus:${randomUUID()}`;
  const stream = `${prefix}:bare`;
  const client = new Redis(REDIS);
  const reader = client.duplicate();
  await client.xgroup('CREATE', stream, 'g', '$', 'MKSTREAM');
  const latencies: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const reply = (await reader.call(
        'xreadgroup',
        'GROUP',
        'g',
        'c1',
        'COUNT',
        '100',
        'BLOCK',
        '200',
        'STREAMS',
        stream,
        '>',
      )) as Array<[string, Array<[string, string[]]>]> | null;
      const entries = reply?.[0]?.[1] ?? [];
      for (const [, fields] of entries) {
        const parsed = JSON.parse(fields[1] as string) as { payload: { sentAt: number } };
        latencies.push(performance.now() - parsed.payload.sentAt);
      }
      if (entries.length > 0) await client.xack(stream, 'g', ...entries.map(([id]) => id));
    }
  })();
  const sample = await drive(
    (index, sentAt) =>
      client.xadd(
        stream,
        'MAXLEN',
        '~',
        '100000',
        '*',
        'e',
        JSON.stringify({ ...event(index, sentAt), occurredAt: new Date().toISOString() }),
      ),
    () => latencies.length,
    latencies,
  );
  stopped = true;
  await loop;
  reader.disconnect();
  await client.quit();
  await deleteRedisKeys(prefix);
  return sample;
}

// One group subscriber on the adapter, driven like the bare clients, then closed.
async function throughAdapter(bus: EventBus & { shutdown(): Promise<void> }): Promise<Sample> {
  const latencies: number[] = [];
  const off = bus.subscribe(
    'bench.*',
    (received) => void latencies.push(performance.now() - (received.payload.sentAt as number)),
    {
      tenantId: TENANT,
      group: 'g',
    },
  );
  await off.ready;
  const sample = await drive(
    (index, sentAt) => bus.publish(event(index, sentAt)),
    () => latencies.length,
    latencies,
  );
  await off();
  await bus.shutdown();
  return sample;
}

async function redisAdapter(): Promise<Sample> {
  const prefix = `bench:event-bus:${randomUUID()}`;
  const bus = await RedisStreamsEventBus.connect({ url: REDIS, prefix });
  const sample = await throughAdapter(bus);
  await deleteRedisKeys(prefix);
  return sample;
}

async function natsBare(): Promise<Sample> {
  const name = `BENCH_${randomUUID().slice(0, 8).toUpperCase()}`;
  const subject = `${name.toLowerCase()}.bench.tick`;
  const nc = await connect({ servers: NATS });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await jsm.streams.add({ name, subjects: [`${name.toLowerCase()}.>`] });
  await jsm.consumers.add(name, { durable_name: 'g', ack_policy: 'explicit' as never, filter_subject: subject });
  const messages = await (await js.consumers.get(name, 'g')).consume({ max_messages: 100 });
  const latencies: number[] = [];
  const loop = (async () => {
    for await (const message of messages) {
      const parsed = message.json<{ payload: { sentAt: number } }>();
      latencies.push(performance.now() - parsed.payload.sentAt);
      message.ack();
    }
  })();
  const encoder = new TextEncoder();
  const sample = await drive(
    (index, sentAt) => js.publish(subject, encoder.encode(JSON.stringify(event(index, sentAt)))),
    () => latencies.length,
    latencies,
  );
  messages.stop();
  await loop;
  await jsm.streams.delete(name);
  await nc.drain();
  return sample;
}

async function natsAdapter(): Promise<Sample> {
  const bus = await NatsJetStreamEventBus.connect({ servers: NATS, prefix: `bench_${randomUUID().slice(0, 8)}` });
  const sample = await throughAdapter(bus);
  const nc = await connect({ servers: NATS });
  const jsm = await jetstreamManager(nc);
  for (const stream of Object.values(bus.streams)) await jsm.streams.delete(stream).catch(() => {});
  await nc.drain();
  return sample;
}

const cases: Array<{ name: string; run: () => Promise<Sample> }> = [
  { name: 'redis bare (XADD/XREADGROUP/XACK)', run: redisBare },
  { name: 'RedisStreamsEventBus', run: redisAdapter },
  { name: 'nats bare (publish/consume/ack)', run: natsBare },
  { name: 'NatsJetStreamEventBus', run: natsAdapter },
];
const samples = new Map<string, Sample[]>(cases.map((benchCase) => [benchCase.name, []]));
for (let round = 0; round < ROUNDS; round += 1) {
  for (const benchCase of cases) samples.get(benchCase.name)?.push(await benchCase.run());
}
const summary = new Map(
  cases.map((benchCase) => {
    const list = samples.get(benchCase.name) ?? [];
    return [
      benchCase.name,
      { perSecond: median(list.map((item) => item.perSecond)), p99Ms: median(list.map((item) => item.p99Ms)) },
    ];
  }),
);
const baselineOf: Record<string, string> = {
  RedisStreamsEventBus: 'redis bare (XADD/XREADGROUP/XACK)',
  NatsJetStreamEventBus: 'nats bare (publish/consume/ack)',
};
console.log(
  `event bus: ${MESSAGES} messages, ${IN_FLIGHT} publishes in flight, one group consumer, ${ROUNDS} round(s), medians`,
);
printTable([
  ['case', 'delivered msg/s', 'p99 publish→handler', 'throughput vs bare', 'p99 vs bare'],
  ...cases.map((benchCase) => {
    const result = summary.get(benchCase.name) as Sample;
    const baseline = summary.get(baselineOf[benchCase.name] ?? benchCase.name) as Sample;
    return [
      benchCase.name,
      result.perSecond.toFixed(0),
      `${result.p99Ms.toFixed(1)} ms`,
      `${(result.perSecond / baseline.perSecond).toFixed(2)}x`,
      `${(result.p99Ms / baseline.p99Ms).toFixed(2)}x`,
    ];
  }),
]);
