export {
  columnReader,
  type ExportColumn,
  type ParquetColumnType,
  type ParquetValue,
  planColumns,
  type ReaderOptions,
  type ValueReader,
} from './column-plan.js';
export { CsvEncoder, type CsvOptions, csvText, guardCsvCell, quoteCsvField, unguardCsvCell } from './csv.js';
export { type DownloadExportOptions, downloadExport } from './download-export.js';
export {
  EXPORT_PERMISSION,
  type ExportableJourney,
  type ExportedJourney,
  type ExportJourneyOptions,
  exportJourney,
  exportKey,
  readExportableJourney,
  selectTables,
} from './export-journey.js';
export { EXPORT_LINEAGE_JOB, recordExportLineage } from './export-lineage.js';
export {
  EXPORT_FILE_TYPES,
  EXPORT_FORMATS,
  type ExportableTable,
  type ExportDestination,
  type ExportedColumn,
  type ExportedTable,
  type ExportFormat,
  type ExportTableOptions,
  exportTable,
} from './export-table.js';
export type { ParquetCompression, ParquetOptions } from './parquet.js';
