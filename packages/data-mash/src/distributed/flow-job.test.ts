import { describe, expect, it } from 'vitest';
import { failureReason } from './flow-job.js';

describe('the reason of a dead letter', () => {
  it('reads a flow failure the runner threw, with its journey and phase', () => {
    expect(
      failureReason({
        code: 'ADAPTER_UNAVAILABLE',
        message: 'ADAPTER_UNAVAILABLE: the embedding service is down',
        journeyId: 'journey_1',
        failedPhase: 'file_parsed',
      }),
    ).toEqual({
      code: 'ADAPTER_UNAVAILABLE',
      message: 'the embedding service is down',
      journeyId: 'journey_1',
      failedPhase: 'file_parsed',
    });
  });

  it("names pg-boss's own failures: a lapsed heartbeat is WORKER_LOST, an expired job TIMEOUT", () => {
    // As pg-boss 12 stores them when its supervisor fails a job.
    expect(failureReason({ value: { message: 'job heartbeat timeout' } })).toEqual({
      code: 'WORKER_LOST',
      message: 'job heartbeat timeout',
    });
    expect(failureReason({ value: { message: 'job timed out' } })).toEqual({
      code: 'TIMEOUT',
      message: 'job timed out',
    });
    expect(failureReason({ value: 'something odd' })).toEqual({ code: 'INTERNAL', message: 'something odd' });
  });

  it('gives no reason for no output', () => {
    expect(failureReason(null)).toBeUndefined();
    expect(failureReason('text')).toBeUndefined();
  });
});
