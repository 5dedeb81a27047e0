import { type Attributes, type Counter, type Gauge, type Meter, type MeterProvider, metrics } from '@opentelemetry/api';

/** The instrumentation scope of meters created by {@link createHealthMetrics} unless named. */
export const DEFAULT_METER_NAME = '@platform/observability';

/** How a service reports it is doing, as recorded by {@link HealthMetrics.setHealthStatus}. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/** Gauge values for each {@link HealthStatus}, so dashboards can alert on `< 1`. */
export const HEALTH_STATUS_VALUES: Readonly<Record<HealthStatus, number>> = Object.freeze({
  healthy: 1,
  degraded: 0.5,
  unhealthy: 0,
});

/** Description and unit of an instrument (UCUM units: `ms`, `By`, `{request}`). */
export interface InstrumentOptions {
  description?: string;
  unit?: string;
}

/** Options of {@link createHealthMetrics}. */
export interface HealthMetricsOptions {
  /** The service whose health this is; added as the `service.name` attribute on every point. */
  service?: string;
  /** Instrumentation scope name of the meter. Default {@link DEFAULT_METER_NAME}. */
  meterName?: string;
  /** A meter provider to use instead of the global one (tests, multi-provider hosts). */
  meterProvider?: MeterProvider;
}

/** Counters and gauges through the OpenTelemetry metrics API, created by {@link createHealthMetrics}. */
export interface HealthMetrics {
  /** Adds `value` (default 1, never negative) to a monotonic counter. */
  incrementCounter(name: string, value?: number, attributes?: Attributes, options?: InstrumentOptions): void;
  /** Records the current value of a gauge: queue depth, pool size, lag. */
  recordHealthMetric(name: string, value: number, attributes?: Attributes, options?: InstrumentOptions): void;
  /** Records the service's status on the `platform.service.health` gauge (1, 0.5 or 0). */
  setHealthStatus(status: HealthStatus, attributes?: Attributes): void;
}

// OpenTelemetry instrument name syntax.
const INSTRUMENT_NAME = /^[A-Za-z][A-Za-z0-9_./-]{0,254}$/;

type InstrumentKind = 'counter' | 'gauge';

/**
 * Creates health metrics. Without a metrics SDK registered by the host every call is a cheap
 * no-op; once one is registered (even later), the next call records through it.
 *
 * @throws {TypeError} from a recording call when an instrument name is not a valid OpenTelemetry
 * name, or the same name is used as both a counter and a gauge.
 *
 * @example
 * ```ts
 * const health = createHealthMetrics({ service: 'ingest-worker' });
 * health.incrementCounter('platform.files.ingested', 1, { tenant: 'acme' });
 * health.recordHealthMetric('platform.queue.depth', 42);
 * ```
 */
export function createHealthMetrics(options: HealthMetricsOptions = {}): HealthMetrics {
  const meterName = options.meterName ?? DEFAULT_METER_NAME;
  const baseAttributes: Attributes = options.service ? { 'service.name': options.service } : {};
  const kinds = new Map<string, InstrumentKind>();
  let provider: MeterProvider | undefined;
  let meter: Meter | undefined;
  let instruments = new Map<string, Counter | Gauge>();

  // The global metrics API has no proxy: a meter taken before the host registers its SDK would
  // stay a no-op forever. Instruments are re-created whenever the provider changes.
  function currentMeter(): Meter {
    const next = options.meterProvider ?? metrics.getMeterProvider();
    if (next !== provider || meter === undefined) {
      provider = next;
      meter = next.getMeter(meterName);
      instruments = new Map();
    }
    return meter;
  }

  function instrument(name: string, kind: InstrumentKind, instrumentOptions: InstrumentOptions | undefined) {
    if (!INSTRUMENT_NAME.test(name)) {
      throw new TypeError(`metric name '${name}' is not a valid OpenTelemetry instrument name`);
    }
    const known = kinds.get(name);
    if (known && known !== kind) {
      throw new TypeError(`metric '${name}' is a ${known} and cannot be recorded as a ${kind}`);
    }
    kinds.set(name, kind);
    const activeMeter = currentMeter();
    let created = instruments.get(name);
    if (!created) {
      const settings = {
        ...(instrumentOptions?.description ? { description: instrumentOptions.description } : {}),
        ...(instrumentOptions?.unit ? { unit: instrumentOptions.unit } : {}),
      };
      created =
        kind === 'counter' ? activeMeter.createCounter(name, settings) : activeMeter.createGauge(name, settings);
      instruments.set(name, created);
    }
    return created;
  }

  function withBase(attributes: Attributes | undefined): Attributes {
    return attributes ? { ...baseAttributes, ...attributes } : baseAttributes;
  }

  return {
    incrementCounter(name, value = 1, attributes, instrumentOptions) {
      if (!(value >= 0) || !Number.isFinite(value)) {
        throw new TypeError(`counter '${name}' takes a finite value >= 0, got ${value}`);
      }
      (instrument(name, 'counter', instrumentOptions) as Counter).add(value, withBase(attributes));
    },
    recordHealthMetric(name, value, attributes, instrumentOptions) {
      if (!Number.isFinite(value)) throw new TypeError(`gauge '${name}' takes a finite value, got ${value}`);
      (instrument(name, 'gauge', instrumentOptions) as Gauge).record(value, withBase(attributes));
    },
    setHealthStatus(status, attributes) {
      const value = HEALTH_STATUS_VALUES[status];
      if (value === undefined) throw new TypeError(`unknown health status '${String(status)}'`);
      (
        instrument('platform.service.health', 'gauge', {
          description: 'Service health: 1 healthy, 0.5 degraded, 0 unhealthy',
        }) as Gauge
      ).record(value, withBase(attributes));
    },
  };
}
