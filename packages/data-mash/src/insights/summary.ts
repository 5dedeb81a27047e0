import type { TableInsights } from './table-profiler.js';

/** One sentence of a summary and the figures it was made from (JSON pointers into the insights result). */
export interface SummaryStatement {
  text: string;
  figures: string[];
}

const number = (value: number) =>
  Math.abs(value) >= 1e15 || (value !== 0 && Math.abs(value) < 1e-4)
    ? value.toExponential(3)
    : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
const share = (part: number, whole: number) => `${Math.round((part / Math.max(1, whole)) * 1000) / 10} %`;

/**
 * Plain-language statements about one table, each made from a template and the figures it names,
 * so every sentence can be traced to a number in the insights JSON (`pointer` is where the table's
 * insights sit in it, e.g. `/tables/0/insights`). The order is: size, quality, numbers, dates,
 * categories, relationships, outliers.
 */
export function summarizeTable(name: string, insights: TableInsights, pointer: string, limit = 12): SummaryStatement[] {
  const out: SummaryStatement[] = [];
  const at = (path: string) => `${pointer}${path}`;
  out.push({
    text: `'${name}' has ${number(insights.rowCount)} rows and ${insights.columns.length} columns.`,
    figures: [at('/rowCount'), at('/columns')],
  });
  insights.quality.forEach((flag, index) => {
    if (flag.kind !== 'duplicate_rows')
      out.push({ text: `${capitalise(flag.message)}.`, figures: [at(`/quality/${index}`)] });
  });
  if (insights.duplicateRows.count > 0) {
    out.push({
      text: `${number(insights.duplicateRows.count)} of the first ${number(insights.duplicateRows.checkedRows)} rows repeat an earlier row exactly.`,
      figures: [at('/duplicateRows/count'), at('/duplicateRows/checkedRows')],
    });
  }
  insights.columns.forEach((column, index) => {
    const base = at(`/columns/${index}`);
    if (column.numeric) {
      const n = column.numeric;
      out.push({
        text: `'${column.name}' ranges from ${number(n.min)} to ${number(n.max)}, with a median of ${number(n.median)} and a mean of ${number(n.mean)}.`,
        figures: [`${base}/numeric/min`, `${base}/numeric/max`, `${base}/numeric/median`, `${base}/numeric/mean`],
      });
    } else if (column.dates) {
      const d = column.dates;
      const rhythm = d.granularity ? `, typically one ${d.granularity} apart` : '';
      out.push({
        text: `'${column.name}' runs from ${d.min.slice(0, 10)} to ${d.max.slice(0, 10)}${rhythm}.`,
        figures: [`${base}/dates/min`, `${base}/dates/max`, ...(d.granularity ? [`${base}/dates/granularity`] : [])],
      });
    } else if (
      column.topValuesMethod === 'exact' &&
      column.distinct <= 50 &&
      column.topValues[0] &&
      column.distinct > 1
    ) {
      const top = column.topValues[0];
      out.push({
        text: `'${column.name}' takes ${column.distinct} values; the most common is '${top.value}' (${share(top.count, column.count)} of rows).`,
        figures: [`${base}/distinct`, `${base}/topValues/0`],
      });
    }
  });
  insights.correlations
    .map((pair, index) => ({ pair, index }))
    .filter(({ pair }) => pair.pearson !== null && Math.abs(pair.pearson) >= 0.5)
    .sort((a, b) => Math.abs(b.pair.pearson as number) - Math.abs(a.pair.pearson as number))
    .slice(0, 3)
    .forEach(({ pair, index }) => {
      const r = pair.pearson as number;
      out.push({
        text: `'${pair.a}' and '${pair.b}' ${r > 0 ? 'rise together' : 'move in opposite directions'} (Pearson r = ${r.toFixed(2)}).`,
        figures: [at(`/correlations/${index}/pearson`)],
      });
    });
  insights.outliers.forEach((entry, index) => {
    if (entry.method !== 'iqr') return;
    out.push({
      text: `'${entry.column}' has ${entry.countMethod === 'exact' ? '' : 'about '}${number(entry.count)} outlier(s) outside ${number(entry.low)} to ${number(entry.high)}.`,
      figures: [at(`/outliers/${index}/count`), at(`/outliers/${index}/low`), at(`/outliers/${index}/high`)],
    });
  });
  return out.slice(0, limit);
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
