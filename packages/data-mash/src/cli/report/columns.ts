import type { ColumnProfile, NumericProfile } from '../../insights/column-profile.js';
import { isMeasure } from '../../insights/column-type.js';
import type { DateProfile } from '../../insights/dates.js';
import type { ColumnOutliers, QualityFlag } from '../../insights/table-profiler.js';
import { figure } from '../output.js';
import { type Bar, bars, booleanBar, histogram } from './charts.js';
import { escapeHtml, fixed, share, stat } from './html.js';
import { dateText, dateTimeline, gapText } from './timelines.js';

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

type Row = [string, string];

/** A column's figures (tables, left) and its chart (right). */
interface Parts {
  tables: string[];
  chart: string;
}

function statsTable(caption: string, rows: readonly Row[]): string {
  const body = rows.map(
    ([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`,
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
    ['values', figure(column.count)],
    ['missing', `${figure(column.nulls)} (${share(column.nulls, column.count)})`],
    [
      'distinct',
      // An estimate can pass the count of values by its error; its share stops at 100 %.
      `${estimated}${figure(column.distinct)} (${estimated}${share(Math.min(column.distinct, nonNull), nonNull)})${estimated ? ', estimated' : ''}`,
    ],
  ];
  if (column.otherTypeValues > 0)
    rows.push(['not of its type', `${figure(column.otherTypeValues)} (${share(column.otherTypeValues, nonNull)})`]);
  if (column.formulaValues > 0) rows.push(['formula-like', figure(column.formulaValues)]);
  return rows;
}

function measureStats(column: ColumnProfile, numeric: NumericProfile, outliers: readonly ColumnOutliers[]): Parts {
  const q = numeric.quantiles;
  const quantiles: Row[] = [
    ['minimum', numeric.exactMin ?? stat(numeric.min)],
    ['5th percentile', stat(q.p05)],
    ['Q1', stat(q.p25)],
    ['median', stat(numeric.median)],
    ['Q3', stat(q.p75)],
    ['95th percentile', stat(q.p95)],
    ['maximum', numeric.exactMax ?? stat(numeric.max)],
  ];
  const descriptive: Row[] = [
    ['mean', stat(numeric.mean)],
    ['std deviation', stat(numeric.stdDev)],
    ['sum', stat(numeric.sum)],
    ['range', stat(numeric.max - numeric.min)],
    ['IQR', stat(numeric.iqr)],
    ['skewness', fixed(numeric.skewness, 4)],
    ['excess kurtosis', fixed(numeric.kurtosis, 4)],
    ['MAD', stat(numeric.mad)],
    ['zeros', `${figure(numeric.zeros)} (${share(numeric.zeros, numeric.count)})`],
    ['negatives', `${figure(numeric.negatives)} (${share(numeric.negatives, numeric.count)})`],
  ];
  if (numeric.unit) descriptive.unshift(['unit', numeric.unit]);
  const notes: string[] = [];
  const outside = numeric.histogramOutside;
  if (outside && outside.below + outside.above > 0) {
    const first = numeric.histogram[0]?.from ?? numeric.min;
    const last = numeric.histogram.at(-1)?.to ?? numeric.max;
    const sides = [
      outside.below > 0 ? `${figure(outside.below)} below ${stat(first)} (from ${stat(numeric.min)})` : '',
      outside.above > 0 ? `${figure(outside.above)} above ${stat(last)} (up to ${stat(numeric.max)})` : '',
    ].filter(Boolean);
    notes.push(note(`Far outliers (beyond 3 IQR from the quartiles) drawn apart, in orange: ${sides.join(', ')}.`));
  }
  if (numeric.quantileMethod === 'sample')
    notes.push(note('Quantiles and histogram from a uniform sample of the values; counts scaled to the column.'));
  for (const found of outliers) {
    const rule = found.method === 'iqr' ? "Tukey's fences (1.5 IQR)" : 'robust z-score above 3.5';
    notes.push(
      note(
        `${found.countMethod === 'exact' ? '' : '~'}${figure(found.count)} outlier${found.count === 1 ? '' : 's'} by ${rule}: outside ${fixed(found.low, 4)} to ${fixed(found.high, 4)}.`,
      ),
    );
  }
  return {
    tables: [statsTable('Quantiles', quantiles), statsTable('Descriptive', descriptive)],
    chart: `${histogram(column.name, numeric)}${notes.join('')}`,
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
  const order = dates.order;
  if (order) rows.push(['order', order.order === 'month-first' ? 'month first' : 'day first']);
  const how = order
    ? note(
        order.evidence === 'values'
          ? `Read ${order.order === 'month-first' ? 'month first (m/d/y)' : 'day first (d/m/y)'}: some values read that way only.`
          : 'Read month first (m/d/y), assumed: every value reads both ways.',
      )
    : '';
  return {
    tables: [statsTable('Dates', rows)],
    chart: `<p class="range">${escapeHtml(`${dates.min.slice(0, 10)} to ${dates.max.slice(0, 10)}`)}</p>${dateTimeline(column.name, dates)}${how}`,
  };
}

/** The most frequent values as bars with counts and shares, estimated counts said as such. */
function topValues(column: ColumnProfile): string {
  const nonNull = column.count - column.nulls;
  if (column.topValues.length === 0) return '';
  const estimate = column.topValuesMethod === 'estimate';
  const items: Bar[] = column.topValues.map((entry) => {
    const low = entry.count - (entry.maxError ?? 0);
    const count = estimate ? `~${figure(entry.count)}` : figure(entry.count);
    return {
      label: entry.value,
      value: entry.count,
      caption: `${count} · ${share(entry.count, nonNull)}`,
      title: `${entry.value}: ${estimate ? `between ${figure(low)} and ${figure(entry.count)} (estimated)` : figure(entry.count)}, ${share(entry.count, nonNull)} of the values`,
    };
  });
  const shown = column.topValues.reduce((sum, entry) => sum + entry.count, 0);
  const others = column.distinct - column.topValues.length;
  if (!estimate && others > 0 && nonNull > shown)
    items.push({
      label: `other values (${figure(others)})`,
      value: nonNull - shown,
      caption: `${figure(nonNull - shown)} · ${share(nonNull - shown, nonNull)}`,
      title: `${figure(others)} other values: ${figure(nonNull - shown)} in all`,
      muted: true,
    });
  const chart = `<h5>Most frequent values</h5>${bars(
    'top-values',
    `Most frequent values of ${column.name}: ${items.map((item) => `${item.label} ${item.caption}`).join(', ')}`,
    items,
  )}`;
  if (!estimate) return chart;
  const maxError = Math.max(0, ...column.topValues.map((entry) => entry.maxError ?? 0));
  const bound = maxError > 0 ? `, each at most ${figure(maxError)} over the true count` : '';
  return `${chart}${note(`Counts are estimates from a summary of the most frequent values (too many distinct values to count each)${bound}; only values surely that frequent are listed.`)}`;
}

function textStats(column: ColumnProfile): Parts {
  const tables: string[] = [];
  const parts: string[] = [];
  if (column.text) {
    const { minLength, meanLength, maxLength } = column.text;
    tables.push(
      statsTable('Lengths', [
        ['shortest', `${figure(minLength)} characters`],
        ['mean', `${fixed(meanLength, 3)} characters`],
        ['longest', `${figure(maxLength)} characters`],
      ]),
    );
  }
  if (column.numeric && column.type === 'identifier')
    tables.push(statsTable('Numbers', [['range', `${figure(column.numeric.min)} to ${figure(column.numeric.max)}`]]));
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
          caption: figure(entry.count),
          title: `${entry.word}: ${figure(entry.count)}`,
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
  const parts = content(column, context);
  return `<section class="column type-${escapeHtml(column.type)}" id="${context.id}">
<header><h4>${escapeHtml(column.name)}</h4><span class="type">${escapeHtml(column.type)}</span><span class="physical">stored as ${escapeHtml(column.physicalType)}</span>${badges}</header>
<div class="column-body"><div class="facts">${[statsTable('Values', basics(column)), ...parts.tables].join('')}</div><div class="chart">${parts.chart}</div></div>
</section>`;
}
