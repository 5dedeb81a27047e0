import type { Telemetry } from '@platform/observability';
import { type MilestoneRetryOptions, TRANSIENT_ERROR_CODES } from './journey-types.js';

/** Where a milestone's attempts run: the orchestrator's retry options and telemetry, and which milestone it is. */
export interface MilestoneAttemptScope {
  retry: MilestoneRetryOptions | undefined;
  telemetry: Pick<Telemetry, 'logOperation'> | undefined;
  template: string;
  journeyId: string;
  milestone: string;
}

// Runs a milestone's attempts: again after a transient failure, with backoff, up to the limit.
export async function withMilestoneRetries(
  scope: MilestoneAttemptScope,
  attempt: (again: boolean) => Promise<unknown>,
  onRetry: (attempt: number, error: unknown) => void,
) {
  const options = scope.retry ?? {};
  const attempts = Math.max(1, options.attempts ?? 3);
  const isTransient =
    options.isTransient ?? ((error: unknown) => TRANSIENT_ERROR_CODES.has(String((error as { code?: unknown }).code)));
  let delay = options.initialDelayMs ?? 250;
  for (let number = 1; ; number += 1) {
    try {
      return await attempt(number > 1);
    } catch (error) {
      if (number >= attempts || !isTransient(error)) throw error;
      scope.telemetry?.logOperation({
        operation: 'journey.retry',
        success: false,
        details: {
          journeyId: scope.journeyId,
          template: scope.template,
          milestone: scope.milestone,
          attempt: number + 1,
          delayMs: delay,
        },
        error,
      });
      onRetry(number + 1, error);
      await new Promise((resolve) => setTimeout(resolve, delay * (0.8 + Math.random() * 0.4)));
      delay = Math.min(delay * 2, options.maxDelayMs ?? 5000);
    }
  }
}
