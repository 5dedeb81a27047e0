import { type ColumnProfile, ColumnProfiler, type ProfilerLimits, quantile } from './column-profiler.js';
import { CorrelationAccumulator } from './relationships.js';
import { FingerprintList } from './row-set.js';

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

interface Extremes {
  low: Array<{ row: number; value: number }>;
  high: Array<{ row: number; value: number }>;
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
  readonly #options: Required<Omit<TableProfilerOptions, keyof ProfilerLimits>>;
  readonly #fingerprints: FingerprintList;
  readonly #extremes: Extremes[];
  readonly #numbers: Array<number | undefined>;
  #warmup: Array<Array<number | undefined>> | undefined = [];
  readonly #warmupNonNull: number[];
  #correlated: number[] = [];
  #pairValues: Array<number | undefined> = [];
  #correlation: CorrelationAccumulator | undefined;
  #rows = 0;

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
    this.#extremes = columns.map(() => ({ low: [], high: [] }));
    this.#numbers = columns.map(() => undefined);
    this.#warmupNonNull = columns.map(() => 0);
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
      if (this.#warmup && hash !== 0) this.#warmupNonNull[index] = (this.#warmupNonNull[index] as number) + 1;
      const number = profiler.lastNumber;
      this.#numbers[index] = number;
      if (number !== undefined) this.#track(index, number);
    }
    this.#fingerprints.add((a >>> 0) * 0x100000 + (b >>> 12));
    if (this.#warmup) {
      this.#warmup.push([...this.#numbers]);
      if (this.#warmup.length >= WARMUP_ROWS) this.#startCorrelations();
    } else if (this.#correlation) {
      const pairs = this.#pairValues;
      for (let position = 0; position < pairs.length; position += 1)
        pairs[position] = this.#numbers[this.#correlated[position] as number];
      this.#correlation.add(pairs);
    }
  }

  /** Adds one row, as an object keyed by column. */
  add(row: Readonly<Record<string, unknown>>): void {
    this.addValues(this.#columns.map((column) => row[column]));
  }

  #track(index: number, value: number): void {
    const keep = this.#options.outlierExamples;
    const extremes = this.#extremes[index] as Extremes;
    const row = this.#rows;
    const high = extremes.high;
    if (high.length < keep || value > (high[high.length - 1] as { value: number }).value) {
      insertSorted(high, { row, value }, (x, y) => y.value - x.value, keep);
    }
    const low = extremes.low;
    if (low.length < keep || value < (low[low.length - 1] as { value: number }).value) {
      insertSorted(low, { row, value }, (x, y) => x.value - y.value, keep);
    }
  }

  // Columns are known to be numeric only after some rows: the first rows wait, then are replayed.
  #startCorrelations(): void {
    const rows = this.#warmup ?? [];
    this.#warmup = undefined;
    this.#correlated = this.#columns
      .map((_, index) => index)
      .filter((index) => {
        const numbers = rows.filter((row) => row[index] !== undefined).length;
        return numbers >= 3 && numbers >= 0.9 * (this.#warmupNonNull[index] as number);
      })
      .slice(0, this.#options.correlationColumns);
    if (this.#correlated.length < 2) return;
    this.#pairValues = this.#correlated.map(() => undefined);
    this.#correlation = new CorrelationAccumulator(this.#correlated.map((index) => this.#columns[index] as string));
    for (const row of rows) this.#correlation.add(this.#correlated.map((index) => row[index]));
  }

  /** The insights of the rows added so far. */
  result(): TableInsights {
    if (this.#warmup) this.#startCorrelations();
    const columns = this.#profilers.map((profiler) => profiler.profile());
    const outliers = columns.flatMap((profile, index) => this.#outliersOf(profile, index));
    const duplicates = this.#fingerprints.countRepeats();
    return {
      rowCount: this.#rows,
      columns,
      correlations: this.#correlation?.correlations() ?? [],
      outliers,
      duplicateRows: {
        count: duplicates,
        checkedRows: this.#fingerprints.size,
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
    const extremes = this.#extremes[index] as Extremes;
    const candidates = [...extremes.high, ...extremes.low];
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

function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number, limit: number): void {
  let position = list.length;
  while (position > 0 && compare(item, list[position - 1] as T) < 0) position -= 1;
  list.splice(position, 0, item);
  if (list.length > limit) list.pop();
}

function dedupe(list: Array<{ row: number; value: number }>): Array<{ row: number; value: number }> {
  const seen = new Set<number>();
  return list.filter((entry) => !seen.has(entry.row) && seen.add(entry.row));
}

/** A share as a percentage with at most one decimal: 0.4567 -> '45.7 %'. */
export function percent(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}
