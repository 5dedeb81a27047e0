import { createHash } from 'node:crypto';
import type { MetadataStore, RecordRef } from '@platform/foundations';
import type { DataSteward } from '@platform/smart-city';

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
 * A UUID derived from `seed` (name-based, RFC 9562 version 8 layout): the same step always has
 * the same run id, so running a phase again after an interruption names the same run.
 */
export function stableRunId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  const variant = ((Number.parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Records a step in both places lineage lives: a MetadataStore link (`output` `relation` `input`,
 * idempotent by construction) and an OpenLineage COMPLETE run event through the Data Steward,
 * with a run id derived from the step, emitted once: when the default sink (governance records)
 * already holds the event, it is not emitted again. A custom lineage sink may see an event
 * twice after an interrupted phase; OpenLineage consumers merge events by run id.
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
  const namespace = `platform/${step.tenantId}`;
  await steward.emitLineage(step.tenantId, {
    eventType: 'COMPLETE',
    runId,
    job: step.job,
    inputs: [{ namespace, name: step.input.dataset }],
    outputs: [{ namespace, name: step.output.dataset, ...(step.output.fields ? { fields: step.output.fields } : {}) }],
  });
  return runId;
}
