import { PlatformError, serializeError } from '@platform/foundations';
import { currentTraceId, generateTraceId } from '@platform/observability';
import { trustUserContext, type VerifiedUserContext } from '@platform/smart-city';
import type { DataMashFlowResult, DataMashSolutionOrchestrator } from '../phases/solution-orchestrator.js';
import {
  type FlowJobData,
  FlowJobDataSchema,
  type FlowJobOutput,
  QUEUE_RETRY_ERROR_CODES,
  TransientFlowFailure,
} from './flow-job.js';

/**
 * Runs one flow job on this worker: checks the job (a malformed one fails for good), runs the
 * flow for the submitter, and answers its outcome; throws {@link TransientFlowFailure} for a
 * failure the queue should retry.
 */
export async function runFlowJob(
  job: { id: string; data: unknown; retryCount: number },
  flow: DataMashSolutionOrchestrator,
  log: (operation: string, success: boolean, details: Record<string, unknown>) => void,
): Promise<FlowJobOutput> {
  let data: FlowJobData;
  let userContext: VerifiedUserContext;
  try {
    data = FlowJobDataSchema.parse(job.data) as FlowJobData;
    // The submitter was verified when it submitted; the queue is the platform's own, so the
    // worker (internal track) acts for that caller again, saying so in the audit trail.
    userContext = trustUserContext(data.userContext, { verifiedBy: 'data-mash.flow-queue' });
  } catch (error) {
    // A malformed job fails for good: another attempt would read the same bytes.
    const failure = new PlatformError('VALIDATION_FAILED', `flow job '${job.id}' is malformed`, {
      details: { jobId: job.id, reason: error instanceof Error ? error.message.slice(0, 500) : String(error) },
    });
    log('data_mash.flow_job', false, { jobId: job.id, code: failure.code });
    return { success: false, traceId: currentTraceId() ?? generateTraceId(), error: serializeError(failure) };
  }
  const result: DataMashFlowResult = await flow.executeDataMashFlow({
    fileId: data.fileId,
    userContext,
    traceId: data.traceId,
  });
  if (result.success) {
    log('data_mash.flow_job', true, {
      jobId: job.id,
      journeyId: result.journeyId,
      run: result.run,
      retryCount: job.retryCount,
    });
    return { success: true, journeyId: result.journeyId, traceId: result.traceId, run: result.run };
  }
  const output: FlowJobOutput = {
    success: false,
    traceId: result.traceId,
    error: result.error,
    ...(result.journeyId ? { journeyId: result.journeyId } : {}),
    ...(result.failedPhase ? { failedPhase: result.failedPhase } : {}),
  };
  if (QUEUE_RETRY_ERROR_CODES.has(result.error.code)) {
    log('data_mash.flow_retry', false, {
      jobId: job.id,
      attempt: job.retryCount + 1,
      code: result.error.code,
    });
    throw new TransientFlowFailure(output);
  }
  log('data_mash.flow_job', false, {
    jobId: job.id,
    journeyId: result.journeyId,
    failedPhase: result.failedPhase,
    code: result.error.code,
    retryCount: job.retryCount,
  });
  return output;
}
