import {
  type ColumnProfile,
  ColumnProfiler,
  type ColumnProfilerState,
  type ProfilerLimits,
  quantile,
} from './column-profiler.js';
import { Extremes } from './extremes.js';
import { CorrelationAccumulator, type PairMoments } from './relationships.js';
import { FingerprintList } from './row-set.js';
import type { FieldDecoder } from './values.js';

/** Options of a {@link TableProfiler}. */
export interface TableProfilerOptions extends ProfilerLimits {
  /** Rows checked for exact duplicates (the first ones; 8 bytes a row). Default 2,000,000. */
  duplicateRows?: number;
  /** Numeric columns correlated pairwise (the first ones found). Default 20. */
  correlationColumns?: number;
  /** Most extreme values kept per side of a numeric column, with their rows. Default 20. */
  outlierExamples?: number;
  /** Share of nulls from which a column is flagged `mostly_null`. Default 0.5. */
  mostlyNullShare?: number;
  /**
   * The columns to correlate, when known (e.g. when profilers of several parts of one file must
   * agree); otherwise the numeric ones among the first 1,000 rows.
   */
  correlate?: readonly string[];
}

/** A {@link TableProfiler}'s state as plain data (structured-clone safe), to merge elsewhere. */
export interface TableProfilerState {
  rows: number;
  columns: ColumnProfilerState[];
  correlation: { columns: string[]; pairs: PairMoments[] } | null;
  extremes: Array<{ low: Array<{ row: number; value: number }>; high: Array<{ row: number; value: number }> }>;
  fingerprints: Float64Array;
}

/** Outliers of one numeric column. */
export interface ColumnOutliers {
  column: string;
  /** `iqr`: outside Tukey's fences Q1 - 1.5 IQR, Q3 + 1.5 IQR. `robust_z`: |0.6745 (x - median) / MAD| > 3.5. */
  method: 'iqr' | 'robust_z';
  /** The fences values were compared with. */
  low: number;
  high: number;
  /** How many values fall outside: exact while the column fits the sample, else scaled from it. */
  count: number;
  countMethod: 'exact' | 'sample';
  /** The most extreme outliers, with the 1-based row they are on. */
  examples: Array<{ row: number; value: number }>;
}

/** A data-quality problem worth a look. */
export interface QualityFlag {
  kind: 'mostly_null' | 'constant' | 'duplicate_rows' | 'empty';
  /** The column concerned; absent for table-wide flags. */
  column?: string;
  message: string;
}

/** Everything the Insights Pillar computes about one table. */
export interface TableInsights {
  rowCount: number;
  columns: ColumnProfile[];
  correlations: Array<{ a: string; b: string; pearson: number | null; rows: number }>;
  outliers: ColumnOutliers[];
  duplicateRows: { count: number; checkedRows: number; method: 'exact' };
  quality: QualityFlag[];
}

interface ColumnExtremes {
  low: Extremes;
  high: Extremes;
}

const WARMUP_ROWS = 1000;

/**
 * Profiles a table in one pass over its rows, with bounded memory whatever the row count:
 * a {@link ColumnProfiler} per column, Pearson correlations between numeric columns, outliers
 * (fences from the column quartiles, examples from the most extreme values with their rows),
 * exact duplicate rows up to a limit, and quality flags.
 */
export class TableProfiler {
  readonly #columns: readonly string[];
  readonly #profilers: ColumnProfiler[];
  readonly #options: Required<Omit<TableProfilerOptions, keyof ProfilerLimits | 'correlate'>>;
  readonly #fingerprints: FingerprintList;
  readonly #extremes: ColumnExtremes[];
  // NaN where a value is not a number: a Float64Array stores numbers unboxed.
  readonly #numbers: Float64Array;
  #warmup: Float64Array[] | undefined = [];
  readonly #warmupNonNull: number[];
  #correlated: number[] = [];
  #pairValues = new Float64Array(0);
  #correlation: CorrelationAccumulator | undefined;
  #rows = 0;
  readonly #mergedFingerprints: Float64Array[] = [];

  constructor(columns: readonly string[], options: TableProfilerOptions = {}) {
    this.#columns = columns;
    this.#profilers = columns.map((column) => new ColumnProfiler(column, options));
    this.#options = {
      duplicateRows: options.duplicateRows ?? 2_000_000,
      correlationColumns: options.correlationColumns ?? 20,
      outlierExamples: options.outlierExamples ?? 20,
      mostlyNullShare: options.mostlyNullShare ?? 0.5,
    };
    this.#fingerprints = new FingerprintList(this.#options.duplicateRows);
    const keep = this.#options.outlierExamples;
    this.#extremes = columns.map(() => ({ low: new Extremes(keep, false), high: new Extremes(keep, true) }));
    this.#numbers = new Float64Array(columns.length).fill(Number.NaN);
    this.#warmupNonNull = columns.map(() => 0);
    if (options.correlate) {
      this.#warmup = undefined;
      this.#useCorrelated(options.correlate.map((column) => columns.indexOf(column)).filter((index) => index >= 0));
    }
  }

  #useCorrelated(indexes: number[]): void {
    this.#correlated = indexes;
    if (indexes.length < 2) return;
    this.#pairValues = new Float64Array(indexes.length);
    this.#correlation = new CorrelationAccumulator(indexes.map((index) => this.#columns[index] as string));
  }

  /** The columns being correlated (decided after the first 1,000 rows unless given). */
  correlatedColumns(): string[] {
    if (this.#warmup) this.#startCorrelations();
    return this.#correlated.map((index) => this.#columns[index] as string);
  }

  /** The state so far as plain data: what a worker sends back. */
  state(): TableProfilerState {
    if (this.#warmup) this.#startCorrelations();
    return {
      rows: this.#rows,
      columns: this.#profilers.map((profiler) => profiler.state()),
      correlation: this.#correlation?.state() ?? null,
      extremes: this.#extremes.map((entry) => ({ low: entry.low.entries(), high: entry.high.entries() })),
      fingerprints: this.#fingerprints.values().slice(),
    };
  }

  /**
   * Adds what a profiler of the rows that follow these saw (the next part of the same file, with
   * the same columns and `correlate` list): row numbers in `state` are shifted past this one's rows.
   */
  merge(state: TableProfilerState): void {
    if (this.#warmup) this.#startCorrelations();
    const offset = this.#rows;
    state.columns.forEach((column, index) => {
      (this.#profilers[index] as ColumnProfiler).merge(column);
    });
    if (state.correlation) this.#correlation?.merge(state.correlation);
    state.extremes.forEach((entry, index) => {
      const own = this.#extremes[index] as ColumnExtremes;
      for (const item of entry.high) own.high.offer(item.row + offset, item.value);
      for (const item of entry.low) own.low.offer(item.row + offset, item.value);
    });
    this.#mergedFingerprints.push(state.fingerprints);
    this.#rows += state.rows;
  }

  /** Adds one row, as values in column order. */
  addValues(values: ReadonlyArray<unknown>): void {
    this.#rows += 1;
    let a = 0x9747b28c;
    let b = 0x1b873593;
    for (let index = 0; index < this.#profilers.length; index += 1) {
      const profiler = this.#profilers[index] as ColumnProfiler;
      const hash = profiler.add(values[index]);
      a = Math.imul(a ^ hash, 0x85ebca6b) + index;
      b = Math.imul(b ^ hash, 0xc2b2ae35) ^ (b >>> 15);
      this.#afterValue(index, profiler, hash);
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

  #afterValue(index: number, profiler: ColumnProfiler, hash: number): void {
    if (this.#warmup && hash !== 0) this.#warmupNonNull[index] = (this.#warmupNonNull[index] as number) + 1;
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
    if (this.#warmup) {
      this.#warmup.push(this.#numbers.slice());
      if (this.#warmup.length >= WARMUP_ROWS) this.#startCorrelations();
    } else if (this.#correlation) {
      const pairs = this.#pairValues;
      for (let position = 0; position < pairs.length; position += 1)
        pairs[position] = this.#numbers[this.#correlated[position] as number] as number;
      this.#correlation.add(pairs);
    }
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
      this.#afterValue(index, profiler, hash);
      a = Math.imul(a ^ hash, 0x85ebca6b) + index;
      b = Math.imul(b ^ hash, 0xc2b2ae35) ^ (b >>> 15);
    }
    this.#afterRow(a, b);
  }

  /** Adds one row, as an object keyed by column. */
  add(row: Readonly<Record<string, unknown>>): void {
    this.addValues(this.#columns.map((column) => row[column]));
  }

  // Columns are known to be numeric only after some rows: the first rows wait, then are replayed.
  #startCorrelations(): void {
    const rows = this.#warmup ?? [];
    this.#warmup = undefined;
    this.#useCorrelated(
      this.#columns
        .map((_, index) => index)
        .filter((index) => {
          const numbers = rows.filter((row) => !Number.isNaN(row[index])).length;
          return numbers >= 3 && numbers >= 0.9 * (this.#warmupNonNull[index] as number);
        })
        .slice(0, this.#options.correlationColumns),
    );
    const correlation = this.#correlation as CorrelationAccumulator | undefined;
    if (!correlation) return;
    for (const row of rows) correlation.add(this.#correlated.map((index) => row[index] as number));
  }

  /** The insights of the rows added so far. */
  result(): TableInsights {
    if (this.#warmup) this.#startCorrelations();
    const columns = this.#profilers.map((profiler) => profiler.profile());
    const outliers = columns.flatMap((profile, index) => this.#outliersOf(profile, index));
    const duplicates = this.#fingerprints.countRepeats(this.#mergedFingerprints);
    return {
      rowCount: this.#rows,
      columns,
      correlations: this.#correlation?.correlations() ?? [],
      outliers,
      duplicateRows: {
        count: duplicates,
        checkedRows: this.#fingerprints.size + this.#mergedFingerprints.reduce((sum, list) => sum + list.length, 0),
        method: 'exact',
      },
      quality: this.#qualityFlags(columns, duplicates),
    };
  }

  /** Up to 500 non-null values of a column (uniform sample), for semantic inference. */
  sampleValues(column: string): string[] {
    return this.#profilers[this.#columns.indexOf(column)]?.sampleValues() ?? [];
  }

  #outliersOf(profile: ColumnProfile, index: number): ColumnOutliers[] {
    const numeric = profile.numeric;
    if (!numeric || numeric.count < 4) return [];
    const profiler = this.#profilers[index] as ColumnProfiler;
    const sample = profiler.numericSample();
    const extremes = this.#extremes[index] as ColumnExtremes;
    const candidates = [...extremes.high.entries(), ...extremes.low.entries()];
    const scale = numeric.count / sample.length;
    const countMethod = numeric.quantileMethod === 'exact' ? 'exact' : 'sample';
    const found: ColumnOutliers[] = [];
    const collect = (method: ColumnOutliers['method'], low: number, high: number) => {
      const outside = (value: number) => value < low || value > high;
      const inSample = sample.filter(outside).length;
      if (inSample === 0 && !candidates.some((candidate) => outside(candidate.value))) return;
      const examples = dedupe(candidates.filter((candidate) => outside(candidate.value))).sort(
        (x, y) => Math.abs(y.value - numeric.median) - Math.abs(x.value - numeric.median) || x.row - y.row,
      );
      found.push({
        column: profile.name,
        method,
        low,
        high,
        count: Math.max(examples.length, Math.round(inSample * scale)),
        countMethod,
        examples: examples.slice(0, this.#options.outlierExamples),
      });
    };
    const iqr = numeric.quantiles.p75 - numeric.quantiles.p25;
    if (iqr > 0) collect('iqr', numeric.quantiles.p25 - 1.5 * iqr, numeric.quantiles.p75 + 1.5 * iqr);
    const deviations = sample.map((value) => Math.abs(value - numeric.median)).sort((x, y) => x - y);
    const mad = quantile(deviations, 0.5);
    if (mad > 0) {
      const reach = (3.5 * mad) / 0.6745;
      collect('robust_z', numeric.median - reach, numeric.median + reach);
    }
    return found;
  }

  #qualityFlags(columns: ColumnProfile[], duplicates: number): QualityFlag[] {
    const flags: QualityFlag[] = [];
    if (this.#rows === 0) flags.push({ kind: 'empty', message: 'the table has no rows' });
    for (const column of columns) {
      if (column.count === 0) continue;
      const share = column.nulls / column.count;
      if (share >= this.#options.mostlyNullShare) {
        flags.push({
          kind: 'mostly_null',
          column: column.name,
          message: `${percent(share)} of '${column.name}' is empty`,
        });
      }
      if (column.distinct === 1 && column.count - column.nulls > 1) {
        flags.push({
          kind: 'constant',
          column: column.name,
          message: `'${column.name}' has one value throughout: '${column.topValues[0]?.value ?? ''}'`,
        });
      }
    }
    if (duplicates > 0) {
      flags.push({
        kind: 'duplicate_rows',
        message: `${duplicates} row(s) repeat an earlier row exactly`,
      });
    }
    return flags;
  }
}

function dedupe(list: Array<{ row: number; value: number }>): Array<{ row: number; value: number }> {
  const seen = new Set<number>();
  return list.filter((entry) => !seen.has(entry.row) && seen.add(entry.row));
}

/** A share as a percentage with at most one decimal: 0.4567 -> '45.7 %'. */
export function percent(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}
