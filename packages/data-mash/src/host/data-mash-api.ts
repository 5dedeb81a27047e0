import {
  BlobStoreRef,
  defineService,
  defineServiceRef,
  type FileDownload,
  type JourneyRecord,
  MetadataStoreRef,
  type Page,
  PlatformError,
  SemanticStoreRef,
} from '@platform/foundations';
import type { TraceSpanSource } from '@platform/observability';
import { DataStewardRef, LibrarianRef, RealmServiceBase, type RealmServiceDeps } from '@platform/smart-city';
import type { z } from 'zod';
import type { InsightsResult } from '../content/content-insights.js';
import { eraseFile } from '../erasure/erase-file.js';
import {
  downloadExport,
  EXPORT_PERMISSION,
  type ExportableJourney,
  type ExportedJourney,
  exportJourney,
  recordExportLineage,
} from '../export/index.js';
import { enforceFlowPolicies, governs, piiOfFile } from '../phases/governance.js';
import { DATA_MASH_REALM, type PhaseServiceOptions } from '../phases/phase-service.js';
import {
  DATA_MASH_FLOW_TEMPLATE,
  type DataMashFlowRequest,
  type DataMashFlowResult,
  type DataMashSolutionOrchestrator,
  DataMashSolutionOrchestratorRef,
} from '../phases/solution-orchestrator.js';
import { renderReport } from '../report/index.js';
import {
  type Announced,
  DATA_MASH_API,
  DATA_MASH_PERMISSIONS,
  FIRST_MILESTONE,
  type StartedSchema,
} from './data-mash-api-capabilities.js';
import type { JourneyGovernance, JourneyLineage, JourneyTrace } from './journey-view-schemas.js';
import { journeyGovernance, journeyLineage, journeyTrace } from './journey-views.js';
import { filesOfContents } from './search-files.js';

export { DATA_MASH_API, DATA_MASH_PERMISSIONS } from './data-mash-api-capabilities.js';

/** Options of {@link dataMashApi}: the phases' (governance, realm checks), and where spans are read. */
export interface DataMashApiOptions extends PhaseServiceOptions {
  /**
   * Where `GET /journeys/{journeyId}/trace` reads a flow's spans: the `TraceBuffer` of
   * `@platform/observability/trace-buffer` (`installTraceBuffer().buffer`), or a host's own.
   * Without one, every flow's trace answers `recorded: false`.
   */
  traces?: TraceSpanSource;
}

/**
 * The data mash's front-door API: each capability of {@link DATA_MASH_API} as a method the API
 * Gateway calls with the verified caller. Flows started here run in the background of this
 * process, each in its journey (so a process that stops leaves them to resume); `drain()` waits
 * for them when the platform stops.
 */
export class DataMashApi extends RealmServiceBase<
  RealmServiceDeps & { flow: DataMashSolutionOrchestrator; options?: DataMashApiOptions }
> {
  readonly realm = DATA_MASH_REALM;
  readonly #running = new Set<Promise<DataMashFlowResult>>();

  // Governance: the policies are asked before a report or an export is produced, with what the
  // journey's file holds; a denial is POLICY_DENIED and nothing is produced.
  async #govern(user: { tenantId: string; roles: readonly string[] }, journeyId: string, action: 'report' | 'export') {
    const governance = this.deps.options?.governance;
    if (!governs(governance, user.tenantId)) return;
    const metadata = this.deps.locate(MetadataStoreRef);
    const journey = await metadata.getJourney(user.tenantId, journeyId);
    const outputs = (journey.context as { outputs?: { file_uploaded?: { fileId?: string } } }).outputs;
    const fileId = outputs?.file_uploaded?.fileId;
    await enforceFlowPolicies(this.getSmartCityApi(DataStewardRef), governance, {
      tenantId: user.tenantId,
      action,
      subject: { kind: 'journey', id: journeyId },
      roles: user.roles,
      pii: fileId ? await piiOfFile(metadata, user.tenantId, fileId) : [],
    });
  }

  /** `POST /files`: stores the uploaded file and starts its flow. */
  async ingestFile(
    input: {
      file: { name: string; declaredType?: string; data: AsyncIterable<Uint8Array> };
      name: string;
      type?: string;
    },
    userContext: unknown,
  ) {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, DATA_MASH_PERMISSIONS.ingest);
    const declaredType = input.type ?? input.file.declaredType;
    const file = { name: input.name, ...(declaredType ? { declaredType } : {}), data: input.file.data };
    return this.#start(user, (hooks) => this.deps.flow.executeDataMashFlow({ userContext: user, file, ...hooks }));
  }

  /** `POST /journeys`: starts (or resumes) the flow of a stored file. */
  async startFlow(input: { fileId: string }, userContext: unknown) {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, DATA_MASH_PERMISSIONS.ingest);
    return this.#start(user, (hooks) =>
      this.deps.flow.executeDataMashFlow({ userContext: user, fileId: input.fileId, ...hooks }),
    );
  }

  /** `GET /journeys`. */
  listJourneys(
    input: { status?: JourneyRecord['status']; file?: string; limit?: number; cursor?: string },
    userContext: unknown,
  ): Promise<Page<JourneyRecord>> {
    return this.deps.flow.listFlows(userContext, input);
  }

  /** `GET /journeys/{journeyId}`. */
  getJourney(input: { journeyId: string }, userContext: unknown) {
    return this.deps.flow.getFlow(userContext, input.journeyId);
  }

  /** `GET /journeys/{journeyId}/insights`. */
  async readInsights(input: { journeyId: string }, userContext: unknown): Promise<InsightsResult> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, DATA_MASH_PERMISSIONS.readInsights);
    return this.deps.flow.readInsights(user, input.journeyId);
  }

  /** `GET /journeys/{journeyId}/report`: the HTML report. */
  async report(input: { journeyId: string }, userContext: unknown): Promise<string> {
    const user = this.requireUserContext(userContext);
    const report = await this.deps.flow.readReport(user, input.journeyId);
    await this.#govern(user, input.journeyId, 'report');
    return renderReport(report);
  }

  /** `GET /search?q=`. */
  async search(
    input: { q: string; mode?: 'text' | 'vector' | 'hybrid'; limit?: number; kind?: string },
    userContext: unknown,
  ) {
    const hits = await this.getSmartCityApi(LibrarianRef).search(userContext, input.q, {
      mode: input.mode ?? 'hybrid',
      limit: input.limit ?? 10,
      kind: input.kind ?? '*',
    });
    const user = this.requireUserContext(userContext);
    const files = await filesOfContents(
      this.deps.locate(MetadataStoreRef),
      user.tenantId,
      hits.map((hit) => hit.contentId),
    );
    return {
      hits: hits.map(({ contentId, kind, ref, text, score, foundBy, metadata }) => {
        const file = files.get(contentId);
        return {
          contentId,
          kind,
          ref,
          ...(text === undefined ? {} : { text }),
          score,
          foundBy,
          metadata,
          ...(file ? { file } : {}),
        };
      }),
    };
  }

  /**
   * `DELETE /files/{fileId}`: erases the file and everything derived from it ({@link eraseFile}),
   * needing `files:delete`; answers what was removed, in counts.
   */
  async deleteFile(input: { fileId: string }, userContext: unknown) {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, DATA_MASH_PERMISSIONS.deleteFile);
    const erased = await eraseFile({
      blobs: this.deps.locate(BlobStoreRef),
      metadata: this.deps.locate(MetadataStoreRef),
      semantic: this.deps.locate(SemanticStoreRef),
      tenantId: user.tenantId,
      fileId: input.fileId,
      by: user.userId,
      reason: 'DELETE /files/{fileId}',
    });
    return {
      fileId: erased.fileId,
      status: 'deleted',
      removed: {
        blobs: erased.blobs.length,
        contents: erased.contents.length,
        embeddings: erased.contents.reduce((sum, content) => sum + content.embeddings, 0),
        parsedFiles: erased.parsedFiles.length,
        journeys: erased.journeys.length,
        derivedFiles: erased.derivedFiles.length,
      },
    };
  }

  // ---- Journey views (issue 20): the logic is in journey-views.ts ----------------------------

  /** `GET /journeys/{journeyId}/lineage`: needs `journeys:read` (names and runs, no value of the data). */
  async journeyLineage(input: { journeyId: string }, userContext: unknown): Promise<JourneyLineage> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, DATA_MASH_PERMISSIONS.readJourneys);
    return journeyLineage(this.deps.locate(MetadataStoreRef), user.tenantId, input.journeyId);
  }

  /** `GET /journeys/{journeyId}/governance`: needs `audit:read`, the Data Steward's permission for its trail. */
  async journeyGovernance(
    input: { journeyId: string; limit?: number },
    userContext: unknown,
  ): Promise<JourneyGovernance> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, DATA_MASH_PERMISSIONS.readAudit);
    return journeyGovernance(this.deps.locate(MetadataStoreRef), user.tenantId, input.journeyId, input.limit);
  }

  /** `GET /journeys/{journeyId}/trace`: needs `journeys:read`; spans from the `traces` option. */
  async journeyTrace(input: { journeyId: string }, userContext: unknown): Promise<JourneyTrace> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, DATA_MASH_PERMISSIONS.readJourneys);
    return journeyTrace(this.deps.locate(MetadataStoreRef), this.deps.options?.traces, user.tenantId, input.journeyId);
  }

  // ---- Export (issue 16) --------------------------------------------------------------------

  /**
   * `POST /journeys/{journeyId}/exports`: writes the flow's tables as Parquet or CSV into the
   * caller's tenant's BlobStore (`parsed/<fileId>/exports/table-N.<ext>`, beside the rows they
   * come from) and answers where. Needs `files:read` ({@link EXPORT_PERMISSION}): an export is the
   * file's full rows, what reading the file gives.
   */
  async exportTables(
    input: { journeyId: string; format?: 'parquet' | 'csv'; table?: string },
    userContext: unknown,
  ): Promise<ExportedJourney> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, EXPORT_PERMISSION);
    await this.#govern(user, input.journeyId, 'export');
    // Looked up when called: the stores the solution orchestrator already depends on.
    return exportJourney({
      metadata: this.deps.locate(MetadataStoreRef),
      blobStore: this.deps.locate(BlobStoreRef),
      tenantId: user.tenantId,
      journeyId: input.journeyId,
      format: input.format ?? 'parquet',
      ...(input.table === undefined ? {} : { tables: [input.table] }),
      onExported: (journey, exported) => this.#recordExports(user.tenantId, journey, exported),
    });
  }

  /**
   * `GET /journeys/{journeyId}/exports/{format}`: one table of the flow as a file to download
   * ({@link downloadExport}), with the same permission and policies as {@link exportTables}.
   */
  async downloadExport(
    input: { journeyId: string; format: 'parquet' | 'csv'; table?: string },
    userContext: unknown,
  ): Promise<FileDownload> {
    const user = this.requireUserContext(userContext);
    this.requirePermission(user, EXPORT_PERMISSION);
    await this.#govern(user, input.journeyId, 'export');
    return downloadExport({
      metadata: this.deps.locate(MetadataStoreRef),
      blobStore: this.deps.locate(BlobStoreRef),
      tenantId: user.tenantId,
      journeyId: input.journeyId,
      format: input.format,
      ...(input.table === undefined ? {} : { table: input.table }),
      onExported: (journey, exported) => this.#recordExports(user.tenantId, journey, exported),
    });
  }

  // The exports kept in the BlobStore join the file's lineage (graph, OpenLineage).
  #recordExports(tenantId: string, journey: ExportableJourney, exported: ExportedJourney): Promise<void> {
    return recordExportLineage(
      this.getSmartCityApi(DataStewardRef),
      this.deps.locate(MetadataStoreRef),
      tenantId,
      journey,
      exported,
    );
  }

  // ---- End of the export block ----------------------------------------------------------------

  /** Waits for the flows this process started (the platform's stop calls it). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }

  // Answers once the file is stored and validated (the first milestone completed: the journey id
  // is then what the client polls or streams), or with the completed journey when the same bytes
  // had been ingested. A file refused by the Content Steward (quarantined, a bad name, too large)
  // is answered with that error, the journey id in its details; nothing of it goes further.
  async #start(
    user: { tenantId: string },
    run: (hooks: Pick<DataMashFlowRequest, 'onJourney' | 'onProgress'>) => Promise<DataMashFlowResult>,
  ): Promise<z.output<typeof StartedSchema>> {
    let journey: Announced | undefined;
    let accept: () => void = () => undefined;
    const accepted = new Promise<void>((resolve) => {
      accept = resolve;
    });
    const flow = run({
      onJourney: (announced) => {
        journey = announced;
        if (announced.status === 'completed') accept();
      },
      onProgress: (progress) => {
        if (progress.milestone === FIRST_MILESTONE && progress.status === 'completed') accept();
      },
    });
    this.#running.add(flow);
    void flow.finally(() => this.#running.delete(flow)).catch(() => undefined);
    const first = await Promise.race([accepted.then(() => undefined), flow.then((result) => ({ result }))]);
    if (first !== undefined) {
      const { result } = first;
      if (!result.success && (result.journeyId === undefined || result.failedPhase === FIRST_MILESTONE)) {
        const { code, message, details, traceId } = result.error;
        throw new PlatformError(code, message, {
          details: { ...details, ...(result.journeyId ? { journeyId: result.journeyId } : {}) },
          ...(traceId ? { traceId } : {}),
        });
      }
      return {
        journeyId: result.journeyId as string,
        traceId: result.traceId,
        status: result.success ? 'completed' : 'failed',
        ...(result.success ? { run: result.run } : {}),
      };
    }
    const { journeyId, traceId, status } = journey as Announced;
    this.logOperation('data_mash.flow_started', true, { journeyId, tenantId: user.tenantId });
    return status === 'completed'
      ? { journeyId, traceId, status, run: 'reused' }
      : { journeyId, traceId, status: 'running' };
  }
}

/** The data mash's front-door API service. */
export const DataMashApiRef = defineServiceRef<DataMashApi>({ id: 'data-mash.api', tier: 'realm' });

/** Defines the data mash's front-door API: its capabilities and SOA APIs, registered in Curator. */
export function dataMashApi(options: DataMashApiOptions = {}) {
  return defineService({
    ref: DataMashApiRef,
    deps: { flow: DataMashSolutionOrchestratorRef },
    factory: (deps, context) => new DataMashApi({ ...context, ...deps, options }),
    description: {
      description: `The data mash's API: upload files, follow their ${DATA_MASH_FLOW_TEMPLATE} journeys, read insights and reports, search`,
      realm: DATA_MASH_REALM,
      tags: ['data-mash', 'api'],
      capabilities: DATA_MASH_API.map(({ api: _api, ...capability }) => capability),
      agents: [
        {
          name: 'data_mash_analyst',
          description:
            "Ingests a client's files, follows each flow to its insights, reads and explains them, and searches the tenant's content",
          capabilities: [
            'data_mash.ingest_file',
            'data_mash.get_journey',
            'data_mash.read_insights',
            'data_mash.report',
            'data_mash.search',
          ],
        },
      ],
      apis: DATA_MASH_API.map(({ api, name }) => ({ ...api, capability: name })),
    },
  });
}
