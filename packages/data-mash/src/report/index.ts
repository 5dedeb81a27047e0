import type { JourneyRecord } from '@platform/foundations';
import type { InsightsResult } from '../content/content-insights.js';
import { isMeasure } from '../insights/column-type.js';
import type { TableInsights } from '../insights/table-profiler.js';
import type { DataMashPhases } from '../phases/solution-orchestrator.js';
import { figure } from '../text/readable.js';
import { bars } from './charts.js';
import { columnSection } from './columns.js';
import { clip, escapeHtml, fixed } from './html.js';
import { heatmap, missingMatrix } from './matrices.js';
import { alertList, overview, sampleRows } from './overview.js';
import { STYLE } from './style.js';
import { journeyTimeline } from './timelines.js';

export { escapeHtml } from './html.js';

/** Everything a report shows. */
export interface ReportInput {
  journey: JourneyRecord;
  phases: DataMashPhases;
  insights?: InsightsResult;
  generatedAt?: Date;
}

function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h3>${escapeHtml(title)}</h3>${body}</section>`;
}

function correlations(insights: TableInsights): string {
  const names = insights.columns
    .filter((column) => isMeasure(column.type))
    .map((column) => column.name)
    .filter((name) => insights.correlations.some((pair) => pair.a === name || pair.b === name));
  const parts: string[] = [];
  if (names.length < 2)
    parts.push('<p class="note">Fewer than two measure columns (integer or decimal): nothing to correlate.</p>');
  else {
    parts.push(
      `<p class="note">Pearson's r between every two measure columns (integer or decimal), over the rows where both are numbers.</p>`,
      heatmap(names, insights.correlations),
    );
    const strongest = insights.correlations
      .filter((pair) => pair.pearson !== null && Math.abs(pair.pearson) >= 0.3)
      .sort((x, y) => Math.abs(y.pearson as number) - Math.abs(x.pearson as number))
      .slice(0, 8)
      .map((pair) => `<li>${escapeHtml(`${pair.a} ~ ${pair.b}: r = ${fixed(pair.pearson, 3)}`)}</li>`);
    if (strongest.length > 0) parts.push(`<ul class="pairs">${strongest.join('')}</ul>`);
  }
  const limit = insights.correlationLimit;
  if (limit)
    parts.push(
      `<p class="note">${escapeHtml(`At most ${figure(limit.columns)} columns with numbers are correlated, the first in column order; left out: ${limit.leftOut.map((name) => clip(name, 40)).join(', ')}.`)}</p>`,
    );
  return parts.join('');
}

function missingValues(insights: TableInsights): string {
  const sample = insights.rows.missing;
  if (sample.length === 0) return '<p class="note">No rows sampled.</p>';
  const whole = sample.length >= insights.rowCount;
  const missing = sample.reduce((sum, entry) => sum + entry.pattern.split('1').length - 1, 0);
  const where = whole
    ? `all ${figure(sample.length)} rows`
    : `a uniform sample of ${figure(sample.length)} of ${figure(insights.rowCount)} rows`;
  const names = insights.columns.map((column) => column.name);
  return `<p class="note">${escapeHtml(`Missing values in ${where}, in file order from top to bottom: a dark cell is a missing value${missing === 0 ? '. No value is missing in these rows.' : ` (${figure(missing)} missing cells).`}`)}</p>${missingMatrix(names, sample)}`;
}

/**
 * The file's row number of the first data row (2 below a header on row 1), as the missing-values
 * matrix numbers rows; 1 for insights that do not say (stored before it was recorded).
 */
function firstRowNumber(rows: TableInsights['rows']): number {
  const first: unknown = rows.firstRowNumber;
  return typeof first === 'number' && Number.isSafeInteger(first) && first >= 1 ? first : 1;
}

function tableSection(name: string, insights: TableInsights, index: number): string {
  const prefix = `t${index}`;
  const ids = new Map(insights.columns.map((column, position) => [column.name, `${prefix}-c${position}`]));
  const warnings = insights.quality.filter((flag) => flag.severity === 'warning').length;
  const info = insights.quality.length - warnings;
  const columns = insights.columns.map((column, position) =>
    columnSection(column, {
      id: `${prefix}-c${position}`,
      alerts: insights.quality.filter((flag) => flag.column === column.name && flag.kind !== 'highly_correlated'),
      outliers: insights.outliers.filter((found) => found.column === column.name),
    }),
  );
  return `<section class="table" id="${prefix}"><h2>${escapeHtml(`Table ${name}`)}</h2>
${section(`${prefix}-overview`, 'Overview', overview(insights))}
${section(`${prefix}-alerts`, `Alerts (${warnings} warning${warnings === 1 ? '' : 's'}, ${info} info)`, alertList(insights.quality, ids))}
${section(`${prefix}-columns`, 'Columns', columns.join('\n'))}
<div class="${insights.columns.length <= 12 ? 'side-by-side' : 'stacked'}">${section(`${prefix}-correlations`, 'Correlations', correlations(insights))}
${section(`${prefix}-missing`, 'Missing values', missingValues(insights))}</div>
${section(
  `${prefix}-sample`,
  `First rows (${figure(insights.rows.firstRows.length)})`,
  sampleRows(
    insights.columns.map((column) => column.name),
    insights.rows.firstRows,
    firstRowNumber(insights.rows),
  ),
)}
</section>`;
}

function contents(insights: InsightsResult | undefined): string {
  const links: string[] = [];
  for (const [index, table] of (insights?.tables ?? []).entries()) {
    const prefix = `t${index}`;
    links.push(`<li><a href="#${prefix}"><strong>${escapeHtml(clip(table.name, 40))}</strong></a></li>`);
    for (const [id, title] of [
      ['overview', 'Overview'],
      ['alerts', 'Alerts'],
      ['columns', 'Columns'],
      ['correlations', 'Correlations'],
      ['missing', 'Missing values'],
      ['sample', 'First rows'],
    ])
      links.push(`<li><a href="#${prefix}-${id}">${title}</a></li>`);
  }
  if (insights?.text) links.push('<li><a href="#text">Text</a></li>');
  if ((insights?.summary.length ?? 0) > 0) links.push('<li><a href="#summary">Summary</a></li>');
  links.push('<li><a href="#journey">Journey</a></li>');
  return `<nav aria-label="Contents"><ol>${links.join('')}</ol></nav>`;
}

/**
 * A self-contained HTML report of one flow, as ydata-profiling users know it: per table an
 * overview and the alerts first, then a section per column fitting its type (histograms with
 * axes for measures, a timeline for dates, true/false for booleans, top values for categories),
 * a correlation heatmap, a missing-values matrix and the first rows; then the summary and the
 * journey's milestones. Inline SVG and CSS only: no script, no external resource (a content
 * security policy forbids both). Every value from the file is escaped text.
 */
export function renderReport(input: ReportInput): string {
  const { journey, phases, insights } = input;
  const name = phases.file_uploaded?.fileName ?? journey.idempotencyKey ?? journey.id;
  // Insights stored before the row sample existed have none: the rest of the report still stands.
  const tables = (insights?.tables ?? []).map((table, index) =>
    tableSection(
      table.name,
      { ...table.insights, rows: table.insights.rows ?? { firstRows: [], missing: [], firstRowNumber: 1 } },
      index,
    ),
  );
  const text = insights?.text
    ? `<section id="text"><h2>Text</h2><p>${escapeHtml(`${figure(insights.text.words)} words in ${figure(insights.text.chunks)} chunks`)}</p>${bars(
        'keywords',
        `Keywords: ${insights.text.keywords
          .slice(0, 15)
          .map((entry) => `${entry.word} ${entry.count}`)
          .join(', ')}`,
        insights.text.keywords.slice(0, 15).map((entry) => ({
          label: entry.word,
          value: entry.count,
          caption: figure(entry.count),
          title: `${entry.word}: ${figure(entry.count)}`,
        })),
      )}</section>`
    : '';
  const summary = (insights?.summary ?? []).map((statement) => `<li>${escapeHtml(statement.text)}</li>`).join('');
  const none = insights
    ? ''
    : '<p class="note">No insights: the flow has not generated them (see the journey below).</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>${escapeHtml(`Data mash report: ${name}`)}</title><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(name)}</h1>
<p class="meta">journey <code>${escapeHtml(journey.id)}</code> · ${escapeHtml(journey.status)} · trace <code>${escapeHtml(journey.traceId ?? '')}</code> · generated ${escapeHtml((input.generatedAt ?? new Date()).toISOString())}</p>
${journey.error ? `<p class="flag">${escapeHtml(`${journey.error.code}: ${journey.error.message}`)}</p>` : ''}</header>
${contents(insights)}
<main>${none}
${tables.join('\n')}${text}
${summary ? `<section id="summary"><h2>Summary</h2><ul class="summary">${summary}</ul></section>` : ''}
<section id="journey"><h2>Journey</h2>${journeyTimeline(journey)}</section>
</main></body></html>
`;
}
