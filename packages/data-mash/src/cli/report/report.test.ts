import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JourneyRecord } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { TableProfiler } from '../../insights/table-profiler.js';
import { niceTicks, spaced, tickLabel } from './html.js';
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
    for (const measure of [1, 2, 3, 4]) {
      expect(section(measure)).toContain('class="histogram"');
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
