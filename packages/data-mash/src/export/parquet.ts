import type { Writable } from 'node:stream';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import type { ParquetWriter, SchemaElement, Writer } from 'hyparquet-writer';
import type { ExportColumn, ParquetColumnType, ParquetValue } from './column-plan.js';
import { drained } from './drained.js';

/** The compression of a Parquet export's pages. */
export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'none';

/** Row groups and compression of a Parquet export. */
export interface ParquetOptions {
  /**
   * Rows in a row group, at most. Default 16,384: measured on a 50 MB table, larger row groups
   * wrote no faster and held more memory (ADR 0015); files were 1-4 % larger than with 65,536.
   */
  rowGroupRows?: number;
  /**
   * A row group is closed before `rowGroupRows` when its values reach about this many bytes (text
   * counted by its length): wide or text-heavy tables keep row groups, and memory, bounded.
   * Default 16 MiB.
   */
  rowGroupBytes?: number;
  /** Default `snappy`, which every Parquet reader reads; `zstd` is smaller and as widely read by current ones. */
  compression?: ParquetCompression;
}

const CODECS = { snappy: 'SNAPPY', zstd: 'ZSTD', gzip: 'GZIP', none: 'UNCOMPRESSED' } as const;
// Encoded bytes go to the stream in pieces of about this size, not a row group at a time.
const SPILL_BYTES = 1024 * 1024;

function schemaElement(name: string, type: ParquetColumnType): SchemaElement {
  const repetition_type = 'OPTIONAL';
  switch (type) {
    case 'int64':
      return { name, type: 'INT64', repetition_type };
    case 'double':
      return { name, type: 'DOUBLE', repetition_type };
    case 'boolean':
      return { name, type: 'BOOLEAN', repetition_type };
    case 'date32':
      return { name, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' }, repetition_type };
    case 'timestamp':
      // Not adjusted to UTC: a wall-clock time (DuckDB's TIMESTAMP, Arrow's timestamp without a
      // zone). The converted type TIMESTAMP_MICROS would say "adjusted to UTC", so there is none.
      return {
        name,
        type: 'INT64',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: false, unit: 'MICROS' },
        repetition_type,
      };
    case 'utf8':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
  }
}

/**
 * Writes rows to a Parquet file on a stream, a row group at a time, with hyparquet-writer
 * (loaded on first use): only the current row group's values and about 1 MiB of encoded bytes
 * are held, and a full stream pauses the writer (`add` then returns a promise to await).
 */
export class ParquetSink {
  readonly #columns: readonly ExportColumn[];
  readonly #writer: ParquetWriter;
  readonly #rowGroupRows: number;
  readonly #rowGroupBytes: number;
  #values: ParquetValue[][];
  #rows = 0;
  #bytes = 0;
  #written = 0;

  private constructor(columns: readonly ExportColumn[], writer: ParquetWriter, options: ParquetOptions) {
    this.#columns = columns;
    this.#writer = writer;
    this.#rowGroupRows = Math.max(1, options.rowGroupRows ?? 16_384);
    this.#rowGroupBytes = Math.max(1, options.rowGroupBytes ?? 16 * 1024 * 1024);
    this.#values = columns.map(() => []);
  }

  /** Starts a Parquet file on `out` (not ended here); `metadata` goes to the file's key-value metadata. */
  static async open(
    out: Writable,
    columns: readonly ExportColumn[],
    options: ParquetOptions = {},
    metadata: Record<string, string> = {},
  ): Promise<ParquetSink> {
    const { ByteWriter, ParquetWriter } = await import('hyparquet-writer');
    const bytes = new ByteWriter(2 * SPILL_BYTES);
    const grow = bytes.ensure.bind(bytes);
    // The bytes so far go to the stream (a copy: the buffer is reused).
    const spill = () => {
      if (bytes.index === 0) return;
      out.write(Buffer.from(new Uint8Array(bytes.buffer, 0, bytes.index)));
      bytes.index = 0;
    };
    const writer: Writer = Object.assign(bytes, {
      ensure(size: number) {
        if (bytes.index > SPILL_BYTES) spill();
        grow(size);
      },
      // After each row group: wait while the stream is full.
      async flush() {
        spill();
        await drained(out);
      },
      finish: spill,
    });
    const compression = options.compression ?? 'snappy';
    const parquet = new ParquetWriter({
      writer,
      schema: [
        { name: 'root', num_children: columns.length },
        ...columns.map((column) => schemaElement(column.name, column.parquetType)),
      ],
      codec: CODECS[compression],
      compressors: { ZSTD: (input) => zstdCompressSync(input), GZIP: (input) => gzipSync(input) },
      createdBy: '@platform/data-mash (hyparquet-writer)',
      kvMetadata: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    return new ParquetSink(columns, parquet, options);
  }

  /** Rows added so far. */
  get rows(): number {
    return this.#written + this.#rows;
  }

  /** Bytes of the file so far (all of it once closed). */
  get bytes(): number {
    return this.#writer.writer.offset;
  }

  /** Adds a row of values in column order; resolves at once unless a row group was written to a full stream. */
  add(values: readonly ParquetValue[]): undefined | Promise<void> {
    let bytes = 0;
    for (let index = 0; index < values.length; index += 1) {
      const value = values[index] as ParquetValue;
      (this.#values[index] as ParquetValue[]).push(value);
      bytes += typeof value === 'string' ? value.length + 4 : 8;
    }
    this.#rows += 1;
    this.#bytes += bytes;
    if (this.#rows < this.#rowGroupRows && this.#bytes < this.#rowGroupBytes) return undefined;
    return this.#writeGroup();
  }

  async #writeGroup(): Promise<void> {
    if (this.#rows === 0) return;
    const columnData = this.#columns.map((column, index) => ({
      name: column.name,
      data: this.#values[index] as ParquetValue[],
    }));
    const rows = this.#rows;
    this.#values = this.#columns.map(() => []);
    this.#rows = 0;
    this.#bytes = 0;
    await this.#writer.write({ columnData, rowGroupSize: rows });
    this.#written += rows;
  }

  /** Writes the last row group and the footer. The stream is left open. */
  async close(): Promise<void> {
    await this.#writeGroup();
    await this.#writer.finish();
  }
}
