import { type JourneyRecord, serializeError } from '@platform/foundations';
import { currentTraceId, generateTraceId, withSpan } from '@platform/observability';
import type { HandoffContract } from '../flow/handoff-contract.js';
import { DEFAULT_LEASE_MS, LeasedJourney, leaseOf } from './journey-lease.js';
import { createJourneyRecord, labelOf, type StoredContext, transitionJourney } from './journey-record.js';
import { inJourneyTrace } from './journey-trace.js';
import {
  JOURNEY_PROGRESS_MILESTONE,
  type JourneyOrchestratorOptions,
  type JourneyOutcome,
  type JourneyProgressUpdate,
  type MilestoneContext,
  type MilestoneStep,
} from './journey-types.js';
import { assertServicesRegistered, assertTemplateWired } from './journey-wiring.js';
import { failed, references, wasStarted, withMilestoneTimeout } from './milestone-helpers.js';
import { withMilestoneRetries } from './milestone-retries.js';
import { type JourneyMilestoneTemplate, type JourneyTemplate, milestoneStep } from './template.js';

export {
  JOURNEY_PROGRESS_MILESTONE,
  type JourneyOrchestratorOptions,
  type JourneyOutcome,
  type JourneyProgressUpdate,
  type MilestoneContext,
  type MilestoneRetryOptions,
  type MilestoneStep,
  TRANSIENT_ERROR_CODES,
} from './journey-types.js';

type RunKind = 'new' | 'resumed';
type RunRequest = {
  tenantId: string;
  input?: unknown;
  userContext?: unknown;
  onProgress?: (progress: JourneyProgressUpdate) => void;
};
/** A milestone marked running with the completion of the one before (one write), and whether it had been started before. */
type Handoff = { index: number; retry: boolean };
/** What the milestones of one run share. */
type RunState = {
  leased: LeasedJourney;
  request: RunRequest;
  traceId: string;
  run: RunKind;
  outputs: Record<string, unknown>;
};

/**
 * Runs journeys of one template: milestone by milestone, each in its own span under the journey's
 * trace, each output checked against its contract by the producer and again by the consumer, the
 * journey persisted in the MetadataStore on every transition. The idempotency key (e.g. a file's
 * sha256) names the journey within the tenant: running again returns a completed journey's
 * outputs, or resumes a stopped one at its first milestone not completed, re-checking the stored
 * outputs it starts from.
 */
export class JourneyOrchestrator {
  readonly template: JourneyTemplate;
  readonly #contracts: ReadonlyMap<string, HandoffContract>;
  readonly #options: JourneyOrchestratorOptions;

  constructor(options: JourneyOrchestratorOptions) {
    this.template = options.template;
    this.#options = options;
    this.#contracts = new Map(options.contracts.map((contract) => [contract.id, contract]));
    assertTemplateWired(options, this.#contracts);
  }

  /**
   * Checks that every milestone naming a service (the template's `service` key) finds it
   * registered, offering the milestone's `api` when it names one.
   * @throws {PlatformError} `SERVICE_WIRING_INVALID` naming each missing service or API.
   */
  assertServices(curator: {
    find(filter: { name: string }): Array<{ capabilities?: ReadonlyArray<{ name: string }> }>;
  }): void {
    assertServicesRegistered(this.template, curator);
  }

  /**
   * Runs (or resumes, or returns) the journey named by `idempotencyKey` in the tenant. One run at
   * a time holds a journey (a lease in its record, in any process): a concurrent run of the same
   * key waits for it and answers with its outcome; a run whose holder is gone takes it over.
   */
  async run(request: {
    tenantId: string;
    idempotencyKey: string;
    input?: unknown;
    traceId?: string;
    /** Handed to every step in its context. */
    userContext?: unknown;
    /** Kept in a new journey's context as `about` (what a listing shows before any output). */
    about?: Record<string, string | number | boolean>;
    /** A new journey's label (what `listJourneys({ label })` finds it by), cut to 500 characters. */
    label?: string;
    /** Told the journey's id and trace as soon as its record exists (found or created), before any milestone runs. */
    onJourney?: (journey: { journeyId: string; traceId: string; status: JourneyRecord['status'] }) => void;
    /** Told of this run's milestone transitions, besides the orchestrator's own `onProgress`. */
    onProgress?: (progress: JourneyProgressUpdate) => void;
  }): Promise<JourneyOutcome> {
    const store = this.#options.metadataStore;
    for (let attempt = 1; ; attempt += 1) {
      let journey = await store.findJourneyByIdempotencyKey(
        request.tenantId,
        this.template.name,
        request.idempotencyKey,
      );
      const traceId = journey?.traceId ?? request.traceId ?? currentTraceId() ?? generateTraceId();
      if (!journey)
        journey = await createJourneyRecord(store, this.template, {
          tenantId: request.tenantId,
          idempotencyKey: request.idempotencyKey,
          traceId,
          about: request.about,
          label: request.label,
        });
      if (attempt === 1) request.onJourney?.({ journeyId: journey.id, traceId, status: journey.status });
      const claim =
        journey.status === 'completed'
          ? { settled: journey }
          : await LeasedJourney.acquire(store, journey, {
              leaseMs: this.#options.leaseMs ?? DEFAULT_LEASE_MS,
              onWait: (holder) =>
                this.#options.telemetry?.logOperation({
                  operation: 'journey.waiting',
                  success: true,
                  details: {
                    journeyId: journey.id,
                    template: this.template.name,
                    holder: `${holder.host}:${holder.pid}`,
                  },
                }),
            });
      if ('settled' in claim) return this.#settled(claim.settled, traceId);
      const leased = claim.leased;
      // Anything done to the journey before this run (a milestone started, a failure) makes it a resume.
      const run = leased.current.milestones.every((entry) => entry.status === 'pending') ? 'new' : 'resumed';
      let outcome: JourneyOutcome;
      try {
        // Run anew on an existing record (an erased flow's tombstone): it takes this run's label.
        const label = labelOf(request.label);
        if (run === 'new' && label && leased.current.label !== label) await leased.update(() => ({ label }));
        outcome = await this.#runLeased(leased, request, traceId, run);
      } finally {
        leased.end();
      }
      // Paused past its lease (a stopped process, a blocked event loop), this run was taken over:
      // answer as a run that waited for the one that took it, not with the CONFLICT it met.
      if (!outcome.success && outcome.error.code === 'CONFLICT' && attempt < 3) {
        const now = await store.getJourney(request.tenantId, outcome.journeyId);
        if (leaseOf(now)?.owner !== leased.owner) continue;
      }
      return outcome;
    }
  }

  // The answer of a journey this run did not execute: completed (its outputs, checked again) or
  // failed while this run waited for it (its error).
  #settled(journey: JourneyRecord, traceId: string): JourneyOutcome {
    const stored = (journey.context as StoredContext).outputs ?? {};
    const outputs: Record<string, unknown> = {};
    if (journey.status === 'completed') {
      for (const milestone of this.template.milestones)
        outputs[milestone.id] = this.#contract(milestone.output).check(stored[milestone.id], 'consumer');
      return { success: true, journeyId: journey.id, traceId, outputs, run: 'reused' };
    }
    for (const [index, milestone] of this.template.milestones.entries())
      if (journey.milestones[index]?.status === 'completed') outputs[milestone.id] = stored[milestone.id];
    const failedAt =
      journey.milestones.find((entry) => entry.status === 'failed') ??
      journey.milestones.find((entry) => entry.status !== 'completed');
    const error = journey.error ?? { code: 'INTERNAL', message: `journey '${journey.id}' failed` };
    return failed(
      journey.id,
      traceId,
      outputs,
      failedAt?.name ?? (this.template.milestones[0]?.id as string),
      { name: 'PlatformError', code: error.code, message: error.message, traceId },
      'resumed',
    );
  }

  async #runLeased(leased: LeasedJourney, request: RunRequest, traceId: string, run: RunKind): Promise<JourneyOutcome> {
    const name = `journey.${this.template.name}`;
    const attributes = { 'journey.id': leased.current.id, 'journey.run': run };
    return inJourneyTrace(traceId, name, attributes, (links) =>
      withSpan(
        name,
        attributes,
        () => this.#runMilestones({ leased, request, traceId, run, outputs: {} }),
        links ? { links } : {},
      ),
    );
  }

  async #runMilestones(state: RunState): Promise<JourneyOutcome> {
    const { leased, traceId, run, outputs } = state;
    const journey = leased.current;
    const stored = (journey.context as StoredContext).outputs ?? {};
    let input = state.request.input;
    let handoff: Handoff | undefined;
    for (const [index, milestone] of this.template.milestones.entries()) {
      if (leased.current.milestones[index]?.status === 'completed') {
        // Resuming: what this milestone handed on before is checked again before it is used.
        try {
          input = this.#contract(milestone.output).check(stored[milestone.id], 'consumer');
        } catch (error) {
          const serialized = serializeError(error);
          const failure = { code: serialized.code, message: serialized.message };
          await leased.update(() => ({ status: 'failed', error: failure }), { release: true }).catch(() => undefined);
          return failed(journey.id, traceId, outputs, milestone.id, serialized, run);
        }
        outputs[milestone.id] = input;
        continue;
      }
      const started = handoff?.index === index ? handoff : undefined;
      let failure: JourneyOutcome | undefined;
      try {
        // The milestone's span also covers the writes recording it, so that every store call of
        // a journey hangs under the milestone it belongs to.
        ({ output: input, handoff } = await withSpan(
          `journey.milestone.${milestone.id}`,
          {
            'milestone.step': milestoneStep(milestone),
            ...(milestone.service ? { 'milestone.service': milestone.service } : {}),
          },
          async () => {
            const done = await this.#runMilestone(index, input, started, state);
            if ('output' in done) return done;
            failure = done.failure;
            // Thrown on so that the milestone's span records it; answered below.
            throw done.error;
          },
        ));
      } catch (error) {
        // A failed milestone is an outcome; a failed write marking it running is thrown, as ever.
        if (failure) return failure;
        throw error;
      }
    }
    return { success: true, journeyId: journey.id, traceId, outputs, run };
  }

  // Performs one milestone, then records its completion together with the next one running. A
  // failure is recorded and answered, except that of the write marking the milestone running.
  async #runMilestone(
    index: number,
    input: unknown,
    started: Handoff | undefined,
    state: RunState,
  ): Promise<{ output: unknown; handoff: Handoff | undefined } | { failure: JourneyOutcome; error: unknown }> {
    const { leased, request, traceId, outputs } = state;
    const milestone = this.template.milestones[index] as JourneyMilestoneTemplate;
    const retry = started ? started.retry : wasStarted(leased.current, index);
    if (!started) {
      await transitionJourney(leased, { [index]: { status: 'running', startedAt: new Date() } }, 'running');
      this.#progress(request, leased.current.id, milestone.id, 'started', { attempt: 1 });
    }
    // The attempt being made: recorded with the milestone's end when retries were needed.
    let attempts = 1;
    try {
      const checked = milestone.input ? this.#contract(milestone.input).check(input, 'consumer') : input;
      const step = this.#options.steps[milestone.id] as MilestoneStep;
      const journeyId = leased.current.id;
      const attempt = (again: boolean) => {
        const abort = new AbortController();
        const context: MilestoneContext = {
          tenantId: request.tenantId,
          journeyId,
          traceId,
          milestone,
          retry: retry || again,
          signal: abort.signal,
          ...(request.userContext === undefined ? {} : { userContext: request.userContext }),
        };
        return withMilestoneTimeout(milestone, abort, () => step(checked, context));
      };
      const scope = {
        retry: this.#options.retry,
        telemetry: this.#options.telemetry,
        template: this.template.name,
        journeyId,
        milestone: milestone.id,
      };
      const produced = await withMilestoneRetries(scope, attempt, (number, error) => {
        attempts = number;
        const { code, message } = serializeError(error);
        this.#progress(request, journeyId, milestone.id, 'retried', {
          attempt: number,
          error: { code, message },
        });
      });
      const output = this.#contract(milestone.output).check(produced, 'producer');
      outputs[milestone.id] = output;
      const now = new Date();
      const nextIndex = index + 1 < this.template.milestones.length ? index + 1 : undefined;
      const handoff =
        nextIndex === undefined ? undefined : { index: nextIndex, retry: wasStarted(leased.current, nextIndex) };
      await transitionJourney(
        leased,
        {
          [index]: {
            status: 'completed',
            completedAt: now,
            result: references(milestone.output, output),
            ...(attempts > 1 ? { attempts } : {}),
          },
          ...(nextIndex === undefined ? {} : { [nextIndex]: { status: 'running' as const, startedAt: now } }),
        },
        nextIndex === undefined ? 'completed' : 'running',
        { [milestone.id]: output },
      );
      this.#progress(request, journeyId, milestone.id, 'completed');
      const next = nextIndex === undefined ? undefined : this.template.milestones[nextIndex];
      if (next) this.#progress(request, journeyId, next.id, 'started', { attempt: 1 });
      // The journey as a whole, so that a watcher knows it ended without knowing the template.
      else this.#progress(request, journeyId, JOURNEY_PROGRESS_MILESTONE, 'completed');
      this.#options.telemetry?.logOperation({
        operation: 'journey.handoff',
        success: true,
        details: { journeyId, template: this.template.name, milestone: milestone.id, contract: milestone.output },
      });
      return { output, handoff };
    } catch (error) {
      return {
        failure: await this.#failMilestone(leased, index, error, outputs, traceId, state.run, request, attempts),
        error,
      };
    }
  }

  // Records a milestone's failure (the journey failed, its lease let go) and answers with it.
  async #failMilestone(
    leased: LeasedJourney,
    index: number,
    error: unknown,
    outputs: Record<string, unknown>,
    traceId: string,
    run: RunKind,
    request: RunRequest,
    attempts = 1,
  ): Promise<JourneyOutcome> {
    const milestone = this.template.milestones[index]?.id as string;
    const journeyId = leased.current.id;
    const serialized = serializeError(error);
    const failure = { code: serialized.code, message: serialized.message };
    await transitionJourney(
      leased,
      { [index]: { status: 'failed', completedAt: new Date(), error: failure, ...(attempts > 1 ? { attempts } : {}) } },
      'failed',
      undefined,
      failure,
    ).catch(() => undefined);
    this.#progress(request, journeyId, milestone, 'failed', { error: failure });
    this.#progress(request, journeyId, JOURNEY_PROGRESS_MILESTONE, 'failed', { error: failure });
    this.#options.telemetry?.logOperation({
      operation: 'journey.failed',
      success: false,
      details: { journeyId, template: this.template.name, milestone },
      error,
    });
    return failed(journeyId, traceId, outputs, milestone, serialized, run);
  }

  #progress(
    request: RunRequest,
    journeyId: string,
    milestone: string,
    status: JourneyProgressUpdate['status'],
    extra: Pick<JourneyProgressUpdate, 'attempt' | 'error'> = {},
  ): void {
    const progress = { tenantId: request.tenantId, journeyId, milestone, status, ...extra };
    for (const listener of [this.#options.onProgress, request.onProgress]) {
      try {
        listener?.(progress);
      } catch {
        // Progress is for watchers; a listener's failure is not the journey's.
      }
    }
  }

  #contract(id: string): HandoffContract {
    return this.#contracts.get(id) as HandoffContract;
  }
}
