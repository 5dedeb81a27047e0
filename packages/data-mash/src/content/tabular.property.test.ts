import { MemoryBlobStore } from '@platform/foundations';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParseContentOptions, parseContent } from './parse-content.js';
import { ParseContext } from './parse-context.js';
import { parseGeneral } from './tabular.js';

// The general parser (papaparse) is the reference: whatever the bytes, the fast path must store the
// same JSON Lines bytes and give the same samples, profile and report, the hand-over to the
// general parser at the first record it would read otherwise included.

const piece = fc.constantFrom(
  'a',
  '7',
  '-1.5',
  ' ',
  ',',
  ';',
  '\t',
  '"',
  '""',
  '\n',
  '\r\n',
  '\r',
  'é',
  '😀',
  '\\',
  '\u0001',
  '\u2028',
  '\u00a0',
  '\u3000',
  '\u0000',
  'x y',
  '2024-03-01',
  '',
);
const text = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
const quoted = text.map((value) => `"${value.replaceAll('"', '""')}"`);
const field = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('1', '2.5', 'x', '', 'a b', '007') },
  { weight: 3, arbitrary: text },
  { weight: 2, arbitrary: quoted },
);
const header = fc.constantFrom('id,name,value', 'a,a,', '__proto__,10,2,b', '"x ""q""",y', 'one', '"a" ,b');
const file = fc.record({
  header,
  rows: fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 30 }),
  end: fc.constantFrom('\n', '\r\n'),
  bom: fc.boolean(),
  latin: fc.boolean(),
  sizes: fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 5 }),
});

function bytesOf(input: { header: string; rows: string[][]; end: string; bom: boolean; latin: boolean }): Uint8Array {
  const body = Buffer.from(
    `${input.bom ? '\uFEFF' : ''}${input.header}${input.end}${input.rows.map((row) => row.join(',')).join(input.end)}`,
    'utf8',
  );
  // A Windows-1252 byte (é) in the middle: the rest is read as Windows-1252.
  return input.latin ? Buffer.concat([body, Buffer.from([0x0a, 0x43, 0xe9, 0x2c, 0x31, 0x0a]), body]) : body;
}

async function* cut(bytes: Uint8Array, sizes: number[]) {
  for (let start = 0, index = 0; start < bytes.length; index += 1) {
    const size = sizes[index % sizes.length] as number;
    yield bytes.subarray(start, start + size);
    start += size;
  }
}

const options: ParseContentOptions = { profile: {}, sampleValues: 5, csv: { maxWarnings: 4 } };

async function both(bytes: Uint8Array, sizes: number[], extra: ParseContentOptions = {}) {
  const fastStore = new MemoryBlobStore();
  const generalStore = new MemoryBlobStore();
  const merged = { ...options, ...extra };
  const fast = await parseContent(
    { tenantId: 't', fileId: 'f', fileName: 'x.csv', body: cut(bytes, sizes), blobStore: fastStore },
    merged,
  );
  const input = { tenantId: 't', fileId: 'f', fileName: 'x.csv', body: bytes, blobStore: generalStore };
  const context = new ParseContext(input, merged, 'csv');
  await parseGeneral(cut(bytes, sizes), context, { ...merged.csv });
  const general = await context.finish();
  const stored = async (store: MemoryBlobStore) =>
    Buffer.from(await store.get('t', 'parsed/f/table-1.jsonl')).toString('utf8');
  return { fast, general, fastRows: await stored(fastStore), generalRows: await stored(generalStore) };
}

describe('the CSV fast path reads files as the general parser does', () => {
  it('stores, samples, profiles and reports alike, whatever the bytes and however they are cut', async () => {
    await fc.assert(
      fc.asyncProperty(file, async (input) => {
        const { fast, general, fastRows, generalRows } = await both(bytesOf(input), input.sizes);
        expect(fastRows).toBe(generalRows);
        expect(fast).toEqual(general);
      }),
      { numRuns: Number(process.env.RUNS ?? 300) },
    );
  });

  it('takes the fast path on a plain file and the general parser from a lone CR on', async () => {
    const rows = Array.from({ length: 3000 }, (_, index) => `${index},"say ""hi"", ${index % 7}",${index * 0.5}`);
    const plain = Buffer.from(`id,note,amount\n${rows.join('\n')}\n`);
    const mixed = Buffer.concat([plain, Buffer.from('9,old\rmac,1\n10,"a" ,2\n'), plain]);
    for (const bytes of [plain, mixed]) {
      const { fast, general, fastRows, generalRows } = await both(bytes, [65_536]);
      expect(fastRows).toBe(generalRows);
      expect(fast).toEqual(general);
    }
  });

  it('leaves a header wider than maxColumns and lines longer than maxLineChars to the general parser', async () => {
    const wide = Buffer.from('a,b,c,d\n1,2,3,4\n');
    await expect(both(wide, [7], { csv: { maxColumns: 3 } })).rejects.toMatchObject({ code: 'PARSE_LIMIT_EXCEEDED' });
    const long = Buffer.from(`a,b\n1,${'x'.repeat(300)}\n2,3\n`);
    await expect(both(long, [50], { csv: { maxLineChars: 100 } })).rejects.toMatchObject({
      code: 'PARSE_LIMIT_EXCEEDED',
    });
    const fine = await both(long, [50], { csv: { maxLineChars: 400 } });
    expect(fine.fastRows).toBe(fine.generalRows);
  });
});
