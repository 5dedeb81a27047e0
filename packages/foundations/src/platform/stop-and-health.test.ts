import { EventEmitter } from 'node:events';
import { installObservabilityRecorder } from '@platform/observability/testing';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { defineService, type ServiceHealth, type ServiceLifecycle } from '../kernel/service-definition.js';
import { defineServiceRef } from '../kernel/service-ref.js';
import type { SignalTarget } from '../kernel/signals.js';
import { createPlatform } from './create-platform.js';

const recorder = installObservabilityRecorder();
afterAll(() => recorder.uninstall());
beforeEach(() => recorder.reset());

const settings = () => ({ env: {}, telemetrySink: recorder.sink });

function service(
  journal: string[],
  id: string,
  deps: Record<string, ReturnType<typeof defineServiceRef>> = {},
  hooks: Partial<ServiceLifecycle> = {},
  extra: { stopTimeoutMs?: number; optional?: boolean } = {},
) {
  const ref = defineServiceRef<ServiceLifecycle>({ id, tier: 'foundation' });
  return {
    ref,
    definition: defineService({
      ref,
      deps,
      ...extra,
      factory: () => ({
        drain: async () => {
          journal.push(`drain ${id}`);
          await hooks.drain?.();
        },
        shutdown: async () => {
          journal.push(`shutdown ${id}`);
          await hooks.shutdown?.();
        },
        ...(hooks.health ? { health: hooks.health } : {}),
      }),
    }),
  };
}

describe('platform.stop', () => {
  it('drains every service first, then shuts down each after the services depending on it', async () => {
    const journal: string[] = [];
    const db = service(journal, 'svc.db');
    const repo = service(journal, 'svc.repo', { db: db.ref });
    const api = service(journal, 'svc.api', { repo: repo.ref });
    const worker = service(journal, 'svc.worker', { repo: repo.ref });
    const platform = createPlatform({
      ...settings(),
      services: [db.definition, repo.definition, api.definition, worker.definition],
    });
    await platform.start();
    const report = await platform.stop();
    expect(report.ok).toBe(true);
    const drains = journal.filter((line) => line.startsWith('drain'));
    const shutdowns = journal.filter((line) => line.startsWith('shutdown'));
    expect(drains).toHaveLength(4);
    expect(journal.slice(0, 4)).toEqual(expect.arrayContaining(drains));
    expect(shutdowns.indexOf('shutdown svc.repo')).toBeGreaterThan(shutdowns.indexOf('shutdown svc.api'));
    expect(shutdowns.indexOf('shutdown svc.repo')).toBeGreaterThan(shutdowns.indexOf('shutdown svc.worker'));
    expect(shutdowns.at(-1)).toBe('shutdown svc.db');
    expect(platform.state).toBe('stopped');
  });

  it('collects every hook error and time-out, and still shuts everything down', async () => {
    const journal: string[] = [];
    const db = service(journal, 'svc.db', {}, { shutdown: () => Promise.reject(new Error('socket already closed')) });
    const repo = service(
      journal,
      'svc.repo',
      { db: db.ref },
      { drain: () => new Promise(() => {}) },
      { stopTimeoutMs: 20 },
    );
    const api = service(
      journal,
      'svc.api',
      { repo: repo.ref },
      {
        shutdown: () => {
          throw new Error('flush failed');
        },
      },
    );
    const platform = createPlatform({ ...settings(), services: [db.definition, repo.definition, api.definition] });
    await platform.start();
    const report = await platform.stop();
    expect(report.ok).toBe(false);
    expect(report.services.map((entry) => [entry.id, entry.status, entry.errors.map((error) => error.code)])).toEqual([
      ['svc.api', 'failed', ['INTERNAL']],
      ['svc.repo', 'failed', ['TIMEOUT']],
      ['svc.db', 'failed', ['INTERNAL']],
    ]);
    expect(report.services[1]?.errors[0]?.message).toBe("drain of service 'svc.repo' did not finish within 20 ms");
    expect(journal.filter((line) => line.startsWith('shutdown'))).toEqual([
      'shutdown svc.api',
      'shutdown svc.repo',
      'shutdown svc.db',
    ]);
  });

  it('is safe to call twice, and waits for a start in progress', async () => {
    const journal: string[] = [];
    const db = service(journal, 'svc.db');
    const platform = createPlatform({ ...settings(), services: [db.definition] });
    const starting = platform.start();
    const first = platform.stop();
    expect(platform.stop()).toBe(first);
    await starting;
    expect((await first).services.map((entry) => entry.id)).toEqual(['svc.db']);
    expect(journal).toEqual(['drain svc.db', 'shutdown svc.db']);
  });

  it('records start, drain and shutdown as spans', async () => {
    const db = service([], 'svc.db');
    const platform = createPlatform({ ...settings(), services: [db.definition] });
    await platform.start();
    await platform.stop();
    expect(recorder.spans().map((span) => [span.name, span.attributes['service.id']])).toEqual([
      ['kernel.service.start', 'svc.db'],
      ['kernel.service.drain', 'svc.db'],
      ['kernel.service.shutdown', 'svc.db'],
    ]);
    recorder.assertNoOpenSpans();
  });
});

describe('platform.health', () => {
  it('aggregates service health, treats a hanging or throwing check as unhealthy, and records gauges', async () => {
    let dbHealth: ServiceHealth = { status: 'healthy' };
    const db = service([], 'svc.db', {}, { health: () => dbHealth });
    const cache = service(
      [],
      'svc.cache',
      {},
      { health: () => new Promise<ServiceHealth>(() => {}) },
      { optional: true },
    );
    const plain = service([], 'svc.plain');
    const platform = createPlatform({
      ...settings(),
      config: { kernel: { healthTimeoutMs: 20 } },
      services: [db.definition, cache.definition, plain.definition],
    });
    await platform.start();

    const degraded = await platform.health();
    expect(degraded.status).toBe('degraded');
    expect(degraded.services['svc.cache']).toMatchObject({
      status: 'unhealthy',
      optional: true,
      message: expect.stringContaining('TIMEOUT'),
    });
    expect(degraded.services['svc.plain']).toMatchObject({ status: 'healthy' });

    dbHealth = { status: 'unhealthy', message: 'replica lag 12 s' };
    const unhealthy = await platform.health();
    expect(unhealthy.status).toBe('unhealthy');
    expect(unhealthy.services['svc.db']).toMatchObject({ status: 'unhealthy', message: 'replica lag 12 s' });

    const gauge = (await recorder.collectMetrics()).find((metric) => metric.name === 'platform.service.health');
    expect(gauge?.points).toContainEqual({
      value: 0,
      attributes: { 'service.name': 'platform.kernel', 'platform.service': 'svc.db' },
    });

    await platform.stop();
    expect((await platform.health()).status).toBe('unhealthy');
  });
});

describe('shutdownOnSignals', () => {
  function fakeProcess() {
    const emitter = new EventEmitter();
    const killed: string[] = [];
    const target: SignalTarget = {
      once: (signal, listener) => emitter.once(signal, listener),
      removeListener: (signal, listener) => emitter.removeListener(signal, listener),
      listenerCount: (signal) => emitter.listenerCount(signal),
      kill: (_pid, signal) => killed.push(signal),
      pid: 4242,
    };
    return { emitter, killed, target };
  }

  it('does nothing unless asked', async () => {
    const { emitter, target } = fakeProcess();
    const platform = createPlatform({
      ...settings(),
      signalTarget: target,
      services: [service([], 'svc.db').definition],
    });
    await platform.start();
    expect(emitter.listenerCount('SIGTERM')).toBe(0);
    await platform.stop();
  });

  it('stops the platform on SIGTERM, then lets the signal end the process', async () => {
    const journal: string[] = [];
    const { emitter, killed, target } = fakeProcess();
    const platform = createPlatform({
      ...settings(),
      shutdownOnSignals: true,
      signalTarget: target,
      services: [service(journal, 'svc.db').definition],
    });
    await platform.start();
    expect(emitter.listenerCount('SIGINT')).toBe(1);
    emitter.emit('SIGTERM');
    await platform.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(journal).toEqual(['drain svc.db', 'shutdown svc.db']);
    expect(killed).toEqual(['SIGTERM']);
    expect(emitter.listenerCount('SIGINT')).toBe(0);
  });

  it('leaves the process to other listeners, with exit code 1 when stopping failed', async () => {
    const { emitter, killed, target } = fakeProcess();
    emitter.on('SIGINT', () => {});
    const failing = service([], 'svc.db', {}, { shutdown: () => Promise.reject(new Error('x')) });
    const platform = createPlatform({
      ...settings(),
      shutdownOnSignals: ['SIGINT'],
      signalTarget: target,
      services: [failing.definition],
    });
    await platform.start();
    emitter.emit('SIGINT');
    await platform.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(killed).toEqual([]);
    expect(target.exitCode).toBe(1);
  });
});
