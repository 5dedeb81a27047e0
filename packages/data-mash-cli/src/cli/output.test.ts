import { describe, expect, it } from 'vitest';
import { errorLine, jsonText, printable, table } from './output.js';

describe('printable: what the CLI prints from files', () => {
  it.each([
    ['an erase-display sequence', '\u001b[2Jwiped', '\\x1b[2Jwiped'],
    ['a window-title sequence ended by BEL', '\u001b]0;pwned\u0007', '\\x1b]0;pwned\\x07'],
    ['a one-character CSI (C1)', '\u009b31mred', '\\x9b31mred'],
    ['DEL and NUL', 'a\u007fb\u0000', 'a\\x7fb\\x00'],
    ['line breaks and tabs inside a value', 'one\ntwo\r\tthree', 'one\\ntwo\\r\\tthree'],
    ['a right-to-left override', 'invoice\u202Efdp.exe', 'invoice\\u202efdp.exe'],
    ['isolates and embeddings', '\u2066a\u2069 \u202Ab\u202C', '\\u2066a\\u2069 \\u202ab\\u202c'],
    ['line and paragraph separators', 'a\u2028b\u2029', 'a\\u2028b\\u2029'],
  ])('makes %s visible', (_label, value, shown) => {
    expect(printable(value)).toBe(shown);
    expect(printable(printable(value))).toBe(shown);
  });

  it('keeps letters, signs and emoji of every script as they are', () => {
    const text = 'Zürich · 東京 · مرحبا · שלום · 😀 · C:\\temp · 5 € – “ok”';
    expect(printable(text)).toBe(text);
  });

  it('is applied to every table cell and to error messages', () => {
    expect(table(['COL\u001b[1m'], [['\u001b[2J']])).toBe('COL\\x1b[1m\n\\x1b[2J');
    expect(
      errorLine(Object.assign(new Error("cannot parse '\u001b[2J.csv'\nat line 2"), { code: 'MALFORMED_FILE' })),
    ).toBe("MALFORMED_FILE: cannot parse '\\x1b[2J.csv' at line 2");
  });
});

describe('jsonText: the --json output', () => {
  it('escapes what JSON.stringify leaves raw, and parses back to the same values', () => {
    const value = {
      name: 'note\u001b[2J',
      cells: ['\u009b31m', '\u202eevil', '\u2066x\u2069', 'a\u2028b', 'del\u007f'],
    };
    const json = jsonText(value);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
    expect(json).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
    expect(json).toContain('"note\\u001b[2J"');
    expect(json).toContain('"\\u202eevil"');
    expect(JSON.parse(json)).toEqual(value);
    expect(JSON.parse(jsonText(value, 0))).toEqual(value);
  });
});
