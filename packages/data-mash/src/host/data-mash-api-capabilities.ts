import {
  type CapabilityDefinition,
  FileDownloadSchema,
  type JourneyRecord,
  JourneyRecordSchema,
  type SoaApiDefinition,
} from '@platform/foundations';
import { z } from 'zod';
import { EXPORT_FORMATS, EXPORT_PERMISSION } from '../export/index.js';
import {
  JOURNEY_GOVERNANCE_LIMIT,
  JourneyGovernanceSchema,
  JourneyLineageSchema,
  JourneyTraceSchema,
} from './journey-view-schemas.js';

// The data mash API as data: its permissions and capabilities (what each takes and answers, its
// route), read by Curator, the API Gateway, the HTTP front door and MCP.
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
  /**
   * Read the governance and audit records (policy decisions, classifications, lineage events,
   * erasures): the Data Steward's own permission for its trail (`verifyAudit`).
   */
  readAudit: 'audit:read',
} as const;

export const JourneyIdSchema = z.string().min(1).max(200).describe('The journey (flow) id');
export const StartedSchema = z.object({
  journeyId: z.string(),
  traceId: z.string(),
  status: z.enum(['running', 'completed', 'failed']).describe('Where the flow was when the answer was sent'),
  run: z.enum(['new', 'resumed', 'reused']).optional(),
});
export const IncomingBodySchema = z.custom<{ name: string; declaredType?: string; data: AsyncIterable<Uint8Array> }>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { data?: unknown }).data === 'object',
  'the request body (a file)',
);
export const JourneySchema = JourneyRecordSchema;

// The flow's first milestone: the Content Steward's validation and storage of the file.
export const FIRST_MILESTONE = 'file_uploaded';

export type Announced = { journeyId: string; traceId: string; status: JourneyRecord['status'] };
export type Capability = CapabilityDefinition & { api: Omit<SoaApiDefinition, 'capability'> };

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
    description: "The tenant's flows, newest first; by status, and by any part of their file's name",
    permission: DATA_MASH_PERMISSIONS.readJourneys,
    input: z.object({
      status: z.enum(['pending', 'running', 'completed', 'failed']).optional(),
      file: z
        .string()
        .min(1)
        .max(500)
        .optional()
        .describe(
          "Only flows whose file's name contains this text, ignoring the case of A-Z (on Postgres, of every letter)",
        ),
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
          file: z
            .object({ id: z.string(), name: z.string(), journeyId: z.string().optional() })
            .optional()
            .describe('The file the content comes from, and the flow that made it (absent once it is erased)'),
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
  // ---- Journey views (issue 20): handlers in host/journey-views.ts, through DataMashApi. ----
  {
    name: 'data_mash.journey_lineage',
    description:
      "The lineage graph of a flow's file, for drawing: its records (file, parsed file, content, insights) as nodes and, as edges, the OpenLineage runs (job, state) and MetadataStore links (relation) that made one from another",
    permission: DATA_MASH_PERMISSIONS.readJourneys,
    input: z.object({ journeyId: JourneyIdSchema }),
    output: JourneyLineageSchema,
    api: { method: 'GET', path: '/journeys/{journeyId}/lineage', handler: 'journeyLineage' },
  },
  {
    name: 'data_mash.journey_governance',
    description:
      'The governance records about a flow, its file and its lineage runs (policy decisions, classifications, lineage events, legal holds, erasures), oldest first, at most `limit` (default and maximum 500) with `truncated` when there are more',
    permission: DATA_MASH_PERMISSIONS.readAudit,
    input: z.object({
      journeyId: JourneyIdSchema,
      limit: z.coerce
        .number()
        .int()
        .min(1)
        .max(JOURNEY_GOVERNANCE_LIMIT)
        .optional()
        .describe(`At most this many, the oldest (default ${JOURNEY_GOVERNANCE_LIMIT})`),
    }),
    output: JourneyGovernanceSchema,
    api: { method: 'GET', path: '/journeys/{journeyId}/governance', handler: 'journeyGovernance' },
  },
  {
    name: 'data_mash.journey_trace',
    description:
      "The spans of a flow's trace, for a waterfall, as this process recorded them (a trace buffer installed, the flow run here and recently); otherwise `recorded: false` and no spans",
    permission: DATA_MASH_PERMISSIONS.readJourneys,
    input: z.object({ journeyId: JourneyIdSchema }),
    output: JourneyTraceSchema,
    api: { method: 'GET', path: '/journeys/{journeyId}/trace', handler: 'journeyTrace' },
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
  {
    name: 'data_mash.download_export',
    description:
      "Download one table of a completed flow as a Parquet or CSV file (an attachment named after the flow's file): exported as export_tables does, into the BlobStore beside the rows, then streamed",
    permission: EXPORT_PERMISSION,
    input: z.object({
      journeyId: JourneyIdSchema,
      format: z.enum(EXPORT_FORMATS).describe('parquet or csv'),
      table: z
        .string()
        .min(1)
        .max(1000)
        .optional()
        .describe('The table; needed when the file has more than one (VALIDATION_FAILED lists them)'),
    }),
    output: FileDownloadSchema,
    api: {
      method: 'GET',
      path: '/journeys/{journeyId}/exports/{format}',
      response: { body: 'file' },
      handler: 'downloadExport',
    },
  },
];
