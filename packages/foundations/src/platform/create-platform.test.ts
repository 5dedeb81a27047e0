import { createMemorySink } from '@platform/observability/testing';
import { describe, expect, it } from 'vitest';
import { PlatformError } from '../errors/platform-error.js';
import { defineService, type ServiceLifecycle } from '../kernel/service-definition.js';
import { defineServiceRef, type ServiceTier } from '../kernel/service-ref.js';
import { createPlatform } from './create-platform.js';

type Probe = ServiceLifecycle & { name: string };

/** A service that records its lifecycle calls in a shared journal. */
function probeService(
  journal: string[],
  id: string,
  tier: ServiceTier,
  deps: Record<string, ReturnType<typeof defineServiceRef<Probe>>> = {},
  behaviour: {
    initialize?: () => Promise<void> | void;
    shutdown?: () => Promise<void> | void;
    optional?: boolean;
  } = {},
) {
  const ref = defineServiceRef<Probe>({ id, tier });
  const definition = defineService({
    ref,
    deps,
    optional: behaviour.optional ?? false,
    factory: (resolved) => {
      journal.push(
        `create ${id}(${Object.values(resolved)
          .map((dep) => (dep as Probe).name)
          .join(',')})`,
      );
      return {
        name: id,
        async initialize() {
          journal.push(`init ${id}`);
          await behaviour.initialize?.();
        },
        async shutdown() {
          journal.push(`shutdown ${id}`);
          await behaviour.shutdown?.();
        },
      };
    },
  });
  return { ref, definition };
}

const quiet = { telemetrySink: () => {}, env: {} };

describe('createPlatform wiring checks', () => {
  it('refuses cycles, missing dependencies, higher-tier dependencies and duplicates, all at once, before any factory runs', () => {
    const journal: string[] = [];
    const a = defineServiceRef<Probe>({ id: 'svc.a', tier: 'foundation' });
    const b = defineServiceRef<Probe>({ id: 'svc.b', tier: 'foundation' });
    const c = defineServiceRef<Probe>({ id: 'svc.c', tier: 'foundation' });
    const realm = defineServiceRef<Probe>({ id: 'realm.thing', tier: 'realm' });
    const ghost = defineServiceRef<Probe>({ id: 'svc.ghost', tier: 'foundation' });
    const factory = () => {
      journal.push('factory ran');
      return { name: 'x' };
    };
    const services = [
      defineService({ ref: a, deps: { next: b }, factory }),
      defineService({ ref: b, deps: { next: c }, factory }),
      defineService({ ref: c, deps: { back: a, up: realm }, factory }),
      defineService({ ref: realm, deps: { missing: ghost }, factory }),
    ];
    let error: unknown;
    try {
      createPlatform({
        ...quiet,
        modules: [
          { id: 'one', services },
          // Another definition of the same id (even an identical-looking one) is a duplicate.
          { id: 'two', services: [defineService({ ref: a, deps: { next: b }, factory }) as never] },
        ],
      });
    } catch (caught) {
      error = caught;
    }
    expect(PlatformError.is(error, 'SERVICE_WIRING_INVALID')).toBe(true);
    const problems = (error as PlatformError).details.problems as string[];
    expect(problems).toEqual([
      "service 'svc.a' is defined twice: in module 'one' and in module 'two'",
      "service 'svc.c' (tier foundation) may not depend on 'realm.thing' (tier realm): dependencies point to the same or a lower tier",
      "service 'realm.thing' (module 'one') depends on 'svc.ghost' as deps.missing, but no module provides it",
      'dependency cycle: svc.a -> svc.b -> svc.c -> svc.a',
    ]);
    expect((error as Error).message).toContain('svc.a -> svc.b -> svc.c -> svc.a');
    expect(journal).toEqual([]);
  });

  it('takes the very same definition in two modules as one service (a shared City Manager)', async () => {
    const journal: string[] = [];
    const shared = probeService(journal, 'svc.shared', 'foundation');
    const user = defineService({
      ref: defineServiceRef<Probe>({ id: 'svc.user', tier: 'foundation' }),
      deps: { shared: shared.ref },
      factory: ({ shared: dependency }) => ({ name: `uses ${dependency.name}` }),
    });
    const platform = createPlatform({
      ...quiet,
      modules: [
        { id: 'one', services: [shared.definition as never] },
        { id: 'two', services: [shared.definition as never, user as never] },
      ],
    });
    await platform.start();
    expect(journal.filter((entry) => entry.startsWith('create'))).toEqual(['create svc.shared()']);
    expect(journal.filter((entry) => entry.startsWith('init'))).toEqual(['init svc.shared']);
    expect(platform.get(user.ref).name).toBe('uses svc.shared');
    await platform.stop();
  });

  it('refuses malformed refs and timeouts early', () => {
    expect(() => defineServiceRef({ id: 'Bad Id', tier: 'foundation' })).toThrow(/lower-case words/);
    expect(() => defineServiceRef({ id: 'ok.id', tier: 'moon' as never })).toThrow(/unknown tier/);
    const ref = defineServiceRef<Probe>({ id: 'ok.id', tier: 'foundation' });
    expect(() => defineService({ ref, factory: () => ({ name: 'x' }), startTimeoutMs: 0 })).toThrow(/positive whole/);
  });
});

describe('platform.start', () => {
  it('starts tier by tier in dependency order, injects typed dependencies, and reports each service', async () => {
    const journal: string[] = [];
    const store = probeService(journal, 'public-works.store', 'public-works');
    const curator = probeService(journal, 'curator.catalog', 'curator', { store: store.ref });
    const steward = probeService(journal, 'smart-city.steward', 'smart-city', {
      store: store.ref,
      curator: curator.ref,
    });
    const realm = probeService(journal, 'realm.app', 'realm', { steward: steward.ref });
    // Defined in reverse on purpose: order comes from tiers and dependencies, not from the list.
    const platform = createPlatform({
      ...quiet,
      services: [realm.definition, steward.definition, curator.definition, store.definition],
    });
    const report = await platform.start();
    expect(journal).toEqual([
      'create public-works.store()',
      'init public-works.store',
      'create curator.catalog(public-works.store)',
      'init curator.catalog',
      'create smart-city.steward(public-works.store,curator.catalog)',
      'init smart-city.steward',
      'create realm.app(smart-city.steward)',
      'init realm.app',
    ]);
    expect(report.ok).toBe(true);
    expect(report.services.map((service) => [service.id, service.status, service.tier])).toEqual([
      ['public-works.store', 'ok', 'public-works'],
      ['curator.catalog', 'ok', 'curator'],
      ['smart-city.steward', 'ok', 'smart-city'],
      ['realm.app', 'ok', 'realm'],
    ]);
    expect(platform.state).toBe('running');
    expect(platform.get(steward.ref).name).toBe('smart-city.steward');
    await platform.stop();
  });

  it('starts independent services of a tier in parallel', async () => {
    let active = 0;
    let peak = 0;
    const slow = async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 20));
      active -= 1;
    };
    const journal: string[] = [];
    const services = ['svc.one', 'svc.two', 'svc.three'].map(
      (id) => probeService(journal, id, 'foundation', {}, { initialize: slow }).definition,
    );
    const platform = createPlatform({ ...quiet, services });
    await platform.start();
    expect(peak).toBe(3);
    await platform.stop();
  });

  it('fails start-up when a required service fails, and stops what had started in reverse order', async () => {
    const journal: string[] = [];
    const store = probeService(journal, 'public-works.store', 'public-works');
    const cache = probeService(journal, 'public-works.cache', 'public-works', { store: store.ref });
    const broken = probeService(
      journal,
      'foundation.broken',
      'foundation',
      { cache: cache.ref },
      {
        initialize: () => {
          throw new Error('port 5432 refused');
        },
      },
    );
    const after = probeService(journal, 'smart-city.after', 'smart-city', { broken: broken.ref });
    const platform = createPlatform({
      ...quiet,
      services: [store.definition, cache.definition, broken.definition, after.definition],
    });

    const error = await platform.start().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(PlatformError.is(error, 'STARTUP_FAILED')).toBe(true);
    expect((error as Error).message).toBe("the platform did not start: 'foundation.broken' failed (port 5432 refused)");
    const report = (error as PlatformError).details.report as {
      services: Array<{ id: string; status: string; reason?: string }>;
    };
    expect(report.services.map((service) => [service.id, service.status])).toEqual([
      ['public-works.store', 'ok'],
      ['public-works.cache', 'ok'],
      ['foundation.broken', 'failed'],
      ['smart-city.after', 'skipped'],
    ]);
    expect(journal.filter((line) => line.startsWith('shutdown'))).toEqual([
      'shutdown public-works.cache',
      'shutdown public-works.store',
    ]);
    expect(journal).not.toContain('create smart-city.after(foundation.broken)');
    expect(platform.state).toBe('failed');
    expect(() => platform.get(store.ref)).toThrow(/is not running/);
  });

  it('lets an optional service fail, reports the platform degraded, and skips optional dependents', async () => {
    const journal: string[] = [];
    const store = probeService(journal, 'public-works.store', 'public-works');
    const search = probeService(
      journal,
      'foundation.search',
      'foundation',
      { store: store.ref },
      {
        optional: true,
        initialize: () => Promise.reject(new PlatformError('ADAPTER_UNAVAILABLE', 'index offline')),
      },
    );
    const suggest = probeService(
      journal,
      'foundation.suggest',
      'foundation',
      { search: search.ref },
      { optional: true },
    );
    const platform = createPlatform({ ...quiet, services: [store.definition, search.definition, suggest.definition] });
    const report = await platform.start();
    expect(report.ok).toBe(true);
    expect(report.degraded).toEqual(['foundation.search', 'foundation.suggest']);
    expect(report.services.find((service) => service.id === 'foundation.search')).toMatchObject({
      status: 'failed',
      optional: true,
      error: { code: 'ADAPTER_UNAVAILABLE', message: 'index offline' },
    });
    expect(report.services.find((service) => service.id === 'foundation.suggest')).toMatchObject({
      status: 'skipped',
      reason: "'foundation.search' failed",
    });
    expect(() => platform.get(search.ref)).toThrow(
      "service 'foundation.search' is not running (failed: index offline)",
    );
    const health = await platform.health();
    expect(health.status).toBe('degraded');
    expect(health.services['foundation.search']).toMatchObject({ status: 'unhealthy', optional: true });
    await platform.stop();
  });

  it('fails a service that exceeds its start time limit, and shuts the late instance down', async () => {
    const journal: string[] = [];
    let release!: () => void;
    const hanging = probeService(
      journal,
      'foundation.hanging',
      'foundation',
      {},
      {
        initialize: () => new Promise<void>((resolve) => (release = resolve)),
      },
    );
    const definition = { ...hanging.definition, startTimeoutMs: 30 };
    const platform = createPlatform({ ...quiet, services: [definition] });
    const error = await platform.start().catch((caught: unknown) => caught);
    expect((error as PlatformError).details.report).toMatchObject({
      services: [{ id: 'foundation.hanging', status: 'failed', error: { code: 'TIMEOUT' } }],
    });
    release();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(journal).toContain('shutdown foundation.hanging');
  });

  it('returns the same promise when started twice and refuses to start again after stop', async () => {
    const platform = createPlatform({ ...quiet, services: [probeService([], 'svc.only', 'foundation').definition] });
    const first = platform.start();
    expect(platform.start()).toBe(first);
    await first;
    await platform.stop();
    const fresh = createPlatform({ ...quiet });
    await fresh.stop();
    await expect(fresh.start()).rejects.toThrow('cannot start a platform that is stopped');
  });

  it('names unknown refs and services asked for before start', () => {
    const known = probeService([], 'svc.known', 'foundation');
    const platform = createPlatform({ ...quiet, services: [known.definition] });
    expect(() => platform.get(defineServiceRef({ id: 'svc.unknown', tier: 'foundation' }))).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => platform.get(known.ref)).toThrow(expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }));
  });

  it('logs every start as a telemetry event', async () => {
    const memory = createMemorySink();
    const platform = createPlatform({
      env: {},
      telemetrySink: memory.sink,
      services: [probeService([], 'svc.logged', 'foundation').definition],
    });
    await platform.start();
    await platform.stop();
    expect(memory.forOperation('kernel.service.start')).toEqual([
      expect.objectContaining({
        success: true,
        service: 'platform.kernel',
        details: { service: 'svc.logged', tier: 'foundation' },
      }),
    ]);
    expect(memory.forOperation('kernel.start')[0]).toMatchObject({
      success: true,
      details: { services: 1, failed: [] },
    });
    expect(memory.forOperation('kernel.service.shutdown')).toHaveLength(1);
    expect(memory.forOperation('kernel.stop')[0]).toMatchObject({ success: true });
  });
});

describe('context.locate', () => {
  it('finds running services of any tier at call time, and refuses services that are not running', async () => {
    const ClockRef = defineServiceRef<{ now(): number }>({ id: 'foundation.clock', tier: 'foundation' });
    const RealmRef = defineServiceRef<object>({ id: 'realm.app', tier: 'realm' });
    const LookerRef = defineServiceRef<{ clockNow(): number; realm(): unknown }>({
      id: 'foundation.looker',
      tier: 'foundation',
    });
    const platform = createPlatform({
      ...quiet,
      services: [
        defineService({ ref: ClockRef, factory: () => ({ now: () => 42 }) }),
        defineService({ ref: RealmRef, factory: () => ({}) }),
        defineService({
          ref: LookerRef,
          factory: (_deps, { locate }) => ({ clockNow: () => locate(ClockRef).now(), realm: () => locate(RealmRef) }),
        }),
      ],
    });
    await platform.start();
    expect(platform.get(LookerRef).clockNow()).toBe(42);
    expect(platform.get(LookerRef).realm()).toBe(platform.get(RealmRef));
    const looker = platform.get(LookerRef);
    await platform.stop();
    expect(() => looker.clockNow()).toThrow(expect.objectContaining({ code: 'SERVICE_UNAVAILABLE' }));
  });
});
