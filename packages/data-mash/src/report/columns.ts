import type { ColumnProfile, NumericProfile } from '../insights/column-profile.js';
import { isMeasure } from '../insights/column-type.js';
import type { DateProfile } from '../insights/dates.js';
import type { ColumnOutliers, QualityFlag } from '../insights/table-profiler.js';
import { type Bar, bars, booleanBar, histogram, type ValueFormat, valueHistogram } from './charts.js';
import { escapeHtml, num, share, yearText } from './html.js';
import { dateText, dateTimeline, gapText, missingPeriodsText } from './timelines.js';

/** What a column's section is drawn from besides its profile. */
export interface ColumnContext {
  id: string;
  alerts: readonly QualityFlag[];
  outliers: readonly ColumnOutliers[];
}

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

type Row = [string, string];

/** A column's figures (tables, left) and its chart (right). */
interface Parts {
  tables: string[];
  chart: string;
}

function statsTable(caption: string, rows: readonly Row[]): string {
  const body = rows.map(
    // A value may wrap at its spaces where the column is narrow, never between a figure and its `%`.
    ([name, value]) =>
      `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value.replace(/ %/g, '\u00a0%'))}</td></tr>`,
  );
  return `<table class="stats"><caption>${escapeHtml(caption)}</caption><tbody>${body.join('')}</tbody></table>`;
}

function note(text: string, className = 'note'): string {
  return `<p class="${className}">${escapeHtml(text)}</p>`;
}

/** Count, missing and distinct values, as every column has them. */
function basics(column: ColumnProfile): Row[] {
  const nonNull = column.count - column.nulls;
  const estimated = column.distinctMethod === 'exact' ? '' : '~';
  const rows: Row[] = [
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

function measureStats(column: ColumnProfile, numeric: NumericProfile, outliers: readonly ColumnOutliers[]): Parts {
  const q = numeric.quantiles;
  const format = valueFormat(column, numeric);
  const value = format.value;
  // Spreads (standard deviation, range, IQR, MAD) and the sum are amounts, not years: never plain.
  const scale = Math.max(Math.abs(numeric.min), Math.abs(numeric.max));
  const amount = (figure: number) => num(figure, scale);
  const quantiles: Row[] = [
    ['minimum', numeric.exactMin ?? value(numeric.min)],
    ['5th percentile', value(q.p05)],
    ['Q1', value(q.p25)],
    ['median', value(numeric.median)],
    ['Q3', value(q.p75)],
    ['95th percentile', value(q.p95)],
    ['maximum', numeric.exactMax ?? value(numeric.max)],
  ];
  const descriptive: Row[] = [
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
  const notes: string[] = [];
  const outside = numeric.histogramOutside;
  if (outside && outside.below + outside.above > 0) {
    const first = numeric.histogram[0]?.from ?? numeric.min;
    const last = numeric.histogram.at(-1)?.to ?? numeric.max;
    const sides = [
      outside.below > 0 ? `${num(outside.below)} below ${value(first)} (from ${value(numeric.min)})` : '',
      outside.above > 0 ? `${num(outside.above)} above ${value(last)} (up to ${value(numeric.max)})` : '',
    ].filter(Boolean);
    notes.push(note(`Far outliers (beyond 3 IQR from the quartiles) drawn apart, in orange: ${sides.join(', ')}.`));
  }
  const counts = valueCounts(column, numeric);
  if (numeric.quantileMethod === 'sample')
    notes.push(
      note(
        counts?.exact
          ? 'Quantiles from a uniform sample of the values; the count of each value is exact.'
          : 'Quantiles and histogram from a uniform sample of the values; counts scaled to the column.',
      ),
    );
  for (const found of outliers) {
    const rule = found.method === 'iqr' ? "Tukey's fences (1.5 IQR)" : 'robust z-score above 3.5';
    notes.push(
      note(
        `${found.countMethod === 'exact' ? '' : '~'}${num(found.count)} outlier${found.count === 1 ? '' : 's'} by ${rule}: outside ${value(found.low)} to ${value(found.high)}.`,
      ),
    );
  }
  const chart = counts
    ? valueHistogram(column.name, numeric, counts.values, format)
    : histogram(column.name, numeric, format);
  return {
    tables: [statsTable('Quantiles', quantiles), statsTable('Descriptive', descriptive)],
    chart: `${chart}${notes.join('')}`,
  };
}

function dateStats(column: ColumnProfile, dates: DateProfile): Parts {
  const rows: Row[] = [
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
  const how = order
    ? note(
        order.evidence === 'values'
          ? `Read ${order.order === 'month-first' ? 'month first (m/d/y)' : 'day first (d/m/y)'}: some values read that way only.`
          : 'Read month first (m/d/y), assumed: every value reads both ways.',
      )
    : '';
  // Past 10,000 dates the histogram is a uniform sample's counts scaled to the column.
  const sampled =
    dates.count > 10_000
      ? note('Dates per period from a uniform sample of the dates; counts scaled to the column.')
      : '';
  const gaps = missing
    ? note(`${missingPeriodsText(missing)}${missing.count > 0 ? ' Marked in orange on the axis.' : ''}`)
    : '';
  return {
    tables: [statsTable('Dates', rows)],
    chart: `<p class="range">${escapeHtml(`${dates.min.slice(0, 10)} to ${dates.max.slice(0, 10)}`)}</p>${dateTimeline(column.name, dates)}${gaps}${sampled}${how}`,
  };
}

/** The most frequent values as bars with counts and shares, estimated counts said as such. */
function topValues(column: ColumnProfile): string {
  const nonNull = column.count - column.nulls;
  if (column.topValues.length === 0) return '';
  const estimate = column.topValuesMethod === 'estimate';
  const items: Bar[] = column.topValues.map((entry) => {
    const low = entry.count - (entry.maxError ?? 0);
    const count = estimate ? `~${num(entry.count)}` : num(entry.count);
    return {
      label: entry.value,
      value: entry.count,
      caption: `${count} · ${share(entry.count, nonNull)}`,
      title: `${entry.value}: ${estimate ? `between ${num(low)} and ${num(entry.count)} (estimated)` : num(entry.count)}, ${share(entry.count, nonNull)} of the values`,
    };
  });
  const shown = column.topValues.reduce((sum, entry) => sum + entry.count, 0);
  const others = column.distinct - column.topValues.length;
  if (!estimate && others > 0 && nonNull > shown)
    items.push({
      label: `other values (${num(others)})`,
      value: nonNull - shown,
      caption: `${num(nonNull - shown)} · ${share(nonNull - shown, nonNull)}`,
      title: `${num(others)} other values: ${num(nonNull - shown)} in all`,
      muted: true,
    });
  const chart = `<h5>Most frequent values</h5>${bars(
    'top-values',
    `Most frequent values of ${column.name}: ${items.map((item) => `${item.label} ${item.caption}`).join(', ')}`,
    items,
  )}`;
  if (!estimate) return chart;
  const maxError = Math.max(0, ...column.topValues.map((entry) => entry.maxError ?? 0));
  const bound = maxError > 0 ? `, each at most ${num(maxError)} over the true count` : '';
  return `${chart}${note(`Counts are estimates from a summary of the most frequent values (too many distinct values to count each)${bound}; only values surely that frequent are listed.`)}`;
}

function textStats(column: ColumnProfile): Parts {
  const tables: string[] = [];
  const parts: string[] = [];
  if (column.text) {
    const { minLength, meanLength, maxLength } = column.text;
    tables.push(
      statsTable('Lengths', [
        ['shortest', `${num(minLength)} characters`],
        ['mean', `${num(meanLength)} characters`],
        ['longest', `${num(maxLength)} characters`],
      ]),
    );
  }
  if (column.numeric && column.type === 'identifier')
    tables.push(statsTable('Numbers', [['range', `${num(column.numeric.min)} to ${num(column.numeric.max)}`]]));
  parts.push(isUnique(column) ? note('Every value distinct: no value repeats.', 'note unique') : topValues(column));
  const keywords = column.text?.keywords ?? [];
  if (keywords.length > 0)
    parts.push(
      `<h5>Keywords</h5>${bars(
        'keywords',
        `Keywords of ${column.name}: ${keywords.map((entry) => `${entry.word} ${entry.count}`).join(', ')}`,
        keywords.map((entry) => ({
          label: entry.word,
          value: entry.count,
          caption: num(entry.count),
          title: `${entry.word}: ${num(entry.count)}`,
        })),
      )}`,
    );
  return { tables, chart: parts.join('') };
}

function content(column: ColumnProfile, context: ColumnContext): Parts {
  if (column.type === 'empty') return { tables: [], chart: note('No value: every value is missing.') };
  if (isMeasure(column.type) && column.numeric) return measureStats(column, column.numeric, context.outliers);
  if ((column.type === 'date' || column.type === 'datetime') && column.dates) return dateStats(column, column.dates);
  if (column.type === 'boolean' && column.boolean)
    return { tables: [], chart: booleanBar(column.name, column.boolean, column.nulls) };
  return textStats(column);
}

const ALERT_NAMES: Record<QualityFlag['kind'], string> = {
  empty: 'empty',
  mostly_null: 'missing',
  constant: 'constant',
  duplicate_rows: 'duplicates',
  mixed_types: 'mixed types',
  formula_injection: 'formulas',
  many_zeros: 'zeros',
  skewed: 'skewed',
  imbalanced: 'imbalanced',
  high_cardinality: 'high cardinality',
  highly_correlated: 'correlated',
  unique: 'unique',
};

/** A short name of an alert's kind: `many_zeros` is `zeros`. */
export function alertName(kind: QualityFlag['kind']): string {
  return ALERT_NAMES[kind];
}

/** A column's section: its name, type and storage, its alerts, then the figures and chart its type calls for. */
export function columnSection(column: ColumnProfile, context: ColumnContext): string {
  const badges = context.alerts
    .map(
      (flag) =>
        `<span class="badge ${flag.severity}" title="${escapeHtml(flag.message)}">${escapeHtml(alertName(flag.kind))}</span>`,
    )
    .join('');
  // Personal data: its values are tokens and its figures were left out; say so where it shows.
  const pii = column.pii
    ? `<span class="badge info" title="personal data (${escapeHtml(column.pii.replaceAll('_', ' '))}): values masked or hashed, figures left out">personal data: ${escapeHtml(column.pii.replaceAll('_', ' '))}</span>`
    : '';
  const parts = content(column, context);
  return `<section class="column type-${escapeHtml(column.type)}" id="${context.id}">
<header><h4>${escapeHtml(column.name)}</h4><span class="type">${escapeHtml(column.type)}</span><span class="physical">stored as ${escapeHtml(column.physicalType)}</span>${pii}${badges}</header>
<div class="column-body"><div class="facts">${[statsTable('Values', basics(column)), ...parts.tables].join('')}</div><div class="chart">${parts.chart}</div></div>
</section>`;
}
