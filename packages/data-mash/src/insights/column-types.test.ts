import { describe, expect, it } from 'vitest';
import { inferPhysicalType } from '../semantics/physical-types.js';
import { ColumnProfiler } from './column-profiler.js';
import { parseDateValue } from './dates.js';
import { summarizeTable } from './summary.js';
import { TableProfiler } from './table-profiler.js';

function profileOf(values: unknown[], name = 'c', limits = {}) {
  const profiler = new ColumnProfiler(name, limits);
  for (const value of values) profiler.add(value);
  return profiler.profile();
}

// Days from 2024-01-02 to 2024-12-01 as US dates (month first): mm/dd/yyyy.
function usDates(): string[] {
  const out: string[] = [];
  for (let day = Date.UTC(2024, 0, 2); day <= Date.UTC(2024, 11, 1); day += 86_400_000) {
    const date = new Date(day);
    const pad = (value: number) => String(value).padStart(2, '0');
    out.push(`${pad(date.getUTCMonth() + 1)}/${pad(date.getUTCDate())}/${date.getUTCFullYear()}`);
  }
  return out;
}

describe('one type a column, from all its values', () => {
  it('keeps codes with leading zeros as identifiers, never as measures (point 2)', () => {
    const zips = ['00501', '00544', '10001', '90210', '60601', '94107', '02134', '33101'];
    const table = new TableProfiler(['zip', 'longitude', 'county_fips', 'population']);
    for (let row = 0; row < 400; row += 1)
      table.addValues([zips[row % zips.length], String(-70 - (row % 50)), String(1001 + row), String(1000 + row * 37)]);
    const insights = table.result();
    const [zip, , fips] = insights.columns;
    expect(zip).toMatchObject({ type: 'identifier', physicalType: 'string', distinct: 8 });
    expect(zip?.numeric).toBeUndefined();
    // Integer ids named as such keep their range but are no measure either.
    expect(fips?.type).toBe('identifier');
    expect(insights.correlations.map((pair) => [pair.a, pair.b])).toEqual([['longitude', 'population']]);
    expect(insights.outliers.every((entry) => entry.column !== 'zip' && entry.column !== 'county_fips')).toBe(true);
    const sentences = summarizeTable('places', insights, '')
      .map((statement) => statement.text)
      .join(' ');
    expect(sentences).not.toMatch(/'zip'.*mean|'county_fips'.*mean/);
    expect(inferPhysicalType(zips, 'zip').type).toBe('string');
  });

  it('decides the order of day and month once per column, from the evidence (point 3)', () => {
    const us = profileOf(usDates());
    expect(us.type).toBe('date');
    expect(us.dates).toMatchObject({
      min: '2024-01-02T00:00:00.000Z',
      max: '2024-12-01T00:00:00.000Z',
      granularity: 'day',
      order: { order: 'month-first', evidence: 'values' },
    });
    const european = profileOf(['13/01/2024', '01/02/2024', '02/03/2024', '25/12/2024']);
    expect(european.dates).toMatchObject({ min: '2024-01-13T00:00:00.000Z', max: '2024-12-25T00:00:00.000Z' });
    expect(european.dates?.order).toEqual({ order: 'day-first', evidence: 'values' });
    // Every value reads both ways: month first, and the profile says it assumed so.
    const firsts = profileOf(['01/01/2024', '02/01/2024', '03/01/2024', '04/01/2024']);
    expect(firsts.dates).toMatchObject({
      min: '2024-01-01T00:00:00.000Z',
      max: '2024-04-01T00:00:00.000Z',
      granularity: 'month',
    });
    expect(firsts.dates?.order).toEqual({ order: 'month-first', evidence: 'assumed' });
  });

  it('reads yyyy/mm/dd, with a time, and month names (point 3)', () => {
    expect(parseDateValue('2024/03/05')).toBe(Date.UTC(2024, 2, 5));
    expect(parseDateValue('2024/03/05 13:45:10')).toBe(Date.UTC(2024, 2, 5, 13, 45, 10));
    expect(parseDateValue('Jan 01 2024')).toBe(Date.UTC(2024, 0, 1));
    expect(parseDateValue('September 3, 2024')).toBe(Date.UTC(2024, 8, 3));
    expect(parseDateValue('03 Sept 2024')).toBe(Date.UTC(2024, 8, 3));
    expect(parseDateValue('05/03/2024', 'month-first')).toBe(Date.UTC(2024, 4, 3));
    for (const text of ['Foo 01 2024', '2024/02/30', '13/13/2024', 'Jan 32 2024'])
      expect(parseDateValue(text)).toBeUndefined();
    const timed = profileOf(['2024/03/05 13:45:10', '2024/03/06 09:00:00', '2024/03/07 10:30:00']);
    expect(timed.type).toBe('datetime');
  });

  it('reads numbers with white space after them (point 4)', () => {
    const profile = profileOf(['1 ', '2 ', ' 3', '4\t']);
    expect(profile.type).toBe('integer');
    expect(profile.numeric).toMatchObject({ count: 4, min: 1, max: 4, mean: 2.5 });
  });

  it('keeps integers beyond 2^53 exact (point 5)', () => {
    const values = ['9007199254740993', '9007199254740992', '9007199254740995', '-9007199254740999', '7'];
    const profile = profileOf(values);
    expect(profile.distinct).toBe(5);
    expect(profile.numeric).toMatchObject({ exactMin: '-9007199254740999', exactMax: '9007199254740995' });
    expect(profileOf(['1', '2']).numeric?.exactMax).toBeUndefined();
    // A larger value written otherwise (1e20) is the max, as its double (exact for 1e20).
    expect(profileOf(['9007199254740993', '1e20', '5']).numeric).toMatchObject({
      exactMin: '5',
      exactMax: '100000000000000000000',
    });
  });

  it('makes one type decision shared by the profile and the semantic phase, from every value (point 10)', () => {
    // A decimal past the first 100 values, and a column that is 92 % numbers.
    const decimals = [...Array.from({ length: 150 }, (_, index) => String(index)), '97.5'];
    expect(profileOf(decimals).type).toBe('decimal');
    const mostly = [...Array.from({ length: 92 }, (_, index) => String(index)), ...Array(8).fill('unknown')];
    const profile = profileOf(mostly);
    expect(profile).toMatchObject({ type: 'integer', physicalType: 'integer', otherTypeValues: 8 });
    expect(inferPhysicalType(mostly)).toMatchObject({ type: 'integer', share: 0.92 });
  });

  it('reads null tokens, booleans, currency, percentages and thousands separators (point 11)', () => {
    const nulls = profileOf(['1', 'NA', 'N/A', 'null', 'None', '-', '', '2']);
    expect(nulls).toMatchObject({ count: 8, nulls: 6, distinct: 2, type: 'integer' });
    expect(profileOf(['1', 'NA'], 'c', { nullTokens: [] }).nulls).toBe(0);
    const flags = profileOf(['true', 'False', 'yes', 'NO', 'T', 'f']);
    expect(flags).toMatchObject({ type: 'boolean', physicalType: 'boolean', boolean: { true: 3, false: 3 } });
    const prices = profileOf(['$1,234.50', '$5', '-$2.50', '$10,000']);
    expect(prices.numeric).toMatchObject({ min: -2.5, max: 10_000, sum: 11_237, unit: '$' });
    const shares = profileOf(['45%', '12.5 %', '0%']);
    expect(shares.numeric).toMatchObject({ max: 45, unit: '%' });
    const counts = profileOf(['1,234', '12,000', '1,000,000']);
    expect(counts.numeric).toMatchObject({ min: 1234, max: 1_000_000 });
    expect(counts.numeric?.unit).toBeUndefined();
    const infinite = profileOf(['1.5', 'inf', '-Infinity', '1e400', '2.5']);
    expect(infinite).toMatchObject({ type: 'decimal', otherTypeValues: 0 });
    expect(infinite.numeric).toMatchObject({ count: 2, infinite: 3, min: 1.5, max: 2.5, mean: 2 });
    // One and a half, the European way, is not a thousands separator.
    expect(profileOf(['1,5', '2,25']).numeric).toBeUndefined();
  });
});

describe('correlations', () => {
  it('correlates a column whose numbers start after the first 1,000 rows, and more than 20 columns (point 8)', () => {
    const columns = Array.from({ length: 24 }, (_, index) => `x${index}`);
    const table = new TableProfiler(['late', ...columns]);
    for (let row = 0; row < 3000; row += 1)
      table.addValues([
        row < 2000 ? '' : String(row * 2),
        ...columns.map((_, index) => String(row * (index + 1) + (row % 7))),
      ]);
    const insights = table.result();
    expect(insights.correlations.find((pair) => pair.a === 'late' && pair.b === 'x0')).toMatchObject({ rows: 1000 });
    expect(insights.correlations).toHaveLength((25 * 24) / 2);
    expect(insights.correlationLimit).toBeUndefined();
  });

  it('names the columns a stated cap leaves out', () => {
    const table = new TableProfiler(['a', 'b', 'c', 'd'], { correlationColumns: 2 });
    for (let row = 0; row < 10; row += 1) table.addValues([row, row * 2, row % 3, row % 4].map(String));
    const insights = table.result();
    expect(insights.correlations.map((pair) => [pair.a, pair.b])).toEqual([['a', 'b']]);
    expect(insights.correlationLimit).toEqual({ columns: 2, leftOut: ['c', 'd'] });
  });
});

describe('rank correlations and associations between categories', () => {
  it('gives Spearman rho for monotone but non-linear pairs, and Cramér V for dependent categories', () => {
    const table = new TableProfiler(['x', 'cube', 'noise', 'colour', 'shade', 'other']);
    for (let row = 0; row < 400; row += 1) {
      const colour = ['red', 'green', 'blue'][row % 3] as string;
      table.addValues([
        String(row),
        String(row ** 3),
        String((row * 7919) % 401),
        colour,
        `${colour}-ish`,
        ['a', 'b'][Math.floor(row / 3) % 2] as string,
      ]);
    }
    const insights = table.result();
    expect(insights.associationSample).toEqual({ rows: 400, method: 'exact' });
    const cube = insights.correlations.find((pair) => pair.a === 'x' && pair.b === 'cube');
    expect(cube?.spearman).toBe(1);
    expect(cube?.pearson).toBeLessThan(0.95);
    const shade = insights.categoricalAssociations.find((pair) => pair.a === 'colour' && pair.b === 'shade');
    expect(shade?.cramersV).toBeCloseTo(1, 12);
    const other = insights.categoricalAssociations.find((pair) => pair.a === 'colour' && pair.b === 'other');
    expect(other?.cramersV).toBeLessThan(0.1);
  });
});

describe('date distribution', () => {
  it('counts dates per period and names the calendar periods with no date', () => {
    // Every day of 2024 except 10-14 March and 1 July.
    const days: string[] = [];
    for (let day = Date.UTC(2024, 0, 1); day <= Date.UTC(2024, 11, 31); day += 86_400_000) {
      const date = new Date(day).toISOString().slice(0, 10);
      if ((date >= '2024-03-10' && date <= '2024-03-14') || date === '2024-07-01') continue;
      days.push(date);
    }
    const dates = profileOf(days).dates;
    expect(dates?.granularity).toBe('day');
    expect(dates?.missingPeriods).toEqual({
      unit: 'day',
      count: 6,
      runs: [
        { from: '2024-03-10', to: '2024-03-14' },
        { from: '2024-07-01', to: '2024-07-01' },
      ],
    });
    expect(dates?.histogram).toHaveLength(12);
    expect(dates?.histogram.reduce((sum, bin) => sum + bin.count, 0)).toBe(days.length);
    expect(dates?.histogram[0]?.from).toBe('2024-01-01T00:00:00.000Z');
  });
});
