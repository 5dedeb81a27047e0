import { randomUUID } from 'node:crypto';
import { ErrorCode, type MetadataStore, PlatformError } from '@platform/foundations';

/** A dataset in a lineage event: its namespace, name and (optionally) columns. */
export interface LineageDataset {
  namespace: string;
  name: string;
  fields?: ReadonlyArray<{ name: string; type?: string }>;
}

/** An OpenLineage 2 run event (https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent). */
export interface OpenLineageRunEvent {
  eventType: 'START' | 'COMPLETE' | 'FAIL';
  eventTime: string;
  run: { runId: string };
  job: { namespace: string; name: string };
  inputs: Array<{ namespace: string; name: string; facets?: Record<string, unknown> }>;
  outputs: Array<{ namespace: string; name: string; facets?: Record<string, unknown> }>;
  producer: string;
  schemaURL: string;
}

/** Where lineage events go. */
export type LineageSink = (event: OpenLineageRunEvent, tenantId: string) => Promise<void>;

export const LINEAGE_PRODUCER = 'https://www.npmjs.com/package/@platform/smart-city';
const SCHEMA_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent';
const SCHEMA_FACET_URL = 'https://openlineage.io/spec/facets/1-1-1/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet';

function dataset(input: LineageDataset) {
  return {
    namespace: input.namespace,
    name: input.name,
    ...(input.fields
      ? {
          facets: {
            schema: {
              _producer: LINEAGE_PRODUCER,
              _schemaURL: SCHEMA_FACET_URL,
              fields: input.fields.map((field) => ({ name: field.name, ...(field.type ? { type: field.type } : {}) })),
            },
          },
        }
      : {}),
  };
}

/** Builds an OpenLineage run event. */
export function runEvent(options: {
  eventType: OpenLineageRunEvent['eventType'];
  runId?: string;
  job: { namespace: string; name: string };
  inputs?: readonly LineageDataset[];
  outputs?: readonly LineageDataset[];
  eventTime?: Date;
}): OpenLineageRunEvent {
  return {
    eventType: options.eventType,
    eventTime: (options.eventTime ?? new Date()).toISOString(),
    run: { runId: options.runId ?? randomUUID() },
    job: options.job,
    inputs: (options.inputs ?? []).map(dataset),
    outputs: (options.outputs ?? []).map(dataset),
    producer: LINEAGE_PRODUCER,
    schemaURL: SCHEMA_URL,
  };
}

/** The default sink: each event as a `lineage_event` governance record of the run. */
export function metadataLineageSink(metadata: MetadataStore): LineageSink {
  return async (event, tenantId) => {
    await metadata.appendGovernanceRecord({
      tenantId,
      kind: 'lineage_event',
      subject: { kind: 'run', id: event.run.runId },
      data: event as unknown as Record<string, unknown>,
    });
  };
}

/**
 * A sink posting each event to an OpenLineage HTTP endpoint, such as Marquez's
 * `http://marquez:5000/api/v1/lineage`.
 * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the endpoint refuses or cannot be reached.
 */
export function httpLineageSink(
  url: string | URL,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): LineageSink {
  return async (event) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new PlatformError(
        ErrorCode.ADAPTER_UNAVAILABLE,
        `lineage endpoint unreachable: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!response.ok) {
      throw new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, `lineage endpoint answered ${response.status}`, {
        details: { status: response.status },
      });
    }
  };
}
