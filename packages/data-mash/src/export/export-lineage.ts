import type { MetadataStore } from '@platform/foundations';
import type { DataSteward } from '@platform/smart-city';
import { recordLineage } from '../phases/lineage.js';
import type { ExportableJourney, ExportedJourney } from './export-journey.js';

/** The OpenLineage job of an export kept in the BlobStore. */
export const EXPORT_LINEAGE_JOB = 'data_mash.export_table';

/**
 * Records the exports of a flow kept in the BlobStore in its lineage, as the phases do: for each
 * table written to a key, a MetadataStore link `export exported_from parsed_file` and an
 * OpenLineage COMPLETE event of `data_mash.export_table` (rows key in, export key out, with the
 * columns and their types). The same export again records nothing new (the link and the run are
 * named by the export's key). Exports written to streams are the caller's, and not recorded.
 */
export async function recordExportLineage(
  steward: Pick<DataSteward, 'emitLineage'>,
  metadata: MetadataStore,
  tenantId: string,
  journey: Pick<ExportableJourney, 'fileId' | 'tables'>,
  exported: ExportedJourney,
): Promise<void> {
  if (!journey.fileId) return;
  const parsed = (await metadata.listParsedFiles(tenantId, journey.fileId))[0];
  if (!parsed) return;
  for (const written of exported.tables) {
    const table = journey.tables.find((candidate) => candidate.name === written.table);
    if (!written.key || !table) continue;
    await recordLineage(steward, metadata, {
      tenantId,
      job: EXPORT_LINEAGE_JOB,
      relation: 'exported_from',
      input: { kind: 'parsed_file', id: parsed.id, dataset: table.rowsKey },
      output: {
        kind: 'export',
        id: written.key,
        dataset: written.key,
        fields: written.columns.map((column) => ({ name: column.name, type: column.type })),
      },
    });
  }
}
