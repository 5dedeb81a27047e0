import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CsvEncoder, csvText, guardCsvCell, quoteCsvField, unguardCsvCell } from './csv.js';

// What a spreadsheet may run as a formula: OWASP's first characters.
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// Parses CSV text with papaparse (RFC 4180), an implementation independent of the writer.
function parseCsv(text: string): string[][] {
  const parsed = Papa.parse<string[]>(text, {
    header: false,
    skipEmptyLines: false,
    newline: '\r\n',
    delimiter: ',',
    quoteChar: '"',
  });
  expect(parsed.errors).toEqual([]);
  // The record terminator of the last record leaves an empty line at the end.
  const rows = parsed.data;
  if (rows.length > 0 && rows.at(-1)?.length === 1 && rows.at(-1)?.[0] === '') rows.pop();
  return rows;
}

describe('the formula guard (OWASP CSV injection)', () => {
  it.each([
    ['=SUM(A1)', "'=SUM(A1)"],
    ['@cmd', "'@cmd"],
    ['+1 555 0100', "'+1 555 0100"],
    ["-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'],
    // Plain numbers are numbers to a spreadsheet: nothing runs, nothing is prefixed.
    ['-5', '-5'],
    ['+3.25', '+3.25'],
    ['-1e-7', '-1e-7'],
    ['-.5', '-.5'],
    // Text that merely starts with a quote stays as it is; a quote before a trigger is doubled.
    ["'s-Hertogenbosch", "'s-Hertogenbosch"],
    ["'=x", "''=x"],
    ["''", "'''"],
    ["'", "'"],
    ['plain', 'plain'],
    ['', ''],
    [' =1+1', ' =1+1'],
  ])('guards %j as %j, and undoes it', (text, guarded) => {
    expect(guardCsvCell(text)).toBe(guarded);
    expect(unguardCsvCell(guarded)).toBe(text);
  });

  it('is undone exactly for any text, and leaves no formula start but plain numbers', () => {
    const risky = fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", '"', ',', '\n', '1', 'é', '😀', ' ');
    const text = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.array(risky, { maxLength: 6 }).map((parts) => parts.join('')),
      fc.tuple(risky, fc.string()).map(([first, rest]) => first + rest),
      fc.double({ noNaN: true }).map(String),
    );
    fc.assert(
      fc.property(text, (value) => {
        const guarded = guardCsvCell(value);
        expect(unguardCsvCell(guarded)).toBe(value);
        if (FORMULA_START.test(guarded)) expect(guarded).toMatch(PLAIN_NUMBER);
        // At most one quote is added, and only in front.
        expect(guarded === value || guarded === `'${value}`).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the CSV writer', () => {
  it('writes RFC 4180: quotes fields with commas, quotes, CR or LF, doubles quotes, ends records with CRLF', () => {
    expect(quoteCsvField('a,b')).toBe('"a,b"');
    expect(quoteCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(quoteCsvField('two\nlines')).toBe('"two\nlines"');
    expect(quoteCsvField('cr\rhere')).toBe('"cr\rhere"');
    expect(quoteCsvField('plain text')).toBe('plain text');
    const encoder = new CsvEncoder(['name', '=bad']);
    expect(encoder.header()).toBe("name,'=bad\r\n");
    expect(encoder.record(['=1+2', -5])).toBe("'=1+2,-5\r\n");
    expect(encoder.record([null, undefined])).toBe(',\r\n');
    expect(new CsvEncoder(['a'], { formulaGuard: false }).record(['=1'])).toBe('=1\r\n');
  });

  it('keeps an empty record of a one-column table (a blank line would be skipped by readers)', () => {
    const encoder = new CsvEncoder(['only']);
    expect(encoder.record([''])).toBe('""\r\n');
    expect(parseCsv(`${encoder.header()}${encoder.record([''])}${encoder.record(['x'])}`)).toEqual([
      ['only'],
      [''],
      ['x'],
    ]);
  });

  it('writes stored values as their text: numbers as JSON writes them, objects as JSON, missing as empty', () => {
    expect(csvText(12.5)).toBe('12.5');
    expect(csvText(-0.000001)).toBe('-0.000001');
    expect(csvText(true)).toBe('true');
    expect(csvText({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(csvText(null)).toBe('');
    expect(csvText(undefined)).toBe('');
  });

  it('round-trips any table through an independent RFC 4180 parser, once the guard is undone', () => {
    const cell = fc.oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
      {
        weight: 2,
        arbitrary: fc.string({
          unit: fc.constantFrom('=', '-', '+', '@', '"', ',', '\r', '\n', '\t', "'", 'a', '7', 'ß'),
        }),
      },
      { weight: 1, arbitrary: fc.constantFrom('=SUM(A1)', '@cmd', '-5', '-5 apples', '9007199254740993', '00501', '') },
    );
    const table = fc.integer({ min: 1, max: 6 }).chain((width) =>
      fc.record({
        columns: fc.uniqueArray(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), {
          minLength: width,
          maxLength: width,
        }),
        rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 12 }),
      }),
    );
    fc.assert(
      fc.property(table, ({ columns, rows }) => {
        const encoder = new CsvEncoder(columns);
        const text = encoder.header() + rows.map((row) => encoder.record(row)).join('');
        const parsed = parseCsv(text).map((record) => record.map(unguardCsvCell));
        expect(parsed).toEqual([columns, ...rows]);
        // Every raw cell is safe to open in a spreadsheet.
        for (const record of parseCsv(text))
          for (const raw of record) if (FORMULA_START.test(raw)) expect(raw).toMatch(PLAIN_NUMBER);
      }),
      { numRuns: 500 },
    );
  });
});
