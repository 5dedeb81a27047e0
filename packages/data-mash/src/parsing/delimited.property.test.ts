import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDelimitedValues } from './delimited.js';

// The input itself is the reference: a table is written as CSV with RFC 4180 quoting, cut into
// chunks at random byte positions (through multi-byte characters and CRLF pairs), and read back by
// consumers with random timing. Every row must arrive once, in order, with the values written.

const piece = fc.constantFrom('a', 'Z', '7', ' ', ',', ';', '"', '""', '\n', '\r\n', 'é', '中', '😀', 'x y', '-1.5');
const field = fc.oneof(
  { weight: 8, arbitrary: fc.array(piece, { maxLength: 6 }).map((parts) => parts.join('')) },
  // A long field, now and then: longer than most chunks, so records span several of them.
  { weight: 1, arbitrary: fc.tuple(piece, fc.integer({ min: 200, max: 5_000 })).map(([p, n]) => p.repeat(n)) },
);

const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
const table = fc.integer({ min: 1, max: 5 }).chain((width) =>
  fc.record({
    header: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/), { minLength: width, maxLength: width }),
    rows: fc.array(fc.array(field, { minLength: width, maxLength: width }), { maxLength: 40 }),
    // Line endings mixed line by line (CRLF, LF, old Mac CR), and blank lines here and there.
    lineEnds: fc.array(lineEnd, { minLength: 1, maxLength: 7 }),
    blankLines: fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 9 }),
    finalLineEnd: fc.boolean(),
  }),
);

function quote(value: string, width: number): string {
  // A one-column row whose value is empty is written `""`: unquoted, it would be a blank line.
  if (value === '' && width === 1) return '""';
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

function toCsv(
  header: string[],
  rows: string[][],
  lineEnds: string[],
  blankLines: number[],
  finalLineEnd: boolean,
): Uint8Array {
  const lines = [header, ...rows].map((row) => row.map((value) => quote(value, header.length)).join(','));
  let text = '';
  lines.forEach((line, index) => {
    const end = lineEnds[index % lineEnds.length] as string;
    const last = index === lines.length - 1;
    text += line + (last && !finalLineEnd ? '' : end);
    if (!last) text += end.repeat(blankLines[index % blankLines.length] as number);
  });
  return new TextEncoder().encode(text);
}

async function* cut(bytes: Uint8Array, sizes: number[]) {
  let start = 0;
  for (let index = 0; start < bytes.length; index += 1) {
    const size = sizes[index % sizes.length] as number;
    yield bytes.slice(start, start + size);
    start += size;
  }
}

type Timing = 'sync' | 'microtask' | 'immediate' | 'timeout';
const wait: Record<Exclude<Timing, 'sync'>, () => Promise<void>> = {
  microtask: () => Promise.resolve(),
  immediate: () => new Promise((resolve) => setImmediate(resolve)),
  timeout: () => new Promise((resolve) => setTimeout(resolve, 0)),
};

describe('parseDelimitedValues, property: every row once, in order, with its values', () => {
  it('holds for generated tables, mixed line endings, blank lines, random chunk cuts and consumer timings', async () => {
    await fc.assert(
      fc.asyncProperty(
        table,
        fc.array(fc.integer({ min: 1, max: 4_096 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.constantFrom<Timing>('sync', 'sync', 'microtask', 'immediate', 'timeout'), {
          minLength: 1,
          maxLength: 16,
        }),
        async ({ header, rows, lineEnds, blankLines, finalLineEnd }, sizes, timings) => {
          const bytes = toCsv(header, rows, lineEnds, blankLines, finalLineEnd);
          const seen: string[][] = [];
          const report = await parseDelimitedValues(
            cut(bytes, sizes),
            (values, index) => {
              expect(index).toBe(seen.length);
              seen.push([...values]);
              const timing = timings[index % timings.length] as Timing;
              return timing === 'sync' ? undefined : wait[timing]();
            },
            { delimiter: ',' },
          );
          expect(report.columns).toEqual(header);
          expect(seen).toEqual(rows);
          expect(report.rowCount).toBe(rows.length);
          expect(report.warnings).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('guesses the same delimiter whatever the chunk sizes, and loses no row with a slow consumer over many chunks', async () => {
    const rows = Array.from({ length: 20_000 }, (_, index) => [String(index), `name ${index}`, index % 7 ? 'x' : '']);
    const bytes = toCsv(['id', 'name', 'flag'], rows, ['\r\n'], [0], true);
    const seen: number[] = [];
    const report = await parseDelimitedValues(cut(bytes, [997, 65_536, 13]), async (values) => {
      seen.push(Number(values[0]));
      if (seen.length % 1_450 === 0) await new Promise((resolve) => setImmediate(resolve));
    });
    expect(report.delimiter).toBe(',');
    expect(seen.length).toBe(rows.length);
    expect(seen.every((id, index) => id === index)).toBe(true);
  });
});
