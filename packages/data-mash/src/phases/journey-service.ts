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
  type ServiceRef,
  type ServiceRegistration,
} from '@platform/foundations';
import {
  JourneyProgressEvent,
  type PostOffice,
  PostOfficeRef,
  RealmServiceBase,
  type RealmServiceDeps,
} from '@platform/smart-city';
import { DATA_MASH_CONTRACTS } from '../flow/contracts.js';
import type { HandoffContract } from '../flow/handoff-contract.js';
import {
  JourneyOrchestrator,
  type JourneyOutcome,
  type JourneyProgressUpdate,
  type MilestoneContext,
  type MilestoneRetryOptions,
  type MilestoneStep,
} from '../journeys/journey-orchestrator.js';
import { dataMashFlowTemplate, type JourneyTemplate } from '../journeys/template.js';
import { DATA_MASH_REALM } from './phase-service.js';

/** Options of the journey orchestrator service. */
export interface DataMashJourneyOrchestratorOptions {
  /** Templates besides the shipped `data_mash_flow` (same name: replaces it). */
  templates?: readonly JourneyTemplate[];
  /** Contracts the extra templates name, besides the four of the data mash flow. */
  contracts?: readonly HandoffContract[];
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
  /** Told the journey's id and trace as soon as its record exists, before any milestone runs. */
  onJourney?: (journey: { journeyId: string; traceId: string; status: JourneyRecord['status'] }) => void;
  /** Told of this journey's milestone transitions as they are recorded. */
  onProgress?: (progress: JourneyProgressUpdate) => void;
}

// The method a milestone calls on its service: the SOA API's handler when one is declared for the
// capability, else the capability name's last segment in camelCase (the API Gateway's rule).
function handlerName(service: ServiceRegistration, capability: string): string {
  const api = service.apis?.find((entry) => entry.capability === capability);
  if (api?.handler) return api.handler;
  const last = capability.split('.').at(-1) ?? capability;
  return last.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());
}

/**
 * The data mash journey orchestrator: journeys from templates, each milestone performed by the
 * Curator service and API the template names (called as `method(input, userContext, context)`),
 * checked to exist when a journey starts; journeys persisted in the MetadataStore on every
 * transition, listed and read by tenant.
 */
export class DataMashJourneyOrchestrator extends RealmServiceBase<
  RealmServiceDeps & { metadata: MetadataStore; registry: Curator; options: DataMashJourneyOrchestratorOptions }
> {
  readonly realm = DATA_MASH_REALM;
  readonly #templates = new Map<string, JourneyTemplate>();
  readonly #contracts: HandoffContract[];
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
    for (const template of [dataMashFlowTemplate(), ...(deps.options.templates ?? [])]) this.registerTemplate(template);
  }

  /**
   * Adds (or replaces) a template. Its contracts must be known (the flow's four, or given in the
   * options or here); its services are checked when a journey of it starts.
   * @throws {PlatformError} `SERVICE_WIRING_INVALID` naming each unknown contract.
   */
  registerTemplate(template: JourneyTemplate, contracts: readonly HandoffContract[] = []): void {
    for (const contract of contracts) if (!this.#contracts.includes(contract)) this.#contracts.push(contract);
    const orchestrator = new JourneyOrchestrator({
      template,
      contracts: this.#contracts,
      steps: Object.fromEntries(template.milestones.map((milestone) => [milestone.id, this.#step(milestone)])),
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

  /**
   * Runs a journey of `template`, resumes it where it stopped, or returns it when it completed.
   * @throws {PlatformError} `NOT_FOUND` for an unknown template; `SERVICE_WIRING_INVALID` when a
   * milestone's service or API is not registered; `VALIDATION_FAILED` for a bad user context.
   */
  async runJourney(template: string, request: JourneyRequest): Promise<JourneyOutcome> {
    const user = this.requireUserContext(request.userContext);
    const orchestrator = this.#orchestrators.get(template);
    if (!orchestrator) {
      throw new PlatformError('NOT_FOUND', `no journey template '${template}'`, {
        details: { template, known: [...this.#templates.keys()] },
      });
    }
    orchestrator.assertServices(this.deps.registry);
    return orchestrator.run({
      tenantId: user.tenantId,
      idempotencyKey: request.idempotencyKey,
      input: request.input,
      userContext: user,
      ...(request.traceId ? { traceId: request.traceId } : {}),
      ...(request.about ? { about: request.about } : {}),
      ...(request.onJourney ? { onJourney: request.onJourney } : {}),
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    });
  }

  /** The caller's tenant's journeys, newest first. */
  async listJourneys(
    userContext: unknown,
    options: { status?: JourneyRecord['status']; template?: string; limit?: number; cursor?: string } = {},
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

  #step(milestone: JourneyTemplate['milestones'][number]): MilestoneStep {
    return (input: unknown, context: MilestoneContext) => {
      const [service] = this.deps.registry.find({ name: milestone.service });
      if (!service) throw new PlatformError('SERVICE_UNAVAILABLE', `service '${milestone.service}' is not registered`);
      const instance = this.deps.locate({ id: service.id, tier: service.tier } as ServiceRef<Record<string, unknown>>);
      const method = handlerName(service, milestone.api);
      const handler = instance[method];
      if (typeof handler !== 'function') {
        throw new PlatformError(
          'SERVICE_WIRING_INVALID',
          `service '${service.id}' offers '${milestone.api}' but has no method '${method}'`,
          { details: { service: service.id, capability: milestone.api, method } },
        );
      }
      return (handler as (input: unknown, user: unknown, context: MilestoneContext) => Promise<unknown>).call(
        instance,
        input,
        context.userContext,
        context,
      );
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
