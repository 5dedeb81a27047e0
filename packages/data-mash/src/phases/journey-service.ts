import {
  type Curator,
  CuratorRef,
  defineService,
  defineServiceRef,
  type JourneyRecord,
  type MetadataStore,
  MetadataStoreRef,
  type Page,
  PlatformError,
} from '@platform/foundations';
import {
  JourneyProgressEvent,
  type PostOffice,
  PostOfficeRef,
  RealmServiceBase,
  type RealmServiceDeps,
  type VerifiedUserContext,
} from '@platform/smart-city';
import { DATA_MASH_CONTRACTS } from '../flow/contracts.js';
import type { HandoffContract } from '../flow/handoff-contract.js';
import type { AnyFlowStep, FlowStepContext } from '../journeys/flow-step.js';
import {
  JourneyOrchestrator,
  type JourneyOutcome,
  type JourneyProgressUpdate,
  type MilestoneContext,
  type MilestoneRetryOptions,
  type MilestoneStep,
} from '../journeys/journey-orchestrator.js';
import { dataMashFlowTemplate, type JourneyTemplate, milestoneStep } from '../journeys/template.js';
import { DATA_MASH_FLOW_STEPS } from './flow-steps.js';
import { DATA_MASH_REALM } from './phase-service.js';

/** Options of the journey orchestrator service. */
export interface DataMashJourneyOrchestratorOptions {
  /** Templates besides the shipped `data_mash_flow` (same name: replaces it). */
  templates?: readonly JourneyTemplate[];
  /** Contracts the extra templates name, besides the four of the data mash flow and those of the steps. */
  contracts?: readonly HandoffContract[];
  /**
   * Flow steps the templates' milestones name, besides the four of the data mash flow
   * ({@link DATA_MASH_FLOW_STEPS}); a step with the id of another replaces it. Their contracts
   * are known without listing them in `contracts`.
   */
  steps?: readonly AnyFlowStep[];
  /** Retries of a milestone that failed for a transient reason (default: 3 attempts from 250 ms). */
  retry?: MilestoneRetryOptions;
}

/** What starting (or resuming) a journey takes. */
export interface JourneyRequest {
  /** The caller; the journey belongs to its tenant and every milestone runs as it. */
  userContext: unknown;
  /** Names the journey within the tenant and template, e.g. a file's sha256. */
  idempotencyKey: string;
  /** The first milestone's input (not persisted: a resumed journey starts past it). */
  input?: unknown;
  traceId?: string;
  /**
   * Facts about the journey kept in its record from the start (e.g. the file's name), so that a
   * listing can name a journey that stopped before any milestone recorded them. JSON values.
   */
  about?: Record<string, string | number | boolean>;
  /**
   * A new journey's label: what people find it by (`listJourneys({ label })`), e.g. the file's
   * name. At most 500 characters (longer is cut).
   */
  label?: string;
  /** Told the journey's id and trace as soon as its record exists, before any milestone runs. */
  onJourney?: (journey: { journeyId: string; traceId: string; status: JourneyRecord['status'] }) => void;
  /** Told of this journey's milestone transitions as they are recorded. */
  onProgress?: (progress: JourneyProgressUpdate) => void;
}

/**
 * The data mash journey orchestrator: journeys from templates, each milestone performed by the
 * flow step it names ({@link defineFlowStep}: a service's method or a function, called as
 * `run(input, user, context)` with the caller verified once, when the journey is asked for); the
 * services of the steps checked to be registered when a journey starts; journeys persisted in the
 * MetadataStore on every transition, listed and read by tenant.
 */
export class DataMashJourneyOrchestrator extends RealmServiceBase<
  RealmServiceDeps & { metadata: MetadataStore; registry: Curator; options: DataMashJourneyOrchestratorOptions }
> {
  readonly realm = DATA_MASH_REALM;
  readonly #templates = new Map<string, JourneyTemplate>();
  readonly #contracts: HandoffContract[];
  readonly #steps = new Map<string, AnyFlowStep>();
  readonly #orchestrators = new Map<string, JourneyOrchestrator>();

  constructor(
    deps: RealmServiceDeps & {
      metadata: MetadataStore;
      registry: Curator;
      options: DataMashJourneyOrchestratorOptions;
    },
  ) {
    super(deps);
    this.#contracts = [...DATA_MASH_CONTRACTS, ...(deps.options.contracts ?? [])];
    // A host's step may replace a shipped one, but two of its own under one id are ambiguous.
    const given = deps.options.steps ?? [];
    const twice = [...new Set(given.map((step) => step.id).filter((id, index, ids) => ids.indexOf(id) !== index))];
    if (twice.length > 0) {
      throw new PlatformError(
        'SERVICE_WIRING_INVALID',
        `flow steps given twice: ${twice.map((id) => `'${id}'`).join(', ')} (each step id once; a step replaces a shipped one of the same id)`,
        { details: { steps: twice } },
      );
    }
    this.#addSteps([...DATA_MASH_FLOW_STEPS, ...given]);
    for (const template of [dataMashFlowTemplate(), ...(deps.options.templates ?? [])]) this.registerTemplate(template);
  }

  /**
   * Adds (or replaces) a template. Its steps must be known (the flow's four, or given in the
   * options or here), with the milestones' contracts; the steps' services are checked when a
   * journey of it starts.
   * @throws {PlatformError} `SERVICE_WIRING_INVALID` naming each unknown step or contract, and each
   * milestone whose contracts are not its step's.
   */
  registerTemplate(
    template: JourneyTemplate,
    contracts: readonly HandoffContract[] = [],
    steps: readonly AnyFlowStep[] = [],
  ): void {
    for (const contract of contracts) if (!this.#contracts.includes(contract)) this.#contracts.push(contract);
    this.#addSteps(steps);
    this.#checkSteps(template);
    const orchestrator = new JourneyOrchestrator({
      template,
      contracts: this.#contracts,
      steps: Object.fromEntries(
        template.milestones.map((milestone) => [milestone.id, this.#milestoneStep(milestoneStep(milestone))]),
      ),
      metadataStore: this.deps.metadata,
      telemetry: this.deps.observability,
      onProgress: (progress) => this.#publishProgress(progress),
      ...(this.deps.options.retry ? { retry: this.deps.options.retry } : {}),
    });
    this.#templates.set(template.name, template);
    this.#orchestrators.set(template.name, orchestrator);
  }

  /** The registered templates, by name. */
  templates(): JourneyTemplate[] {
    return [...this.#templates.values()];
  }

  /** The registered flow steps, by id. */
  steps(): AnyFlowStep[] {
    return [...this.#steps.values()];
  }

  /**
   * Runs a journey of `template`, resumes it where it stopped, or returns it when it completed.
   * The user context is verified here, once: the steps get it typed.
   * @throws {PlatformError} `NOT_FOUND` for an unknown template; `SERVICE_WIRING_INVALID` when a
   * step's service is not registered; `AUTHENTICATION_FAILED` for an unverified user context.
   */
  async runJourney(template: string, request: JourneyRequest): Promise<JourneyOutcome> {
    const user = this.requireUserContext(request.userContext);
    const orchestrator = this.#orchestrators.get(template);
    if (!orchestrator) {
      throw new PlatformError('NOT_FOUND', `no journey template '${template}'`, {
        details: { template, known: [...this.#templates.keys()] },
      });
    }
    this.#assertServices(orchestrator.template);
    return orchestrator.run({
      tenantId: user.tenantId,
      idempotencyKey: request.idempotencyKey,
      input: request.input,
      userContext: user,
      ...(request.traceId ? { traceId: request.traceId } : {}),
      ...(request.about ? { about: request.about } : {}),
      ...(request.label ? { label: request.label } : {}),
      ...(request.onJourney ? { onJourney: request.onJourney } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    });
  }

  /** The caller's tenant's journeys, newest first; `label`: those whose label contains it, ignoring case. */
  async listJourneys(
    userContext: unknown,
    options: {
      status?: JourneyRecord['status'];
      template?: string;
      label?: string;
      limit?: number;
      cursor?: string;
    } = {},
  ): Promise<Page<JourneyRecord>> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'journeys:read');
    return this.deps.metadata.listJourneys(user.tenantId, options);
  }

  /** One journey of the caller's tenant. @throws `NOT_FOUND` (also for another tenant's journey). */
  async getJourney(userContext: unknown, journeyId: string): Promise<JourneyRecord> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'journeys:read');
    return this.deps.metadata.getJourney(user.tenantId, journeyId);
  }

  // Live progress for the front door's event streams, through the Post Office when the platform has
  // one. Published in the background: a watcher never slows or fails a journey.
  #publishProgress({ tenantId, journeyId, milestone, status, attempt, error }: JourneyProgressUpdate): void {
    let postOffice: PostOffice;
    try {
      postOffice = this.getSmartCityApi(PostOfficeRef);
    } catch {
      return;
    }
    const payload = {
      journeyId,
      milestone,
      status,
      at: new Date().toISOString(),
      ...(attempt === undefined ? {} : { attempt }),
      ...(error ? { error: { code: error.code.slice(0, 100), message: error.message.slice(0, 2000) } } : {}),
    };
    postOffice.publish(JourneyProgressEvent, tenantId, payload).catch((failure: unknown) => {
      this.logOperation('journey.progress_not_published', false, { journeyId, reason: String(failure) });
    });
  }

  #addSteps(steps: readonly AnyFlowStep[]): void {
    for (const step of steps) {
      this.#steps.set(step.id, step);
      for (const contract of [step.input, step.output])
        if (contract && !this.#contracts.some((known) => known.id === contract.id)) this.#contracts.push(contract);
    }
  }

  // Every milestone names a registered step whose contracts are the milestone's.
  #checkSteps(template: JourneyTemplate): void {
    const problems: string[] = [];
    for (const milestone of template.milestones) {
      const id = milestoneStep(milestone);
      const step = this.#steps.get(id);
      if (!step) {
        problems.push(`milestone '${milestone.id}' names step '${id}', which is not registered`);
        continue;
      }
      if (step.output.id !== milestone.output)
        problems.push(
          `milestone '${milestone.id}' hands on '${milestone.output}' but step '${id}' gives '${step.output.id}'`,
        );
      if (step.input && step.input.id !== milestone.input)
        problems.push(
          `milestone '${milestone.id}' takes '${milestone.input ?? 'the journey input'}' but step '${id}' takes '${step.input.id}'`,
        );
      if (milestone.service && step.service && step.service.id !== milestone.service)
        problems.push(
          `milestone '${milestone.id}' names service '${milestone.service}' but step '${id}' runs on '${step.service.id}'`,
        );
    }
    if (problems.length > 0) {
      throw new PlatformError('SERVICE_WIRING_INVALID', `journey '${template.name}': ${problems.join('; ')}`, {
        details: { template: template.name, problems },
      });
    }
  }

  // Before anything runs: every step's service is registered in Curator and has the step's method.
  #assertServices(template: JourneyTemplate): void {
    const problems: string[] = [];
    for (const milestone of template.milestones) {
      const step = this.#steps.get(milestoneStep(milestone)) as AnyFlowStep;
      if (!step.service) continue;
      const [service] = this.deps.registry.find({ name: step.service.id });
      if (!service) {
        problems.push(`milestone '${milestone.id}' needs service '${step.service.id}', which is not registered`);
        continue;
      }
      let instance: Record<string, unknown> | undefined;
      try {
        instance = this.deps.locate(step.service) as Record<string, unknown>;
      } catch (error) {
        problems.push(`milestone '${milestone.id}' needs service '${step.service.id}': ${(error as Error).message}`);
        continue;
      }
      if (typeof instance[step.method as string] !== 'function')
        problems.push(`milestone '${milestone.id}' calls '${step.service.id}.${step.method}', which is not a method`);
    }
    if (problems.length > 0) {
      throw new PlatformError('SERVICE_WIRING_INVALID', `journey '${template.name}': ${problems.join('; ')}`, {
        details: { template: template.name, problems },
      });
    }
  }

  // The step is looked up when the milestone runs: a step replaced later serves every template naming it.
  #milestoneStep(id: string): MilestoneStep {
    return (input: unknown, context: MilestoneContext) => {
      const step = this.#steps.get(id) as AnyFlowStep;
      // Verified by runJourney, which hands it to the orchestrator for every milestone of the run.
      const user = context.userContext as VerifiedUserContext;
      const stepContext: FlowStepContext = { ...context, locate: (ref) => this.deps.locate(ref) };
      return step.run(input as never, user, stepContext);
    };
  }
}

/** The journey orchestrator service. */
export const DataMashJourneyOrchestratorRef = defineServiceRef<DataMashJourneyOrchestrator>({
  id: 'data-mash.journey-orchestrator',
  tier: 'realm',
});

/** Defines the journey orchestrator service. */
export function dataMashJourneyOrchestrator(options: DataMashJourneyOrchestratorOptions = {}) {
  return defineService({
    ref: DataMashJourneyOrchestratorRef,
    deps: { metadata: MetadataStoreRef, registry: CuratorRef },
    factory: (deps, context) => new DataMashJourneyOrchestrator({ ...context, ...deps, options }),
    description: {
      description: 'Journeys from YAML templates: milestones through Curator services, persisted at every step',
      realm: DATA_MASH_REALM,
      tags: ['data-mash', 'orchestration'],
    },
  });
}
