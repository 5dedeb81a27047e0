import { type BlobStore, type MetadataStore, PlatformError } from '@platform/foundations';
import type { InsightsResult } from '../content/content-insights.js';
import { isErased } from '../phases/erased.js';
import { DATA_MASH_FLOW_TEMPLATE, type DataMashPhases } from '../phases/solution-orchestrator.js';
import { getJson } from '../phases/stored-json.js';
import {
  EXPORT_FILE_TYPES,
  type ExportableTable,
  type ExportDestination,
  type ExportedTable,
  type ExportFormat,
  type ExportTableOptions,
  exportTable,
} from './export-table.js';

/**
 * The permission an export needs: `files:read`. An export is the full content of the file's
 * tables, row by row: what reading the file gives, not a view of it (`insights:read`, which
 * shows figures and a few sample rows) nor of the flow (`journeys:read`). No permission of its
 * own: whoever may read a file may already save its rows in any format.
 */
export const EXPORT_PERMISSION = 'files:read';

/** The tables of a completed flow, as {@link exportJourney} exports them. */
export interface ExportableJourney {
  journeyId: string;
  /** The stored file's id (the flow's `file_uploaded` handoff). */
  fileId?: string;
  fileName?: string;
  tables: ExportableTable[];
}

/**
 * The tables of a completed data mash flow, with their profiles, read in `tenantId` only (a
 * journey of another tenant is not found). Checks no permission: callers do
 * ({@link EXPORT_PERMISSION}).
 *
 * @throws {PlatformError} `NOT_FOUND` when the journey is not a data mash flow of the tenant, or
 * has no insights yet (the flow has not completed).
 */
export async function readExportableJourney(options: {
  metadata: MetadataStore;
  blobStore: BlobStore;
  tenantId: string;
  journeyId: string;
}): Promise<ExportableJourney> {
  const { journeyId, tenantId } = options;
  const journey = await options.metadata.getJourney(tenantId, journeyId);
  if (journey.template !== DATA_MASH_FLOW_TEMPLATE) {
    throw new PlatformError('NOT_FOUND', `no flow '${journeyId}'`, { details: { journeyId } });
  }
  const phases = (journey.context as { outputs?: DataMashPhases }).outputs ?? {};
  const key = phases.insights_generated?.insightsResult.resultKey;
  if (!key) {
    const why = isErased(journey)
      ? 'was erased, with its file and its tables'
      : 'has no tables to export yet: it has not completed';
    throw new PlatformError('NOT_FOUND', `flow '${journeyId}' ${why}`, {
      details: { journeyId, status: journey.status, erased: isErased(journey) },
    });
  }
  const insights = await getJson<InsightsResult>(options.blobStore, tenantId, key);
  const uploaded = phases.file_uploaded;
  return {
    journeyId,
    ...(uploaded ? { fileId: uploaded.fileId, fileName: uploaded.fileName } : {}),
    tables: insights.tables,
  };
}

/**
 * The BlobStore key an export of a table is kept under by default: beside the table's rows,
 * `parsed/<fileId>/exports/table-1.parquet` for `parsed/<fileId>/table-1.jsonl`. The export
 * belongs to the file as its parsed copies do (`data-mash doctor` treats it alike).
 */
export function exportKey(table: Pick<ExportableTable, 'rowsKey'>, format: ExportFormat): string {
  const slash = table.rowsKey.lastIndexOf('/');
  const folder = slash < 0 ? '' : table.rowsKey.slice(0, slash + 1);
  const base = table.rowsKey.slice(slash + 1).replace(/\.jsonl$/, '');
  return `${folder}exports/${base}${EXPORT_FILE_TYPES[format].extension}`;
}

/** What {@link exportJourney} takes. */
export interface ExportJourneyOptions extends Pick<ExportTableOptions, 'csv' | 'parquet' | 'nullTokens'> {
  metadata: MetadataStore;
  blobStore: BlobStore;
  tenantId: string;
  journeyId: string;
  format: ExportFormat;
  /** Only the tables of these names. Default: every table. */
  tables?: readonly string[];
  /**
   * Where each table goes: a stream, or a BlobStore key. Default: the BlobStore, under
   * {@link exportKey}.
   */
  to?: (table: ExportableTable, index: number) => ExportDestination | Promise<ExportDestination>;
  /** Called with the flow's tables and what was written, once every table is (e.g. to record lineage). */
  onExported?: (journey: ExportableJourney, exported: ExportedJourney) => Promise<void>;
}

/** What {@link exportJourney} wrote. */
export interface ExportedJourney {
  journeyId: string;
  fileId?: string;
  format: ExportFormat;
  tables: ExportedTable[];
}

/**
 * Exports the tables of a completed data mash flow, one after the other, each as
 * {@link exportTable} does: to streams the caller opens, or to the BlobStore beside the rows.
 * Checks no permission: a service exposing it checks {@link EXPORT_PERMISSION} first.
 *
 * @throws {PlatformError} `NOT_FOUND` when the journey is not a completed flow of the tenant, or
 * a table named in `tables` is not one of its tables (the message lists them); the errors of
 * {@link exportTable}. Tables exported before a failure stay exported.
 */
export async function exportJourney(options: ExportJourneyOptions): Promise<ExportedJourney> {
  const journey = await readExportableJourney(options);
  const tables = selectTables(journey, options.tables);
  const exported: ExportedTable[] = [];
  for (const [index, table] of tables.entries()) {
    const to = options.to ? await options.to(table, index) : { key: exportKey(table, options.format) };
    exported.push(
      await exportTable({
        blobStore: options.blobStore,
        tenantId: options.tenantId,
        table,
        format: options.format,
        to,
        ...(options.csv ? { csv: options.csv } : {}),
        ...(options.parquet ? { parquet: options.parquet } : {}),
        ...(options.nullTokens ? { nullTokens: options.nullTokens } : {}),
      }),
    );
  }
  const result: ExportedJourney = {
    journeyId: journey.journeyId,
    ...(journey.fileId ? { fileId: journey.fileId } : {}),
    format: options.format,
    tables: exported,
  };
  await options.onExported?.(journey, result);
  return result;
}

/**
 * The tables of `journey` named in `names` (every table when none are named).
 * @throws {PlatformError} `NOT_FOUND` naming the tables there are.
 */
export function selectTables(journey: ExportableJourney, names?: readonly string[]): ExportableTable[] {
  if (!names || names.length === 0) {
    if (journey.tables.length === 0) {
      throw new PlatformError('NOT_FOUND', `flow '${journey.journeyId}' has no tables (its file is text)`, {
        details: { journeyId: journey.journeyId },
      });
    }
    return journey.tables;
  }
  const missing = names.filter((name) => !journey.tables.some((table) => table.name === name));
  if (missing.length > 0) {
    const there = journey.tables.map((table) => `'${table.name}'`).join(', ') || 'none';
    throw new PlatformError(
      'NOT_FOUND',
      `flow '${journey.journeyId}' has no table ${missing.map((name) => `'${name}'`).join(', ')}; its tables: ${there}`,
      { details: { journeyId: journey.journeyId, tables: journey.tables.map((table) => table.name) } },
    );
  }
  return journey.tables.filter((table) => names.includes(table.name));
}
