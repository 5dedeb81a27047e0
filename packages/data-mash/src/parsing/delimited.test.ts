import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDelimited, uniqueColumns } from './delimited.js';

const require = createRequire(import.meta.url);
const spectrum = require('csv-spectrum') as (
  callback: (error: unknown, items: Array<{ name: string; csv: Buffer; json: Buffer }>) => void,
) => void;

async function parseAll(input: Uint8Array | AsyncIterable<Uint8Array>, options = {}) {
  const rows: Array<Record<string, string>> = [];
  const report = await parseDelimited(input, (row) => void rows.push(row), options);
  return { rows, report };
}

async function* chunks(bytes: Uint8Array, size: number) {
  for (let start = 0; start < bytes.length; start += size) yield bytes.subarray(start, start + size);
}

describe('parseDelimited', () => {
  it('passes the csv-spectrum suite', async () => {
    const items = await new Promise<Array<{ name: string; csv: Buffer; json: Buffer }>>((resolve, reject) =>
      spectrum((error, found) => (error ? reject(error) : resolve(found))),
    );
    expect(items.length).toBeGreaterThanOrEqual(12);
    // csv-spectrum 2.0's location_coordinates.json does not describe its CSV (another phone
    // number, a single object instead of an array, U+FFFD where the CSV has Latin-1 bytes).
    const broken = items.find((item) => item.name === 'location_coordinates');
    expect(JSON.parse(broken?.json.toString() ?? '[]')).not.toBeInstanceOf(Array);
    for (const item of items.filter((candidate) => candidate !== broken)) {
      const { rows } = await parseAll(item.csv);
      expect(rows, item.name).toEqual(JSON.parse(item.json.toString()));
    }
  });

  it('streams with bounded handoffs: a multi-byte character split across chunks, async consumers', async () => {
    const bytes = new TextEncoder().encode('city,note\nZürich,"a, b"\nKraków,"line\nbreak"\n');
    const seen: string[] = [];
    const report = await parseDelimited(chunks(bytes, 3), async (row) => {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(row.city as string);
    });
    expect(seen).toEqual(['Zürich', 'Kraków']);
    expect(report).toMatchObject({
      columns: ['city', 'note'],
      rowCount: 2,
      delimiter: ',',
      encoding: 'utf-8',
      warnings: [],
    });
  });

  it('reads a stray quote in a quoted field as papaparse does, keeping the raw text, and a cut two-character delimiter whole', async () => {
    const stray = await parseAll(new TextEncoder().encode('id,desc\r\n1,"15" laptop\r\n\r\n2,x\r\n'));
    // The field never closes (no delimiter or line break after a quote): everything after is its
    // text, line breaks and the blank line included, as they were.
    expect(stray.rows).toEqual([{ id: '1', desc: '15" laptop\r\n\r\n2,x\r\n' }]);
    expect(stray.report.warnings.map((warning) => warning.code)).toContain('MALFORMED_QUOTES');
    const text = new TextEncoder().encode('a::b\r\n"x\r\n\r\ny"::2\r\n');
    for (const size of [1, 2, 3, 5, text.length]) {
      const { rows } = await parseAll(chunks(text, size), { delimiter: '::' });
      expect(rows, `chunks of ${size}`).toEqual([{ a: 'x\r\n\r\ny', b: '2' }]);
    }
  });

  it('detects the delimiter of a file whose line endings change part way', async () => {
    const mixed = 'col0,col1,col2\r\n744,345,"t\tu"\r\nParis,"t\tu",622\n234,"t\tu",87.17\n98,Zürich,98.21\n';
    const { rows, report } = await parseAll(new TextEncoder().encode(mixed));
    expect(report.delimiter).toBe(',');
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual({ col0: 'Paris', col1: 't\tu', col2: '622' });
  });

  it('detects tab, semicolon and pipe delimiters', async () => {
    for (const delimiter of ['\t', ';', '|']) {
      const { rows, report } = await parseAll(new TextEncoder().encode(`a${delimiter}b\n1${delimiter}2\n`));
      expect(report.delimiter).toBe(delimiter);
      expect(rows).toEqual([{ a: '1', b: '2' }]);
    }
  });

  it('reports ragged rows and malformed quotes with their record, and keeps going', async () => {
    const { rows, report } = await parseAll(new TextEncoder().encode('a,b,c\n1,2\n4,5,6,7\n"x"y,8,9\n'));
    // A quote that never closes swallows the rest of the file into one field, as RFC 4180 reads it.
    expect(rows).toEqual([
      { a: '1', b: '2', c: '' },
      { a: '4', b: '5', c: '6' },
      { a: 'x"y,8,9\n', b: '', c: '' },
    ]);
    expect(report.warnings.map((warning) => [warning.code, warning.row])).toEqual([
      ['RAGGED_ROW', 2],
      ['RAGGED_ROW', 3],
      ['MALFORMED_QUOTES', 4],
      ['MALFORMED_QUOTES', 4],
      ['RAGGED_ROW', 4],
    ]);
  });

  it('names empty and duplicate header columns', async () => {
    const { rows, report } = await parseAll(new TextEncoder().encode('id,,id\n1,2,3\n'));
    expect(report.columns).toEqual(['id', 'column_2', 'id_2']);
    expect(rows).toEqual([{ id: '1', column_2: '2', id_2: '3' }]);
    // A made-up name never takes a name the header has; every value keeps its own column.
    const clash = await parseAll(new TextEncoder().encode('a,a_2,a,b,,column_5\n1,2,3,x,y,z\n'));
    expect(clash.report.columns).toEqual(['a', 'a_2', 'a_3', 'b', 'column_5_2', 'column_5']);
    expect(clash.rows).toEqual([{ a: '1', a_2: '2', a_3: '3', b: 'x', column_5_2: 'y', column_5: 'z' }]);
    const proto = await parseAll(new TextEncoder().encode('__proto__,b\n1,2\n'));
    expect(Object.entries(proto.rows[0] ?? {})).toEqual([
      ['__proto__', '1'],
      ['b', '2'],
    ]);
  });

  it('gives every header, however it repeats, distinct names of the same count (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('', 'a', 'a_2', 'a_3', 'column_1', 'column_2', ' a ', 'b'), { maxLength: 12 }),
        (header) => {
          const columns = uniqueColumns(header, () => undefined);
          expect(columns).toHaveLength(header.length);
          expect(new Set(columns).size).toBe(columns.length);
          // The first column of each distinct non-empty name keeps it.
          header.forEach((raw, index) => {
            const name = raw.trim();
            if (name !== '' && header.findIndex((other) => other.trim() === name) === index)
              expect(columns[index]).toBe(name);
          });
        },
      ),
    );
  });

  it('reads UTF-8 and UTF-16 byte order marks, and falls back to Windows-1252 with a warning', async () => {
    const bom = await parseAll(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('name\nÅsa\n')]));
    expect(bom.rows).toEqual([{ name: 'Åsa' }]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name\nÅsa\n', 'utf16le')]);
    expect(await parseAll(utf16)).toMatchObject({ rows: [{ name: 'Åsa' }], report: { encoding: 'utf-16le' } });
    const latin1 = Buffer.from('name\nJosé\n', 'latin1');
    const fallback = await parseAll(latin1);
    expect(fallback.rows).toEqual([{ name: 'José' }]);
    expect(fallback.report).toMatchObject({ encoding: 'windows-1252', warnings: [{ code: 'ENCODING_FALLBACK' }] });
  });

  it('stops a single 10 MB line with PARSE_LIMIT_EXCEEDED instead of holding it', async () => {
    const line = new Uint8Array(10 * 1024 * 1024).fill(0x61);
    await expect(parseAll(chunks(line, 64 * 1024), { maxLineChars: 1024 * 1024 })).rejects.toMatchObject({
      code: 'PARSE_LIMIT_EXCEEDED',
    });
  });

  it('refuses absurdly wide headers, and handles empty input', async () => {
    const wide = new TextEncoder().encode(`${Array.from({ length: 20 }, (_, index) => `c${index}`).join(',')}\n`);
    await expect(parseAll(wide, { maxColumns: 10 })).rejects.toMatchObject({ code: 'PARSE_LIMIT_EXCEEDED' });
    expect(await parseAll(new Uint8Array(0))).toMatchObject({ rows: [], report: { columns: [], rowCount: 0 } });
  });
});
