import { metrics } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { installObservabilityRecorder } from '../testing/index.js';
import { createHealthMetrics } from './health-metrics.js';

describe('health metrics', () => {
  // Created before any SDK is registered, as a module-level singleton in a host would be.
  const early = createHealthMetrics({ service: 'early-service' });
  early.incrementCounter('platform.before_sdk');

  const recorder = installObservabilityRecorder();
  afterAll(() => recorder.uninstall());

  it('records counters and gauges with the service attribute through the registered SDK', async () => {
    const health = createHealthMetrics({ service: 'ingest', meterName: 'test.meter' });
    health.incrementCounter('platform.files', 2, { tenant: 'a' }, { description: 'files seen', unit: '{file}' });
    health.incrementCounter('platform.files', undefined, { tenant: 'a' });
    health.recordHealthMetric('platform.queue.depth', 7);
    health.recordHealthMetric('platform.queue.depth', 3);
    const collected = await recorder.collectMetrics();
    const files = collected.find((metric) => metric.name === 'platform.files');
    expect(files).toMatchObject({ scope: 'test.meter', description: 'files seen', unit: '{file}' });
    expect(files?.points).toEqual([{ value: 3, attributes: { 'service.name': 'ingest', tenant: 'a' } }]);
    expect(collected.find((metric) => metric.name === 'platform.queue.depth')?.points).toEqual([
      { value: 3, attributes: { 'service.name': 'ingest' } },
    ]);
  });

  it('starts recording through an SDK registered after it was created', async () => {
    early.incrementCounter('platform.after_sdk', 5);
    const names = (await recorder.collectMetrics()).map((metric) => metric.name);
    expect(names).toContain('platform.after_sdk');
    expect(names).not.toContain('platform.before_sdk');
  });

  it('records health status as 1, 0.5 or 0 on one series', async () => {
    const health = createHealthMetrics({ service: 'nurse-watched' });
    health.setHealthStatus('degraded');
    const gauge = (await recorder.collectMetrics()).find((metric) => metric.name === 'platform.service.health');
    expect(gauge?.points).toContainEqual({ value: 0.5, attributes: { 'service.name': 'nurse-watched' } });
    health.setHealthStatus('healthy');
    const after = (await recorder.collectMetrics()).find((metric) => metric.name === 'platform.service.health');
    expect(after?.points.filter((point) => point.attributes['service.name'] === 'nurse-watched')).toEqual([
      { value: 1, attributes: { 'service.name': 'nurse-watched' } },
    ]);
  });

  it('uses a given meter provider instead of the global one', () => {
    const created: string[] = [];
    const provider = {
      getMeter: () => ({
        ...metrics.getMeterProvider().getMeter('unused'),
        createCounter: (name: string) => {
          created.push(name);
          return { add: () => undefined };
        },
      }),
    };
    createHealthMetrics({ meterProvider: provider as never }).incrementCounter('platform.custom');
    expect(created).toEqual(['platform.custom']);
  });

  it('refuses invalid names, values and kind clashes with clear errors', () => {
    const health = createHealthMetrics();
    expect(() => health.incrementCounter('1bad name')).toThrow(/not a valid OpenTelemetry instrument name/);
    expect(() => health.incrementCounter('platform.neg', -1)).toThrow(/>= 0/);
    expect(() => health.recordHealthMetric('platform.nan', Number.NaN)).toThrow(/finite/);
    health.incrementCounter('platform.kind');
    expect(() => health.recordHealthMetric('platform.kind', 1)).toThrow(/is a counter/);
    expect(() => health.setHealthStatus('sick' as never)).toThrow(/unknown health status/);
  });
});
