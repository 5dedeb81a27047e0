import { performance } from 'node:perf_hooks';
import type { HealthMetrics } from '@platform/observability';
import { serializeError } from '../errors/platform-error.js';
import type { ServiceHealth } from '../kernel/service-definition.js';
import { withTimeout } from '../kernel/timeout.js';
import type { ServicePlan } from '../kernel/wiring.js';
import type { PlatformState, RunningService } from './platform-types.js';
import type { PlatformHealth, ServiceHealthRecord } from './reports.js';

const STATUSES = new Set(['healthy', 'degraded', 'unhealthy']);

/** What {@link checkHealth} needs from the platform. */
export interface HealthContext {
  plan: ServicePlan;
  running: ReadonlyMap<string, RunningService>;
  failures: ReadonlyMap<string, string>;
  state: PlatformState;
  timeoutMs: number;
  metrics: HealthMetrics;
}

/**
 * Asks every running service for its health (in parallel, each within the time limit) and
 * aggregates: `unhealthy` when a required service is unhealthy or missing, `degraded` when an
 * optional one is or any service reports `degraded`, else `healthy`. Each service's status is
 * also recorded on the `platform.service.health` gauge.
 */
export async function checkHealth(context: HealthContext): Promise<PlatformHealth> {
  const entries = await Promise.all(
    [...context.plan.values()].map(async (planned): Promise<[string, ServiceHealthRecord]> => {
      const optional = planned.definition.optional;
      const service = context.running.get(planned.id);
      if (!service) {
        const why = context.failures.get(planned.id) ?? `not running (platform ${context.state})`;
        return [planned.id, { status: 'unhealthy', message: why, optional, ms: 0 }];
      }
      const startedAt = performance.now();
      let health: ServiceHealth;
      try {
        const reported = await withTimeout(
          Promise.resolve().then(() => service.lifecycle.health?.() ?? { status: 'healthy' as const }),
          context.timeoutMs,
          `health check of service '${planned.id}'`,
        );
        health = STATUSES.has(reported?.status)
          ? reported
          : { status: 'unhealthy', message: 'health() returned no valid status' };
      } catch (error) {
        const failure = serializeError(error);
        health = { status: 'unhealthy', message: `${failure.code}: ${failure.message}` };
      }
      return [planned.id, { ...health, optional, ms: performance.now() - startedAt }];
    }),
  );

  let status: PlatformHealth['status'] = context.state === 'running' ? 'healthy' : 'unhealthy';
  for (const [id, entry] of entries) {
    try {
      context.metrics.setHealthStatus(entry.status, { 'platform.service': id });
    } catch {
      // A metrics failure must not turn into a health failure.
    }
    if (entry.status === 'unhealthy' && !entry.optional) status = 'unhealthy';
    else if (entry.status !== 'healthy' && status === 'healthy') status = 'degraded';
  }
  return { status, checkedAt: new Date().toISOString(), services: Object.fromEntries(entries) };
}
