import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ColumnProfile } from '../insights/column-profile.js';
import { TableProfiler } from '../insights/table-profiler.js';
import {
  alertFigure,
  alertName,
  bytesText,
  dateFigureRows,
  dateText,
  gapText,
  isYearColumn,
  missingPeriodsText,
  num,
  numericFigureRows,
  plural,
  share,
  short,
  valueFormat,
  valueRows,
  yearText,
} from './index.js';

/** The profiles of columns named `names`, each row given by `row(i)`, 200 rows. */
function profiles(names: readonly string[], row: (i: number) => unknown[], rows = 200): ColumnProfile[] {
  const profiler = new TableProfiler(names);
  for (let i = 0; i < rows; i += 1) profiler.addValues(row(i));
  return profiler.result().columns;
}

const rowsOf = (list: ReadonlyArray<[string, string]>) => Object.fromEntries(list);

describe('the shared wording', () => {
  it('writes year columns plainly, their spreads and sums as amounts', () => {
    const [year, yearBuilt, perYear] = profiles(['release_year', 'YearBuilt', 'revenue_per_year'], (i) => [
      2000 + (i % 25),
      1900 + (i % 40),
      2000 + i * 10,
    ]) as [ColumnProfile, ColumnProfile, ColumnProfile];
    expect(isYearColumn(year)).toBe(true);
    expect(isYearColumn(yearBuilt)).toBe(true);
    expect(isYearColumn(perYear)).toBe(false);

    const numeric = year.numeric as NonNullable<ColumnProfile['numeric']>;
    const { quantiles, descriptive } = numericFigureRows(year, numeric);
    const q = rowsOf(quantiles);
    expect(q.minimum).toBe('2000');
    expect(q.maximum).toBe('2024');
    expect(q.median).toMatch(/^20\d\d(\.\d+)?$/);
    for (const [, text] of quantiles) expect(text).not.toContain(',');
    const d = rowsOf(descriptive);
    expect(d.mean).toMatch(/^20\d\d(\.\d{1,2})?$/);
    // The sum of years is an amount: grouped.
    expect(d.sum).toMatch(/^\d{1,3}(,\d{3})+$/);
    expect(d.unit).toBeUndefined();
    expect(valueFormat(year, numeric)).toMatchObject({ plain: true, integer: true });
    expect(valueFormat(year, numeric).value(2012)).toBe('2012');

    // Not a year: the same figures grouped.
    const other = perYear.numeric as NonNullable<ColumnProfile['numeric']>;
    expect(rowsOf(numericFigureRows(perYear, other).quantiles).maximum).toBe('3,990');
    expect(valueFormat(perYear, other).plain).toBe(false);
  });

  it("shows a column's unit first among its descriptive figures", () => {
    const [price] = profiles(['price'], (i) => [`$${(i % 50) + 1}.50`]) as [ColumnProfile];
    const numeric = price.numeric as NonNullable<ColumnProfile['numeric']>;
    expect(numeric.unit).toBe('$');
    const { descriptive } = numericFigureRows(price, numeric);
    expect(descriptive[0]).toEqual(['unit', '$']);
    expect(descriptive.map(([label]) => label)).toEqual([
      'unit',
      'mean',
      'std deviation',
      'sum',
      'range',
      'IQR',
      'skewness',
      'excess kurtosis',
      'MAD',
      'zeros',
      'negatives',
    ]);
  });

  it('writes the count, missing and distinct values of any column', () => {
    const [label] = profiles(['label'], (i) => [i % 4 === 0 ? null : `v${i % 3}`]) as [ColumnProfile];
    expect(valueRows(label)).toEqual([
      ['values', '200'],
      ['missing', '50 (25 %)'],
      ['distinct', '3 (2 %)'],
    ]);
  });

  it('writes shares with their edge cases', () => {
    expect(share(457, 1000)).toBe('45.7 %');
    expect(share(1, 1000)).toBe('0.1 %');
    expect(share(1, 100_000)).toBe('< 0.1 %');
    expect(share(0, 100)).toBe('0 %');
    expect(share(100, 100)).toBe('100 %');
    expect(share(0, 0)).toBe('–');
    expect(share(3, 0)).toBe('–');
  });

  it('writes figures, short labels, years and counts', () => {
    expect(num(12345)).toBe('12,345');
    expect(num(0.000052)).toBe('5.2e-5');
    expect(num(1e-17, 100)).toBe('0');
    expect(num(null)).toBe('–');
    expect(num(Number.NaN)).toBe('–');
    expect(short(21_900_000)).toBe('21.9M');
    expect(short(1234)).toBe('1,230');
    expect(short(0.015342)).toBe('0.0153');
    expect(yearText(1995)).toBe('1995');
    expect(yearText(2008.8512)).toBe('2008.85');
    expect(yearText(undefined)).toBe('–');
    expect(plural(1, 'row')).toBe('1 row');
    expect([80, 1234, 612_000_000, 15_300].map(bytesText)).toEqual(['80 B', '1.2 KB', '612 MB', '15 KB']);
    expect(plural(1204, 'day')).toBe('1,204 days');
  });

  it('names alerts and writes their figures', () => {
    expect(alertName('many_zeros')).toBe('zeros');
    expect(alertName('highly_correlated')).toBe('correlated');
    expect(alertName('some_new_kind')).toBe('some new kind');
    const figure = (kind: Parameters<typeof alertFigure>[0]['kind'], value: number) =>
      alertFigure({ kind, figure: value });
    expect(figure('mostly_null', 0.574)).toBe('missing 57.4 %');
    expect(figure('many_zeros', 0.5)).toBe('zeros 50 %');
    expect(figure('highly_correlated', 0.9134)).toBe('r = 0.91');
    expect(figure('skewed', 2.45678)).toBe('skewness 2.457');
    expect(figure('imbalanced', 12)).toBe('imbalance 12');
    expect(figure('duplicate_rows', 1200)).toBe('1,200 rows');
    expect(figure('duplicate_rows', 1)).toBe('1 row');
    expect(figure('mixed_types', 1)).toBe('1 other value');
    expect(figure('mixed_types', 3)).toBe('3 other values');
    expect(figure('formula_injection', 2)).toBe('2 values');
    expect(figure('unique', 5000)).toBe('5,000 distinct');
    expect(figure('empty', 0)).toBe('0');
  });

  it('writes dates, gaps and missing periods', () => {
    expect(dateText('2024-05-01T12:30:45.000Z', 'year')).toBe('2024');
    expect(dateText('2024-05-01T12:30:45.000Z', 'quarter')).toBe('2024-05');
    expect(dateText('2024-05-01T12:30:45.000Z', 'week')).toBe('2024-05-01');
    expect(dateText('2024-05-01T12:30:45.000Z', 'minute')).toBe('2024-05-01 12:30');
    expect(dateText('2024-05-01T12:30:45.000Z', 'second')).toBe('2024-05-01 12:30:45');
    expect(gapText(86_400)).toBe('1 day');
    expect(gapText(3.5 * 3600)).toBe('3.5 hours');
    expect(gapText(0.5)).toBe('0.5 seconds');
    expect(missingPeriodsText({ unit: 'day', count: 0, runs: [] })).toBe(
      'No day without a date between the first and the last.',
    );
    expect(
      missingPeriodsText({
        unit: 'day',
        count: 6,
        runs: [
          { from: '2024-03-10T00:00:00.000Z', to: '2024-03-14T00:00:00.000Z' },
          { from: '2024-04-02T00:00:00.000Z', to: '2024-04-02T00:00:00.000Z' },
        ],
      }),
    ).toBe('6 days with no date: 2024-03-10 to 2024-03-14, 2024-04-02.');
    const [when] = profiles(['when'], (i) => [`2024-01-${String((i % 28) + 1).padStart(2, '0')}`]) as [ColumnProfile];
    const rows = rowsOf(dateFigureRows(when.dates as NonNullable<ColumnProfile['dates']>));
    expect(rows).toMatchObject({ earliest: '2024-01-01', latest: '2024-01-28', precision: 'day' });
  });

  it('is browser-safe: no module it loads imports Node or another package at runtime', () => {
    const here = dirname(fileURLToPath(import.meta.url));
    const seen = new Set<string>();
    const bare: string[] = [];
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/^(?:import|export)\s+(type\s+)?[^'"]*?from\s+'([^']+)'/gm)) {
        const [, typeOnly, specifier] = match as unknown as [string, string | undefined, string];
        if (typeOnly) continue;
        if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
        else bare.push(`${file}: ${specifier}`);
      }
      for (const match of source.matchAll(/^import\s+'([^']+)'/gm)) bare.push(`${file}: ${match[1]}`);
    };
    visit(join(here, 'index.ts'));
    expect(bare).toEqual([]);
    expect(seen.size).toBeGreaterThan(3);
  });
});
