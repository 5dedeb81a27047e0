import type { JourneyRecord } from '@platform/foundations';
import type { ColumnProfile } from '../insights/column-profiler.js';
import type { InsightsResult } from '../insights/insights-pillar.js';
import type { DataMashPhases } from '../phases/solution-orchestrator.js';
import { duration, figure } from './output.js';

/** Everything a report shows. */
export interface ReportInput {
  journey: JourneyRecord;
  phases: DataMashPhases;
  insights?: InsightsResult;
  generatedAt?: Date;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text from a user's file is never markup: every value goes through here. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

const WIDTH = 560;
const BAR_HEIGHT = 18;

function bars(items: ReadonlyArray<{ label: string; value: number; title: string }>): string {
  const max = Math.max(1, ...items.map((item) => item.value));
  const labelWidth = 170;
  const rows = items.map((item, index) => {
    const y = index * (BAR_HEIGHT + 4);
    const width = Math.max(1, ((WIDTH - labelWidth - 60) * item.value) / max);
    const label = item.label.length > 26 ? `${item.label.slice(0, 25)}…` : item.label;
    return `<g><title>${escapeHtml(item.title)}</title><text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(label)}</text><rect x="${labelWidth}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}"/><text x="${(labelWidth + width + 4).toFixed(1)}" y="${y + 13}">${escapeHtml(figure(item.value))}</text></g>`;
  });
  const height = items.length * (BAR_HEIGHT + 4);
  return `<svg class="bars" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img">${rows.join('')}</svg>`;
}

function histogram(column: ColumnProfile): string {
  const bins = column.numeric?.histogram ?? [];
  if (bins.length === 0) return '';
  const height = 120;
  const max = Math.max(1, ...bins.map((bin) => bin.count));
  const width = WIDTH / bins.length;
  const rects = bins.map((bin, index) => {
    const h = (height * bin.count) / max;
    const title = `${figure(bin.from)} – ${figure(bin.to)}: ${figure(bin.count)}`;
    return `<rect x="${(index * width).toFixed(1)}" y="${(height - h).toFixed(1)}" width="${Math.max(1, width - 1).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(title)}</title></rect>`;
  });
  const first = bins[0] as { from: number };
  const last = bins.at(-1) as { to: number };
  return `<svg class="histogram" viewBox="0 0 ${WIDTH} ${height + 16}" width="${WIDTH}" height="${height + 16}" role="img">${rects.join('')}<text x="0" y="${height + 13}">${escapeHtml(figure(first.from))}</text><text x="${WIDTH}" y="${height + 13}" text-anchor="end">${escapeHtml(figure(last.to))}</text></svg>`;
}

function columnSection(column: ColumnProfile): string {
  const facts = [
    `${figure(column.count)} values`,
    `${figure(column.nulls)} empty`,
    `${column.distinctMethod === 'exact' ? '' : '~'}${figure(column.distinct)} distinct`,
  ];
  let chart = '';
  if (column.numeric && column.numeric.count >= (column.count - column.nulls) * 0.9) {
    const { numeric } = column;
    facts.push(`min ${figure(numeric.min)}`, `median ${figure(numeric.median)}`, `mean ${figure(numeric.mean)}`);
    facts.push(`max ${figure(numeric.max)}`, `sd ${figure(numeric.stdDev)}`);
    chart = histogram(column);
  } else {
    if (column.dates) facts.push(`${column.dates.min.slice(0, 10)} to ${column.dates.max.slice(0, 10)}`);
    const top = column.topValues.slice(0, 10);
    if (top.length > 0) {
      chart = bars(top.map((entry) => ({ label: entry.value, value: entry.count, title: entry.value })));
    }
  }
  return `<section class="column"><h3>${escapeHtml(column.name)}</h3><p>${facts.map(escapeHtml).join(' · ')}</p>${chart}</section>`;
}

function timeline(journey: JourneyRecord): string {
  const timed = journey.milestones.filter((milestone) => milestone.startedAt);
  if (timed.length === 0) return '<p>No milestone has started.</p>';
  const start = Math.min(...timed.map((milestone) => (milestone.startedAt as Date).getTime()));
  const end = Math.max(
    ...timed.map((milestone) => (milestone.completedAt ?? milestone.startedAt ?? new Date()).getTime()),
  );
  const span = Math.max(1, end - start);
  const labelWidth = 170;
  const scale = (WIDTH - labelWidth - 80) / span;
  const rows = journey.milestones.map((milestone, index) => {
    const y = index * (BAR_HEIGHT + 6);
    if (!milestone.startedAt) {
      return `<text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(milestone.name)}</text><text x="${labelWidth}" y="${y + 13}">${escapeHtml(milestone.status)}</text>`;
    }
    const from = milestone.startedAt.getTime() - start;
    const took = (milestone.completedAt ?? milestone.startedAt).getTime() - milestone.startedAt.getTime();
    const x = labelWidth + from * scale;
    const width = Math.max(2, took * scale);
    return `<g class="${escapeHtml(milestone.status)}"><title>${escapeHtml(`${milestone.name}: ${milestone.status}, ${duration(took)}${milestone.error ? `, ${milestone.error.code}: ${milestone.error.message}` : ''}`)}</title><text x="${labelWidth - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(milestone.name)}</text><rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}"/><text x="${(x + width + 4).toFixed(1)}" y="${y + 13}">${escapeHtml(duration(took))}</text></g>`;
  });
  const height = journey.milestones.length * (BAR_HEIGHT + 6);
  return `<svg class="timeline" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img">${rows.join('')}</svg>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#1d2433;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #dde;padding-bottom:.2rem}
h3{margin:.2rem 0;font-size:1rem}.meta{color:#5a6378}code{font-size:12px}svg text{font-size:11px;fill:#333}
svg rect{fill:#4c78a8}.timeline .failed rect{fill:#d62728}.timeline .running rect{fill:#f2a93b}
.columns{display:grid;grid-template-columns:repeat(auto-fill,minmax(580px,1fr));gap:1rem}
.column{border:1px solid #e4e7ee;border-radius:6px;padding:.6rem}.flag{color:#b3541e}ul.summary li{margin:.25rem 0}`;

/**
 * A self-contained HTML report of one flow: the summary, per table the distribution of every
 * column (histograms of numbers, top values of the rest) as inline SVG, quality flags and
 * correlations, and the journey's milestones as a timeline. No script, no external resource.
 */
export function renderReport(input: ReportInput): string {
  const { journey, phases, insights } = input;
  const name = phases.file_uploaded?.fileName ?? journey.idempotencyKey;
  const tables = (insights?.tables ?? []).map((table) => {
    const flags = table.insights.quality.map((flag) => `<li class="flag">${escapeHtml(flag.message)}</li>`).join('');
    const correlations = table.insights.correlations
      .filter((entry) => entry.pearson !== null && Math.abs(entry.pearson) >= 0.3)
      .map((entry) => `<li>${escapeHtml(`${entry.a} ~ ${entry.b}: r = ${figure(entry.pearson)}`)}</li>`)
      .join('');
    return `<h2>Table ${escapeHtml(table.name)}</h2><p>${escapeHtml(figure(table.insights.rowCount))} rows, ${table.insights.columns.length} columns</p>${flags || correlations ? `<ul>${flags}${correlations}</ul>` : ''}<div class="columns">${table.insights.columns.map(columnSection).join('')}</div>`;
  });
  const text = insights?.text
    ? `<h2>Text</h2><p>${escapeHtml(`${figure(insights.text.words)} words in ${figure(insights.text.chunks)} chunks`)}</p>${bars(insights.text.keywords.slice(0, 15).map((entry) => ({ label: entry.word, value: entry.count, title: entry.word })))}`
    : '';
  const summary = (insights?.summary ?? []).map((statement) => `<li>${escapeHtml(statement.text)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(`Data mash report: ${name}`)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(name)}</h1>
<p class="meta">journey <code>${escapeHtml(journey.id)}</code> · ${escapeHtml(journey.status)} · trace <code>${escapeHtml(journey.traceId ?? '')}</code> · generated ${escapeHtml((input.generatedAt ?? new Date()).toISOString())}</p>
${journey.error ? `<p class="flag">${escapeHtml(`${journey.error.code}: ${journey.error.message}`)}</p>` : ''}
${summary ? `<h2>Summary</h2><ul class="summary">${summary}</ul>` : ''}
<h2>Trace</h2>${timeline(journey)}
${tables.join('\n')}${text}
</body></html>
`;
}
