// A column's figures as the HTML report and the console show them: which columns hold years, how
// their values are written, and the rows of the tables beside a column's chart.
import type { ColumnProfile, NumericProfile } from '../insights/column-profile.js';
import { type ColumnType, isMeasure } from '../insights/column-type.js';
import type { DateProfile } from '../insights/dates.js';
import { dateText, gapText } from './dates.js';
import { num, share, yearText } from './numbers.js';

/** The column types in the order the overview counts them (`Columns by type`). */
export const COLUMN_TYPES: readonly ColumnType[] = [
  'integer',
  'decimal',
  'date',
  'datetime',
  'boolean',
  'categorical',
  'identifier',
  'text',
  'empty',
];

/** One row of a table of figures: its label and its text (`['median', '2,012']`). */
export type FigureRow = [label: string, text: string];

/**
 * Every value of the column is distinct: counted exactly (the `unique` alert's rule), or, past
 * the exact limit, when even the most frequent value counted (an upper bound) occurs once.
 */
export function isUnique(column: ColumnProfile): boolean {
  const nonNull = column.count - column.nulls;
  if (nonNull < 2) return false;
  if (column.distinctMethod === 'exact') return column.distinct === nonNull;
  return column.topValues.length > 0 && column.topValues.every((entry) => entry.count <= 1);
}

// Words of a name (`release_year`, `ReleaseYear`, `Year Built`) that say it holds years.
const YEAR_WORDS = new Set(['year', 'yr', 'yyyy']);
// Words before `year` that make a rate of it (`revenue_per_year`), not a year.
const RATE_WORDS = new Set(['per', 'a', 'each', 'every']);

function wholeNumbers(column: ColumnProfile): boolean {
  if (column.type === 'integer') return true;
  // A decimal column is known to hold whole numbers only when its every distinct value is listed.
  return (
    column.distinctMethod === 'exact' &&
    column.topValuesMethod === 'exact' &&
    column.topValues.length >= column.distinct &&
    column.topValues.every((entry) => Number.isInteger(Number(entry.value.trim())))
  );
}

/**
 * A column of years, written without separators (`1995`, not `1,995`): an integer column whose
 * name says year (`year`, `release_year`, `YrSold`; not `revenue_per_year`), or whole numbers
 * from 1000 to 2999 whose name contains `year` or `yr` (`yearbuilt`).
 */
export function isYearColumn(column: ColumnProfile): boolean {
  const numeric = column.numeric;
  if (!numeric || !isMeasure(column.type)) return false;
  const words = column.name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/);
  const saysYear = words.some((word, index) => YEAR_WORDS.has(word) && !RATE_WORDS.has(words[index - 1] ?? ''));
  if (column.type === 'integer' && saysYear && numeric.min > -10_000 && numeric.max < 10_000) return true;
  return wholeNumbers(column) && numeric.min >= 1000 && numeric.max <= 2999 && /year|yr/i.test(column.name);
}

/** How a measure column's values are written: years plainly (`1995`), other numbers by {@link num}. */
export interface ValueFormat {
  /** A figure of the column's values (a bound, a quantile). */
  value: (value: number) => string;
  /** Ticks are plain numbers (years). */
  plain: boolean;
  /** Ticks are whole numbers (an integer column). */
  integer: boolean;
}

/** How the figures of a measure column are written: years plainly, everything else by {@link num}. */
export function valueFormat(column: ColumnProfile, numeric: NumericProfile): ValueFormat {
  const year = isYearColumn(column);
  const scale = Math.max(Math.abs(numeric.min), Math.abs(numeric.max));
  return {
    value: year ? (value) => yearText(value) : (value) => num(value, scale),
    plain: year,
    integer: column.type === 'integer',
  };
}

/** Distinct values an integer column may have to be drawn one bar per value. */
export const FEW_VALUES = 30;

/**
 * The count of each value of an integer column with few distinct values (at most
 * {@link FEW_VALUES}, counted exactly), in value order: from the top values when they list every
 * number (`exact`), else from a histogram whose every bin holds at most one whole number (counts
 * scaled from a sample past the sample size). `undefined` when neither tells each value's count.
 */
export function valueCounts(
  column: ColumnProfile,
  numeric: NumericProfile,
): { values: Array<{ value: number; count: number }>; exact: boolean } | undefined {
  if (column.type !== 'integer' || column.distinctMethod !== 'exact' || column.distinct > FEW_VALUES) return undefined;
  if (column.topValuesMethod === 'exact') {
    const counts = new Map<number, number>();
    let listed = 0;
    for (const entry of column.topValues) {
      const text = entry.value.trim();
      const value = text === '' ? Number.NaN : Number(text);
      if (!Number.isSafeInteger(value)) continue;
      counts.set(value, (counts.get(value) ?? 0) + entry.count);
      listed += entry.count;
    }
    if (counts.size > 0 && listed === numeric.count) {
      const values = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => a.value - b.value);
      return { values, exact: true };
    }
  }
  const outside = numeric.histogramOutside;
  if (outside && outside.below + outside.above > 0) return undefined;
  const values: Array<{ value: number; count: number }> = [];
  for (const [index, bin] of numeric.histogram.entries()) {
    if (bin.count === 0) continue;
    // The whole numbers in [from, to), the last bin's upper edge included.
    const low = Math.ceil(bin.from);
    const high = index === numeric.histogram.length - 1 ? Math.floor(bin.to) : Math.ceil(bin.to) - 1;
    if (high !== low) return undefined;
    values.push({ value: low, count: bin.count });
  }
  return values.length > 0 ? { values, exact: numeric.quantileMethod === 'exact' } : undefined;
}

/** Count, missing and distinct values, as every column has them (the `Values` table). */
export function valueRows(column: ColumnProfile): FigureRow[] {
  const nonNull = column.count - column.nulls;
  const estimated = column.distinctMethod === 'exact' ? '' : '~';
  const rows: FigureRow[] = [
    ['values', num(column.count)],
    ['missing', `${num(column.nulls)} (${share(column.nulls, column.count)})`],
    [
      'distinct',
      // An estimate can pass the count of values by its error; its share stops at 100 %.
      `${estimated}${num(column.distinct)} (${estimated}${share(Math.min(column.distinct, nonNull), nonNull)})${estimated ? ', estimated' : ''}`,
    ],
  ];
  if (column.otherTypeValues > 0)
    rows.push(['not of its type', `${num(column.otherTypeValues)} (${share(column.otherTypeValues, nonNull)})`]);
  if (column.formulaValues > 0) rows.push(['formula-like', num(column.formulaValues)]);
  return rows;
}

/**
 * The `Quantiles` and `Descriptive` tables of a measure column: quantiles and the mean written
 * as the column's values are ({@link valueFormat}: years plainly), spreads and the sum as amounts
 * (never plain), the column's `unit` first among the descriptive rows when it has one.
 */
export function numericFigureRows(
  column: ColumnProfile,
  numeric: NumericProfile,
): { quantiles: FigureRow[]; descriptive: FigureRow[] } {
  const q = numeric.quantiles;
  const value = valueFormat(column, numeric).value;
  // Spreads (standard deviation, range, IQR, MAD) and the sum are amounts, not years: never plain.
  const scale = Math.max(Math.abs(numeric.min), Math.abs(numeric.max));
  const amount = (figure: number) => num(figure, scale);
  const quantiles: FigureRow[] = [
    ['minimum', numeric.exactMin ?? value(numeric.min)],
    ['5th percentile', value(q.p05)],
    ['Q1', value(q.p25)],
    ['median', value(numeric.median)],
    ['Q3', value(q.p75)],
    ['95th percentile', value(q.p95)],
    ['maximum', numeric.exactMax ?? value(numeric.max)],
  ];
  const descriptive: FigureRow[] = [
    ['mean', value(numeric.mean)],
    ['std deviation', amount(numeric.stdDev)],
    ['sum', amount(numeric.sum)],
    ['range', amount(numeric.max - numeric.min)],
    ['IQR', amount(numeric.iqr)],
    ['skewness', num(numeric.skewness, 1)],
    ['excess kurtosis', num(numeric.kurtosis, 1)],
    ['MAD', amount(numeric.mad)],
    ['zeros', `${num(numeric.zeros)} (${share(numeric.zeros, numeric.count)})`],
    ['negatives', `${num(numeric.negatives)} (${share(numeric.negatives, numeric.count)})`],
  ];
  if (numeric.unit) descriptive.unshift(['unit', numeric.unit]);
  return { quantiles, descriptive };
}

/** The `Dates` table of a date column: earliest, latest, precision, granularity, median gap, missing periods, order. */
export function dateFigureRows(dates: DateProfile): FigureRow[] {
  const rows: FigureRow[] = [
    ['earliest', dateText(dates.min, dates.precision)],
    ['latest', dateText(dates.max, dates.precision)],
    ['precision', dates.precision],
  ];
  if (dates.granularity) rows.push(['granularity', `one ${dates.granularity}`]);
  if (dates.medianGapSeconds !== undefined) rows.push(['median gap', gapText(dates.medianGapSeconds)]);
  const missing = dates.missingPeriods;
  if (missing) rows.push([`${missing.unit}s with no date`, num(missing.count)]);
  const order = dates.order;
  if (order) rows.push(['order', order.order === 'month-first' ? 'month first' : 'day first']);
  return rows;
}
