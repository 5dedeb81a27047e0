import { randomUUID } from 'node:crypto';
import { ErrorCode, type MetadataStore, type NewGovernanceRecord, PlatformError } from '@platform/foundations';

/** A field of a dataset: its name and (optionally) its type. Names and types only, never values. */
export interface LineageField {
  name: string;
  type?: string;
  description?: string;
}

/**
 * Counts measured on a dataset a job read (the `dataQualityMetrics` input facet): row count and,
 * per column, null, distinct and non-null value counts. Counts only: minimums, maximums, sums and
 * quantiles are values of the data and are never sent.
 */
export interface LineageQualityMetrics {
  rowCount?: number;
  bytes?: number;
  columns: Readonly<Record<string, { nullCount?: number; distinctCount?: number; count?: number }>>;
}

/** Where an output field comes from: a field of an input dataset, and how. */
export interface LineageFieldSource {
  namespace: string;
  name: string;
  field: string;
  /**
   * OpenLineage transformation: `DIRECT` (the value is computed from the field) or `INDIRECT`;
   * subtype e.g. `IDENTITY`, `TRANSFORMATION`, `AGGREGATION`. Default `DIRECT`/`IDENTITY`.
   */
  transformation?: { type: 'DIRECT' | 'INDIRECT'; subtype?: string };
}

/** A dataset in a lineage event: its namespace, name and (optionally) what is known of it. */
export interface LineageDataset {
  namespace: string;
  name: string;
  /** Its columns (the `schema` dataset facet). */
  fields?: ReadonlyArray<LineageField>;
  /** As an input: counts measured on it (the `dataQualityMetrics` input facet). */
  quality?: LineageQualityMetrics;
  /** As an output: which input fields each of its fields comes from (the `columnLineage` dataset facet). */
  columnLineage?: Readonly<Record<string, ReadonlyArray<LineageFieldSource>>>;
}

/** A facet: what every OpenLineage facet carries besides its own fields. */
export interface LineageFacet {
  _producer: string;
  _schemaURL: string;
  [field: string]: unknown;
}

type EventDataset = {
  namespace: string;
  name: string;
  facets?: Record<string, LineageFacet>;
  inputFacets?: Record<string, LineageFacet>;
};

/** An OpenLineage 2 run event (https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent). */
export interface OpenLineageRunEvent {
  eventType: 'START' | 'COMPLETE' | 'FAIL' | 'ABORT';
  eventTime: string;
  run: { runId: string; facets?: Record<string, LineageFacet> };
  job: { namespace: string; name: string; facets?: Record<string, LineageFacet> };
  inputs: EventDataset[];
  outputs: EventDataset[];
  producer: string;
  schemaURL: string;
}

/** Where lineage events go. */
export type LineageSink = (event: OpenLineageRunEvent, tenantId: string) => Promise<void>;

export const LINEAGE_PRODUCER = 'https://www.npmjs.com/package/@platform/smart-city';

/**
 * The schema each part of an event names (`schemaURL`, `_schemaURL`): the versions the events are
 * validated against in this package's tests (copies of them are kept beside the tests).
 */
export const LINEAGE_SCHEMA_URLS = {
  runEvent: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
  schema: 'https://openlineage.io/spec/facets/1-0-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
  dataQualityMetrics:
    'https://openlineage.io/spec/facets/1-0-3/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet',
  columnLineage:
    'https://openlineage.io/spec/facets/1-1-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet',
  parent: 'https://openlineage.io/spec/facets/1-2-0/ParentRunFacet.json#/$defs/ParentRunFacet',
  errorMessage: 'https://openlineage.io/spec/facets/1-0-0/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  processingEngine:
    'https://openlineage.io/spec/facets/1-1-0/ProcessingEngineRunFacet.json#/$defs/ProcessingEngineRunFacet',
  jobType: 'https://openlineage.io/spec/facets/2-0-4/JobTypeJobFacet.json#/$defs/JobTypeJobFacet',
} as const;

/** What `runEvent` takes about the run beyond its id: the run that spawned it, how it failed, what ran it. */
export interface LineageRunDetails {
  /** The run that started this one (e.g. the journey of a phase): the `parent` run facet. */
  parent?: { runId: string; job: { namespace: string; name: string } };
  /**
   * Why the run failed or was aborted: the `errorMessage` run facet, with the error's stable code
   * and its message, quoted parts (which may hold names or values from a file) replaced by `'…'`.
   */
  error?: unknown;
  /** What ran the job: the `processing_engine` run facet. */
  processingEngine?: { name: string; version: string };
  /** The job's kind (the `jobType` job facet's `jobType`, e.g. `TASK`). Default `JOB`. */
  jobType?: string;
}

function facet(schemaURL: string, fields: Record<string, unknown>): LineageFacet {
  return { _producer: LINEAGE_PRODUCER, _schemaURL: schemaURL, ...fields };
}

/**
 * The message of an error as lineage reports it: `CODE: message`, with quoted parts replaced by
 * `'…'` (file names, cell values, snippets a parser quotes), at most 500 characters.
 */
export function lineageErrorMessage(error: unknown): string {
  const code =
    typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : ErrorCode.INTERNAL;
  const raw = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const message = raw
    .replace(/'[^']*'/g, "'…'")
    .replace(/"[^"]*"/g, '"…"')
    .replace(/`[^`]*`/g, '`…`')
    .replace(/[‘“][^’”]*[’”]/g, '“…”');
  const full = message ? `${code}: ${message}` : code;
  return full.length > 500 ? `${full.slice(0, 499)}…` : full;
}

function dataset(input: LineageDataset, role: 'input' | 'output'): EventDataset {
  const facets: Record<string, LineageFacet> = {};
  if (input.fields && input.fields.length > 0) {
    facets.schema = facet(LINEAGE_SCHEMA_URLS.schema, {
      fields: input.fields.map((field) => ({
        name: field.name,
        ...(field.type ? { type: field.type } : {}),
        ...(field.description ? { description: field.description } : {}),
      })),
    });
  }
  if (role === 'output' && input.columnLineage && Object.keys(input.columnLineage).length > 0) {
    facets.columnLineage = facet(LINEAGE_SCHEMA_URLS.columnLineage, {
      fields: Object.fromEntries(
        Object.entries(input.columnLineage).map(([field, sources]) => [
          field,
          {
            inputFields: sources.map((source) => ({
              namespace: source.namespace,
              name: source.name,
              field: source.field,
              transformations: [
                {
                  type: source.transformation?.type ?? 'DIRECT',
                  subtype: source.transformation?.subtype ?? 'IDENTITY',
                },
              ],
            })),
          },
        ]),
      ),
    });
  }
  const inputFacets: Record<string, LineageFacet> = {};
  if (role === 'input' && input.quality) {
    const { rowCount, bytes, columns } = input.quality;
    inputFacets.dataQualityMetrics = facet(LINEAGE_SCHEMA_URLS.dataQualityMetrics, {
      ...(rowCount === undefined ? {} : { rowCount }),
      ...(bytes === undefined ? {} : { bytes }),
      // Counts only, whatever a caller passes: no minimum, maximum, sum or quantile (values of the data).
      columnMetrics: Object.fromEntries(
        Object.entries(columns).map(([column, metrics]) => [
          column,
          {
            ...(metrics.nullCount === undefined ? {} : { nullCount: metrics.nullCount }),
            ...(metrics.distinctCount === undefined ? {} : { distinctCount: metrics.distinctCount }),
            ...(metrics.count === undefined ? {} : { count: metrics.count }),
          },
        ]),
      ),
    });
  }
  return {
    namespace: input.namespace,
    name: input.name,
    ...(Object.keys(facets).length > 0 ? { facets } : {}),
    ...(Object.keys(inputFacets).length > 0 ? { inputFacets } : {}),
  };
}

/** Builds an OpenLineage run event, every facet with its `_producer` and `_schemaURL`. */
export function runEvent(
  options: {
    eventType: OpenLineageRunEvent['eventType'];
    runId?: string;
    job: { namespace: string; name: string };
    inputs?: readonly LineageDataset[];
    outputs?: readonly LineageDataset[];
    eventTime?: Date;
  } & LineageRunDetails,
): OpenLineageRunEvent {
  const runFacets: Record<string, LineageFacet> = {};
  if (options.parent) {
    runFacets.parent = facet(LINEAGE_SCHEMA_URLS.parent, {
      run: { runId: options.parent.runId },
      job: { namespace: options.parent.job.namespace, name: options.parent.job.name },
    });
  }
  if (options.processingEngine) {
    runFacets.processing_engine = facet(LINEAGE_SCHEMA_URLS.processingEngine, {
      version: options.processingEngine.version,
      name: options.processingEngine.name,
    });
  }
  if (options.error !== undefined && (options.eventType === 'FAIL' || options.eventType === 'ABORT')) {
    runFacets.errorMessage = facet(LINEAGE_SCHEMA_URLS.errorMessage, {
      message: lineageErrorMessage(options.error),
      programmingLanguage: 'JavaScript',
    });
  }
  return {
    eventType: options.eventType,
    eventTime: (options.eventTime ?? new Date()).toISOString(),
    run: { runId: options.runId ?? randomUUID(), ...(Object.keys(runFacets).length > 0 ? { facets: runFacets } : {}) },
    job: {
      ...options.job,
      facets: {
        jobType: facet(LINEAGE_SCHEMA_URLS.jobType, {
          processingType: 'BATCH',
          integration: 'PLATFORM_SDK',
          jobType: options.jobType ?? 'JOB',
        }),
      },
    },
    inputs: (options.inputs ?? []).map((input) => dataset(input, 'input')),
    outputs: (options.outputs ?? []).map((output) => dataset(output, 'output')),
    producer: LINEAGE_PRODUCER,
    schemaURL: LINEAGE_SCHEMA_URLS.runEvent,
  };
}

/** The default sink: each event as a `lineage_event` governance record of the run. */
export function metadataLineageSink(metadata: MetadataStore): LineageSink {
  return async (event, tenantId) => {
    await metadata.appendGovernanceRecord(lineageEventRecord(event, tenantId));
  };
}

/** The governance record {@link metadataLineageSink} keeps of a run event: kind `lineage_event`, subject the run. */
export function lineageEventRecord(event: OpenLineageRunEvent, tenantId: string): NewGovernanceRecord {
  return {
    tenantId,
    kind: 'lineage_event',
    subject: { kind: 'run', id: event.run.runId },
    data: event as unknown as Record<string, unknown>,
  };
}

/** Options of {@link httpLineageSink}. */
export interface HttpLineageSinkOptions {
  /** Sent with every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /**
   * Attempts in all for an event the endpoint could not take for a passing reason (no answer, a
   * timeout, `429`, a `5xx`). Default 3; `1` turns retries off. Other answers (`4xx`: the event
   * was refused) are not tried again.
   */
  attempts?: number;
  /** Delay before the second attempt, doubled each time (with jitter). Default 200 ms. */
  retryDelayMs?: number;
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * A sink posting each event to an OpenLineage HTTP endpoint, such as Marquez's
 * `http://marquez:5000/api/v1/lineage`, retrying (with backoff) when the endpoint is unreachable,
 * times out or answers `429` or `5xx`. Delivery is at least once: a retried request may have
 * reached the endpoint; OpenLineage consumers take an event again by its run id and type.
 * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the endpoint refuses the event or cannot be
 * reached after the last attempt (`details.status`, `details.attempts`).
 */
export function httpLineageSink(url: string | URL, options: HttpLineageSinkOptions = {}): LineageSink {
  const attempts = Math.max(1, options.attempts ?? 3);
  return async (event) => {
    const body = JSON.stringify(event);
    let delay = options.retryDelayMs ?? 200;
    for (let attempt = 1; ; attempt += 1) {
      let failure: PlatformError;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body,
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        });
        // The body is not needed; reading it frees the connection.
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return;
        failure = new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, `lineage endpoint answered ${response.status}`, {
          details: { status: response.status, attempts: attempt },
        });
        if (!retryable(response.status)) throw failure;
      } catch (error) {
        if (error instanceof PlatformError) throw error;
        failure = new PlatformError(
          ErrorCode.ADAPTER_UNAVAILABLE,
          `lineage endpoint unreachable: ${(error as Error).message}`,
          { cause: error, details: { attempts: attempt } },
        );
      }
      if (attempt >= attempts) throw failure;
      await new Promise((resolve) => setTimeout(resolve, delay * (0.8 + Math.random() * 0.4)));
      delay *= 2;
    }
  };
}
