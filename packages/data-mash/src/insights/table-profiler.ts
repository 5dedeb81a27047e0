import { AssociationSample, type AssociationSampleState } from './association-sample.js';
import { type ColumnExtremes, outliersOf } from './column-outliers.js';
import {
  type ColumnProfile,
  ColumnProfiler,
  type ColumnProfilerState,
  type ProfilerLimits,
} from './column-profiler.js';
import { isMeasure } from './column-type.js';
import { CorrelationSet, type CorrelationSetState } from './correlation-set.js';
import { Extremes } from './extremes.js';
import { qualityFlags } from './quality.js';
import { RowSample, type RowSampleState } from './row-sample.js';
import { FingerprintList } from './row-set.js';
import type { TableInsights } from './table-insights.js';
import type { FieldDecoder } from './values.js';

export type { ColumnOutliers } from './column-outliers.js';
export type { TableInsights } from './table-insights.js';

/** Options of a {@link TableProfiler}. */
export interface TableProfilerOptions extends ProfilerLimits {
  /** Rows checked for exact duplicates (the first ones; 8 bytes a row). Default 2,000,000. */
  duplicateRows?: number;
  /**
   * Numeric columns correlated pairwise: the first ones in column order among those with a
   * number (the rest are named in `correlationLimit`). Default 40.
   */
  correlationColumns?: number;
  /** Most extreme values kept per side of a numeric column, with their rows. Default 20. */
  outlierExamples?: number;
  /**
   * Rows kept (a uniform sample) for Spearman's rho and Cramér's V. Default 5,000, fewer for
   * wide tables (at most 500,000 cells).
   */
  associationRows?: number;
  /** Share of nulls from which a column is flagged `mostly_null`. Default 0.5. */
  mostlyNullShare?: number;
}

/** A {@link TableProfiler}'s state as plain data (structured-clone safe), to merge elsewhere. */
export interface TableProfilerState {
  rows: number;
  columns: ColumnProfilerState[];
  correlation: CorrelationSetState;
  extremes: Array<{ low: Array<{ row: number; value: number }>; high: Array<{ row: number; value: number }> }>;
  fingerprints: Float64Array;
  sample: RowSampleState;
  associations: AssociationSampleState;
}

/**
 * Profiles a table in one pass over its rows, with bounded memory whatever the row count:
 * a {@link ColumnProfiler} per column, Pearson correlations between numeric columns, outliers
 * (fences from the column quartiles, examples from the most extreme values with their rows),
 * exact duplicate rows up to a limit, and quality flags. Rows are numbered from 1 at the first
 * data row (the header is not counted).
 */
export class TableProfiler {
  readonly #columns: readonly string[];
  readonly #profilers: ColumnProfiler[];
  readonly #options: Required<Omit<TableProfilerOptions, keyof ProfilerLimits | 'associationRows'>>;
  readonly #fingerprints: FingerprintList;
  readonly #extremes: ColumnExtremes[];
  // NaN where a value is not a number: a Float64Array stores numbers unboxed.
  readonly #numbers: Float64Array;
  readonly #correlation: CorrelationSet;
  #rows = 0;
  // Added to data-row indexes (1-based) in results: the row number of the first data row, less one.
  #rowBase = 0;
  readonly #sample = new RowSample();
  readonly #missing: Uint8Array;
  readonly #hashes: Uint32Array;
  readonly #associations: AssociationSample;
  readonly #mergedFingerprints: Float64Array[] = [];

  constructor(columns: readonly string[], options: TableProfilerOptions = {}) {
    this.#columns = columns;
    this.#profilers = columns.map((column) => new ColumnProfiler(column, options));
    this.#options = {
      duplicateRows: options.duplicateRows ?? 2_000_000,
      correlationColumns: options.correlationColumns ?? 40,
      outlierExamples: options.outlierExamples ?? 20,
      mostlyNullShare: options.mostlyNullShare ?? 0.5,
    };
    this.#fingerprints = new FingerprintList(this.#options.duplicateRows);
    const keep = this.#options.outlierExamples;
    this.#extremes = columns.map(() => ({ low: new Extremes(keep, false), high: new Extremes(keep, true) }));
    this.#numbers = new Float64Array(columns.length).fill(Number.NaN);
    this.#missing = new Uint8Array(columns.length);
    this.#hashes = new Uint32Array(columns.length);
    this.#associations = new AssociationSample(
      options.associationRows ?? Math.max(100, Math.min(5000, Math.floor(500_000 / Math.max(1, columns.length)))),
    );
    this.#correlation = new CorrelationSet(columns.length, this.#options.correlationColumns);
  }

  /**
   * Numbers rows in results (outlier examples, the missing-values sample) from `first`: the row
   * the first data row is in the file as a spreadsheet or editor shows it (2 for a CSV with a
   * header, which is row 1). Default 1: rows counted from the first data row.
   */
  numberRowsFrom(first: number): this {
    this.#rowBase = first - 1;
    return this;
  }

  /** The columns being correlated so far: those with a number, up to `correlationColumns`. */
  correlatedColumns(): string[] {
    return this.#correlation.state().members.map((index) => this.#columns[index] as string);
  }

  /** The state so far as plain data: what a worker sends back. */
  state(): TableProfilerState {
    return {
      rows: this.#rows,
      columns: this.#profilers.map((profiler) => profiler.state()),
      correlation: this.#correlation.state(),
      extremes: this.#extremes.map((entry) => ({ low: entry.low.entries(), high: entry.high.entries() })),
      fingerprints: this.#fingerprints.values().slice(),
      sample: this.#sample.state(),
      associations: this.#associations.state(),
    };
  }

  /**
   * Adds what a profiler of the rows that follow these saw (the next part of the same file, with
   * the same columns): row numbers in `state` are shifted past this one's rows.
   */
  merge(state: TableProfilerState): void {
    const offset = this.#rows;
    state.columns.forEach((column, index) => {
      (this.#profilers[index] as ColumnProfiler).merge(column);
    });
    this.#correlation.merge(state.correlation);
    state.extremes.forEach((entry, index) => {
      const own = this.#extremes[index] as ColumnExtremes;
      for (const item of entry.high) own.high.offer(item.row + offset, item.value);
      for (const item of entry.low) own.low.offer(item.row + offset, item.value);
    });
    // Duplicates are checked over the first `duplicateRows` rows of the whole table: a part's
    // fingerprints count only while every row before it was checked, and only up to the limit.
    const checked = this.#fingerprints.size + this.#mergedFingerprints.reduce((sum, list) => sum + list.length, 0);
    if (checked === offset && checked < this.#options.duplicateRows)
      this.#mergedFingerprints.push(state.fingerprints.subarray(0, this.#options.duplicateRows - checked));
    this.#sample.merge(state.sample);
    this.#associations.merge(state.associations);
    this.#rows += state.rows;
  }

  /** Adds one row, as values in column order. */
  addValues(values: ReadonlyArray<unknown>): void {
    this.#rows += 1;
    if (this.#sample.wantsValues())
      this.#sample.keepValues(
        this.#columns.map((_, index) => {
          const value = values[index];
          return value === null || value === undefined ? null : String(value);
        }),
      );
    let a = 0x9747b28c;
    let b = 0x1b873593;
    for (let index = 0; index < this.#profilers.length; index += 1) {
      const profiler = this.#profilers[index] as ColumnProfiler;
      const hash = profiler.add(values[index]);
      this.#missing[index] = hash === 0 ? 1 : 0;
      this.#hashes[index] = hash;
      a = Math.imul(a ^ hash, 0x85ebca6b) + index;
      b = Math.imul(b ^ profiler.lastCheck, 0xc2b2ae35) ^ (b >>> 15);
      this.#afterValue(index, profiler);
    }
    this.#afterRow(a, b);
  }

  #scratch: Buffer = Buffer.alloc(0);

  // Copies bytes[start, end) into the scratch buffer with each doubled quote made single.
  #unescape(bytes: Uint8Array, start: number, end: number): number {
    if (this.#scratch.length < end - start) this.#scratch = Buffer.allocUnsafe(Math.max(1024, (end - start) * 2));
    const scratch = this.#scratch;
    let length = 0;
    for (let index = start; index < end; index += 1) {
      const byte = bytes[index] as number;
      scratch[length] = byte;
      length += 1;
      if (byte === 0x22 && bytes[index + 1] === 0x22) index += 1;
    }
    return length;
  }

  #afterValue(index: number, profiler: ColumnProfiler): void {
    const number = profiler.lastNumber;
    this.#numbers[index] = number;
    // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
    if (number === number) {
      const extremes = this.#extremes[index] as ColumnExtremes;
      extremes.high.offer(this.#rows, number);
      extremes.low.offer(this.#rows, number);
    }
  }

  #afterRow(a: number, b: number): void {
    this.#fingerprints.add((a >>> 0) * 0x100000 + (b >>> 12));
    this.#sample.add(this.#missing);
    this.#associations.add(this.#numbers, this.#hashes);
    this.#correlation.add(this.#numbers);
  }

  /**
   * Adds one row given as fields of a byte buffer (the fast path of {@link profileDelimitedFile}):
   * field `i` is `bytes[starts[i], ends[i])`; `escaped[i]` is 1 when it held doubled quotes, 2 when
   * it is to be taken as written (quotes and all). Missing fields count as empty, extra ones are
   * ignored.
   */
  addFields(
    bytes: Uint8Array,
    starts: Int32Array,
    ends: Int32Array,
    escaped: Uint8Array,
    count: number,
    decode: FieldDecoder,
    singleByte: boolean,
  ): void {
    this.#rows += 1;
    if (this.#sample.wantsValues())
      this.#sample.keepValues(
        this.#columns.map((_, index) => {
          // Missing fields count as empty, as the general parser hands them.
          if (index >= count) return '';
          const text = decode(bytes, starts[index] as number, ends[index] as number);
          return escaped[index] === 1 ? text.replaceAll('""', '"') : text;
        }),
      );
    let a = 0x9747b28c;
    let b = 0x1b873593;
    for (let index = 0; index < this.#profilers.length; index += 1) {
      const profiler = this.#profilers[index] as ColumnProfiler;
      let hash: number;
      if (index >= count) hash = profiler.add('');
      else {
        const kind = escaped[index] as number;
        const start = starts[index] as number;
        const end = ends[index] as number;
        if (kind === 0) hash = profiler.addBytes(bytes, start, end, decode, singleByte);
        else if (kind === 1) {
          // Doubled quotes: unescaped into a scratch buffer, still as bytes.
          const length = this.#unescape(bytes, start, end);
          hash = profiler.addBytes(this.#scratch, 0, length, decode, singleByte);
        } else hash = profiler.addBytes(bytes, start, end, decode, singleByte);
      }
      this.#missing[index] = hash === 0 ? 1 : 0;
      this.#hashes[index] = hash;
      this.#afterValue(index, profiler);
      a = Math.imul(a ^ hash, 0x85ebca6b) + index;
      b = Math.imul(b ^ profiler.lastCheck, 0xc2b2ae35) ^ (b >>> 15);
    }
    this.#afterRow(a, b);
  }

  /** Adds one row, as an object keyed by column. */
  add(row: Readonly<Record<string, unknown>>): void {
    this.addValues(this.#columns.map((column) => row[column]));
  }

  /** The insights of the rows added so far. */
  result(): TableInsights {
    const columns = this.#profilers.map((profiler) => profiler.profile());
    const outliers = columns.flatMap((profile, index) =>
      outliersOf(
        profile,
        this.#profilers[index] as ColumnProfiler,
        this.#extremes[index] as ColumnExtremes,
        this.#options.outlierExamples,
        this.#rowBase,
      ),
    );
    const duplicates = this.#fingerprints.countRepeats(this.#mergedFingerprints);
    // Ids, codes and other non-measures have numbers too, but nothing to correlate.
    const measure = (index: number) => isMeasure((columns[index] as ColumnProfile).type);
    const pairs = this.#correlation.correlations().filter((pair) => measure(pair.a) && measure(pair.b));
    const ranked = this.#associations.spearman(
      [...new Set(pairs.flatMap((pair) => [pair.a, pair.b]))].sort((x, y) => x - y),
    );
    const rho = new Map(ranked.map((entry) => [`${entry.a}:${entry.b}`, entry.spearman]));
    const correlations = pairs.map((pair) => ({
      ...pair,
      a: this.#columns[pair.a] as string,
      b: this.#columns[pair.b] as string,
      spearman: rho.get(`${pair.a}:${pair.b}`) ?? null,
    }));
    const categories = columns
      .map((column, index) => ({ column, index }))
      .filter(
        ({ column }) =>
          (column.type === 'categorical' || column.type === 'boolean') &&
          column.distinctMethod === 'exact' &&
          column.distinct <= 50,
      )
      .map(({ index }) => index);
    const categorical = categories.slice(0, this.#options.correlationColumns);
    const categoriesLeftOut = categories.slice(this.#options.correlationColumns);
    const categoricalAssociations = this.#associations.cramersV(categorical).map((entry) => ({
      ...entry,
      a: this.#columns[entry.a] as string,
      b: this.#columns[entry.b] as string,
    }));
    const leftOut = this.#correlation.leftOut().filter(measure);
    return {
      rowCount: this.#rows,
      columns,
      correlations,
      categoricalAssociations,
      ...(categoriesLeftOut.length > 0
        ? {
            categoricalAssociationLimit: {
              columns: this.#options.correlationColumns,
              leftOut: categoriesLeftOut.map((index) => this.#columns[index] as string),
            },
          }
        : {}),
      associationSample: {
        rows: this.#associations.kept,
        method: this.#associations.complete ? 'exact' : 'sample',
      },
      ...(leftOut.length > 0
        ? {
            correlationLimit: {
              columns: this.#correlation.cap,
              leftOut: leftOut.map((index) => this.#columns[index] as string),
            },
          }
        : {}),
      outliers,
      duplicateRows: {
        count: duplicates,
        checkedRows: this.#fingerprints.size + this.#mergedFingerprints.reduce((sum, list) => sum + list.length, 0),
        method: 'exact',
      },
      quality: qualityFlags({
        rows: this.#rows,
        columns,
        correlations,
        duplicates,
        mostlyNullShare: this.#options.mostlyNullShare,
      }),
      rows: this.#rowsResult(),
    };
  }

  #rowsResult(): TableInsights['rows'] {
    const rows = this.#sample.result();
    if (this.#rowBase === 0) return rows;
    return {
      ...rows,
      missing: rows.missing.map((entry) => ({ ...entry, row: entry.row + this.#rowBase })),
      firstRowNumber: 1 + this.#rowBase,
    };
  }

  /** Up to 500 non-null values of a column (uniform sample), for semantic inference. */
  sampleValues(column: string): string[] {
    return this.#profilers[this.#columns.indexOf(column)]?.sampleValues() ?? [];
  }
}

export { percent, type QualityFlag } from './quality.js';
