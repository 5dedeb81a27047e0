import type { ColumnProfile } from './column-profile.js';
import { isMeasure } from './column-type.js';
import type { TableInsights } from './table-profiler.js';
import { formatDuration, formatFigure, formatShare } from './wording.js';

/** One sentence of a summary and the figures it was made from (JSON pointers into the insights result). */
export interface SummaryStatement {
  text: string;
  figures: string[];
}

interface Ranked extends SummaryStatement {
  /** Higher first: size, then quality, strong relationships, then per-column descriptions. */
  weight: number;
}

/**
 * Plain-language statements about one table, each made from a template and the figures it names,
 * so every sentence can be traced to a number in the insights JSON (`pointer` is where the table's
 * insights sit in it, e.g. `/tables/0/insights`). Sentences are ranked by importance (size, then
 * quality problems, strong correlations, dates, measures, categories, skew, outliers) and the
 * first `limit` are kept. Numbers are written to four significant digits, years without
 * separators; ids and codes are never described as measures.
 */
export function summarizeTable(name: string, insights: TableInsights, pointer: string, limit = 12): SummaryStatement[] {
  const out: Ranked[] = [];
  const at = (path: string) => `${pointer}${path}`;
  const plural = (count: number, noun: string) => `${formatFigure(count)} ${noun}${count === 1 ? '' : 's'}`;
  out.push({
    text: `'${name}' has ${plural(insights.rowCount, 'row')} and ${plural(insights.columns.length, 'column')}.`,
    figures: [at('/rowCount'), at('/columns')],
    weight: 100,
  });
  // Warnings one sentence each; three or more of a kind in one sentence, so they do not crowd out the rest.
  const byKind = new Map<string, number[]>();
  insights.quality.forEach((flag, index) => {
    if (flag.kind === 'duplicate_rows' || flag.severity !== 'warning') return;
    byKind.set(flag.kind, [...(byKind.get(flag.kind) ?? []), index]);
  });
  for (const [kind, indexes] of byKind) {
    if (indexes.length < 3) {
      for (const index of indexes)
        out.push({
          text: `${capitalise((insights.quality[index] as { message: string }).message)}.`,
          figures: [at(`/quality/${index}`)],
          weight: 90,
        });
      continue;
    }
    const names = indexes.map((index) => `'${insights.quality[index]?.column ?? ''}'`);
    out.push({
      text: `${indexes.length} columns ${GROUPED[kind] ?? `are flagged ${kind.replaceAll('_', ' ')}`}: ${names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : listOf(names)}.`,
      figures: indexes.map((index) => at(`/quality/${index}`)),
      weight: 90,
    });
  }
  if (insights.duplicateRows.count > 0) {
    out.push({
      text: `${formatFigure(insights.duplicateRows.count)} of the first ${formatFigure(insights.duplicateRows.checkedRows)} rows repeat an earlier row exactly.`,
      figures: [at('/duplicateRows/count'), at('/duplicateRows/checkedRows')],
      weight: 85,
    });
  }
  insights.columns.forEach((column, index) => {
    const outliers = insights.outliers.find((entry) => entry.column === column.name && entry.method === 'iqr');
    const statement = describeColumn(column, at(`/columns/${index}`), outliers?.count ?? 0);
    if (statement) out.push(statement);
  });
  insights.correlations.forEach((pair, index) => {
    const r = pair.pearson;
    if (r === null || Math.abs(r) < 0.5) return;
    out.push({
      text: `'${pair.a}' and '${pair.b}' ${r > 0 ? 'rise together' : 'move in opposite directions'} (Pearson r = ${r.toFixed(2)}).`,
      figures: [at(`/correlations/${index}/pearson`)],
      weight: 50 + 40 * Math.abs(r),
    });
  });
  insights.outliers.forEach((entry, index) => {
    const column = insights.columns.find((candidate) => candidate.name === entry.column);
    const numeric = column?.numeric;
    // On a skewed column the fences flag the long tail, which the skew sentence already describes.
    if (entry.method !== 'iqr' || !numeric || isSkewed(numeric, entry.count)) return;
    // The fences are computed: within a billionth of the spread of 0, they are 0.
    const scale = numeric.stdDev;
    out.push({
      text: `'${entry.column}' has ${entry.countMethod === 'exact' ? '' : 'about '}${formatFigure(entry.count)} outlier${entry.count === 1 ? '' : 's'} outside ${formatFigure(entry.low, scale)} to ${formatFigure(entry.high, scale)}.`,
      figures: [at(`/outliers/${index}/count`), at(`/outliers/${index}/low`), at(`/outliers/${index}/high`)],
      weight: 15,
    });
  });
  return out
    .map((statement, order) => ({ statement, order }))
    .sort((a, b) => b.statement.weight - a.statement.weight || a.order - b.order)
    .slice(0, limit)
    .map(({ statement }) => ({ text: statement.text, figures: statement.figures }));
}

/**
 * A column is described as skewed when its skewness is at least 1 in size and not the work of a
 * few outliers: the fences flag more than 5 % of its values, or its quartiles are lopsided too
 * (Bowley's quartile skewness at least 0.25 in size).
 */
function isSkewed(numeric: NonNullable<ColumnProfile['numeric']>, outliers: number): boolean {
  if (numeric.skewness === null || Math.abs(numeric.skewness) < 1) return false;
  const { p25, p75 } = numeric.quantiles;
  const bowley = p75 > p25 ? (p75 + p25 - 2 * numeric.median) / (p75 - p25) : 0;
  return outliers > numeric.count * 0.05 || Math.abs(bowley) >= 0.25;
}

function describeColumn(column: ColumnProfile, base: string, outliers: number): Ranked | undefined {
  const name = `'${column.name}'`;
  // Personal data: its values are tokens, so the sentence says what it holds, not which values.
  if (column.pii) {
    return {
      text: `${name} holds personal data (${column.pii.replaceAll('_', ' ')}): ${formatFigure(column.distinct)} distinct value${column.distinct === 1 ? '' : 's'}, not shown.`,
      figures: [`${base}/pii`, `${base}/distinct`],
      weight: 35,
    };
  }
  if (column.numeric && isMeasure(column.type)) {
    const n = column.numeric;
    // One value: the constant alert says it when it matters.
    if (n.min === n.max) return undefined;
    // Years are written without separators; integers beyond 2^53 as their exact text.
    const year = column.type === 'integer' && YEAR_NAME.test(column.name) && n.min >= 1000 && n.max <= 2999;
    const figure = (value: number) => (year ? formatFigure(value).replaceAll(',', '') : formatFigure(value, 0, n.unit));
    // The mean is computed: within a billionth of the spread of 0, it is floating-point noise.
    const mean = formatFigure(n.mean, n.stdDev, n.unit);
    const min = n.exactMin ?? figure(n.min);
    const max = n.exactMax ?? figure(n.max);
    if (isSkewed(n, outliers)) {
      const side = (n.skewness as number) > 0 ? 'right' : 'left';
      return {
        text: `${name} is ${side}-skewed (skewness ${formatFigure(n.skewness as number)}): from ${min} to ${max}, half the values ${side === 'right' ? 'at or below' : 'at or above'} ${figure(n.median)}.`,
        figures: [`${base}/numeric/skewness`, `${base}/numeric/min`, `${base}/numeric/max`, `${base}/numeric/median`],
        weight: 30,
      };
    }
    return {
      text: `${name} ranges from ${min} to ${max}, with a median of ${figure(n.median)} and a mean of ${year ? mean.replaceAll(',', '') : mean}.`,
      figures: [`${base}/numeric/min`, `${base}/numeric/max`, `${base}/numeric/median`, `${base}/numeric/mean`],
      weight: 30,
    };
  }
  if (column.dates) {
    const d = column.dates;
    const rhythm = d.granularity
      ? `, typically one ${d.granularity} apart`
      : d.medianGapSeconds !== undefined
        ? `, with a median gap of ${formatDuration(d.medianGapSeconds)}`
        : '';
    return {
      text: `${name} runs from ${d.min.slice(0, 10)} to ${d.max.slice(0, 10)}${rhythm}.`,
      figures: [
        `${base}/dates/min`,
        `${base}/dates/max`,
        ...(d.granularity
          ? [`${base}/dates/granularity`]
          : d.medianGapSeconds !== undefined
            ? [`${base}/dates/medianGapSeconds`]
            : []),
      ],
      weight: 40,
    };
  }
  if (column.boolean) {
    const total = column.boolean.true + column.boolean.false;
    return {
      text: `${name} is true in ${formatShare(column.boolean.true, total)} of ${formatFigure(total)} values.`,
      figures: [`${base}/boolean/true`, `${base}/boolean/false`],
      weight: 25,
    };
  }
  if (
    column.type === 'categorical' &&
    column.topValuesMethod === 'exact' &&
    column.distinct > 1 &&
    column.distinct <= 50
  ) {
    const [top, second] = column.topValues;
    if (!top) return undefined;
    const nonNull = column.count - column.nulls;
    const tied = column.topValues.filter((entry) => entry.count === top.count);
    // The list holds the top values only: when all of it ties, more values may tie beyond it.
    const more = tied.length === column.topValues.length && column.distinct > tied.length;
    const rest = tied.length > 3 ? `${more ? 'at least ' : ''}${tied.length - 3} more` : more ? 'others' : '';
    const named = tied.slice(0, 3).map((entry) => `'${entry.value}'`);
    const common =
      tied.length === 1 || !second
        ? `the most common is '${top.value}' (${formatShare(top.count, nonNull)} of values)`
        : `the most common are ${rest ? `${named.join(', ')} and ${rest}` : listOf(named)}, tied at ${formatShare(top.count, nonNull)} of values each`;
    return {
      text: `${name} takes ${column.distinct} values; ${common}.`,
      figures: [`${base}/distinct`, ...tied.slice(0, 3).map((_, index) => `${base}/topValues/${index}`)],
      weight: 25,
    };
  }
  return undefined;
}

const YEAR_NAME = /year|(?:^|[^a-z])yr(?:$|[^a-z])/i;

// How a group of columns with one kind of warning is described.
const GROUPED: Readonly<Record<string, string>> = {
  mostly_null: 'are mostly empty',
  constant: 'have one value throughout',
  mixed_types: 'hold values of another type',
  formula_injection: 'hold values a spreadsheet would run as formulas',
  many_zeros: 'are mostly zeros',
  imbalanced: 'are dominated by one value',
};

function listOf(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
