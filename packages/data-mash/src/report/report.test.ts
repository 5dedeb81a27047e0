import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JourneyRecord } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { TableProfiler } from '../insights/table-profiler.js';
import { isYearColumn } from './columns.js';
import { niceTicks, num, spaced, tickLabel } from './html.js';
import { renderReport } from './index.js';

const NAMES = ['id', 'a', 'b', 'c', 'd', 'label', 'note\u001b[2J<b>\u202e', 'flag', 'when', 'nothing'];

// 300 rows: an id, four measures (one left out of the correlations by a cap of 4 numeric
// columns), text past the exact-distinct limit (estimated counts), a hostile column name and
// values, a boolean with gaps, dates and an empty column.
function crafted() {
  const profiler = new TableProfiler(NAMES, { exactDistinct: 50, correlationColumns: 4 });
  for (let i = 0; i < 300; i += 1) {
    profiler.addValues([
      i + 1,
      (i % 17) * 1.5,
      (i % 17) * 3 + (i % 3),
      (i * 7) % 31,
      i % 5,
      i % 3 === 0 ? 'HOT' : `K${i}`,
      i % 2 === 0 ? '<script>alert(1)</script>' : 'plain',
      i % 10 === 0 ? null : i % 4 === 0 ? 'yes' : 'no',
      `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
      null,
    ]);
  }
  return profiler.result();
}

const at = new Date('2026-01-01T00:00:00Z');
const journey = {
  tenantId: 'local',
  id: 'journey_1',
  template: 'data_mash_flow',
  templateVersion: 1,
  status: 'completed',
  milestones: [{ name: 'file_uploaded', status: 'completed', startedAt: at, completedAt: at }],
  context: {},
  version: 1,
  createdAt: at,
  updatedAt: at,
} as JourneyRecord;

describe('the HTML report', () => {
  const insights = crafted();
  const html = renderReport({
    journey,
    phases: {},
    insights: { tables: [{ name: 'crafted', rowsKey: 'k', insights }], summary: [] },
    generatedAt: at,
  });
  const section = (index: number) =>
    html.slice(html.indexOf(`id="t0-c${index}"`), html.indexOf(`id="t0-c${index + 1}"`));

  it('shows values from the file as escaped text, control and bidi characters made visible', async () => {
    // To look at it: DATA_MASH_REPORT_SCREENSHOTS=<dir> keeps the page.
    const keep = process.env.DATA_MASH_REPORT_SCREENSHOTS;
    if (keep) await writeFile(join(keep, 'crafted.html'), html);
    expect(html).not.toMatch(/<script|<b>/i);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
    expect(html).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    expect(html).toContain('note\\x1b[2J&lt;b&gt;\\u202e');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain("default-src 'none'");
  });

  it('puts the overview and the alerts (warnings first) before the columns', () => {
    const overview = html.indexOf('id="t0-overview"');
    const alerts = html.indexOf('id="t0-alerts"');
    expect(overview).toBeGreaterThan(0);
    expect(alerts).toBeGreaterThan(overview);
    expect(html.indexOf('id="t0-columns"')).toBeGreaterThan(alerts);
    const list = html.slice(alerts, html.indexOf('id="t0-columns"'));
    expect(list.lastIndexOf('class="alert warning"')).toBeLessThan(list.indexOf('class="alert info"'));
    expect(list).toContain('missing 100 %');
  });

  it('draws what fits each type', () => {
    expect(section(0)).toContain('Every value distinct');
    expect(section(0)).not.toContain('top-values');
    for (const measure of [1, 2, 3]) expect(section(measure)).toContain('class="histogram"');
    // d holds 0 to 4: a bar per value.
    expect(section(4)).toContain('class="histogram values"');
    for (const measure of [1, 2, 3, 4]) {
      expect(section(measure).match(/class="tick"/g)?.length).toBeGreaterThanOrEqual(5);
    }
    expect(section(5)).toContain('~');
    expect(section(5)).toContain('Counts are estimates');
    expect(section(5)).toContain('top-values');
    expect(section(7)).toContain('class="boolean"');
    expect(section(8)).toContain('class="dates"');
    expect(section(9)).toContain('No value: every value is missing');
  });

  it('draws the heatmap of the measures correlated, names those a cap left out, and the missing values', () => {
    expect(insights.correlationLimit?.leftOut).toEqual(['d']);
    expect(html).toContain('class="heatmap"');
    expect(html).toContain('left out: d.');
    expect(html).toContain('class="missing"');
    for (const chart of html.match(/<svg [^>]*>/g) ?? []) expect(chart).toMatch(/role="img" aria-label="[^"]+"/);
  });
});

// A report of one table profiled from `rows` (values as a file holds them), and the section of each column.
function reportOf(names: readonly string[], rows: ReadonlyArray<ReadonlyArray<unknown>>, firstRowNumber?: number) {
  const profiler = new TableProfiler([...names]);
  if (firstRowNumber !== undefined) profiler.numberRowsFrom(firstRowNumber);
  for (const row of rows) profiler.addValues(row);
  const insights = profiler.result();
  const html = renderReport({
    journey,
    phases: {},
    insights: { tables: [{ name: 'made', rowsKey: 'k', insights }], summary: [] },
    generatedAt: at,
  });
  const column = (index: number) =>
    html.slice(html.indexOf(`id="t0-c${index}"`), html.indexOf('</section>', html.indexOf(`id="t0-c${index}"`)));
  return { html, insights, column };
}

// The text of every `<th>`/`<td>` pair of a column's figures: `{ mean: '2009', ... }`.
function figures(section: string): Record<string, string> {
  return Object.fromEntries(
    [...section.matchAll(/<th scope="row">([^<]*)<\/th><td>([^<]*)<\/td>/g)].map((m) => [m[1], m[2]]),
  );
}

const ticksOf = (section: string) =>
  [...section.matchAll(/<text [^>]*class="tick"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1] ?? '');

describe('years', () => {
  // 1995 to 2023, 29 distinct years, each a few times; a rate per year and an amount beside them.
  const rows = Array.from({ length: 290 }, (_, i) => [1995 + (i % 29), 2015 + (i % 9), 1_000_000 + i * 1000, 1200 + i]);
  const { insights, column } = reportOf(['release_year', 'YrSold', 'revenue_per_year', 'amount'], rows);

  it('are columns of integers whose name says year, or of whole numbers 1000 to 2999 named so', () => {
    expect(insights.columns.map(isYearColumn)).toEqual([true, true, false, false]);
  });

  it('are written without separators on the axis, in the quantiles and the mean (to 2 decimals)', () => {
    const section = column(0);
    expect(section).not.toMatch(/\b[12],\d{3}\b/);
    const stats = figures(section);
    expect(stats.minimum).toBe('1995');
    expect(stats.median).toBe('2009');
    expect(stats.maximum).toBe('2023');
    expect(stats.mean).toBe('2009');
    // Spreads and the sum are amounts, with separators.
    expect(stats.sum).toBe(num(insights.columns[0]?.numeric?.sum as number));
    const ticks = ticksOf(section.slice(section.indexOf('<svg')));
    expect(ticks).toContain('1995');
    expect(ticks.filter((tick) => /^\d{4}$/.test(tick)).length).toBeGreaterThanOrEqual(4);
    expect(section).toContain('Histogram of release_year: 10 bins from 1995 to 2023');
    // 2015 to 2023 (9 years) is drawn one bar a year, ticks plain too.
    const sold = column(1);
    expect(sold).toContain('class="histogram values"');
    expect(ticksOf(sold)).toEqual(expect.arrayContaining(['2015', '2019', '2023']));
    expect(figures(sold).mean).toBe('2018.98');
  });

  it('a mean between years keeps 2 decimals', () => {
    const { column: two } = reportOf(['year'], [[2001], [2002], [2002]]);
    expect(figures(two(0)).mean).toBe('2001.67');
  });

  it('other numbers keep their separators', () => {
    expect(figures(column(2)).minimum).toBe('1,000,000');
    expect(figures(column(3)).minimum).toBe('1,200');
  });
});

describe('integer columns with few distinct values', () => {
  const rows = Array.from({ length: 200 }, (_, i) => [1 + (i % 5), i % 7 === 0 ? 10 : 1 + (i % 3), i]);
  const { column } = reportOf(['stars', 'gappy', 'many'], rows);

  it('are drawn one bar per value with whole-number ticks', () => {
    const stars = column(0);
    expect(stars).toContain('class="histogram values"');
    expect(stars.match(/<rect class="bin"/g)).toHaveLength(5);
    const x = ticksOf(stars.slice(stars.indexOf('class="histogram values"')));
    expect(x).toEqual(expect.arrayContaining(['1', '2', '3', '4', '5']));
    expect(x.some((tick) => tick.includes('.'))).toBe(false);
    expect(stars).toContain('<title>3: 40 (20 %)</title>');
  });

  it('leave gaps between values that never occur, and bins stay for many values', () => {
    const gappy = column(1);
    expect(gappy.match(/<rect class="bin"/g)).toHaveLength(4);
    expect(gappy).toContain('Counts of each value of gappy: 1 ');
    expect(column(2)).toContain('Histogram of many: 10 bins');
    expect(column(2)).not.toContain('histogram values');
  });
});

describe('the first rows', () => {
  const rows = [
    ['1', 'NA', 'kept'],
    ['2', ' None ', 'N/A'],
    ['3', '', 'nan'],
    ['4', 'NAN', '-'],
  ];

  it('mark null tokens as missing, like empty values', () => {
    const { html } = reportOf(['id', 'a', 'b'], rows);
    const sample = html.slice(html.indexOf('<table class="sample"'));
    const missing = [...sample.matchAll(/<td class="na"[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    expect(missing).toEqual(['NA', ' None ', 'N/A', '–', 'nan', '-']);
    // Case matters, as the profile reads them: `NAN` is a value.
    expect(sample).toContain('<td>NAN</td>');
    expect(sample).toContain('<td>kept</td>');
  });

  it('are numbered as the file numbers its rows, as the missing-values matrix does', () => {
    const { html } = reportOf(['id', 'a', 'b'], rows, 2);
    const numbers = [...html.matchAll(/<tr><th scope="row">(\d+)<\/th><td/g)].map((m) => m[1]);
    expect(numbers).toEqual(['2', '3', '4', '5']);
    expect(html).toContain('row 2</text>');
    // Insights stored before the profile recorded it count from 1.
    const { insights } = reportOf(['id', 'a', 'b'], rows);
    const { firstRowNumber: _, ...older } = insights.rows;
    const plain = renderReport({
      journey,
      phases: {},
      insights: {
        tables: [{ name: 'older', rowsKey: 'k', insights: { ...insights, rows: older as typeof insights.rows } }],
        summary: [],
      },
      generatedAt: at,
    });
    expect([...plain.matchAll(/<tr><th scope="row">(\d+)<\/th><td/g)].map((m) => m[1])).toEqual(['1', '2', '3', '4']);
  });
});

describe('figures', () => {
  it('are written one way: 4 significant digits, tiny ones in exponent form', () => {
    const rows = Array.from({ length: 100 }, (_, i) => [(0.000052 + i * 0.00001).toFixed(6)]);
    const stats = figures(reportOf(['tiny'], rows).column(0));
    expect(stats.minimum).toBe('5.2e-5');
    expect(stats['std deviation']).toBe('0.0002901');
    expect(stats.maximum).toBe('0.001042');
  });
});

describe('dates', () => {
  it('are drawn as bars over time, the periods without a date said and marked', () => {
    const days = Array.from({ length: 60 }, (_, i) => [
      new Date(Date.UTC(2024, 2, 1 + (i < 9 ? i : i + 5))).toISOString().slice(0, 10),
    ]);
    const section = reportOf(['day'], days).column(0);
    expect(section.match(/<rect class="bin"/g)).toHaveLength(12);
    expect(section).toContain('class="axis-title"');
    expect(section).toContain('5 days with no date: 2024-03-10 to 2024-03-14.');
    expect(section).toContain('<title>no date: 2024-03-10 to 2024-03-14</title>');
  });
});

describe('axis ticks', () => {
  it('are round numbers, written with the decimals their step needs', () => {
    expect(niceTicks(-1.6, 35.6, 6).ticks).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    expect(niceTicks(0, 1, 4, true).ticks).toEqual([0, 1]);
    const { ticks, step } = niceTicks(0.11, 0.49, 4);
    expect(ticks.map((tick) => tickLabel(tick, step))).toEqual(['0.2', '0.3', '0.4']);
    expect(tickLabel(2_500_000, 500_000)).toBe('2.5M');
    expect(tickLabel(12_000, 2000)).toBe('12,000');
  });

  it('never overlap: a label that would is left out', () => {
    const kept = spaced([
      { x: 0, text: '1,000,000' },
      { x: 20, text: '1,000,001' },
      { x: 100, text: '2' },
    ]);
    expect(kept.map((label) => label.text)).toEqual(['1,000,000', '2']);
  });
});
