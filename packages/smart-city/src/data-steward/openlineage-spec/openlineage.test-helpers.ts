// Validates OpenLineage events against the JSON Schemas kept beside this file (see README.md):
// the event against the core spec, and each facet against the schema its `_schemaURL` names.
// For tests only: ajv and ajv-formats are devDependencies.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')) as Record<string, unknown> & { $id: string };

/** The vendored facet schemas, by file. */
export const FACET_SCHEMA_FILES = [
  'SchemaDatasetFacet.json',
  'DataQualityMetricsInputDatasetFacet.json',
  'ColumnLineageDatasetFacet.json',
  'ParentRunFacet.json',
  'ErrorMessageRunFacet.json',
  'ProcessingEngineRunFacet.json',
  'JobTypeJobFacet.json',
] as const;

const core = load('OpenLineage.json');
const facets = FACET_SCHEMA_FILES.map(load);

/**
 * The core versions the facet schemas and the events refer to. Their definitions of the base
 * facets (`BaseFacet`, `RunFacet`, `JobFacet`, `DatasetFacet`, `InputDatasetFacet`: `_producer`
 * and `_schemaURL` required) are those of the vendored core, which is registered under each.
 */
const CORE_IDS = ['1-0-2', '1-0-3', '2-0-2'].map(
  (version) => `https://openlineage.io/spec/${version}/OpenLineage.json`,
);

const ajv = new Ajv2020({ allErrors: true, strictTypes: false, strictRequired: false });
addFormats(ajv);
// An annotation the OpenLineage schemas use (JSON Schema's own is `examples`).
ajv.addKeyword('example');
ajv.addSchema(core);
for (const $id of CORE_IDS) ajv.addSchema({ ...core, $id });
for (const schema of facets) ajv.addSchema(schema);

type Facets = Record<string, { _schemaURL?: unknown; _producer?: unknown }> | undefined;

function facetsOf(event: Record<string, unknown>): Array<{ where: string; facets: Facets }> {
  const found: Array<{ where: string; facets: Facets }> = [];
  const run = event.run as { facets?: Facets } | undefined;
  const job = event.job as { facets?: Facets } | undefined;
  found.push({ where: 'run', facets: run?.facets }, { where: 'job', facets: job?.facets });
  for (const side of ['inputs', 'outputs'] as const) {
    for (const [index, dataset] of ((event[side] as Array<Record<string, Facets>> | undefined) ?? []).entries()) {
      found.push({ where: `${side}[${index}]`, facets: dataset.facets });
      found.push({ where: `${side}[${index}].inputFacets`, facets: dataset.inputFacets });
      found.push({ where: `${side}[${index}].outputFacets`, facets: dataset.outputFacets });
    }
  }
  return found;
}

/**
 * The problems of an event: its shape against the core spec (as a whole and as the definition
 * its `schemaURL` names), and each facet against the vendored schema its `_schemaURL` names (a
 * facet naming a schema not kept here is a problem). Empty when the event is valid.
 */
export function openLineageProblems(event: unknown): string[] {
  const problems: string[] = [];
  const check = (schemaRef: string, value: unknown, where: string) => {
    const validate = ajv.getSchema(schemaRef);
    if (!validate) {
      problems.push(`${where}: no vendored schema for ${schemaRef}`);
      return;
    }
    if (!validate(value)) {
      for (const error of validate.errors ?? [])
        problems.push(`${where}${error.instancePath} ${error.message ?? ''} (${schemaRef})`);
    }
  };
  check('https://openlineage.io/spec/2-0-2/OpenLineage.json', event, 'event');
  const record = event as Record<string, unknown>;
  if (typeof record.schemaURL === 'string') check(record.schemaURL, event, 'event');
  for (const { where, facets: group } of facetsOf(record)) {
    for (const [name, facet] of Object.entries(group ?? {})) {
      if (typeof facet._schemaURL !== 'string' || typeof facet._producer !== 'string') {
        problems.push(`${where}.${name}: no _producer or _schemaURL`);
        continue;
      }
      check(facet._schemaURL, facet, `${where}.${name}`);
    }
  }
  return problems;
}

/** The `$id`s of the vendored schemas. */
export const VENDORED_SCHEMA_IDS = [core.$id, ...facets.map((schema) => schema.$id)];
