import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profileDelimitedFile } from './parallel/profile-file.js';
import { TableProfiler } from './table-profiler.js';

// 400,000 distinct ids beside a constant column: among so many values, some pairs share a 32-bit
// hash (about 19 pairs expected), which made their rows fingerprint alike when rows were
// fingerprinted from one 32-bit hash a value.
const ROWS = 400_000;
const id = (row: number) => `${(Math.imul(row, 0x9e3779b1) >>> 0).toString(36)}-${row}`;

describe('duplicate rows', () => {
  it('finds none among distinct rows, however many values share a 32-bit hash (text values)', () => {
    const table = new TableProfiler(['id', 'status']);
    for (let row = 0; row < ROWS; row += 1) table.addValues([id(row), 'active']);
    table.addValues([id(7), 'active']);
    expect(table.result().duplicateRows).toMatchObject({ count: 1, checkedRows: ROWS + 1 });
  });

  it('finds none among distinct rows on the byte fast path', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'duplicates-'));
    try {
      const file = join(directory, 'ids.csv');
      const lines = ['id,status'];
      for (let row = 0; row < ROWS; row += 1) lines.push(`${id(row)},active`);
      lines.push(`${id(11)},active`);
      await writeFile(file, `${lines.join('\n')}\n`);
      const { insights } = await profileDelimitedFile(file, { workers: 1 });
      expect(insights.duplicateRows).toMatchObject({ count: 1, checkedRows: ROWS + 1 });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('checks the first duplicateRows rows of the whole file on several threads, as on one', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'duplicates-'));
    try {
      // 40,000 rows; rows 18,001 to 24,000 repeat rows 1 to 400 over and over.
      const file = join(directory, 'split.csv');
      const lines = ['id,v'];
      for (let row = 0; row < 40_000; row += 1) {
        const source = row >= 18_000 && row < 24_000 ? row % 400 : row;
        lines.push(`${source},${source % 13}`);
      }
      await writeFile(file, `${lines.join('\n')}\n`);
      const options = { profiler: { duplicateRows: 1000 }, minBytesPerWorker: 65_536 };
      const one = await profileDelimitedFile(file, { ...options, workers: 1 });
      const two = await profileDelimitedFile(file, { ...options, workers: 2 });
      expect(two.workers).toBe(2);
      expect(one.insights.duplicateRows).toEqual({ count: 0, checkedRows: 1000, method: 'exact' });
      expect(two.insights.duplicateRows).toEqual(one.insights.duplicateRows);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
