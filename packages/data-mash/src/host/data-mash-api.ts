import {
  BlobStoreRef,
  type CapabilityDefinition,
  defineService,
  defineServiceRef,
  type JourneyRecord,
  JourneyRecordSchema,
  MetadataStoreRef,
  type Page,
  PlatformError,
  SemanticStoreRef,
  type SoaApiDefinition,
} from '@platform/foundations';
import { DataStewardRef, LibrarianRef, RealmServiceBase, type RealmServiceDeps } from '@platform/smart-city';
import { z } from 'zod';
import type { InsightsResult } from '../content/content-insights.js';
import { eraseFile } from '../erasure/erase-file.js';
import { EXPORT_FORMATS, EXPORT_PERMISSION, type ExportedJourney, exportJourney } from '../export/index.js';
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

/**
 * The permissions of the data mash's API, by what they allow. A client holds them directly or
 * through its roles (the Security Guard's `rolePermissions`), or `data-mash:*`-style wildcards.
 */
export const DATA_MASH_PERMISSIONS = {
  /** Upload a file and run its flow, or run the flow of a stored file. */
  ingest: 'files:write',
  /** List and read journeys (flows), their milestones and errors. */
  readJourneys: 'journeys:read',
  /** Read insights and reports. */
  readInsights: 'insights:read',
  /** Search the tenant's content. */
  search: 'content:read',
  /** Delete a stored file's bytes. */
  deleteFile: 'files:delete',
} as const;

const JourneyIdSchema = z.string().min(1).max(200).describe('The journey (flow) id');
const StartedSchema = z.object({
  journeyId: z.string(),
  traceId: z.string(),
  status: z.enum(['running', 'completed', 'failed']).describe('Where the flow was when the answer was sent'),
  run: z.enum(['new', 'resumed', 'reused']).optional(),
});
const IncomingBodySchema = z.custom<{ name: string; declaredType?: string; data: AsyncIterable<Uint8Array> }>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { data?: unknown }).data === 'object',
  'the request body (a file)',
);
const JourneySchema = JourneyRecordSchema;

// The flow's first milestone: the Content Steward's validation and storage of the file.
const FIRST_MILESTONE = 'file_uploaded';

type Announced = { journeyId: string; traceId: string; status: JourneyRecord['status'] };
type Capability = CapabilityDefinition & { api: Omit<SoaApiDefinition, 'capability'> };

/** The data mash's capabilities with their front-door APIs, as Curator records them. */
export const DATA_MASH_API: readonly Capability[] = [
  {
    name: 'data_mash.ingest_file',
    description:
      'Upload one file (the request body) and start its flow: answers 202 with the journey id once the file is validated and stored (a refused file: its error)',
    permission: DATA_MASH_PERMISSIONS.ingest,
    input: z.object({
      file: IncomingBodySchema,
      name: z.string().min(1).max(255).describe("The file's name, with its extension (e.g. sales.csv)"),
      type: z.string().max(255).optional().describe('The declared MIME type (Content-Type), checked against the bytes'),
    }),
    output: StartedSchema,
    api: { method: 'POST', path: '/files', body: 'file', response: { status: 202 }, handler: 'ingestFile' },
  },
  {
    name: 'data_mash.start_flow',
    description: 'Start (or resume) the flow of a stored file; answers 202 with the journey id',
    permission: DATA_MASH_PERMISSIONS.ingest,
    input: z.object({ fileId: z.string().min(1).max(200) }),
    output: StartedSchema,
    api: { method: 'POST', path: '/journeys', response: { status: 202 }, handler: 'startFlow' },
  },
  {
    name: 'data_mash.list_journeys',
    description: "The tenant's flows, newest first",
    permission: DATA_MASH_PERMISSIONS.readJourneys,
    input: z.object({
      status: z.enum(['pending', 'running', 'completed', 'failed']).optional(),
      limit: z.coerce.number().int().min(1).max(1000).optional().describe('At most this many (default 100)'),
      cursor: z.string().max(500).optional().describe('The nextCursor of the previous page'),
    }),
    output: z.object({ items: z.array(JourneySchema), nextCursor: z.string().optional() }),
    api: { method: 'GET', path: '/journeys', handler: 'listJourneys' },
  },
  {
    name: 'data_mash.get_journey',
    description: 'One flow: its milestones, error and the handoffs of the phases that completed',
    permission: DATA_MASH_PERMISSIONS.readJourneys,
    input: z.object({ journeyId: JourneyIdSchema }),
    output: z.object({ journey: JourneySchema, phases: z.record(z.string(), z.unknown()) }),
    api: { method: 'GET', path: '/journeys/{journeyId}', handler: 'getJourney' },
  },
  {
    name: 'data_mash.read_insights',
    description: 'The insights of a completed flow: profiles, correlations, outliers, keywords, summary',
    permission: DATA_MASH_PERMISSIONS.readInsights,
    input: z.object({ journeyId: JourneyIdSchema }),
    output: z.record(z.string(), z.unknown()),
    api: { method: 'GET', path: '/journeys/{journeyId}/insights', handler: 'readInsights' },
  },
  {
    name: 'data_mash.report',
    description: 'A self-contained HTML report of a flow and its insights',
    permission: DATA_MASH_PERMISSIONS.readInsights,
    input: z.object({ journeyId: JourneyIdSchema }),
    output: z.string(),
    api: {
      method: 'GET',
      path: '/journeys/{journeyId}/report',
      response: { mediaType: 'text/html; charset=utf-8' },
      handler: 'report',
    },
  },
  {
    name: 'data_mash.search',
    description: "Search the tenant's content by keywords, by meaning, or both (hybrid)",
    permission: DATA_MASH_PERMISSIONS.search,
    input: z.object({
      q: z.string().min(1).max(1000).describe('What to look for'),
      mode: z.enum(['text', 'vector', 'hybrid']).optional().describe('Default hybrid'),
      limit: z.coerce.number().int().min(1).max(100).optional().describe('Default 10'),
      kind: z
        .string()
        .max(100)
        .optional()
        .describe(
          'Which embeddings: "chunk" (text), "column_name", "column_meaning" or "column_samples" (table columns), or "*" for all (default)',
        ),
    }),
    output: z.object({
      hits: z.array(
        z.object({
          contentId: z.string(),
          kind: z.string(),
          ref: z.string(),
          text: z.string().optional(),
          score: z.number(),
          foundBy: z.array(z.enum(['text', 'vector'])),
          metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
        }),
      ),
    }),
    api: { method: 'GET', path: '/search', handler: 'search' },
  },
  {
    name: 'data_mash.delete_file',
    description:
      "Erase a file and everything derived from it in every store (parsed data, content, embeddings, graph, insights, its flows' stored results), audited; refused (CONFLICT) under legal hold. Its record stays, marked deleted, and its flow as an ERASED tombstone",
    permission: DATA_MASH_PERMISSIONS.deleteFile,
    input: z.object({ fileId: z.string().min(1).max(200) }),
    output: z.object({
      fileId: z.string(),
      status: z.string(),
      removed: z.object({
        blobs: z.number(),
        contents: z.number(),
        embeddings: z.number(),
        parsedFiles: z.number(),
        journeys: z.number(),
        derivedFiles: z.number(),
      }),
    }),
    api: { method: 'DELETE', path: '/files/{fileId}', handler: 'deleteFile' },
  },
  // ---- Export (issue 16): its handler is `exportTables`, in the export block of DataMashApi. ----
  {
    name: 'data_mash.export_tables',
    description:
      "Export a completed flow's tables as Parquet (typed columns) or CSV (formula-safe) into the tenant's BlobStore, beside the parsed rows; answers each file's key, rows, bytes and column types",
    permission: EXPORT_PERMISSION,
    input: z.object({
      journeyId: JourneyIdSchema,
      format: z.enum(EXPORT_FORMATS).optional().describe('parquet (default) or csv'),
      table: z
        .string()
        .min(1)
        .max(1000)
        .optional()
        .describe("Only this table (default: every table of the flow's file)"),
    }),
    output: z.object({
      journeyId: z.string(),
      fileId: z.string().optional(),
      format: z.enum(EXPORT_FORMATS),
      tables: z.array(
        z.object({
          table: z.string(),
          format: z.enum(EXPORT_FORMATS),
          key: z.string().optional().describe('The BlobStore key of the file'),
          sha256: z.string().optional(),
          rows: z.number().int(),
          bytes: z.number().int(),
          columns: z.array(z.record(z.string(), z.unknown())),
        }),
      ),
    }),
    api: { method: 'POST', path: '/journeys/{journeyId}/exports', handler: 'exportTables' },
  },
];

/**
 * The data mash's front-door API: each capability of {@link DATA_MASH_API} as a method the API
 * Gateway calls with the verified caller. Flows started here run in the background of this
 * process, each in its journey (so a process that stops leaves them to resume); `drain()` waits
 * for them when the platform stops.
 */
export class DataMashApi extends RealmServiceBase<
  RealmServiceDeps & { flow: DataMashSolutionOrchestrator; options?: PhaseServiceOptions }
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
    input: { status?: JourneyRecord['status']; limit?: number; cursor?: string },
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
    return {
      hits: hits.map(({ contentId, kind, ref, text, score, foundBy, metadata }) => ({
        contentId,
        kind,
        ref,
        ...(text === undefined ? {} : { text }),
        score,
        foundBy,
        metadata,
      })),
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
    });
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
export function dataMashApi(options: PhaseServiceOptions = {}) {
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
