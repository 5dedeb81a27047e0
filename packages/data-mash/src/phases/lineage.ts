import { createHash, randomUUID } from 'node:crypto';
import type { MetadataStore, NewGovernanceRecord, RecordRef } from '@platform/foundations';
import type { DataSteward, LineageDataset } from '@platform/smart-city';
import type { TableInsights } from '../insights/table-profiler.js';
import type { MilestoneContext } from '../journeys/journey-types.js';

declare const __PACKAGE_VERSION__: string | undefined;

/** What the phases' runs name as their `processing_engine`. */
export const LINEAGE_PROCESSING_ENGINE = {
  name: '@platform/data-mash',
  version: typeof __PACKAGE_VERSION__ === 'string' ? __PACKAGE_VERSION__ : '0.0.0',
};

/** The job of the journey runs that phase runs name as their `parent`. */
export const JOURNEY_LINEAGE_JOB = 'data_mash.journey';

/** The governance record kind of the run ledger (one record per run state, subject the journey). */
export const LINEAGE_RUN_RECORD = 'lineage_run';

type Steward = Pick<DataSteward, 'emitLineage'>;
type RunState = 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';
type FieldSource = NonNullable<LineageDataset['columnLineage']>[string][number];

/** One step of the flow's lineage: `output` was made from `input` by `job`. */
export interface LineageStep {
  tenantId: string;
  /** The OpenLineage job, e.g. `data_mash.parse_file`. */
  job: string;
  /** The MetadataStore link relation, e.g. `parsed_from`. */
  relation: string;
  input: RecordRef & { dataset: string };
  output: RecordRef & { dataset: string; fields?: ReadonlyArray<{ name: string; type?: string }> };
}

/**
 * A UUID derived from `seed` (name-based, RFC 9562 version 8 layout): the same seed always gives
 * the same id, so a phase's attempt is named the same by every process that looks for it.
 */
export function stableRunId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The OpenLineage namespace of a tenant's jobs and datasets. */
export function lineageNamespace(tenantId: string): string {
  return `platform/${tenantId}`;
}

const UUID_AT_END = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The journey as the parent run of its phases' runs: run id the UUID in the journey's id (or one
 * derived from it), job {@link JOURNEY_LINEAGE_JOB} in the tenant's namespace.
 */
export function journeyLineageParent(tenantId: string, journeyId: string) {
  return {
    runId: UUID_AT_END.exec(journeyId)?.[0] ?? stableRunId(`journey\u0000${tenantId}\u0000${journeyId}`),
    job: { namespace: lineageNamespace(tenantId), name: JOURNEY_LINEAGE_JOB },
  };
}

/** The run id of attempt `attempt` (from 1) of `job` in a journey. */
export function phaseRunId(tenantId: string, journeyId: string, job: string, attempt: number): string {
  return stableRunId(`${tenantId}\u0000${journeyId}\u0000${job}\u0000${attempt}`);
}

/** A field name of a parsed file: the column's name, prefixed with its table's when the file has several. */
export function lineageFieldName(table: string, column: string, tables: number): string {
  return tables > 1 ? `${table}.${column}` : column;
}

/**
 * The `dataQualityMetrics` of profiled tables: rows, and per column its nulls, its non-null
 * values and (when counted exactly) its distinct values. Counts only: the profiles' values
 * (top values, extremes, samples) never leave them.
 */
export function lineageQuality(
  tables: ReadonlyArray<{ name: string; insights: Pick<TableInsights, 'rowCount' | 'columns'> }>,
): NonNullable<LineageDataset['quality']> {
  const columns: Record<string, { nullCount: number; count: number; distinctCount?: number }> = {};
  for (const table of tables) {
    for (const column of table.insights.columns) {
      columns[lineageFieldName(table.name, column.name, tables.length)] = {
        nullCount: column.nulls,
        count: column.count,
        ...(column.distinctMethod === 'exact' ? { distinctCount: column.distinct } : {}),
      };
    }
  }
  return { rowCount: tables.reduce((sum, table) => sum + table.insights.rowCount, 0), columns };
}

/** Column lineage mapping each field to the field of the same name in `from`. */
export function sameNameColumnLineage(
  fields: ReadonlyArray<{ name: string }>,
  from: { namespace: string; name: string },
  transformation: FieldSource['transformation'] = { type: 'DIRECT', subtype: 'IDENTITY' },
): NonNullable<LineageDataset['columnLineage']> {
  return Object.fromEntries(
    fields.map((field) => [
      field.name,
      [
        {
          namespace: from.namespace,
          name: from.name,
          field: field.name,
          ...(transformation ? { transformation } : {}),
        },
      ],
    ]),
  );
}

// --- the run ledger ---------------------------------------------------------------------------

type LedgerRun = { runId: string; job: string; attempt: number; state: RunState };

/** The phase runs recorded for a journey (oldest first), each with its last state. */
export async function journeyLineageRuns(
  metadata: MetadataStore,
  tenantId: string,
  journeyId: string,
): Promise<LedgerRun[]> {
  const runs = new Map<string, LedgerRun>();
  let cursor: string | undefined;
  do {
    const page = await metadata.listGovernanceRecords(tenantId, {
      subject: { kind: 'journey', id: journeyId },
      kind: LINEAGE_RUN_RECORD,
      limit: 200,
      ...(cursor ? { cursor } : {}),
    });
    for (const { data } of page.items) {
      const runId = String(data.runId);
      runs.set(runId, {
        runId,
        job: String(data.job),
        attempt: Number(data.attempt),
        state: data.eventType as RunState,
      });
    }
    cursor = page.nextCursor;
  } while (cursor);
  return [...runs.values()];
}

/**
 * The ledger's record of a run state. It goes to the Data Steward with the run's event (see
 * `emitLineage`'s `records`): with the default sink, both are one append, one commit.
 */
function ledgerRecord(tenantId: string, journeyId: string, run: LedgerRun): NewGovernanceRecord {
  return {
    tenantId,
    kind: LINEAGE_RUN_RECORD,
    subject: { kind: 'journey', id: journeyId },
    data: { job: run.job, runId: run.runId, attempt: run.attempt, eventType: run.state },
  };
}

async function abortRun(
  steward: Steward,
  tenantId: string,
  journeyId: string,
  run: LedgerRun,
  reason?: unknown,
): Promise<void> {
  await steward.emitLineage(
    tenantId,
    {
      eventType: 'ABORT',
      runId: run.runId,
      job: run.job,
      jobType: 'TASK',
      parent: journeyLineageParent(tenantId, journeyId),
      processingEngine: LINEAGE_PROCESSING_ENGINE,
      ...(reason === undefined ? {} : { error: reason }),
    },
    { after: [ledgerRecord(tenantId, journeyId, { ...run, state: 'ABORT' })] },
  );
}

/**
 * Ends the open phase runs of a journey given up (never to be resumed) with ABORT: every run
 * that was started and has no COMPLETE, FAIL or ABORT yet. `reason` (an error) becomes the
 * `errorMessage` facet. Answers the aborted run ids.
 */
export async function abandonJourneyLineage(
  steward: Steward,
  metadata: MetadataStore,
  journey: { tenantId: string; journeyId: string; reason?: unknown },
): Promise<string[]> {
  const open = (await journeyLineageRuns(metadata, journey.tenantId, journey.journeyId)).filter(
    (run) => run.state === 'START',
  );
  for (const run of open) await abortRun(steward, journey.tenantId, journey.journeyId, run, journey.reason);
  return open.map((run) => run.runId);
}

// --- phase runs -------------------------------------------------------------------------------

/** What a phase knows of its run when it starts. */
export interface PhaseLineageStart {
  tenantId: string;
  /** The OpenLineage job, e.g. `data_mash.parse_file`. */
  job: string;
  /** The milestone's context: without one (a direct call) the run has no parent and no ledger. */
  context?: Pick<MilestoneContext, 'journeyId' | 'retry'> | undefined;
  /** The datasets known when the phase starts (sent with START; COMPLETE's default). */
  inputs?: readonly LineageDataset[];
  outputs?: readonly LineageDataset[];
}

/** What a phase reports when it completes. */
export interface PhaseLineageCompletion {
  /** Default: the start's. */
  inputs?: readonly LineageDataset[];
  /** Default: the start's. */
  outputs?: readonly LineageDataset[];
  /** A MetadataStore link `output` `relation` `input` (idempotent), with the run's id and job. */
  link?: { relation: string; input: RecordRef; output: RecordRef };
}

/** A phase's run, as its body sees it. */
export interface PhaseLineageRun {
  readonly runId: string;
  /** The attempt of the phase in its journey, from 1. */
  readonly attempt: number;
  /**
   * The phase had completed in an earlier attempt (its COMPLETE was sent, the journey had not
   * recorded it): this attempt sends no event unless it fails.
   */
  readonly replay: boolean;
  /** Records the link and sends COMPLETE (once; not in a replay). */
  complete(completion?: PhaseLineageCompletion): Promise<void>;
}

/**
 * Runs a phase as an OpenLineage run of `job`, one run per attempt: START when it begins,
 * COMPLETE when it ends (from `run.complete`, or with the start's datasets when the body returns
 * without calling it), FAIL with the error's code and message when it throws (then the error is
 * thrown on). In a journey, the run's parent is the journey and its id is derived from the
 * journey, the job and the attempt; a ledger of run states (`lineage_run` governance records of
 * the journey) makes a retried or resumed phase:
 *
 * - end with ABORT each earlier attempt that started and never ended (its process died);
 * - start a new run (attempt + 1): every run has one START and one terminal event;
 * - send nothing when an earlier attempt completed (a replay: no second COMPLETE), unless it
 *   fails (then START and FAIL of its own run).
 *
 * A sink that fails makes START and COMPLETE throw (the phase fails, and is retried as a
 * transient failure); a failing FAIL is dropped in favour of the phase's own error.
 */
export async function withPhaseLineage<T>(
  steward: Steward,
  metadata: MetadataStore,
  start: PhaseLineageStart,
  body: (run: PhaseLineageRun) => Promise<T>,
): Promise<T> {
  const { tenantId, job, context } = start;
  const journeyId = context?.journeyId;
  const parent = journeyId ? journeyLineageParent(tenantId, journeyId) : undefined;
  const common = {
    job,
    jobType: 'TASK',
    processingEngine: LINEAGE_PROCESSING_ENGINE,
    ...(parent ? { parent } : {}),
  };
  let attempt = 1;
  let completedRun: string | undefined;
  if (journeyId && context?.retry) {
    const earlier = (await journeyLineageRuns(metadata, tenantId, journeyId)).filter((run) => run.job === job);
    for (const run of earlier) if (run.state === 'START') await abortRun(steward, tenantId, journeyId, run);
    attempt = earlier.reduce((highest, run) => Math.max(highest, run.attempt), 0) + 1;
    completedRun = earlier.find((run) => run.state === 'COMPLETE')?.runId;
  }
  const runId = journeyId ? phaseRunId(tenantId, journeyId, job, attempt) : randomUUID();
  // The ledger's record of a state, kept with the run's event (none without a journey).
  const ledger = (state: RunState) =>
    journeyId ? [ledgerRecord(tenantId, journeyId, { runId, job, attempt, state })] : [];
  let started = false;
  let ended = false;
  const begin = async () => {
    // The ledger before the event: a run the sink may have seen is always known, so that a later
    // attempt can end it (with the default sink, both are one append).
    await steward.emitLineage(
      tenantId,
      {
        eventType: 'START',
        runId,
        ...common,
        ...(start.inputs ? { inputs: start.inputs } : {}),
        ...(start.outputs ? { outputs: start.outputs } : {}),
      },
      { before: ledger('START') },
    );
    started = true;
  };
  const run: PhaseLineageRun = {
    runId,
    attempt,
    replay: completedRun !== undefined,
    complete: async (completion = {}) => {
      if (completion.link) {
        await metadata.addLink({
          tenantId,
          from: completion.link.output,
          to: completion.link.input,
          relation: completion.link.relation,
          metadata: { job, runId: completedRun ?? runId },
        });
      }
      if (completedRun !== undefined || ended) return;
      const inputs = completion.inputs ?? start.inputs;
      const outputs = completion.outputs ?? start.outputs;
      await steward.emitLineage(
        tenantId,
        {
          eventType: 'COMPLETE',
          runId,
          ...common,
          ...(inputs ? { inputs } : {}),
          ...(outputs ? { outputs } : {}),
        },
        { after: ledger('COMPLETE') },
      );
      ended = true;
    },
  };
  if (completedRun === undefined) await begin();
  let result: T;
  try {
    result = await body(run);
  } catch (error) {
    if (!ended) {
      try {
        if (!started) await begin();
        await steward.emitLineage(tenantId, { eventType: 'FAIL', runId, ...common, error }, { after: ledger('FAIL') });
        ended = true;
      } catch {
        // The phase's error matters more than its FAIL event; a run left open is ended (ABORT) by the next attempt.
      }
    }
    throw error;
  }
  if (!ended) await run.complete();
  return result;
}

/**
 * Records a step in both places lineage lives: a MetadataStore link (`output` `relation` `input`,
 * idempotent by construction) and an OpenLineage COMPLETE run event through the Data Steward,
 * with a run id derived from the step, emitted once: when the default sink (governance records)
 * already holds the event, it is not emitted again. The phases use {@link withPhaseLineage}
 * (START, COMPLETE, FAIL and ABORT per attempt); this stays for steps recorded after the fact.
 */
export async function recordLineage(
  steward: Pick<DataSteward, 'emitLineage'>,
  metadata: MetadataStore,
  step: LineageStep,
  /** `false` when the step has certainly not run before (a milestone's first attempt): skips the look-up. */
  mayHaveRun = true,
): Promise<string> {
  const runId = stableRunId(`${step.tenantId}\u0000${step.job}\u0000${step.output.kind}\u0000${step.output.id}`);
  await metadata.addLink({
    tenantId: step.tenantId,
    from: { kind: step.output.kind, id: step.output.id },
    to: { kind: step.input.kind, id: step.input.id },
    relation: step.relation,
    metadata: { job: step.job, runId },
  });
  if (mayHaveRun) {
    const earlier = await metadata.listGovernanceRecords(step.tenantId, {
      subject: { kind: 'run', id: runId },
      kind: 'lineage_event',
      limit: 10,
    });
    if (earlier.items.some((record) => record.data.eventType === 'COMPLETE')) return runId;
  }
  const namespace = lineageNamespace(step.tenantId);
  await steward.emitLineage(step.tenantId, {
    eventType: 'COMPLETE',
    runId,
    job: step.job,
    inputs: [{ namespace, name: step.input.dataset }],
    outputs: [{ namespace, name: step.output.dataset, ...(step.output.fields ? { fields: step.output.fields } : {}) }],
  });
  return runId;
}
