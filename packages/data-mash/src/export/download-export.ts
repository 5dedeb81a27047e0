import type { BlobStore, FileDownload, MetadataStore } from '@platform/foundations';
import { PlatformError } from '@platform/foundations';
import {
  type ExportableJourney,
  type ExportedJourney,
  exportJourney,
  readExportableJourney,
  selectTables,
} from './export-journey.js';
import { EXPORT_FILE_TYPES, type ExportFormat } from './export-table.js';

/** What {@link downloadExport} takes. */
export interface DownloadExportOptions {
  metadata: MetadataStore;
  blobStore: BlobStore;
  tenantId: string;
  journeyId: string;
  format: ExportFormat;
  /** The table; needed when the flow's file has more than one. */
  table?: string;
  /** Called once the export is stored, before it is read back (e.g. to record its lineage). */
  onExported?: (journey: ExportableJourney, exported: ExportedJourney) => Promise<void>;
}

// `sales.csv` → `sales`, and for one table of several, `book-Q1 sales` (what a file system takes):
// no control or bidirectional character (a sheet named `x\u202Etxt.exe` would read as another
// file type), no path separator, at most 180 characters, cut between characters.
function downloadName(fileName: string | undefined, table: string, tables: number, format: ExportFormat): string {
  const base = (fileName ?? 'export').replace(/\.[^.]{1,10}$/, '') || 'export';
  const name = tables > 1 ? `${base}-${table}` : base;
  const safe = name
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069/\\:*?"<>|]+/g, '_')
    .toWellFormed();
  return `${[...safe].slice(0, 180).join('')}${EXPORT_FILE_TYPES[format].extension}`;
}

/**
 * One table of a completed flow as a file to download: exported as {@link exportJourney} does
 * (to the BlobStore, beside its rows, so the download is the same file a `POST .../exports`
 * keeps), then read back as a stream with its length. Checks no permission: callers do
 * (`EXPORT_PERMISSION`).
 *
 * @throws {PlatformError} `VALIDATION_FAILED` when the file has several tables and none is named,
 * names one it does not have, or has none (its file is text): `details.tables` lists them; the
 * errors of {@link exportJourney} (`NOT_FOUND` for a flow that is not a completed one of the tenant).
 */
export async function downloadExport(options: DownloadExportOptions): Promise<FileDownload> {
  const journey = await readExportableJourney(options);
  // The flow is the caller's (another tenant's was NOT_FOUND above): what is wrong is the request,
  // said with the tables there are (a 404's message is generic over HTTP).
  const names = journey.tables.map((table) => table.name);
  if (names.length === 0 || (options.table !== undefined && !names.includes(options.table))) {
    throw new PlatformError(
      'VALIDATION_FAILED',
      names.length === 0
        ? `flow '${options.journeyId}' has no tables to download (its file is text)`
        : `flow '${options.journeyId}' has no table '${options.table}'; its tables: ${names.map((name) => `'${name}'`).join(', ')}`,
      { details: { journeyId: options.journeyId, field: 'table', tables: names } },
    );
  }
  const tables = selectTables(journey, options.table === undefined ? undefined : [options.table]);
  if (tables.length > 1) {
    throw new PlatformError(
      'VALIDATION_FAILED',
      `flow '${options.journeyId}' has ${tables.length} tables: name one with 'table'`,
      { details: { journeyId: options.journeyId, tables: tables.map((table) => table.name) } },
    );
  }
  const table = tables[0];
  if (!table) throw new PlatformError('NOT_FOUND', `flow '${options.journeyId}' has no tables`);
  const exported = await exportJourney({
    metadata: options.metadata,
    blobStore: options.blobStore,
    tenantId: options.tenantId,
    journeyId: options.journeyId,
    format: options.format,
    tables: [table.name],
    ...(options.onExported ? { onExported: options.onExported } : {}),
  });
  const written = exported.tables[0];
  if (!written?.key) throw new PlatformError('INTERNAL', `the export of '${table.name}' was not stored`);
  const data = await options.blobStore.getStream(options.tenantId, written.key);
  return {
    name: downloadName(journey.fileName, table.name, journey.tables.length, options.format),
    mediaType: EXPORT_FILE_TYPES[options.format].mediaType,
    size: written.bytes,
    data,
  };
}
