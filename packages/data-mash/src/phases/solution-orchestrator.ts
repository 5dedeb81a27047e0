import {
  type BlobStore,
  BlobStoreRef,
  defineService,
  defineServiceRef,
  type JourneyRecord,
  type MetadataStore,
  MetadataStoreRef,
  type Page,
  PlatformError,
  type SerializedPlatformError,
  serializeError,
} from '@platform/foundations';
import { continueTrace } from '@platform/observability';
import { ContentStewardRef, checkFileName, RealmServiceBase, type RealmServiceDeps } from '@platform/smart-city';
import type { InsightsResult } from '../content/content-insights.js';
import type { JourneyProgressUpdate } from '../journeys/journey-types.js';
import type { FileParsedOutput } from './content-pillar.js';
import { isErased } from './erased.js';
import { type DigestedFile, digestFile, type FlowFile } from './file-digest.js';
import type { FileUploadedOutput } from './file-intake.js';
import type { InsightsGeneratedOutput } from './insights-pillar.js';
import { type DataMashJourneyOrchestrator, DataMashJourneyOrchestratorRef } from './journey-service.js';
import { DATA_MASH_REALM } from './phase-service.js';
import type { SemanticProcessedOutput } from './semantic-layer.js';
import { getJson } from './stored-json.js';

/** The shipped journey template the flow runs. */
export const DATA_MASH_FLOW_TEMPLATE = 'data_mash_flow';

/** The four phases' handoffs, by milestone id; a failed flow has those of the phases that completed. */
export interface DataMashPhases {
  file_uploaded?: FileUploadedOutput;
  file_parsed?: FileParsedOutput;
  semantic_processed?: SemanticProcessedOutput;
  insights_generated?: InsightsGeneratedOutput;
}

/** What {@link DataMashSolutionOrchestrator.executeDataMashFlow} takes: a new file or a stored one. */
export type DataMashFlowRequest = {
  /**
   * The caller, verified: from `SecurityGuard.authenticate` (client track), `serviceIdentity()`
   * (the platform's own processes) or `trustUserContext()`. It needs `files:write`; the flow runs
   * in its tenant, as it.
   */
  userContext: unknown;
  /**
   * Continue this trace. Default: the active one (the flow's spans are children of the caller's
   * active span), or a new one. A resumed journey keeps its own trace, linked to the caller's.
   */
  traceId?: string;
  /** Told the journey's id as soon as its record exists, before any phase runs (for `202 Accepted` answers). */
  onJourney?: (journey: { journeyId: string; traceId: string; status: JourneyRecord['status'] }) => void;
  /** Told of each milestone's start, completion, failure or retry as it is recorded. */
  onProgress?: (progress: JourneyProgressUpdate) => void;
} & ({ file: FlowFile } | { fileId: string });

/** How a flow ended. Never thrown: failures are answered, with the trace id and what completed. */
export type DataMashFlowResult =
  | {
      success: true;
      traceId: string;
      journeyId: string;
      /** `new`, `resumed` after an interruption or failure, or `reused` (the file's flow had completed). */
      run: 'new' | 'resumed' | 'reused';
      phases: Required<DataMashPhases>;
    }
  | {
      success: false;
      traceId: string;
      /** Absent when the flow failed before its journey existed (bad user context, unreadable file). */
      journeyId?: string;
      phases: DataMashPhases;
      /** The milestone that failed; absent when the flow failed before its journey started. */
      failedPhase?: keyof DataMashPhases;
      error: SerializedPlatformError;
    };

/**
 * The data mash solution orchestrator: one call takes a file through the four phases (Content
 * Steward validation and storage, parsing and semantic processing, the semantic layer, insights)
 * as a journey of the shipped `data_mash_flow` template, named by the file's sha256 in the
 * caller's tenant: the same bytes again return the completed flow; a flow that stopped resumes at
 * its next milestone.
 */
export class DataMashSolutionOrchestrator extends RealmServiceBase<
  RealmServiceDeps & { journeys: DataMashJourneyOrchestrator; metadata: MetadataStore; blobs: BlobStore }
> {
  readonly realm = DATA_MASH_REALM;

  /** Runs (or resumes, or returns) the data mash flow for one file. */
  async executeDataMashFlow(request: DataMashFlowRequest): Promise<DataMashFlowResult> {
    return continueTrace({ traceId: request.traceId }, async (traceId) => {
      let digested: DigestedFile | undefined;
      try {
        const user = this.requireUserContext(request.userContext);
        this.requirePermission(user, 'files:write');
        let idempotencyKey: string;
        let input: unknown;
        let fileName: string;
        if ('fileId' in request) {
          const stored = await this.deps.metadata.getFile(user.tenantId, request.fileId);
          idempotencyKey = stored.sha256;
          fileName = stored.name;
          input = { fileId: request.fileId };
        } else {
          // Before the bytes name a journey: a bad name is refused even for bytes ingested before.
          checkFileName(request.file.name);
          const { maxSizeBytes } = this.getSmartCityApi(ContentStewardRef);
          digested = await digestFile(request.file, { maxBytes: maxSizeBytes });
          idempotencyKey = digested.sha256;
          const { name, declaredType } = request.file;
          fileName = name;
          const body = digested;
          // Opened by the upload itself, once per attempt: a retried upload reads the whole file again.
          // The upload checks that the bytes it stores are the ones the journey is named by.
          input = {
            file: { name, ...(declaredType ? { declaredType } : {}), sha256: idempotencyKey, open: () => body.open() },
          };
        }
        const outcome = await this.deps.journeys.runJourney(DATA_MASH_FLOW_TEMPLATE, {
          userContext: user,
          idempotencyKey,
          input,
          traceId,
          about: { fileName },
          label: fileName,
          ...(request.onJourney ? { onJourney: request.onJourney } : {}),
          ...(request.onProgress ? { onProgress: request.onProgress } : {}),
        });
        if (outcome.success) {
          return {
            success: true,
            traceId: outcome.traceId,
            journeyId: outcome.journeyId,
            run: outcome.run,
            phases: outcome.outputs as Required<DataMashPhases>,
          };
        }
        return {
          success: false,
          traceId: outcome.traceId,
          journeyId: outcome.journeyId,
          phases: outcome.outputs as DataMashPhases,
          failedPhase: outcome.failedMilestone as keyof DataMashPhases,
          error: outcome.error,
        };
      } catch (error) {
        this.auditError(error, { operation: 'data_mash.execute_flow' });
        return { success: false, traceId, phases: {}, error: serializeError(error) };
      } finally {
        await digested?.release();
      }
    });
  }

  /**
   * The caller's tenant's data mash flows (journeys of `data_mash_flow`), newest first; `file`:
   * those whose file's name contains it, ignoring case (flows started before labels were
   * recorded have none, and are not found by name).
   */
  listFlows(
    userContext: unknown,
    options: { status?: JourneyRecord['status']; file?: string; limit?: number; cursor?: string } = {},
  ): Promise<Page<JourneyRecord>> {
    const { file, ...rest } = options;
    return this.deps.journeys.listJourneys(userContext, {
      ...rest,
      // Labels are stored in NFC (labelOf): so is what they are searched by.
      ...(file === undefined ? {} : { label: file.normalize('NFC') }),
      template: DATA_MASH_FLOW_TEMPLATE,
    });
  }

  /** One flow: its journey record and the handoffs of the phases that completed. @throws `NOT_FOUND` */
  async getFlow(userContext: unknown, journeyId: string): Promise<{ journey: JourneyRecord; phases: DataMashPhases }> {
    const journey = await this.deps.journeys.getJourney(userContext, journeyId);
    const outputs = (journey.context as { outputs?: DataMashPhases }).outputs ?? {};
    return { journey, phases: outputs };
  }

  /**
   * What a report of a flow shows: its journey, its phases' handoffs and, once completed, its
   * insights. Needs `insights:read` (a report is a view of the insights, journey included).
   * @throws {PlatformError} `NOT_FOUND` when the journey does not exist.
   */
  async readReport(
    userContext: unknown,
    journeyId: string,
  ): Promise<{ journey: JourneyRecord; phases: DataMashPhases; insights?: InsightsResult }> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'insights:read');
    const { journey, phases } = await this.#flowOf(user.tenantId, journeyId);
    const key = phases.insights_generated?.insightsResult.resultKey;
    const insights = key ? await getJson<InsightsResult>(this.deps.blobs, user.tenantId, key) : undefined;
    return { journey, phases, ...(insights ? { insights } : {}) };
  }

  async #flowOf(tenantId: string, journeyId: string): Promise<{ journey: JourneyRecord; phases: DataMashPhases }> {
    const journey = await this.deps.metadata.getJourney(tenantId, journeyId);
    if (journey.template !== DATA_MASH_FLOW_TEMPLATE) {
      throw new PlatformError('NOT_FOUND', `no flow '${journeyId}'`, { details: { journeyId } });
    }
    return { journey, phases: (journey.context as { outputs?: DataMashPhases }).outputs ?? {} };
  }

  /**
   * The full insights of a completed flow (profiles, correlations, outliers, keywords, summary).
   * @throws {PlatformError} `NOT_FOUND` when the journey does not exist or has no insights yet.
   */
  async readInsights(userContext: unknown, journeyId: string): Promise<InsightsResult> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, 'insights:read');
    const { journey, phases } = await this.#flowOf(user.tenantId, journeyId);
    const key = phases.insights_generated?.insightsResult.resultKey;
    if (!key) {
      const why = isErased(journey) ? 'was erased, with its file and its insights' : 'has no insights yet';
      throw new PlatformError('NOT_FOUND', `flow '${journeyId}' ${why}`, {
        details: { journeyId, erased: isErased(journey) },
      });
    }
    return getJson<InsightsResult>(this.deps.blobs, user.tenantId, key);
  }
}

/** The data mash solution orchestrator service. */
export const DataMashSolutionOrchestratorRef = defineServiceRef<DataMashSolutionOrchestrator>({
  id: 'data-mash.solution-orchestrator',
  tier: 'realm',
});

/** Defines the solution orchestrator service. */
export function dataMashSolutionOrchestrator() {
  return defineService({
    ref: DataMashSolutionOrchestratorRef,
    deps: { journeys: DataMashJourneyOrchestratorRef, metadata: MetadataStoreRef, blobs: BlobStoreRef },
    factory: (deps, context) => new DataMashSolutionOrchestrator({ ...context, ...deps }),
    description: {
      description: 'The data mash flow: a file to stored semantics and insights, resumable, in one trace',
      realm: DATA_MASH_REALM,
      tags: ['data-mash', 'orchestration'],
    },
  });
}
