import { describe, expect, it } from 'vitest';
import { TableProfiler } from './table-profiler.js';

function rowsOf(count: number): string[][] {
  return Array.from({ length: count }, (_, index) => [
    String(index % 97 === 0 ? 5000 : (index * 7919) % 1000),
    String(((index * 7919) % 1000) * 2 + (index % 3)),
    ['red', 'green', 'blue'][index % 3] as string,
    `2026-01-${String((index % 28) + 1).padStart(2, '0')}`,
    index % 50 === 0 ? 'same row' : `text number ${index} with words`,
  ]);
}

describe('merging profiles of parts of a table', () => {
  it('gives the same figures as one profiler over the whole table', () => {
    const columns = ['a', 'b', 'colour', 'day', 'note'];
    const rows = rowsOf(3000);
    rows.push([...(rows[10] as string[])], [...(rows[2500] as string[])]);
    const whole = new TableProfiler(columns);
    for (const row of rows) whole.addValues(row);
    expect(whole.correlatedColumns()).toEqual(['a', 'b']);

    const parts = [rows.slice(0, 1200), rows.slice(1200, 2100), rows.slice(2100)].map((part) => {
      const profiler = new TableProfiler(columns);
      for (const row of part) profiler.addValues(row);
      // Through a structured clone, as from a worker thread.
      return structuredClone(profiler.state());
    });
    const merged = new TableProfiler(columns);
    for (const state of parts) merged.merge(state);

    const expected = whole.result();
    const actual = merged.result();
    expect(actual.rowCount).toBe(expected.rowCount);
    expect(actual.duplicateRows).toEqual(expected.duplicateRows);
    const flags = (list: typeof actual.quality) => list.map(({ figure: _figure, ...flag }) => flag);
    expect(flags(actual.quality)).toEqual(flags(expected.quality));
    actual.quality.forEach((flag, index) => {
      expect(flag.figure).toBeCloseTo(expected.quality[index]?.figure ?? 0, 9);
    });
    actual.columns.forEach((column, index) => {
      const reference = expected.columns[index];
      expect(column.count).toBe(reference?.count);
      expect(column.nulls).toBe(reference?.nulls);
      expect(column.distinct).toBe(reference?.distinct);
      expect(column.topValues).toEqual(reference?.topValues);
      expect(column.numeric?.mean ?? 0).toBeCloseTo(reference?.numeric?.mean ?? 0, 9);
      expect(column.numeric?.stdDev ?? 0).toBeCloseTo(reference?.numeric?.stdDev ?? 0, 9);
      expect(column.numeric?.median).toBe(reference?.numeric?.median);
      expect(column.dates).toEqual(reference?.dates);
      expect(column.text?.meanLength).toBe(reference?.text?.meanLength);
      expect(column.text?.keywords).toEqual(reference?.text?.keywords);
    });
    expect(actual.correlations[0]?.pearson).toBeCloseTo(expected.correlations[0]?.pearson ?? 0, 12);
    expect(actual.outliers.map((entry) => [entry.column, entry.method, entry.count, entry.examples])).toEqual(
      expected.outliers.map((entry) => [entry.column, entry.method, entry.count, entry.examples]),
    );
  });

  it('merges sketches past the exact limits within their error', () => {
    const whole = new TableProfiler(['id', 'x'], { exactDistinct: 500, sampleSize: 1000 });
    const first = new TableProfiler(['id', 'x'], { exactDistinct: 500, sampleSize: 1000 });
    const second = new TableProfiler(['id', 'x'], { exactDistinct: 500, sampleSize: 1000 });
    for (let index = 0; index < 40_000; index += 1) {
      const row = [`id-${index}`, String(index)];
      whole.addValues(row);
      (index < 25_000 ? first : second).addValues(row);
    }
    first.merge(second.state());
    const [id, x] = first.result().columns;
    expect(id?.distinctMethod).toBe('hyperloglog');
    expect(id?.distinct).toBe(whole.result().columns[0]?.distinct);
    expect(x?.numeric?.quantileMethod).toBe('sample');
    expect(Math.abs((x?.numeric?.median ?? 0) - 20_000) / 40_000).toBeLessThan(0.05);
  });
});
