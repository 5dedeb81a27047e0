import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CuratorRef } from '../curator/curator.js';
import { definePlatformModule, defineService } from '../kernel/service-definition.js';
import { defineServiceRef, type ServiceRef } from '../kernel/service-ref.js';
import type { EventBus } from '../public-works/ports/event-bus.js';
import {
  BlobStoreRef,
  EventBusRef,
  KeyValueStoreRef,
  MetadataStoreRef,
  SemanticStoreRef,
} from '../public-works/refs.js';
import { expectPlatformError } from './assertions.js';
import { startTestPlatform } from './test-platform.js';

interface Clock {
  now(): Date;
}
interface Greeter {
  greet(name: string): string;
}

const ClockRef = defineServiceRef<Clock>({ id: 'test.clock', tier: 'foundation' });
const GreeterRef = defineServiceRef<Greeter>({ id: 'test.greeter', tier: 'realm' });

let realClocks = 0;
const clockDefinition = defineService({
  ref: ClockRef,
  factory: () => {
    realClocks += 1;
    return { now: () => new Date() };
  },
});
const greeterDefinition = defineService({
  ref: GreeterRef,
  deps: { clock: ClockRef },
  factory: ({ clock }) => ({ greet: (name: string) => `hello ${name} at ${clock.now().toISOString()}` }),
});
const greetings = definePlatformModule({ id: 'greetings', services: [clockDefinition, greeterDefinition] });

const FIXED = new Date('2026-01-01T00:00:00.000Z');

// Uses every Public Works port, so that all five adapters are made.
const StoresUserRef = defineServiceRef<{ roundTrip(): Promise<string> }>({ id: 'test.stores-user', tier: 'realm' });
const storesUser = defineService({
  ref: StoresUserRef,
  deps: {
    blobs: BlobStoreRef,
    metadata: MetadataStoreRef,
    semantic: SemanticStoreRef,
    events: EventBusRef,
    keyValues: KeyValueStoreRef,
  },
  factory: ({ blobs, keyValues }) => ({
    async roundTrip() {
      await blobs.put('t1', 'a.txt', new TextEncoder().encode('hi'));
      await keyValues.set('t1', 'k', 'v');
      return new TextDecoder().decode(await blobs.get('t1', 'a.txt'));
    },
  }),
});

describe('startTestPlatform', () => {
  it('starts every port in memory and writes no file, not even ./.platform', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'test-platform-cwd-'));
    const previous = process.cwd();
    process.chdir(cwd);
    try {
      const test = await startTestPlatform({ services: [storesUser] });
      expect(test.report.ok).toBe(true);
      expect(await test.get(StoresUserRef).roundTrip()).toBe('hi');
      const stores: ServiceRef<unknown>[] = [BlobStoreRef, MetadataStoreRef, SemanticStoreRef, KeyValueStoreRef];
      for (const ref of stores) {
        expect((test.get(ref) as { kind: string }).kind).toBe('memory');
      }
      expect((test.get(EventBusRef) as EventBus & { kind: string }).kind).toBe('in-process');
      expect(Object.values(test.platform.config.stores)).toEqual(Array(5).fill('memory://'));
      expect(test.platform.config.telemetry.sink).toBe('silent');
      expect(existsSync(test.platform.config.dataDir)).toBe(false);
      await test.stop();
      expect(await readdir(cwd)).toEqual([]);
      expect(existsSync(join(cwd, '.platform'))).toBe(false);
    } finally {
      process.chdir(previous);
      await rm(cwd, { recursive: true, force: true });
    }
  });

  it('ignores PLATFORM_* variables unless given an env', async () => {
    const saved = process.env.PLATFORM_BLOB_STORE;
    process.env.PLATFORM_BLOB_STORE = 'local:///nowhere/blobs';
    try {
      await using test = await startTestPlatform({ include: [BlobStoreRef] });
      expect(test.platform.config.stores.blob).toBe('memory://');
    } finally {
      if (saved === undefined) delete process.env.PLATFORM_BLOB_STORE;
      else process.env.PLATFORM_BLOB_STORE = saved;
    }
  });

  it('replaces a service by a factory, and its dependents get the fake', async () => {
    realClocks = 0;
    await using test = await startTestPlatform({
      modules: [greetings],
      overrides: [{ ref: ClockRef, factory: () => ({ now: () => FIXED }) }],
    });
    expect(test.get(GreeterRef).greet('ada')).toBe('hello ada at 2026-01-01T00:00:00.000Z');
    expect(test.get(ClockRef).now()).toBe(FIXED);
    expect(realClocks).toBe(0);
  });

  it('replaces a service by a value or by a service definition with its own dependencies', async () => {
    await using byValue = await startTestPlatform({
      modules: [greetings],
      overrides: [{ ref: ClockRef, value: { now: () => FIXED } }],
    });
    expect(byValue.get(GreeterRef).greet('bo')).toContain('2026-01-01');

    const FakeRef = defineServiceRef<{ epoch: Date }>({ id: 'test.epoch', tier: 'foundation' });
    await using byDefinition = await startTestPlatform({
      modules: [greetings],
      services: [defineService({ ref: FakeRef, factory: () => ({ epoch: FIXED }) })],
      overrides: [
        defineService({
          ref: ClockRef,
          deps: { epoch: FakeRef },
          factory: ({ epoch }) => ({ now: () => epoch.epoch }),
        }),
      ],
    });
    expect(byDefinition.get(GreeterRef).greet('cy')).toContain('2026-01-01');
  });

  it('replaces a definition shared by two modules once, everywhere', async () => {
    const other = definePlatformModule({ id: 'other', services: [clockDefinition] });
    await using test = await startTestPlatform({
      modules: [greetings, other],
      overrides: [{ ref: ClockRef, value: { now: () => FIXED } }],
    });
    expect(test.get(ClockRef).now()).toBe(FIXED);
  });

  it('replaces a Public Works port by a value, reaching its dependents', async () => {
    const published: string[] = [];
    const fakeBus = {
      kind: 'fake',
      publish: async (event: { type: string }) => {
        published.push(event.type);
      },
    } as unknown as EventBus;
    const PublisherRef = defineServiceRef<{ fire(): Promise<void> }>({ id: 'test.publisher', tier: 'realm' });
    await using test = await startTestPlatform({
      services: [
        defineService({
          ref: PublisherRef,
          deps: { events: EventBusRef },
          factory: ({ events }) => ({
            fire: () =>
              events.publish({
                id: '00000000-0000-4000-8000-000000000000',
                type: 'test.fired',
                tenantId: 't1',
                occurredAt: FIXED,
                payload: {},
              } as never),
          }),
        }),
      ],
      overrides: [{ ref: EventBusRef, value: fakeBus }],
    });
    await test.get(PublisherRef).fire();
    expect(published).toEqual(['test.fired']);
  });

  it('refuses an override of a ref nothing provides, naming it', async () => {
    const Unknown = defineServiceRef<unknown>({ id: 'test.nobody', tier: 'realm' });
    const error = await expectPlatformError(
      startTestPlatform({ modules: [greetings], overrides: [{ ref: Unknown, value: {} }] }),
      'SERVICE_WIRING_INVALID',
    );
    expect(error.message).toContain("'test.nobody' replaces nothing");
    expect(error.message).toContain('test.clock');
  });

  it('refuses overriding Curator, a port by a factory, and one ref twice', async () => {
    await expectPlatformError(
      startTestPlatform({ overrides: [{ ref: CuratorRef, value: {} as never }] }),
      'SERVICE_WIRING_INVALID',
    );
    const port = await expectPlatformError(
      startTestPlatform({ overrides: [{ ref: EventBusRef, factory: () => ({}) as EventBus }] }),
      'SERVICE_WIRING_INVALID',
    );
    expect(port.message).toContain('adapters.eventBus');
    await expectPlatformError(
      startTestPlatform({
        modules: [greetings],
        overrides: [
          { ref: ClockRef, value: { now: () => FIXED } },
          { ref: ClockRef, value: { now: () => FIXED } },
        ],
      }),
      'SERVICE_WIRING_INVALID',
    );
  });

  it('stops once, however often stop is called, and await using stops too', async () => {
    const test = await startTestPlatform({ modules: [greetings] });
    const first = await test.stop();
    const second = await test.stop();
    expect(second).toBe(first);
    await test[Symbol.asyncDispose]();
    expect(test.platform.state).toBe('stopped');
    await expectPlatformError(() => test.get(GreeterRef), 'SERVICE_UNAVAILABLE');

    let platform: typeof test.platform | undefined;
    {
      await using scoped = await startTestPlatform({ modules: [greetings] });
      platform = scoped.platform;
      expect(platform.state).toBe('running');
    }
    expect(platform.state).toBe('stopped');
  });
});
