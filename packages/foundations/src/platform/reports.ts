import type { PatternFinding } from '../curator/pattern-rules.js';
import type { SerializedPlatformError } from '../errors/platform-error.js';
import type { ServiceHealth } from '../kernel/service-definition.js';
import type { ServiceTier } from '../kernel/service-ref.js';

/** How one service's start ended. */
export interface ServiceStartRecord {
  id: string;
  tier: ServiceTier;
  module: string;
  optional: boolean;
  /** `skipped`: not started because a dependency failed or start-up was aborted. */
  status: 'ok' | 'failed' | 'skipped';
  /** Time spent in the factory and `initialize()`. */
  ms: number;
  error?: SerializedPlatformError;
  /** Why a skipped service was skipped. */
  reason?: string;
}

/** What `platform.start()` returns (and what a `STARTUP_FAILED` error carries). */
export interface StartupReport {
  /** True when every required service started. */
  ok: boolean;
  totalMs: number;
  /** In the order services finished starting (failed and skipped ones at the end). */
  services: ServiceStartRecord[];
  /** Optional services that failed or were skipped: the platform runs without them. */
  degraded: string[];
  /** Curator's pattern findings about the started services (checked in the development environment only). */
  findings: PatternFinding[];
}

/** How one service's stop ended. */
export interface ServiceStopRecord {
  id: string;
  status: 'ok' | 'failed';
  /** Time spent in `drain()` and `shutdown()`. */
  ms: number;
  /** Errors of `drain()` and `shutdown()`, including time-outs. */
  errors: SerializedPlatformError[];
}

/** What `platform.stop()` returns. */
export interface StopReport {
  /** True when every hook finished without error in time. */
  ok: boolean;
  totalMs: number;
  services: ServiceStopRecord[];
}

/** One service's entry in {@link PlatformHealth}. */
export interface ServiceHealthRecord extends ServiceHealth {
  optional: boolean;
  ms: number;
}

/** What `platform.health()` returns. */
export interface PlatformHealth {
  /** `unhealthy` when a required service is; `degraded` when an optional one is or any service is degraded. */
  status: 'healthy' | 'degraded' | 'unhealthy';
  checkedAt: string;
  services: Record<string, ServiceHealthRecord>;
}

/** A start-up report as a few readable lines, for logs and CLIs. */
export function formatStartupReport(report: StartupReport): string {
  const lines = [
    `platform ${report.ok ? 'started' : 'failed to start'} in ${report.totalMs.toFixed(0)} ms (${report.services.length} services)`,
  ];
  for (const service of report.services) {
    const mark = service.status === 'ok' ? 'ok     ' : service.status === 'failed' ? 'FAILED ' : 'skipped';
    const note = service.error
      ? `: ${service.error.code}: ${service.error.message}`
      : service.reason
        ? `: ${service.reason}`
        : '';
    lines.push(`  ${mark} ${service.id}${service.optional ? ' (optional)' : ''} ${service.ms.toFixed(1)} ms${note}`);
  }
  return lines.join('\n');
}
