import { performance } from 'node:perf_hooks';
import type { Observability } from '@platform/observability';
import { serializeError } from '../errors/platform-error.js';
import { runInDependencyOrder } from '../kernel/dag-runner.js';
import { withTimeout } from '../kernel/timeout.js';
import type { ServicePlan } from '../kernel/wiring.js';
import type { RunningService } from './platform-types.js';
import type { ServiceStopRecord, StopReport } from './reports.js';

/** What {@link stopServices} needs from the platform. */
export interface StopContext {
  plan: ServicePlan;
  running: Map<string, RunningService>;
  startOrder: readonly string[];
  kernel: Observability;
  defaultTimeoutMs: number;
}

/**
 * Stops the running services: first `drain()` on all of them at once, then `shutdown()` in
 * reverse dependency order (a service after every service that depends on it; independent ones
 * in parallel). Every hook has a time limit; every error is kept, none stops the others.
 */
export async function stopServices(context: StopContext): Promise<StopReport> {
  const began = performance.now();
  const ids = [...context.startOrder].reverse().filter((id) => context.running.has(id));
  const records = new Map<string, ServiceStopRecord>(ids.map((id) => [id, { id, status: 'ok', ms: 0, errors: [] }]));

  const runHook = async (id: string, hook: 'drain' | 'shutdown') => {
    const service = context.running.get(id) as RunningService;
    const method = service.lifecycle[hook];
    if (!method) return;
    const timeoutMs = service.definition.stopTimeoutMs ?? context.defaultTimeoutMs;
    const entry = records.get(id) as ServiceStopRecord;
    const startedAt = performance.now();
    try {
      await context.kernel.withSpan(`kernel.service.${hook}`, { 'service.id': id }, () =>
        context.kernel.trackOperation(`kernel.service.${hook}`, { service: id }, () =>
          withTimeout(
            Promise.resolve().then(() => method.call(service.lifecycle)),
            timeoutMs,
            `${hook} of service '${id}'`,
          ),
        ),
      );
    } catch (error) {
      entry.status = 'failed';
      entry.errors.push(serializeError(error));
    } finally {
      entry.ms += performance.now() - startedAt;
    }
  };

  await Promise.all(ids.map((id) => runHook(id, 'drain')));
  await runInDependencyOrder(
    ids,
    (id) => context.plan.get(id)?.dependents.filter((dependent) => context.running.has(dependent)) ?? [],
    (id) => runHook(id, 'shutdown'),
    { continueOnFailure: true },
  );
  context.running.clear();

  const services = ids.map((id) => records.get(id) as ServiceStopRecord);
  const report: StopReport = {
    ok: services.every((entry) => entry.status === 'ok'),
    totalMs: performance.now() - began,
    services,
  };
  context.kernel.logOperation({
    operation: 'kernel.stop',
    success: report.ok,
    durationMs: report.totalMs,
    details: {
      services: services.length,
      failed: services.filter((entry) => entry.status !== 'ok').map((entry) => entry.id),
    },
  });
  return report;
}
