import { type JourneyRecord, PlatformError, type SerializedPlatformError } from '@platform/foundations';
import type { JourneyOutcome } from './journey-types.js';
import type { JourneyMilestoneTemplate } from './template.js';

// Fails the milestone with TIMEOUT when its `timeoutSeconds` passes (and aborts its signal); a step
// that ignores the signal runs on, but its result is no longer handed on.
export async function withMilestoneTimeout<T>(
  milestone: JourneyMilestoneTemplate,
  abort: AbortController,
  run: () => Promise<T>,
): Promise<T> {
  const seconds = milestone.timeoutSeconds;
  if (!seconds) return run();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const error = new PlatformError('TIMEOUT', `milestone '${milestone.id}' did not finish within ${seconds} s`, {
        details: { milestone: milestone.id, timeoutSeconds: seconds },
      });
      // Rejected first: a step that answers the abort at once must not win the race.
      reject(error);
      abort.abort(error);
    }, seconds * 1000);
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// The milestone had been started before and did not complete: an interrupted or failed attempt.
export function wasStarted(journey: JourneyRecord, index: number): boolean {
  const status = journey.milestones[index]?.status;
  return status === 'running' || status === 'failed';
}

export function failed(
  journeyId: string,
  traceId: string,
  outputs: Record<string, unknown>,
  failedMilestone: string,
  error: SerializedPlatformError,
  run: 'new' | 'resumed',
): JourneyOutcome {
  return { success: false, journeyId, traceId, outputs, failedMilestone, error, run };
}

// The scalar fields of an output, kept on the milestone itself for listings: ids, keys, counts.
export function references(contract: string, output: unknown): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = { contract };
  for (const [key, value] of Object.entries((output ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') result[key] = value;
  }
  return result;
}
