import {
  type GovernanceRecord,
  type JourneyRecord,
  type MetadataStore,
  PlatformError,
  type RecordRef,
} from '@platform/foundations';
import type { FinishedSpan, TraceSpanSource } from '@platform/observability';
import { parsedKeys } from '../phases/content-pillar.js';
import { journeyLineageRuns } from '../phases/lineage.js';
import { DATA_MASH_FLOW_TEMPLATE, type DataMashPhases } from '../phases/solution-orchestrator.js';
import {
  type GovernanceEntry,
  JOURNEY_GOVERNANCE_LIMIT,
  type JourneyGovernance,
  type JourneyLineage,
  type JourneyTrace,
  type LineageEdge,
  type LineageNode,
} from './journey-view-schemas.js';

// The journey views of the front door (issue 20): what a flow recorded, read back for the
// console. Each reads in the caller's tenant only; they check no permission (DataMashApi does).

/** A data mash flow of the tenant with its handoffs. @throws `NOT_FOUND` for any other journey. */
async function flowOf(
  metadata: MetadataStore,
  tenantId: string,
  journeyId: string,
): Promise<{ journey: JourneyRecord; phases: DataMashPhases }> {
  // Another tenant's journey is NOT_FOUND in the store, exactly like one that does not exist.
  const journey = await metadata.getJourney(tenantId, journeyId);
  if (journey.template !== DATA_MASH_FLOW_TEMPLATE) {
    throw new PlatformError('NOT_FOUND', `no flow '${journeyId}'`, { details: { journeyId } });
  }
  return { journey, phases: (journey.context as { outputs?: DataMashPhases }).outputs ?? {} };
}

function missingAsUndefined(error: { code?: string }): undefined {
  if (error.code === 'NOT_FOUND') return undefined;
  throw error;
}

const nodeId = (ref: RecordRef) => `${ref.kind}:${ref.id}`;

// Links are followed from the file down to what was derived from it; a bound keeps a malformed
// store (a cycle, a fan-out) from making the walk unbounded.
const MAX_NODES = 200;

/**
 * The lineage graph of a flow's file. The edges are the flow's OpenLineage runs (the
 * `lineage_event` records the Data Steward keeps, found through the journey's run ledger): one
 * edge per input and output dataset of a job, with its latest attempt's run id and last state,
 * so a failed phase shows as a `FAIL` edge. The MetadataStore links (`parsed_from`,
 * `derived_from`) name the datasets' records, give the edges their relation, and add the steps
 * no event recorded. Exports are recorded neither way, so they are not in the graph.
 * @throws {PlatformError} `NOT_FOUND` when the journey is not a flow of the tenant.
 */
export async function journeyLineage(
  metadata: MetadataStore,
  tenantId: string,
  journeyId: string,
): Promise<JourneyLineage> {
  const { phases } = await flowOf(metadata, tenantId, journeyId);
  const uploaded = phases.file_uploaded;
  const nodes = new Map<string, LineageNode>();
  // The datasets the runs name (BlobStore keys, `semantic/<contentId>`), by the node they are.
  const datasets = new Map<string, string>();
  // The links as steps: `output` was made from `input`.
  const links: Array<{ input: RecordRef; output: RecordRef; relation: string; job?: string; runId?: string }> = [];

  if (uploaded) {
    const file = await metadata.getFile(tenantId, uploaded.fileId).catch(missingAsUndefined);
    const fileName = file?.name ?? uploaded.fileName;
    const keys = parsedKeys(uploaded.fileId);
    const label = (ref: RecordRef): string => {
      if (ref.kind === 'file') return ref.id === uploaded.fileId ? fileName : ref.id;
      if (ref.kind === 'parsed_file') return `parsed ${fileName}`;
      if (ref.kind === 'content') return `content of ${fileName}`;
      if (ref.kind === 'insights') return 'insights';
      if (ref.kind === 'export') return exportLabel(ref.id, phases.file_parsed?.parseResult.tables ?? []);
      return `${ref.kind} ${ref.id}`;
    };
    const add = (ref: RecordRef) => {
      const id = nodeId(ref);
      if (!nodes.has(id)) nodes.set(id, { id, kind: ref.kind, label: label(ref), ref: { kind: ref.kind, id: ref.id } });
      return id;
    };
    const fileNode = add({ kind: 'file', id: uploaded.fileId });
    datasets.set(uploaded.storageLocation, fileNode);
    if (file?.storageKey) datasets.set(file.storageKey, fileNode);
    // Down the links: what was made from the file, from that, and so on.
    const queue: RecordRef[] = [{ kind: 'file', id: uploaded.fileId }];
    for (let next = queue.shift(); next && nodes.size < MAX_NODES; next = queue.shift()) {
      for (const link of await metadata.listLinks(tenantId, { to: next })) {
        const seen = nodes.has(nodeId(link.from));
        const id = add(link.from);
        links.push({
          input: next,
          output: link.from,
          relation: link.relation,
          ...(typeof link.metadata.job === 'string' ? { job: link.metadata.job } : {}),
          ...(typeof link.metadata.runId === 'string' ? { runId: link.metadata.runId } : {}),
        });
        if (!seen) queue.push(link.from);
        if (link.from.kind === 'parsed_file') datasets.set(keys.parse, id);
        if (link.from.kind === 'content') datasets.set(`semantic/${link.from.id}`, id);
        if (link.from.kind === 'insights') datasets.set(keys.insights, id);
        if (link.from.kind === 'export') datasets.set(link.from.id, id);
      }
    }
  }

  // The runs: their events' datasets, joined input to output.
  const runs = await journeyLineageRuns(metadata, tenantId, journeyId);
  const runById = new Map(runs.map((run) => [run.runId, run]));
  const latest = new Map<string, (typeof runs)[number]>();
  for (const run of runs) {
    const known = latest.get(run.job);
    if (!known || run.attempt >= known.attempt) latest.set(run.job, run);
  }
  const edges = new Map<string, LineageEdge>();
  const datasetNode = (name: string) => {
    const known = datasets.get(name);
    if (known) return known;
    const id = `dataset:${name}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind: 'dataset', label: name, ref: { kind: 'dataset', id: name } });
    return id;
  };
  for (const run of latest.values()) {
    const inputs = new Set<string>();
    const outputs = new Set<string>();
    for (const event of await runEvents(metadata, tenantId, run.runId)) {
      for (const dataset of event.inputs ?? []) inputs.add(datasetNode(dataset.name));
      for (const dataset of event.outputs ?? []) outputs.add(datasetNode(dataset.name));
    }
    for (const from of inputs) {
      for (const to of outputs) {
        const link = links.find(
          (entry) => nodeId(entry.input) === from && nodeId(entry.output) === to && (entry.job ?? run.job) === run.job,
        );
        edges.set(`${from}\u0000${to}\u0000${run.job}`, {
          from,
          to,
          job: run.job,
          relation: link?.relation ?? 'run',
          runId: run.runId,
          state: run.state,
        });
      }
    }
  }
  // The links no run of the journey recorded (a flow from before the run ledger, a step recorded
  // afterwards, such as an export): the state is their run's last event, when the sink kept it.
  for (const link of links) {
    const from = nodeId(link.input);
    const to = nodeId(link.output);
    const job = link.job ?? link.relation;
    const key = `${from}\u0000${to}\u0000${job}`;
    if (edges.has(key)) continue;
    const state = link.runId
      ? (runById.get(link.runId)?.state ?? lastState(await runEvents(metadata, tenantId, link.runId)))
      : undefined;
    edges.set(key, {
      from,
      to,
      job,
      relation: link.relation,
      ...(link.runId ? { runId: link.runId } : {}),
      ...(state ? { state } : {}),
    });
  }
  return { journeyId, nodes: [...nodes.values()], edges: [...edges.values()], runs };
}

type EventDatasets = { eventType?: string; inputs?: Array<{ name: string }>; outputs?: Array<{ name: string }> };

const RUN_STATES = new Set(['START', 'COMPLETE', 'FAIL', 'ABORT']);

// The state a run's events leave it in: its terminal event, else START.
function lastState(events: EventDatasets[]): 'START' | 'COMPLETE' | 'FAIL' | 'ABORT' | undefined {
  const states = events.map((event) => event.eventType).filter((type) => type !== undefined && RUN_STATES.has(type));
  const terminal = states.find((type) => type !== 'START');
  return (terminal ?? states[0]) as 'START' | 'COMPLETE' | 'FAIL' | 'ABORT' | undefined;
}

// `parsed/<fileId>/exports/table-2.parquet` → `Orders as Parquet`: the table whose rows are
// `parsed/<fileId>/table-2.jsonl`, by its name (else the key's).
function exportLabel(key: string, tables: ReadonlyArray<{ name: string; rowsKey: string }>): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return `export ${name}`;
  const base = name.slice(0, dot);
  const table = tables.find((entry) => entry.rowsKey.endsWith(`/${base}.jsonl`));
  const format = name.slice(dot + 1);
  return `${table?.name ?? base} as ${format === 'csv' ? 'CSV' : format === 'parquet' ? 'Parquet' : format}`;
}

// The OpenLineage events of a run, as the default lineage sink keeps them (none with another sink).
async function runEvents(metadata: MetadataStore, tenantId: string, runId: string): Promise<EventDatasets[]> {
  const events: EventDatasets[] = [];
  let cursor: string | undefined;
  do {
    const page = await metadata.listGovernanceRecords(tenantId, {
      subject: { kind: 'run', id: runId },
      kind: 'lineage_event',
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    for (const record of page.items) events.push(record.data as EventDatasets);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A governance record as the console shows it: as stored, with its action, decision and actor lifted out. */
export function governanceEntry(record: GovernanceRecord): GovernanceEntry {
  const { data } = record;
  const action = text(data.action) ?? text(data.operation) ?? text(data.eventType);
  const actor = text(data.userId) ?? text(data.by);
  const decision =
    record.kind === 'policy_decision' && typeof data.allowed === 'boolean'
      ? data.allowed
        ? ('allow' as const)
        : ('deny' as const)
      : undefined;
  return {
    id: record.id,
    ...(record.seq === undefined ? {} : { seq: record.seq }),
    kind: record.kind,
    subject: { kind: record.subject.kind, id: record.subject.id },
    ...(action ? { action } : {}),
    ...(decision ? { decision } : {}),
    ...(actor ? { actor } : {}),
    createdAt: record.createdAt.toISOString(),
    ...(record.traceId ? { traceId: record.traceId } : {}),
    details: data,
  };
}

/**
 * The governance records about a flow: those whose subject is the journey (policy decisions of
 * the flow, its run ledger), its file (classifications, legal holds, erasures) or one of its
 * lineage runs (the OpenLineage events), oldest first (by audit-chain `seq`). At most `limit`
 * (default and maximum {@link JOURNEY_GOVERNANCE_LIMIT}): the oldest, with `truncated` when
 * there are more. A cap rather than a cursor: a flow writes a few dozen records, and a cursor
 * over several subjects would have to be one of the store's.
 * @throws {PlatformError} `NOT_FOUND` when the journey is not a flow of the tenant.
 */
export async function journeyGovernance(
  metadata: MetadataStore,
  tenantId: string,
  journeyId: string,
  limit = JOURNEY_GOVERNANCE_LIMIT,
): Promise<JourneyGovernance> {
  const cap = Math.max(1, Math.min(limit, JOURNEY_GOVERNANCE_LIMIT));
  const { phases } = await flowOf(metadata, tenantId, journeyId);
  const runs = await journeyLineageRuns(metadata, tenantId, journeyId);
  const subjects: RecordRef[] = [
    { kind: 'journey', id: journeyId },
    ...(phases.file_uploaded ? [{ kind: 'file', id: phases.file_uploaded.fileId }] : []),
    ...runs.map((run) => ({ kind: 'run', id: run.runId })),
  ];
  const records = new Map<string, GovernanceRecord>();
  for (const subject of subjects) {
    // Each subject's oldest `cap + 1` hold the oldest `cap + 1` of all (each list is oldest first).
    let taken = 0;
    let cursor: string | undefined;
    do {
      const page = await metadata.listGovernanceRecords(tenantId, {
        subject,
        limit: Math.min(cap + 1 - taken, 500),
        ...(cursor ? { cursor } : {}),
      });
      for (const record of page.items) records.set(record.id, record);
      taken += page.items.length;
      cursor = page.nextCursor;
    } while (cursor && taken <= cap);
  }
  const ordered = [...records.values()].sort(
    (a, b) =>
      (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER) ||
      a.createdAt.getTime() - b.createdAt.getTime() ||
      a.id.localeCompare(b.id),
  );
  return {
    journeyId,
    records: ordered.slice(0, cap).map(governanceEntry),
    truncated: ordered.length > cap,
  };
}

/**
 * The spans of a flow's trace (the journey's `traceId`) that `traces` kept, by start time. Spans
 * are not stored with the flow: without a source, or when it has none of the trace (the flow ran
 * in another process, or long ago), the answer is `recorded: false` with no spans.
 * @throws {PlatformError} `NOT_FOUND` when the journey is not a flow of the tenant.
 */
/**
 * The spans of one journey's runs in its trace: the whole request or run each of its journey
 * spans (`journey.id`) belongs to, and nothing else. A trace id is not a secret (callers choose it,
 * and the parent span id, with `traceparent`), so links made in another process are not followed
 * either way: another tenant's request that joined the same trace stays apart, and a span naming
 * another tenant is left out whatever its place.
 */
export function spansOfJourney(spans: readonly FinishedSpan[], tenantId: string, journeyId: string): FinishedSpan[] {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const roots = new Set<string>();
  for (const span of spans) {
    if (span.attributes['journey.id'] !== journeyId) continue;
    let top = span;
    while (top.parentSpanId && !top.parentIsRemote) {
      const parent = byId.get(top.parentSpanId);
      if (!parent) break;
      top = parent;
    }
    roots.add(top.spanId);
  }
  const children = new Map<string, FinishedSpan[]>();
  for (const span of spans) {
    if (!span.parentSpanId || span.parentIsRemote) continue;
    const siblings = children.get(span.parentSpanId);
    if (siblings) siblings.push(span);
    else children.set(span.parentSpanId, [span]);
  }
  const kept: FinishedSpan[] = [];
  const visit = [...roots].flatMap((id) => byId.get(id) ?? []);
  for (let span = visit.pop(); span; span = visit.pop()) {
    const tenant = span.attributes['tenant.id'];
    if (tenant !== undefined && tenant !== tenantId) continue;
    kept.push(span);
    visit.push(...(children.get(span.spanId) ?? []));
  }
  return kept.sort((a, b) => a.startMs - b.startMs);
}

export async function journeyTrace(
  metadata: MetadataStore,
  traces: TraceSpanSource | undefined,
  tenantId: string,
  journeyId: string,
): Promise<JourneyTrace> {
  const { journey, phases } = await flowOf(metadata, tenantId, journeyId);
  const traceId = journey.traceId ?? phases.file_uploaded?.traceId;
  const spans = traceId && traces ? spansOfJourney(traces.spansOf(traceId), tenantId, journeyId) : [];
  return {
    ...(traceId ? { traceId } : {}),
    recorded: spans.length > 0,
    spans: spans.map((span) => ({
      spanId: span.spanId,
      ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
      name: span.name,
      startMs: span.startMs,
      durationMs: span.durationMs,
      status: span.status,
      attributes: span.attributes,
      ...(span.events && span.events.length > 0 ? { events: span.events } : {}),
    })),
  };
}
