import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileDelimitedFile } from './profile-file.js';
import { splitPoints } from './split.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'profile-file-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

// Quoted fields with commas, doubled quotes and line breaks inside: a cut in the wrong place
// would split a record and change every figure below.
function csv(rows: number): string {
  const lines = ['id,amount,note,day'];
  for (let index = 1; index <= rows; index += 1) {
    const note = index % 5 === 0 ? `"line one\nline ""two"", ${index}"` : `plain ${index % 13}`;
    lines.push(`${index},${((index * 37) % 1000) / 10},${note},2026-0${1 + (index % 9)}-1${index % 10}`);
    if (index === rows - 7) lines.push('ragged,row');
  }
  return `${lines.join('\n')}\n`;
}

describe('profileDelimitedFile', () => {
  it('gives the same profile on two threads as on one, with record numbers of the whole file', async () => {
    const path = join(directory, 'quoted.csv');
    await writeFile(path, csv(40_000));
    const one = await profileDelimitedFile(path, { workers: 1 });
    const two = await profileDelimitedFile(path, { workers: 2, minBytesPerWorker: 1 });
    expect(one.workers).toBe(1);
    expect(two.workers).toBe(2);
    expect(two.report.rowCount).toBe(40_001);
    expect(two.report.rowCount).toBe(one.report.rowCount);
    expect(two.report.warnings).toEqual(one.report.warnings);
    expect(two.report.warnings[0]).toMatchObject({ code: 'RAGGED_ROW', row: 39_995 });
    expect(two.insights.duplicateRows).toEqual(one.insights.duplicateRows);
    two.insights.columns.forEach((column, index) => {
      const reference = one.insights.columns[index];
      expect(column.count).toBe(reference?.count);
      expect(column.nulls).toBe(reference?.nulls);
      expect(column.numeric?.mean ?? 0).toBeCloseTo(reference?.numeric?.mean ?? 0, 9);
      expect(column.dates?.min).toBe(reference?.dates?.min);
    });
    expect(two.insights.columns[2]?.topValues).toEqual(one.insights.columns[2]?.topValues);
    expect(two.insights.correlations[0]?.pearson ?? 0).toBeCloseTo(one.insights.correlations[0]?.pearson ?? 0, 9);
  });

  it('cuts only after a line break outside quotes', async () => {
    const path = join(directory, 'cuts.csv');
    const text = `a,b\n"x\n${'y'.repeat(5000)}\nz",1\n2,3\n`;
    await writeFile(path, text);
    const cuts = await splitPoints(path, 4, Buffer.byteLength(text), 2);
    // The only safe break after the middle is after '",1'.
    expect(cuts).toEqual([4, text.indexOf('",1\n') + 4, Buffer.byteLength(text)]);
  });

  it('stops every thread and reports a limit error from any part', async () => {
    const path = join(directory, 'long-line.csv');
    await writeFile(path, `a,b\n${'1,2\n'.repeat(200_000)}${'x'.repeat(3_000_000)},1\n`);
    await expect(
      profileDelimitedFile(path, { workers: 2, minBytesPerWorker: 1, csv: { maxLineChars: 1_000_000 } }),
    ).rejects.toMatchObject({ code: 'PARSE_LIMIT_EXCEEDED' });
  });
});
