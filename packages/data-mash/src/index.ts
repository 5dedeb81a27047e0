/**
 * @packageDocumentation
 * The data mash of the @platform SDK: the flow from an uploaded file to stored semantics and
 * insights (`dataMashModules()` for hosts, the solution orchestrator, journeys from YAML
 * templates, typed steps and handoff contracts), the four phases (file intake, the Content
 * Pillar, the semantic layer, the Insights Pillar), governance in the flow (policies, personal
 * data), export, retention and erasure, the storage doctor, the HTML report, and the building
 * blocks a host may use alone: parsing, semantic processing, embedding and profiling. Internal
 * machinery (sketches, accumulators, readers) is not exported. The CLI is
 * `@platform/data-mash-cli`; the distributed runner is `@platform/data-mash/distributed`.
 */

// The host's entry points, the flow and its building blocks.
export * from './content/index.js';
export * from './doctor/index.js';
export * from './embedding/index.js';
export * from './erasure/index.js';
// Export: the formats, the entry points, the download and the lineage of an export; the column
// plans and CSV encoder stay inside.
export {
  type DownloadExportOptions,
  downloadExport,
  EXPORT_FILE_TYPES,
  EXPORT_FORMATS,
  EXPORT_LINEAGE_JOB,
  EXPORT_PERMISSION,
  type ExportableJourney,
  type ExportableTable,
  type ExportDestination,
  type ExportedColumn,
  type ExportedJourney,
  type ExportedTable,
  type ExportFormat,
  type ExportJourneyOptions,
  type ExportTableOptions,
  exportJourney,
  exportTable,
  guardCsvCell,
  type ParquetCompression,
  type ParquetOptions,
  readExportableJourney,
  recordExportLineage,
  selectTables,
  unguardCsvCell,
} from './export/index.js';
export * from './flow/index.js';
export * from './host/index.js';
// Profiles: what insights are made of, the profilers a host may run alone, and the wording of
// figures. The sketches and accumulators behind them (HyperLogLog, heavy hitters, quantile
// samples, date accumulators, keyword counters) stay inside.
export {
  type ColumnOutliers,
  type ColumnProfile,
  ColumnProfiler,
  type ColumnProfilerState,
  type ColumnType,
  CorrelationAccumulator,
  type DateOrder,
  type DateProfile,
  type DateUnit,
  type FieldDecoder,
  type FileProfileOptions,
  findOutliers,
  formatDuration,
  formatFigure,
  formatShare,
  type Outlier,
  type ProfilerLimits,
  profileDelimitedFile,
  type QualityFlag,
  type SummaryStatement,
  summarizeTable,
  type TableInsights,
  TableProfiler,
  type TableProfilerOptions,
} from './insights/index.js';
export * from './journeys/index.js';
// Parsing: the streaming parsers and the chunker the README documents.
export {
  type ChunkOptions,
  chunkText,
  type DecodingWarning,
  type DelimitedParseOptions,
  type DelimitedParseReport,
  decodeText,
  type JsonParseOptions,
  type JsonParseReport,
  type ParseWarning,
  parseDelimited,
  parseDelimitedValues,
  parseJsonDocument,
  parseJsonLines,
  type RowHandler,
  type TextChunk,
  type TextEncodingName,
  type ValuesHandler,
} from './parsing/index.js';
export * from './phases/index.js';
export * from './report/index.js';
export * from './semantics/index.js';
export * from './text/index.js';
