import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDelimited } from '../parsing/delimited.js';
import { parseDateValue } from './dates.js';
import { topKeywords } from './keywords.js';
import { TableProfiler } from './table-profiler.js';

const require = createRequire(import.meta.url);

describe('TableProfiler', () => {
  it('flags mostly-null and constant columns and exact duplicate rows', () => {
    const profiler = new TableProfiler(['id', 'note', 'country']);
    const rows = [
      ['1', '', 'NL'],
      ['2', '', 'NL'],
      ['3', 'late', 'NL'],
      ['2', '', 'NL'],
      ['2', '', 'NL'],
    ];
    for (const row of rows) profiler.addValues(row);
    const insights = profiler.result();
    expect(insights.rowCount).toBe(5);
    expect(insights.duplicateRows).toEqual({ count: 2, checkedRows: 5, method: 'exact' });
    expect(insights.quality.map((flag) => [flag.kind, flag.column])).toEqual([
      ['mostly_null', 'note'],
      ['constant', 'country'],
      ['duplicate_rows', undefined],
    ]);
    expect(insights.quality[0]?.message).toBe("80 % of 'note' is empty");
  });

  it('finds outliers by both methods with the rows they are on', () => {
    const profiler = new TableProfiler(['value']);
    const values = [10, 11, 12, 11, 10, 12, 11, 10, 95, 11, 12, 10, -40];
    for (const value of values) profiler.addValues([String(value)]);
    const { outliers } = profiler.result();
    const iqr = outliers.find((entry) => entry.method === 'iqr');
    // Sorted: -40, 10 x4, 11 x4, 12 x3, 95. Type 7: Q1 = x[3] = 10, Q3 = x[9] = 12; fences 10 - 3 = 7, 12 + 3 = 15.
    expect(iqr).toMatchObject({ low: 7, high: 15, count: 2, countMethod: 'exact' });
    expect(iqr?.examples).toEqual([
      { row: 9, value: 95 },
      { row: 13, value: -40 },
    ]);
    expect(outliers.find((entry) => entry.method === 'robust_z')?.count).toBe(2);
  });

  it('correlates numeric columns only, and replays the rows it waited on', () => {
    const profiler = new TableProfiler(['x', 'y', 'label']);
    for (let index = 0; index < 1500; index += 1) profiler.addValues([index, 3 * index + 1, `row ${index}`]);
    const { correlations } = profiler.result();
    expect(correlations).toHaveLength(1);
    expect(correlations[0]).toMatchObject({ a: 'x', b: 'y', rows: 1500 });
    expect(correlations[0]?.pearson).toBeCloseTo(1, 12);
  });

  it('profiles dates (range, precision, rhythm) and text keywords', () => {
    const profiler = new TableProfiler(['month', 'seen_at', 'review']);
    const reviews = ['Great battery life', 'Battery died fast', 'The screen is great', 'Great value'];
    for (let index = 0; index < 24; index += 1) {
      const month = `${2020 + Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
      profiler.addValues([
        month,
        `2026-03-0${1 + (index % 5)}T10:${String(index).padStart(2, '0')}:00Z`,
        reviews[index % 4],
      ]);
    }
    const [month, seenAt, review] = profiler.result().columns;
    expect(month?.dates).toMatchObject({
      min: '2020-01-01T00:00:00.000Z',
      max: '2021-12-01T00:00:00.000Z',
      precision: 'month',
      granularity: 'month',
    });
    expect(seenAt?.dates?.precision).toBe('minute');
    expect(review?.text?.keywords.slice(0, 2)).toEqual([
      { word: 'great', count: 18 },
      { word: 'battery', count: 12 },
    ]);
  });

  it('reads dates written in the usual ways, and nothing else', () => {
    expect(parseDateValue('2026-01-31')).toBe(Date.UTC(2026, 0, 31));
    expect(parseDateValue('31/01/2026')).toBe(Date.UTC(2026, 0, 31));
    expect(parseDateValue('2026-01-31 10:30:00+02:00')).toBe(Date.UTC(2026, 0, 31, 8, 30));
    expect(parseDateValue('2026-01-31T10:30:00+0200')).toBe(Date.UTC(2026, 0, 31, 8, 30));
    for (const text of ['2026-02-30', '12345678', 'hello', '2026-01-31T25:00'])
      expect(parseDateValue(text)).toBeUndefined();
    expect(topKeywords('The the THE cat sat on the mat; the cat!')).toEqual([
      { word: 'cat', count: 2 },
      { word: 'mat', count: 1 },
      { word: 'sat', count: 1 },
    ]);
  });
});

/**
 * The reference: vega-datasets' Seattle weather (1,461 days), profiled by this SDK and by a
 * plain two-pass computation written here, independently of the profiler's one-pass code.
 */
describe('profile of a real data set against an independent computation', () => {
  // The package exports only its index (build/index.js); the data sits beside it.
  const file = join(dirname(require.resolve('vega-datasets')), '..', 'data', 'seattle-weather.csv');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const header = (lines[0] as string).split(',');
  const records = lines.slice(1).map((line) => line.split(','));
  const column = (name: string) => records.map((record) => record[header.indexOf(name)] as string);
  const numbers = (name: string) => column(name).map(Number);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const sd = (values: number[]) => {
    const m = mean(values);
    return Math.sqrt(values.reduce((sum, value) => sum + (value - m) ** 2, 0) / (values.length - 1));
  };
  const type7 = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    const h = (sorted.length - 1) * q;
    return (
      (sorted[Math.floor(h)] as number) +
      (h - Math.floor(h)) * ((sorted[Math.ceil(h)] as number) - (sorted[Math.floor(h)] as number))
    );
  };

  it('matches count, distinct, mean, sd, quantiles, top values, dates and correlation', async () => {
    let profiler: TableProfiler | undefined;
    const report = await parseDelimited(readFileSync(file), (row) => {
      profiler ??= new TableProfiler(Object.keys(row));
      profiler.add(row);
    });
    const insights = (profiler as TableProfiler).result();
    expect(report.rowCount).toBe(1461);
    expect(insights.rowCount).toBe(1461);
    for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind']) {
      const values = numbers(name);
      const profile = insights.columns.find((entry) => entry.name === name);
      expect(profile?.distinct).toBe(new Set(column(name)).size);
      expect(profile?.numeric?.mean).toBeCloseTo(mean(values), 9);
      expect(profile?.numeric?.stdDev).toBeCloseTo(sd(values), 9);
      expect(profile?.numeric?.min).toBe(Math.min(...values));
      expect(profile?.numeric?.max).toBe(Math.max(...values));
      expect(profile?.numeric?.median).toBeCloseTo(type7(values, 0.5), 9);
      expect(profile?.numeric?.quantiles.p25).toBeCloseTo(type7(values, 0.25), 9);
      expect(profile?.numeric?.quantiles.p95).toBeCloseTo(type7(values, 0.95), 9);
    }
    const weather = insights.columns.find((entry) => entry.name === 'weather');
    const counts = new Map<string, number>();
    for (const value of column('weather')) counts.set(value, (counts.get(value) ?? 0) + 1);
    const byCount = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([value, count]) => ({ value, count }));
    expect(weather?.topValues).toEqual(byCount);
    expect(insights.columns[0]?.dates).toMatchObject({
      count: 1461,
      min: '2012-01-01T00:00:00.000Z',
      max: '2015-12-31T00:00:00.000Z',
      precision: 'day',
      granularity: 'day',
    });
    const x = numbers('temp_max');
    const y = numbers('temp_min');
    const mx = mean(x);
    const my = mean(y);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    x.forEach((value, index) => {
      sxy += (value - mx) * ((y[index] as number) - my);
      sxx += (value - mx) ** 2;
      syy += ((y[index] as number) - my) ** 2;
    });
    const pair = insights.correlations.find((entry) => entry.a === 'temp_max' && entry.b === 'temp_min');
    expect(pair?.pearson).toBeCloseTo(sxy / Math.sqrt(sxx * syy), 9);
    expect(insights.duplicateRows.count).toBe(0);
  });
});
