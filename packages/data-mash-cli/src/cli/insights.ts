import { type ColumnProfile, formatFigure, formatShare, type InsightsResult } from '@platform/data-mash';
import { EXIT, figure, print, printable, printJson, table } from './output.js';
import { type GlobalOptions, openExistingSession } from './session.js';

function describeColumn(column: ColumnProfile): string[] {
  let range = '';
  const measure = column.type === 'integer' || column.type === 'decimal';
  if (measure && column.numeric) {
    const { min, max, mean, unit, stdDev, exactMin, exactMax } = column.numeric;
    range = `${exactMin ?? formatFigure(min, 0, unit)} … ${exactMax ?? formatFigure(max, 0, unit)}, mean ${formatFigure(mean, stdDev, unit)}`;
  } else if (column.dates) {
    range = `${column.dates.min.slice(0, 10)} … ${column.dates.max.slice(0, 10)}`;
  } else if (column.boolean) {
    range = `true ${figure(column.boolean.true)}, false ${figure(column.boolean.false)}`;
  } else if (
    column.distinctMethod === 'exact' &&
    column.distinct === column.count - column.nulls &&
    column.distinct > 1
  ) {
    range = 'every value distinct';
  } else {
    const estimate = column.topValuesMethod === 'estimate' ? '~' : '';
    range = column.topValues
      .slice(0, 3)
      .map(
        (entry) =>
          `${entry.value.length > 24 ? `${entry.value.slice(0, 23)}…` : entry.value} (${estimate}${figure(entry.count)})`,
      )
      .join(', ');
  }
  const nulls = column.count === 0 ? '–' : formatShare(column.nulls, column.count);
  return [
    column.name,
    column.type,
    nulls,
    `${column.distinctMethod === 'exact' ? '' : '~'}${figure(column.distinct)}`,
    range,
  ];
}

/** The insights as text: per table its columns, flags and correlations; the text's keywords; the summary. */
export function renderInsightsText(insights: InsightsResult): string {
  const out: string[] = [];
  for (const table_ of insights.tables) {
    const { insights: figures } = table_;
    out.push(`table ${printable(table_.name)}: ${figure(figures.rowCount)} rows, ${figures.columns.length} columns`);
    out.push(table(['COLUMN', 'TYPE', 'NULL', 'DISTINCT', 'RANGE / TOP VALUES'], figures.columns.map(describeColumn)));
    for (const flag of figures.quality)
      out.push(`${flag.severity === 'warning' ? '!' : 'i'} ${printable(flag.message)}`);
    const strong = figures.correlations.filter((entry) => entry.pearson !== null && Math.abs(entry.pearson) >= 0.5);
    for (const entry of strong)
      out.push(`~ ${printable(entry.a)} and ${printable(entry.b)} correlate (r = ${figure(entry.pearson)})`);
    for (const outliers of figures.outliers.filter((entry) => entry.count > 0)) {
      const method = outliers.method === 'iqr' ? 'Tukey fences' : 'robust z > 3.5';
      out.push(
        `~ ${printable(outliers.column)}: ${figure(outliers.count)} outliers outside [${figure(outliers.low)}, ${figure(outliers.high)}] (${method})`,
      );
    }
    out.push('');
  }
  if (insights.text) {
    out.push(
      `text: ${figure(insights.text.words)} words in ${figure(insights.text.chunks)} chunks; keywords: ${insights.text.keywords
        .slice(0, 10)
        .map((entry) => printable(entry.word))
        .join(', ')}`,
    );
    out.push('');
  }
  out.push(...insights.summary.map((statement) => `• ${printable(statement.text)}`));
  return out.join('\n');
}

/** `data-mash insights <journey>`: the profile of a completed flow, as text or `--json`. */
export async function showInsights(id: string, options: GlobalOptions): Promise<number> {
  const session = await openExistingSession(options);
  try {
    const insights = await session.flow.readInsights(session.user, id);
    if (options.json) printJson(insights);
    else print(renderInsightsText(insights));
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
