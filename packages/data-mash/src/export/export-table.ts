import { PassThrough, type Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { BlobInfo, BlobStore } from '@platform/foundations';
import type { ColumnProfile } from '../insights/column-profile.js';
import { columnReader, type ExportColumn, type ParquetValue, planColumns, typeMismatch } from './column-plan.js';
import { CsvEncoder, type CsvOptions } from './csv.js';
import { drained } from './drained.js';
import { type ParquetOptions, ParquetSink } from './parquet.js';
import { storedRows } from './rows.js';

/** The formats a table exports to. */
export type ExportFormat = 'parquet' | 'csv';

/** The formats a table exports to, for option parsers. */
export const EXPORT_FORMATS: readonly ExportFormat[] = ['parquet', 'csv'];

/** The file extension and media type of each format. */
export const EXPORT_FILE_TYPES: Readonly<Record<ExportFormat, { extension: string; mediaType: string }>> = {
  parquet: { extension: '.parquet', mediaType: 'application/vnd.apache.parquet' },
  csv: { extension: '.csv', mediaType: 'text/csv; charset=utf-8; header=present' },
};

/**
 * A table to export: its rows' BlobStore key and its profile. `InsightsResult.tables[i]` (what
 * `readInsights` answers) is one.
 */
export interface ExportableTable {
  /** The sheet name (XLSX), caption or `table N` (HTML, DOCX), or the file's base name. */
  name: string;
  /** BlobStore key of the rows, one JSON object a line (`ParsedTable.rowsKey`). */
  rowsKey: string;
  /** The table's profile: its columns, in order, with their types. */
  insights: { rowCount: number; columns: readonly ColumnProfile[] };
}

/** Where an export goes: a stream (a file's, an HTTP response's), or an object in the BlobStore. */
export type ExportDestination = Writable | { key: string; contentType?: string };

/** What {@link exportTable} takes. */
export interface ExportTableOptions {
  blobStore: BlobStore;
  tenantId: string;
  table: ExportableTable;
  format: ExportFormat;
  /**
   * A stream, ended after the last byte (destroyed with the error when the export fails), or a
   * BlobStore key in the same store and tenant (stored when complete; nothing is stored when it
   * fails).
   */
  to: ExportDestination;
  csv?: CsvOptions;
  parquet?: ParquetOptions;
  /**
   * Text read as missing in typed Parquet columns. Default: the profiler's default null tokens;
   * give the profiler's `nullTokens` when it was given others.
   */
  nullTokens?: readonly string[];
}

/** A column as exported: its profile's type and, for Parquet, how it was written. */
export type ExportedColumn = Pick<ExportColumn, 'name' | 'type'> &
  Partial<Pick<ExportColumn, 'parquetType' | 'textBecause' | 'unit' | 'dateOrder'>>;

/** What an export wrote. */
export interface ExportedTable {
  table: string;
  format: ExportFormat;
  rows: number;
  /** Bytes written. */
  bytes: number;
  columns: ExportedColumn[];
  /** The BlobStore key, and the stored object's checksum, when exported to the BlobStore. */
  key?: string;
  sha256?: string;
}

// A stream, or a BlobStore object fed by one, with one way to end or abandon either.
interface Output {
  stream: Writable;
  done(): Promise<BlobInfo | undefined>;
  fail(error: Error): Promise<void>;
}

function openOutput(options: ExportTableOptions): Output {
  const to = options.to;
  if ('key' in to && !('write' in to)) {
    const stream = new PassThrough();
    const stored = options.blobStore.put(options.tenantId, to.key, stream, {
      contentType: to.contentType ?? (EXPORT_FILE_TYPES[options.format].mediaType as string),
    });
    // Seen here, so a storage failure is not unhandled while rows are still being written.
    stored.catch((error: unknown) => stream.destroy(error as Error));
    return {
      stream,
      done: async () => {
        stream.end();
        return stored;
      },
      fail: async (error) => {
        stream.destroy(error);
        await stored.catch(() => undefined);
      },
    };
  }
  const stream = to as Writable;
  // Seen here while the export runs, so that a stream failing (a file that cannot be opened, a
  // full disk) is an error of the export (`stream.errored`, checked at every wait) and never an
  // unhandled 'error' event; the caller's own listeners are untouched.
  const seen = () => undefined;
  stream.on('error', seen);
  return {
    stream,
    done: async () => {
      stream.end();
      await finished(stream, { readable: false }).finally(() => stream.off('error', seen));
      return undefined;
    },
    fail: async (error) => {
      stream.destroy(error);
      await finished(stream, { readable: false }).catch(() => undefined);
      stream.off('error', seen);
    },
  };
}

// Writes text to a stream in pieces of about 256 KiB, waiting while the stream is full.
class TextOut {
  readonly #stream: Writable;
  #pending = '';
  bytes = 0;

  constructor(stream: Writable) {
    this.#stream = stream;
  }

  write(text: string): undefined | Promise<void> {
    this.#pending += text;
    return this.#pending.length < 256 * 1024 ? undefined : this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending === '') return;
    const bytes = Buffer.from(this.#pending, 'utf8');
    this.#pending = '';
    this.bytes += bytes.length;
    this.#stream.write(bytes);
    await drained(this.#stream);
  }
}

/**
 * Exports one stored table as Parquet or CSV, streaming: rows are read from the table's JSON
 * Lines copy one at a time and written as they come (Parquet a row group at a time), so memory
 * stays bounded by a row group whatever the table's size.
 *
 * - **CSV**: RFC 4180, UTF-8, a header record, CRLF; every cell guarded against formula
 *   injection (`guardCsvCell`: `'=SUM(A1)`), plain numbers such as `-5` excepted. Values are
 *   written as stored (the text of the file; numbers of JSON files as JSON writes them); missing
 *   values are empty cells.
 * - **Parquet**: one typed, nullable column per column, typed from the profile
 *   (`planColumns`: int64, double, boolean, date32, timestamp, utf8); row groups of
 *   `parquet.rowGroupRows` rows; Snappy compression unless told otherwise. The file's key-value
 *   metadata `data_mash.columns` lists each column's profile type.
 *
 * @throws {PlatformError} `NOT_FOUND` when the rows are not stored; `CONTRACT_VIOLATION` when a
 * value does not read as the type its profile gave the column (the profile is not of these rows).
 * Either way the stream is destroyed with the error, or nothing is stored under the key.
 */
export async function exportTable(options: ExportTableOptions): Promise<ExportedTable> {
  const { table, format } = options;
  const names = table.insights.columns.map((column) => column.name);
  const plan = planColumns(table.insights.columns);
  const output = openOutput(options);
  let rows = 0;
  let bytes = 0;
  try {
    const source = storedRows(options.blobStore, options.tenantId, table.rowsKey, names);
    if (format === 'csv') {
      const encoder = new CsvEncoder(names, options.csv);
      const text = new TextOut(output.stream);
      const header = text.write(`${options.csv?.bom ? '\uFEFF' : ''}${encoder.header()}`);
      if (header) await header;
      for await (const values of source) {
        rows += 1;
        const full = text.write(encoder.record(values));
        if (full) await full;
      }
      await text.flush();
      bytes = text.bytes;
    } else {
      const readers = plan.map((column) =>
        columnReader(column, options.nullTokens ? { nullTokens: options.nullTokens } : {}),
      );
      const metadata = {
        'data_mash.table': table.name,
        'data_mash.columns': JSON.stringify(
          plan.map(({ name, type, unit }) => ({ name, type, ...(unit ? { unit } : {}) })),
        ),
      };
      const sink = await ParquetSink.open(output.stream, plan, options.parquet, metadata);
      const converted: ParquetValue[] = new Array(plan.length);
      for await (const values of source) {
        rows += 1;
        for (let index = 0; index < plan.length; index += 1) {
          const value = (readers[index] as (value: unknown) => ParquetValue | undefined)(values[index]);
          if (value === undefined) throw typeMismatch(plan[index] as ExportColumn, rows, values[index]);
          converted[index] = value;
        }
        const full = sink.add(converted);
        if (full) await full;
      }
      await sink.close();
      bytes = sink.bytes;
    }
    const stored = await output.done();
    return {
      table: table.name,
      format,
      rows,
      bytes: stored?.size ?? bytes,
      columns: format === 'parquet' ? plan : plan.map(({ name, type }) => ({ name, type })),
      ...('key' in options.to && !('write' in options.to) ? { key: options.to.key } : {}),
      ...(stored ? { sha256: stored.sha256 } : {}),
    };
  } catch (error) {
    await output.fail(error as Error);
    throw error;
  }
}
