import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileDelimitedFile } from './profile-file.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'profile-bytes-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function bothEngines(name: string, content: string | Buffer) {
  const path = join(directory, name);
  await writeFile(path, content);
  const general = await profileDelimitedFile(path, { workers: 1, engine: 'papaparse' });
  const fast = await profileDelimitedFile(path, { workers: 1, engine: 'bytes' });
  return { general, fast };
}

const rows = (count: number, make: (index: number) => string) =>
  Array.from({ length: count }, (_, index) => make(index)).join('\n');

describe('the byte fast path gives the figures of the general parser', () => {
  it.each([
    [
      'quotes, doubled quotes and line breaks inside quotes',
      `id,note,amount\n${rows(300, (i) => `${i},${i % 3 === 0 ? `"say ""hi"", ${i}\nsecond line"` : `plain ${i % 7}`},${(i * 1.25).toFixed(2)}`)}\n`,
    ],
    [
      'CRLF line ends and an empty line',
      `a,b\r\n${rows(200, (i) => `${i % 5},x${i % 3}`).replaceAll('\n', '\r\n')}\r\n\r\n7,y\r\n`,
    ],
    ['ragged rows and no final line break', `a,b,c\n1,2\n3,4,5,6\n${rows(100, (i) => `${i},${i},${i}`)}`],
    [
      'white space around numbers and blank values',
      `n,t\n${rows(150, (i) => `${i % 4 === 0 ? ` ${i} ` : i % 4 === 1 ? '   ' : String(i)},${i % 2 ? ' padded ' : ''}`)}\n`,
    ],
    [
      'non-ASCII text, emoji and accents',
      `name,city\n${rows(120, (i) => `Zoë ${i % 9} 😀,${['Zürich', 'São Paulo', '東京', 'Łódź'][i % 4]}`)}\n`,
    ],
    ['a tab-separated file', `a\tb\n${rows(100, (i) => `${i}\t2026-01-${String((i % 28) + 1).padStart(2, '0')}`)}\n`],
    [
      'numbers of every shape',
      `x\n${rows(200, (i) => ['1e3', '-0.5', '+7', '.25', '5.', '00012', '1234567890123456789', '3.14159265358979323', 'NaN', '-'][i % 10] as string)}\n`,
    ],
  ])('%s', async (_label, content) => {
    const { general, fast } = await bothEngines(`${_label.replace(/\W+/g, '-')}.csv`, content);
    expect(fast.report).toEqual(general.report);
    expect(fast.insights).toEqual(general.insights);
  });

  it('switches to Windows-1252 where the bytes stop being UTF-8, like the general parser', async () => {
    const head = Buffer.from(`name,n\n${rows(3000, (i) => `plain ${i % 10},${i}`)}\n`);
    const latin = Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x2c, 0x31, 0x0a]); // "Café,1" in Windows-1252
    const { general, fast } = await bothEngines('mixed-encoding.csv', Buffer.concat([head, latin, latin]));
    expect(fast.report.encoding).toBe('windows-1252');
    expect(fast.report.warnings.map((warning) => warning.code)).toEqual(['ENCODING_FALLBACK']);
    expect(fast.insights.columns[0]?.topValues).toEqual(general.insights.columns[0]?.topValues);
    // 'plain 0' ... 'plain 9' and 'Café', read as such in both.
    expect(fast.insights.columns[0]?.distinct).toBe(11);
    expect(fast.insights).toEqual(general.insights);
  });

  it('reads a byte-order mark and an unclosed quote at the end', async () => {
    const { general, fast } = await bothEngines('bom.csv', `\uFEFFa,b\n1,2\n3,"never closed\n4,5\n`);
    expect(fast.report.columns).toEqual(['a', 'b']);
    expect(fast.report.rowCount).toBe(general.report.rowCount);
    expect(fast.insights.columns[1]?.topValues.map((entry) => entry.value)).toEqual(
      general.insights.columns[1]?.topValues.map((entry) => entry.value),
    );
  });

  it('gives the same figures on two threads', async () => {
    const path = join(directory, 'threads.csv');
    await writeFile(
      path,
      `id,note,amount\n${rows(30_000, (i) => `${i},${i % 4 === 0 ? `"a ""b""\nc ${i % 11}"` : `w${i % 13}`},${(i % 977) / 4}`)}\n`,
    );
    const one = await profileDelimitedFile(path, { workers: 1 });
    const two = await profileDelimitedFile(path, { workers: 2, minBytesPerWorker: 1 });
    expect(two.workers).toBe(2);
    expect(two.report).toEqual(one.report);
    two.insights.columns.forEach((column, index) => {
      const reference = one.insights.columns[index];
      expect([column.count, column.nulls, column.distinct, column.topValues]).toEqual([
        reference?.count,
        reference?.nulls,
        reference?.distinct,
        reference?.topValues,
      ]);
      expect(column.numeric?.mean ?? 0).toBeCloseTo(reference?.numeric?.mean ?? 0, 9);
    });
    expect(two.insights.duplicateRows).toEqual(one.insights.duplicateRows);
  });
});
