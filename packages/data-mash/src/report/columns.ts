import type { ColumnProfile, NumericProfile } from '../insights/column-profile.js';
import { isMeasure } from '../insights/column-type.js';
import type { DateProfile } from '../insights/dates.js';
import type { ColumnOutliers, QualityFlag } from '../insights/table-profiler.js';
import {
  alertName,
  dateFigureRows,
  type FigureRow,
  isUnique,
  missingPeriodsText,
  num,
  numericFigureRows,
  share,
  valueCounts,
  valueFormat,
  valueRows,
} from '../wording/index.js';
import { type Bar, bars, booleanBar, histogram, valueHistogram } from './charts.js';
import { escapeHtml } from './html.js';
import { dateTimeline } from './timelines.js';

// Moved to the wording the report shares with the console; still importable from here (its tests).
export { isYearColumn } from '../wording/index.js';

/** What a column's section is drawn from besides its profile. */
export interface ColumnContext {
  id: string;
  alerts: readonly QualityFlag[];
  outliers: readonly ColumnOutliers[];
}

type Row = FigureRow;

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

function measureStats(column: ColumnProfile, numeric: NumericProfile, outliers: readonly ColumnOutliers[]): Parts {
  const format = valueFormat(column, numeric);
  const value = format.value;
  const { quantiles, descriptive } = numericFigureRows(column, numeric);
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
  const rows = dateFigureRows(dates);
  const missing = dates.missingPeriods;
  const order = dates.order;
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
<div class="column-body"><div class="facts">${[statsTable('Values', valueRows(column)), ...parts.tables].join('')}</div><div class="chart">${parts.chart}</div></div>
</section>`;
}
