import type { MetadataStore, SerializedPlatformError } from '@platform/foundations';
import type { Telemetry } from '@platform/observability';
import type { HandoffContract } from '../flow/handoff-contract.js';
import type { JourneyMilestoneTemplate, JourneyTemplate } from './template.js';

/** What a milestone's step is given besides its input. */
export interface MilestoneContext {
  tenantId: string;
  journeyId: string;
  traceId: string;
  milestone: JourneyMilestoneTemplate;
  /** The caller's user context, as given to `run` (client-track services check it themselves). */
  userContext?: unknown;
  /**
   * The milestone was started before and did not complete (a crash or a failure): what it wrote
   * then may be there. Steps may skip look-ups for earlier output when this is `false`.
   */
  retry: boolean;
  /** Aborted when the milestone's `timeoutSeconds` passes: long steps should stop then. */
  signal: AbortSignal;
}

/** Performs one milestone: takes the previous milestone's output (or the journey's input) and returns its own. */
export type MilestoneStep = (input: unknown, context: MilestoneContext) => Promise<unknown>;

/** Options of a {@link JourneyOrchestrator}. */
export interface JourneyOrchestratorOptions {
  template: JourneyTemplate;
  /** Every contract the template names. */
  contracts: readonly HandoffContract[];
  /** The step performing each milestone, by milestone id. */
  steps: Readonly<Record<string, MilestoneStep>>;
  metadataStore: MetadataStore;
  /** Receives a `journey.handoff` event per milestone handed on, `journey.retry` and `journey.failed` events. */
  telemetry?: Pick<Telemetry, 'logOperation'>;
  /** How a milestone that failed for a transient reason is tried again within the run. */
  retry?: MilestoneRetryOptions;
  /**
   * How long a run's hold on a journey lasts without renewal (renewed every third of it), in ms.
   * Default 60 s. Another process's run takes over a journey after this when its holder stopped
   * answering; on the same host, at once when the holder's process has ended.
   */
  leaseMs?: number;
  /**
   * Told of every milestone transition as it is recorded: started, completed, failed, or retried
   * after a transient failure (live progress for clients). Called synchronously; a listener that
   * throws is ignored, so progress never fails a journey.
   */
  onProgress?: (progress: JourneyProgressUpdate) => void;
}

/**
 * The `milestone` of a {@link JourneyProgressUpdate} about the journey as a whole: `completed`
 * after its last milestone, `failed` (with the error) after the milestone that failed it.
 */
export const JOURNEY_PROGRESS_MILESTONE = 'journey';

/** One milestone transition of a journey, as {@link JourneyOrchestratorOptions.onProgress} is told it. */
export interface JourneyProgressUpdate {
  tenantId: string;
  journeyId: string;
  /** A milestone of the template, or {@link JOURNEY_PROGRESS_MILESTONE} for the journey as a whole. */
  milestone: string;
  status: 'started' | 'completed' | 'failed' | 'retried';
  /** The attempt, from 1 (`retried`: the attempt about to be made). */
  attempt?: number;
  error?: { code: string; message: string };
}

/** Retries of a milestone within one run, with exponential backoff and jitter. */
export interface MilestoneRetryOptions {
  /** Attempts in all (1: no retry). Default 3. */
  attempts?: number;
  /** Delay before the second attempt, doubled each time. Default 250 ms. */
  initialDelayMs?: number;
  /** Longest delay. Default 5 s. */
  maxDelayMs?: number;
  /** Which failures are worth another attempt. Default: a code in {@link TRANSIENT_ERROR_CODES}. */
  isTransient?: (error: unknown) => boolean;
}

/**
 * Error codes a later attempt may not meet: a store unreachable, a service not up yet, a rate
 * limit. Anything else (a malformed file, a contract violation) fails the milestone at once.
 */
export const TRANSIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'ADAPTER_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
  'RATE_LIMITED',
]);

/** How a journey run ended. */
export type JourneyOutcome =
  | {
      success: true;
      journeyId: string;
      traceId: string;
      /** Each milestone's contract output, by milestone id. */
      outputs: Record<string, unknown>;
      /** `new`: ran from the start; `resumed`: continued after earlier milestones; `reused`: had completed before. */
      run: 'new' | 'resumed' | 'reused';
    }
  | {
      success: false;
      journeyId: string;
      traceId: string;
      /** The outputs of the milestones that completed. */
      outputs: Record<string, unknown>;
      failedMilestone: string;
      error: SerializedPlatformError;
      run: 'new' | 'resumed';
    };
