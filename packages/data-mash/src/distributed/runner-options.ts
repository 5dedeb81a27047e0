import { PlatformError } from '@platform/foundations';
import type { DistributedRunnerOptions } from './distributed-runner.js';

// Each numeric option: whether it must be whole, and its bounds (pg-boss's own where it has them).
const BOUNDS: Record<string, { whole: boolean; min: number; max: number }> = {
  concurrency: { whole: true, min: 1, max: 1_000 },
  retryLimit: { whole: true, min: 0, max: 1_000 },
  retryDelaySeconds: { whole: true, min: 0, max: 86_400 },
  expireInSeconds: { whole: true, min: 1, max: 86_400 },
  heartbeatSeconds: { whole: true, min: 10, max: 86_400 },
  pollingIntervalSeconds: { whole: false, min: 0.5, max: 3_600 },
  drainTimeoutSeconds: { whole: false, min: 0, max: 86_400 },
};

/**
 * Checks the runner's options before anything is created.
 * @throws {PlatformError} `CONFIG_INVALID` naming every option out of range, with its bounds.
 */
export function checkRunnerOptions(options: DistributedRunnerOptions): void {
  const problems: string[] = [];
  if (typeof options.connectionString !== 'string' || !/^postgres(ql)?:\/\//i.test(options.connectionString)) {
    problems.push('connectionString must be a postgres:// URL');
  }
  for (const [name, { whole, min, max }] of Object.entries(BOUNDS)) {
    const value = (options as unknown as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      (whole && !Number.isInteger(value)) ||
      value < min ||
      value > max
    ) {
      problems.push(
        `${name} must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`,
      );
    }
  }
  if (problems.length > 0) {
    throw new PlatformError('CONFIG_INVALID', `distributed runner: ${problems.join('; ')}`, { details: { problems } });
  }
}
