import { describe, expect, it } from 'vitest';
import { summarizeTable } from './summary.js';
import { TableProfiler } from './table-profiler.js';
import { formatDuration, formatFigure, formatShare } from './wording.js';

function summaryOf(columns: string[], rows: unknown[][], limit?: number): string[] {
  const table = new TableProfiler(columns);
  for (const row of rows) table.addValues(row);
  return summarizeTable('t', table.result(), '', limit).map((statement) => statement.text);
}

describe('summary sentences (point 9)', () => {
  it('writes figures to significant digits, years without separators, and no floating-point noise', () => {
    expect(formatFigure(0.00196)).toBe('0.00196');
    expect(formatFigure(-0.0003)).toBe('-0.0003');
    expect(formatFigure(12.3456)).toBe('12.35');
    expect(formatFigure(1234567.891)).toBe('1,234,568');
    expect(formatFigure(-4.148e-17, 2)).toBe('0');
    expect(formatFigure(1.96e-7)).toBe('1.96e-7');
    expect(formatFigure(-2.5, 0, '$')).toBe('-$2.5');
    expect(formatShare(1, 1000)).toBe('0.1 %');
    expect(formatShare(1, 20_000)).toBe('under 0.1 %');
    expect(formatDuration(3 * 86_400)).toBe('3 days');

    const small = summaryOf(
      ['rate'],
      Array.from({ length: 40 }, (_, index) => [String(0.001 + (index % 5) * 0.0004)]),
    );
    expect(small.join(' ')).toContain('a mean of 0.0018');
    const years = summaryOf(
      ['year'],
      Array.from({ length: 118 }, (_, index) => [String(1900 + index)]),
    );
    expect(years.join(' ')).toContain("'year' ranges from 1900 to 2017");
    const centred = summaryOf(
      ['z'],
      Array.from({ length: 30 }, (_, index) => [String(((index % 3) - 1) * 0.1)]),
    );
    expect(centred.join(' ')).toContain('a mean of 0.');
    expect(centred.join(' ')).not.toMatch(/e-1\d/);
  });

  it('says when the most common values tie', () => {
    const rows = ['a', 'b', 'a', 'b', 'c'].map((value) => [value]);
    expect(summaryOf(['kind'], rows)).toContain(
      "'kind' takes 3 values; the most common are 'a' and 'b', tied at 40 % of values each.",
    );
  });

  it('states a median gap that is no one unit as it is, not as the nearest unit', () => {
    const rows = Array.from({ length: 20 }, (_, index) => [
      new Date(Date.UTC(2024, 0, 1 + index * 3)).toISOString().slice(0, 10),
    ]);
    const text = summaryOf(['day'], rows).join(' ');
    expect(text).toContain('with a median gap of 3 days');
    expect(text).not.toContain('week');
  });

  it('describes a skewed column as skewed instead of flagging its tail as outliers', () => {
    // Exponential-like incomes: the fences flag about 10 % of values.
    const rows = Array.from({ length: 500 }, (_, index) => [
      String(Math.round(-Math.log(1 - (index + 0.5) / 500) * 30_000)),
    ]);
    const text = summaryOf(['income'], rows).join(' ');
    expect(text).toMatch(/'income' is right-skewed \(skewness [\d.]+\)/);
    expect(text).not.toContain('outlier');
  });

  it('ranks the strongest correlations of a wide table above per-column sentences', () => {
    const columns = Array.from({ length: 14 }, (_, index) => `c${index}`);
    const rows = Array.from({ length: 200 }, (_, row) =>
      columns.map((_, index) => String(index === 13 ? row * 3 : ((row * (index + 7)) % 101) + index)),
    );
    // c13 = 3 * row; c0 = (row * 7) % 101: the perfectly correlated pair is c13 with itself only, so
    // give c12 the same trend as c13.
    for (const row of rows) row[12] = String(Number(row[13]) * 2 + 1);
    const text = summaryOf(columns, rows, 5);
    expect(text).toHaveLength(5);
    expect(text.some((sentence) => sentence.startsWith("'c12' and 'c13' rise together (Pearson r = 1.00)"))).toBe(true);
  });

  it('never rounds data values away, counts ties beyond the list, and groups warnings of a kind (review)', () => {
    const spread = summaryOf(['v'], [...Array.from({ length: 9 }, (_, index) => [String(index + 1)]), ['20000000000']]);
    expect(spread.join(' ')).toContain('from 1 to 20,000,000,000, half the values at or below 5.5');
    const tied = summaryOf(
      ['cat'],
      Array.from({ length: 30 }, (_, index) => [`c${String(index).padStart(2, '0')}`, 'x'])
        .map((row) => [row[0]])
        .flatMap((row) => [row, row]),
    );
    expect(tied.join(' ')).toContain("'c00', 'c01', 'c02' and at least 7 more, tied at");
    const sparse = summaryOf(
      ['x', 'y', ...Array.from({ length: 11 }, (_, index) => `sparse${index}`)],
      Array.from({ length: 40 }, (_, row) => [
        String(row),
        String(row * 2 + 1),
        ...Array.from({ length: 11 }, () => (row === 0 ? '1' : '')),
      ]),
    );
    expect(sparse.join(' ')).toContain("11 columns are mostly empty: 'sparse0', 'sparse1', 'sparse2' and 8 more.");
    expect(sparse.some((sentence) => sentence.startsWith("'x' and 'y' rise together"))).toBe(true);
    expect(summaryOf(['only'], [['1']])[0]).toBe("'t' has 1 row and 1 column.");
    expect(formatFigure(9_007_199_254_740_992)).toBe('9,007,199,254,740,992');
  });
});
