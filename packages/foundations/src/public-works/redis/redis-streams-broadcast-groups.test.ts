import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { uniqueTenant } from '../../testing/assertions.js';
import { RedisStreamsEventBus } from './redis-streams-event-bus.js';

// Needs the Redis on 127.0.0.1:6379. Every run uses its own key prefix and deletes its keys.
const URL_ = process.env.PLATFORM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// The event bus conformance suite's worker: builds the bus from JSON options and subscribes.
const WORKER = fileURLToPath(new URL('../../testing/event-bus-worker.fixture.mjs', import.meta.url));
const MODULE = fileURLToPath(new URL('./redis-streams-event-bus.ts', import.meta.url));
const WAIT_MS = 25_000;

async function deleteKeys(prefix: string): Promise<void> {
  const client = new Redis(URL_);
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await client.quit();
}

/** Polls `condition` until it holds; fails naming `what` after a generous deadline. */
async function waitFor(what: string, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function groupsOf(client: Redis, stream: string): Promise<string[]> {
  const reply = (await client.call('xinfo', 'GROUPS', stream)) as unknown[][];
  return reply.map((group) => String(group[group.indexOf('name') + 1])).sort();
}

/** A subscriber in another process (the conformance worker), reporting `{ready}` once subscribed. */
function subscriberProcess(
  options: object,
  tenant: string,
  group?: string,
): { child: ChildProcess; ready: Promise<void> } {
  const recipe = {
    module: MODULE,
    exportName: 'RedisStreamsEventBus',
    options,
    role: 'consume',
    tenant,
    type: '*',
    group,
  };
  const child = spawn(process.execPath, [WORKER, JSON.stringify(recipe)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.includes('"ready"')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`subscriber process exited (${code}) before it was ready`)));
  });
  return { child, ready };
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  return exited;
}

describe('RedisStreamsEventBus broadcast groups', () => {
  const undo: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of undo.splice(0).reverse()) await step().catch(() => {});
  });

  it('destroys the group of a broadcast subscriber killed with SIGKILL, keeping live and named groups', async () => {
    const prefix = `test:event-bus:${randomUUID()}`;
    undo.push(() => deleteKeys(prefix));
    const tenant = uniqueTenant();
    const short = { url: URL_, prefix, blockMs: 200, heartbeatTtlMs: 1_000 };
    const client = new Redis(URL_);
    undo.push(async () => void client.disconnect());
    // The live subscribers' own periodic check runs once per (default, 10 s) TTL: the start of
    // the new subscriber below is what removes the orphan.
    const bus = await RedisStreamsEventBus.connect({ url: URL_, prefix, blockMs: 200 });
    undo.push(() => bus.shutdown());
    const stream = bus.streamOf(tenant);

    const received: string[] = [];
    const live = bus.subscribe('*', (event) => void received.push(event.id), { tenantId: tenant });
    const named = bus.subscribe('*', () => {}, { tenantId: tenant, group: 'survivors' });
    await Promise.all([live.ready, named.ready]);
    const before = await groupsOf(client, stream);

    const crashed = [subscriberProcess(short, tenant), subscriberProcess(short, tenant, 'crashed')];
    for (const { child } of crashed) undo.push(() => kill(child));
    await Promise.all(crashed.map(({ ready }) => ready));
    const started = await groupsOf(client, stream);
    const orphan = started.find((group) => group.startsWith('b:') && !before.includes(group)) as string;
    const crashedNamed = started.find((group) => group.startsWith('g:crashed:')) as string;
    expect(orphan).toBeDefined();
    expect(crashedNamed).toBeDefined();

    for (const { child } of crashed) await kill(child);
    // Its heartbeat lapses (1 s TTL) ...
    await waitFor(
      'the heartbeat of the killed subscriber to expire',
      async () => (await client.exists(`${prefix}:alive:${orphan}`)) === 0,
    );

    // ... and the next broadcast subscriber to start on the stream removes its group.
    const probeBus = await RedisStreamsEventBus.connect(short);
    undo.push(() => probeBus.shutdown());
    let probeGroup: string | undefined;
    await waitFor('a starting subscriber to remove the orphaned group', async () => {
      const probe = probeBus.subscribe('*', () => {}, { tenantId: tenant });
      await probe.ready;
      const groups = await groupsOf(client, stream);
      probeGroup = groups.find((group) => group.startsWith('b:') && !started.includes(group));
      await probe();
      return !groups.includes(orphan);
    });

    // Live broadcast and named groups (including one whose members were all killed) stay.
    const after = await groupsOf(client, stream);
    expect(after).toEqual([...before, crashedNamed].sort());
    expect(after).not.toContain(probeGroup);
    // A clean unsubscribe removes the group and its heartbeat.
    expect(await client.exists(`${prefix}:alive:${probeGroup}`)).toBe(0);

    // The live broadcast subscriber still receives what is published.
    const event = { id: randomUUID(), type: 'a.b', tenantId: tenant, occurredAt: new Date(), payload: {} };
    await bus.publish(event);
    await waitFor('the live subscriber to receive the event', () => received.includes(event.id));
    await live();
    expect(await groupsOf(client, stream)).toEqual(
      [...before.filter((group) => group.startsWith('g:')), crashedNamed].sort(),
    );
  }, 60_000);
});
