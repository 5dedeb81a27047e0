import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { flatten, jsonDepth, parseJsonDocument, parseJsonLines } from './json.js';

const bytes = (text: string) => Readable.from([Buffer.from(text)]);

describe('JSON Lines', () => {
  it('flattens nested objects to dotted columns, keeps arrays as JSON, and skips bad lines with warnings', async () => {
    const rows: unknown[] = [];
    const report = await parseJsonLines(
      bytes(
        '{"id":1,"customer":{"name":"Ada","address":{"city":"Paris"}},"tags":["a","b"]}\n\nnot json\n[1,2]\n{"id":2,"customer":{"name":"Bo"}}',
      ),
      (row) => void rows.push(row),
    );
    expect(rows).toEqual([
      { id: 1, 'customer.name': 'Ada', 'customer.address.city': 'Paris', tags: '["a","b"]' },
      { id: 2, 'customer.name': 'Bo' },
    ]);
    expect(report.columns).toEqual(['id', 'customer.name', 'customer.address.city', 'tags']);
    expect(report.warnings.map((warning) => [warning.code, warning.row])).toEqual([
      ['INVALID_JSON_LINE', 3],
      ['NOT_AN_OBJECT', 4],
    ]);
  });

  it('stops deeply nested records and overlong lines with PARSE_LIMIT_EXCEEDED', async () => {
    const deep = `${'{"a":'.repeat(100)}1${'}'.repeat(100)}\n`;
    await expect(parseJsonLines(bytes(deep), () => {}, { maxDepth: 64 })).rejects.toMatchObject({
      code: 'PARSE_LIMIT_EXCEEDED',
    });
    await expect(
      parseJsonLines(bytes(`{"a":"${'x'.repeat(5000)}"}`), () => {}, { maxLineChars: 1000 }),
    ).rejects.toMatchObject({
      code: 'PARSE_LIMIT_EXCEEDED',
    });
  });
});

describe('JSON documents', () => {
  it('turns an array of objects into rows and an object into one row', async () => {
    expect(await parseJsonDocument(bytes('[{"a":1,"b":{"c":true}},{"a":2}]'))).toMatchObject({
      rows: [{ a: 1, 'b.c': true }, { a: 2 }],
      report: { columns: ['a', 'b.c'], rowCount: 2 },
    });
    expect((await parseJsonDocument(bytes('{"x":null}'))).rows).toEqual([{ x: null }]);
    expect((await parseJsonDocument(bytes('[1,"two"]'))).rows).toEqual([{ value: 1 }, { value: 'two' }]);
  });

  it('refuses invalid, too deep and too large documents with typed errors, never a crash', async () => {
    await expect(parseJsonDocument(bytes('{"a":'))).rejects.toMatchObject({ code: 'MALFORMED_FILE' });
    const bomb = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    await expect(parseJsonDocument(bytes(bomb))).rejects.toMatchObject({ code: 'PARSE_LIMIT_EXCEEDED' });
    await expect(parseJsonDocument(bytes(`"${'x'.repeat(2000)}"`), { maxDocumentChars: 1000 })).rejects.toMatchObject({
      code: 'PARSE_LIMIT_EXCEEDED',
    });
  });

  it('counts depth outside strings only', () => {
    expect(jsonDepth('{"a":"{[{[","b":[1,[2]]}')).toBe(3);
    expect(jsonDepth('"\\"{"')).toBe(0);
    expect(flatten({ a: { b: undefined } } as never)).toEqual({ 'a.b': null });
  });
});
