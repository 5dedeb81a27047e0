import type { ColumnProfile } from './column-profile.js';
import { isMeasure } from './column-type.js';

/**
 * A data-quality alert, as ydata-profiling has them, with the figure behind it. `warning`s are
 * problems worth a look (and go into the summary); `info` describes the data (a unique id column).
 */
export interface QualityFlag {
  kind:
    | 'empty'
    | 'mostly_null'
    | 'constant'
    | 'duplicate_rows'
    | 'mixed_types'
    | 'formula_injection'
    | 'many_zeros'
    | 'skewed'
    | 'imbalanced'
    | 'high_cardinality'
    | 'highly_correlated'
    | 'unique';
  severity: 'warning' | 'info';
  /** The column concerned; absent for table-wide flags (for `highly_correlated`, the first of the pair). */
  column?: string;
  /** The figure the alert is raised on: a share (0-1), a count, a coefficient. */
  figure: number;
  message: string;
}

/** Thresholds of the alerts. */
const ZEROS_SHARE = 0.1;
const SKEWNESS = 2;
const IMBALANCE = 0.5;
const HIGH_CARDINALITY = 50;
const CORRELATION = 0.9;

/** A share as a percentage with at most one decimal: 0.4567 -> '45.7 %'. */
export function percent(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}

/** What the alerts are computed from. */
export interface QualityInput {
  rows: number;
  columns: readonly ColumnProfile[];
  correlations: ReadonlyArray<{ a: string; b: string; pearson: number | null }>;
  duplicates: number;
  mostlyNullShare: number;
}

/** The alerts of a profiled table: table-wide ones first, then per column in column order, then pairs. */
export function qualityFlags(input: QualityInput): QualityFlag[] {
  const flags: QualityFlag[] = [];
  const warn = (flag: Omit<QualityFlag, 'severity'>) => flags.push({ ...flag, severity: 'warning' });
  const note = (flag: Omit<QualityFlag, 'severity'>) => flags.push({ ...flag, severity: 'info' });
  if (input.rows === 0) warn({ kind: 'empty', figure: 0, message: 'the table has no rows' });
  for (const column of input.columns) {
    if (column.count === 0) continue;
    const name = `'${column.name}'`;
    const nonNull = column.count - column.nulls;
    const nullShare = column.nulls / column.count;
    if (nullShare >= input.mostlyNullShare)
      warn({
        kind: 'mostly_null',
        column: column.name,
        figure: nullShare,
        message: `${percent(nullShare)} of ${name} is empty`,
      });
    if (column.distinct === 1 && nonNull > 1)
      warn({
        kind: 'constant',
        column: column.name,
        figure: 1,
        message: `${name} has one value throughout: '${column.topValues[0]?.value ?? ''}'`,
      });
    if (column.otherTypeValues > 0) {
      const share = column.otherTypeValues / nonNull;
      warn({
        kind: 'mixed_types',
        column: column.name,
        figure: column.otherTypeValues,
        message: `${column.otherTypeValues.toLocaleString('en-US')} value${column.otherTypeValues === 1 ? '' : 's'} of ${name} (${percent(share)}) ${column.otherTypeValues === 1 ? 'is' : 'are'} not ${article(column.type)}`,
      });
    }
    if (column.formulaValues > 0)
      warn({
        kind: 'formula_injection',
        column: column.name,
        figure: column.formulaValues,
        message: `${column.formulaValues.toLocaleString('en-US')} value${column.formulaValues === 1 ? '' : 's'} of ${name} start${column.formulaValues === 1 ? 's' : ''} with =, +, -, @, a tab or a carriage return: a spreadsheet would run ${column.formulaValues === 1 ? 'it' : 'them'} as a formula`,
      });
    const numeric = column.numeric;
    if (numeric && isMeasure(column.type)) {
      const zeros = numeric.zeros / numeric.count;
      if (zeros >= ZEROS_SHARE)
        warn({
          kind: 'many_zeros',
          column: column.name,
          figure: zeros,
          message: `${percent(zeros)} of ${name} is zero`,
        });
      if (numeric.skewness !== null && Math.abs(numeric.skewness) >= SKEWNESS)
        note({
          kind: 'skewed',
          column: column.name,
          figure: numeric.skewness,
          message: `${name} is highly skewed (skewness ${numeric.skewness.toPrecision(3)})`,
        });
    }
    if (column.type === 'categorical' && column.topValuesMethod === 'exact' && column.distinct > 1) {
      const imbalance = imbalanceOf(
        column.topValues.map((entry) => entry.count),
        column.distinct,
        nonNull,
      );
      if (imbalance !== undefined && imbalance >= IMBALANCE)
        warn({
          kind: 'imbalanced',
          column: column.name,
          figure: imbalance,
          message: `${name} is imbalanced: '${column.topValues[0]?.value}' is ${percent((column.topValues[0]?.count ?? 0) / nonNull)} of its values`,
        });
    }
    if ((column.type === 'categorical' || column.type === 'text') && column.distinct > HIGH_CARDINALITY)
      note({
        kind: 'high_cardinality',
        column: column.name,
        figure: column.distinct,
        message: `${name} has ${column.distinctMethod === 'exact' ? '' : 'about '}${column.distinct} distinct values`,
      });
    // Distinct measures and dates are the norm; distinct codes and labels are worth knowing.
    const labels = column.type === 'identifier' || column.type === 'categorical' || column.type === 'text';
    if (labels && column.distinctMethod === 'exact' && column.distinct === nonNull && nonNull > 1)
      note({
        kind: 'unique',
        column: column.name,
        figure: column.distinct,
        message: `every value of ${name} is distinct`,
      });
  }
  if (input.duplicates > 0)
    warn({
      kind: 'duplicate_rows',
      figure: input.duplicates,
      message: `${input.duplicates.toLocaleString('en-US')} row${input.duplicates === 1 ? '' : 's'} repeat${input.duplicates === 1 ? 's' : ''} an earlier row exactly`,
    });
  for (const pair of input.correlations) {
    if (pair.pearson === null || Math.abs(pair.pearson) < CORRELATION) continue;
    note({
      kind: 'highly_correlated',
      column: pair.a,
      figure: pair.pearson,
      message: `'${pair.a}' is highly correlated with '${pair.b}' (r = ${pair.pearson.toFixed(2)})`,
    });
  }
  return flags;
}

function article(type: ColumnProfile['type']): string {
  const names: Record<ColumnProfile['type'], string> = {
    integer: 'an integer',
    decimal: 'a number',
    boolean: 'a boolean',
    date: 'a date',
    datetime: 'a date-time',
    identifier: 'a code or number',
    categorical: 'a category',
    text: 'text',
    empty: 'empty',
  };
  return names[type];
}

// 1 - normalised Shannon entropy (ydata-profiling's imbalance): 0 for even counts, near 1 when
// one value dominates. Needs every count: undefined when the top values list is cut.
function imbalanceOf(counts: readonly number[], distinct: number, total: number): number | undefined {
  if (counts.length < distinct) return undefined;
  let entropy = 0;
  for (const count of counts) {
    const p = count / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return 1 - entropy / Math.log(distinct);
}
