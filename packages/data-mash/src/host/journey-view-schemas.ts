import { z } from 'zod';

// What the journey views of the front door answer (issue 20: the console's lineage, governance
// and trace panels), as zod schemas: the capabilities' outputs, checked by the API Gateway and
// rendered into the OpenAPI document.

const RefSchema = z.object({ kind: z.string(), id: z.string() });

/** One record of a flow's lineage graph. */
export const LineageNodeSchema = z.object({
  id: z.string().describe('The node id, `<kind>:<id>` of its record (or `dataset:<name>` for a dataset of no record)'),
  kind: z
    .string()
    .describe(
      'file, parsed_file, content, insights, export (a table exported into the BlobStore), or dataset (a dataset a run named that no record stands for)',
    ),
  label: z.string().describe("For people: the file's name, 'parsed sales.csv', 'content of sales.csv', 'insights'"),
  ref: RefSchema.describe('The record: its kind and id'),
});

/** One step of a flow's lineage: `to` was made from `from` by `job`. */
export const LineageEdgeSchema = z.object({
  from: z.string().describe('The input node id'),
  to: z.string().describe('The output node id'),
  job: z.string().describe('The OpenLineage job, e.g. data_mash.parse_file'),
  relation: z
    .string()
    .describe('The MetadataStore link relation (parsed_from, derived_from), or `run` for a run no link recorded'),
  runId: z.string().optional().describe('The OpenLineage run of the latest attempt'),
  state: z.enum(['START', 'COMPLETE', 'FAIL', 'ABORT']).optional().describe("The run's last state"),
});

/** The lineage graph of a flow's file. */
export const JourneyLineageSchema = z.object({
  journeyId: z.string(),
  nodes: z.array(LineageNodeSchema),
  edges: z.array(LineageEdgeSchema),
  runs: z
    .array(
      z.object({
        runId: z.string(),
        job: z.string(),
        attempt: z.number().int(),
        state: z.enum(['START', 'COMPLETE', 'FAIL', 'ABORT']),
      }),
    )
    .describe(
      "The flow's OpenLineage runs, oldest first, with their last state (a run with no dataset, such as a refused upload, has no edge)",
    ),
});

/** The most governance records `GET /journeys/{journeyId}/governance` answers at once. */
export const JOURNEY_GOVERNANCE_LIMIT = 500;

/** One governance record, as stored, with what the console shows of it lifted out of `details`. */
export const GovernanceEntrySchema = z.object({
  id: z.string(),
  seq: z.number().int().optional().describe("The record's place in its tenant's audit chain"),
  kind: z
    .string()
    .describe('policy_decision, classification, lineage_event, lineage_run, legal_hold, erasure, audit, ...'),
  subject: RefSchema,
  action: z
    .string()
    .optional()
    .describe(
      "What was decided or done: a decision's `action`, an audit's `operation`, a lineage record's `eventType`",
    ),
  decision: z.enum(['allow', 'deny']).optional().describe('Of a policy decision'),
  actor: z.string().optional().describe('Who: the `userId` or `by` of the record'),
  createdAt: z.string().describe('ISO 8601'),
  traceId: z.string().optional(),
  details: z.record(z.string(), z.unknown()).describe("The record's data, as stored"),
});

/** The governance records of a flow. */
export const JourneyGovernanceSchema = z.object({
  journeyId: z.string(),
  records: z.array(GovernanceEntrySchema),
  truncated: z.boolean().describe('True when there are more records than `limit`: the oldest are answered'),
});

/** One finished span of a flow's trace. */
export const TraceSpanSchema = z.object({
  spanId: z.string(),
  parentSpanId: z.string().optional(),
  name: z.string(),
  startMs: z.number().describe('Start, in milliseconds since the epoch'),
  durationMs: z.number(),
  status: z.enum(['ok', 'error', 'unset']),
  attributes: z.record(z.string(), z.unknown()).describe('As the span had them (redacted by withSpan)'),
  events: z
    .array(z.object({ name: z.string(), timeMs: z.number(), attributes: z.record(z.string(), z.unknown()).optional() }))
    .optional(),
});

/** The spans of a flow's trace. */
export const JourneyTraceSchema = z.object({
  traceId: z.string().optional().describe("The flow's trace id (absent for a journey that has none)"),
  recorded: z.boolean().describe('False when this process kept no span of the trace: show the milestones instead'),
  spans: z.array(TraceSpanSchema),
});

/** `GET /journeys/{journeyId}/lineage`. */
export type JourneyLineage = z.output<typeof JourneyLineageSchema>;
/** A node of {@link JourneyLineage}. */
export type LineageNode = z.output<typeof LineageNodeSchema>;
/** An edge of {@link JourneyLineage}. */
export type LineageEdge = z.output<typeof LineageEdgeSchema>;
/** `GET /journeys/{journeyId}/governance`. */
export type JourneyGovernance = z.output<typeof JourneyGovernanceSchema>;
/** A record of {@link JourneyGovernance}. */
export type GovernanceEntry = z.output<typeof GovernanceEntrySchema>;
/** `GET /journeys/{journeyId}/trace`. */
export type JourneyTrace = z.output<typeof JourneyTraceSchema>;
/** A span of {@link JourneyTrace}. */
export type TraceSpan = z.output<typeof TraceSpanSchema>;
