/**
 * The differential test's comparison: every figure of the SDK's insights of a file recomputed by
 * DuckDB over the same file ({@link ReferenceTable}: how values are read), each compared with the
 * tolerance stated for it in {@link TOLERANCES}: exact where docs/insights.md says exact, the
 * documented bound where it is an estimate.
 *
 * Compared: rows, columns, duplicate rows, quality flags; per column count, nulls, distinct
 * (and its method), top values (and their method); for numeric columns count, min, max (exact
 * integers beyond 2^53), mean, standard deviation, quantiles, histogram, outliers (fences, counts,
 * examples and their rows) and, where the profile has them, sum, variance, skewness, kurtosis,
 * zeros, negatives, IQR and MAD; dates (whether a date column, count, range, precision, median gap
 * and granularity); text lengths; boolean counts; each reported correlation. Not compared: the
 * keywords (the first 5,000 multi-word values, and a stop-word list), and where bins start when
 * far outliers put some values outside them (the counts in and outside the stated bins are).
 */

import { compareColumn } from './column-comparison.js';
import { asNumber, ColumnFigures } from './column-figures.js';
import type { ComparedInsights } from './compared-insights.js';
import { type Figure, Figures, TOLERANCES } from './figures.js';
import { type ReferenceRules, ReferenceTable } from './reference-table.js';

export { type ComparedInsights, LIMITS } from './compared-insights.js';

/** What to compare: a profiled file, and the rules the reference reads it by. */
export interface DifferentialInput {
  /** Named in failure messages. */
  dataset: string;
  /** The CSV or TSV file DuckDB reads: the file the SDK profiled, or the same records written as CSV. */
  file: string;
  delimiter: string;
  insights: ComparedInsights;
  rules: ReferenceRules;
}

/** Compares every figure of `insights` with DuckDB's over the same file; one DuckDB instance a call. */
export async function compareWithDuckDb(input: DifferentialInput): Promise<Figure[]> {
  const table = await ReferenceTable.open(input.file, input.delimiter, input.rules);
  try {
    return await compareTable(table, input);
  } finally {
    table.close();
  }
}

async function compareTable(table: ReferenceTable, input: DifferentialInput): Promise<Figure[]> {
  const figures = new Figures(input.dataset);
  const { insights } = input;
  const rowCount = Number((await table.one('SELECT count(*) AS n FROM d')).n);
  figures.exact(null, 'row count', insights.rowCount, rowCount);
  figures.exact(
    null,
    'columns',
    insights.columns.map((column) => column.name),
    table.columns,
  );

  const facts: Array<{ name: string; nulls: number; distinct: number }> = [];
  for (const [index, name] of table.columns.entries()) {
    const profile = insights.columns[index];
    if (!profile) continue;
    const column = new ColumnFigures(table, figures, insights, index, name, profile, rowCount);
    facts.push({ name, ...(await compareColumn(column)) });
  }
  await compareCorrelations(table, figures, insights);

  // Duplicate rows: rows whose every value (all nulls alike) repeats an earlier row.
  const values = table.columns.map((_, index) => `r${index}`).join(', ');
  const { duplicates } = await table.one(
    `SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT ${values} FROM d)) AS duplicates FROM d`,
  );
  const duplicateCount = Number(duplicates);
  figures.exact(null, 'duplicate rows', insights.duplicateRows.count, duplicateCount);
  figures.exact(
    null,
    'duplicate rows: rows checked',
    insights.duplicateRows.checkedRows,
    Math.min(rowCount, 2_000_000),
  );

  // Quality flags follow from figures: the reference's figures give the reference's flags.
  const expected: string[] = rowCount === 0 ? ['empty'] : [];
  for (const column of rowCount === 0 ? [] : facts) {
    if (column.nulls / rowCount >= 0.5) expected.push(`mostly_null ${column.name}`);
    if (column.distinct === 1 && rowCount - column.nulls > 1) expected.push(`constant ${column.name}`);
  }
  if (duplicateCount > 0) expected.push('duplicate_rows');
  const kinds = new Set(['empty', 'mostly_null', 'constant', 'duplicate_rows']);
  figures.exact(
    null,
    'quality flags (empty, mostly_null, constant, duplicate_rows)',
    insights.quality
      .filter((flag) => kinds.has(flag.kind))
      .map((flag) => (flag.column === undefined ? flag.kind : `${flag.kind} ${flag.column}`))
      .sort(),
    expected.sort(),
  );
  return figures.list;
}

async function compareCorrelations(table: ReferenceTable, figures: Figures, insights: ComparedInsights): Promise<void> {
  const pairs = insights.correlations.map((pair) => ({
    ...pair,
    x: table.columns.indexOf(pair.a),
    y: table.columns.indexOf(pair.b),
  }));
  // A hundred pairs a query: one scan of the table for many pairs.
  for (let start = 0; start < pairs.length; start += 100) {
    const chunk = pairs.slice(start, start + 100);
    const known = chunk.filter((pair) => pair.x >= 0 && pair.y >= 0);
    const sums = known.map(
      (pair, index) =>
        `corr(x${pair.x}, x${pair.y}) AS r${index}, count(*) FILTER (WHERE x${pair.x} IS NOT NULL AND x${pair.y} IS NOT NULL) AS n${index}`,
    );
    const reference = sums.length > 0 ? await table.one(`SELECT ${sums.join(', ')} FROM d`) : {};
    for (const pair of chunk) {
      const label = `${pair.a} ~ ${pair.b}`;
      const index = known.indexOf(pair);
      if (index < 0) {
        figures.add(label, 'pearson', pair.pearson, 'no such column', TOLERANCES.exact, false);
        continue;
      }
      figures.near(label, 'pearson', pair.pearson, asNumber(reference[`r${index}`]), 1e-12, TOLERANCES.correlation);
      figures.exact(label, 'pearson: rows', pair.rows, Number(reference[`n${index}`]));
    }
  }
}

/**
 * The pairs of numeric columns the insights neither correlate nor name as left out (issue 14
 * point 8: correlate every numeric pair, or state and report the cap). Columns whose type is not
 * a measure (ids, codes) are not expected in pairs.
 */
export function uncorrelatedPairs(insights: ComparedInsights): string[] {
  const leftOut = new Set(insights.correlationLimit?.leftOut ?? []);
  const measures = insights.columns
    .filter(
      (column) =>
        column.numeric && (column.type === undefined || column.type === 'integer' || column.type === 'decimal'),
    )
    .map((column) => column.name)
    .filter((name) => !leftOut.has(name));
  const reported = new Set(insights.correlations.flatMap((pair) => [`${pair.a} ~ ${pair.b}`, `${pair.b} ~ ${pair.a}`]));
  return measures.flatMap((a, index) =>
    measures
      .slice(index + 1)
      .filter((b) => !reported.has(`${a} ~ ${b}`))
      .map((b) => `${a} ~ ${b}`),
  );
}
