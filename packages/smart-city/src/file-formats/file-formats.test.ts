import { describe, expect, it } from 'vitest';
import { BUILTIN_FILE_FORMATS } from './builtin-formats.js';
import { defineFileFormat } from './file-format.js';
import { createFileFormatRegistry, defaultFileFormats } from './registry.js';
import { decodeTextContent } from './sniff-content.js';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => new TextEncoder().encode(value);
const utf16 = (value: string, order: 'le' | 'be') => {
  const body = Buffer.from(value, 'utf16le');
  if (order === 'be') body.swap16();
  return Buffer.concat([Buffer.from(order === 'le' ? [0xff, 0xfe] : [0xfe, 0xff]), body]);
};
/** `MZ`, with `e_lfanew` pointing at `signature`. */
const newExecutable = (signature: string) => {
  const image = Buffer.alloc(256);
  image.write('MZ', 0, 'latin1');
  image.writeUInt32LE(0x80, 0x3c);
  image.write(signature, 0x80, 'latin1');
  return image;
};

const parquet = defineFileFormat({
  id: 'parquet',
  kind: 'binary',
  extensions: ['.Parquet'],
  mimeTypes: ['application/vnd.apache.parquet'],
  magic: [{ bytes: [0x50, 0x41, 0x52, 0x31] }], // PAR1
});
const psv = defineFileFormat({
  id: 'psv',
  kind: 'text',
  extensions: ['psv'],
  mimeTypes: ['text/plain'],
  parser: 'csv',
});

describe('defineFileFormat', () => {
  it('normalises extensions and MIME types and freezes the format', () => {
    expect(parquet.extensions).toEqual(['parquet']);
    expect(Object.isFrozen(parquet)).toBe(true);
    expect(
      defineFileFormat({ id: 'x', kind: 'text', extensions: ['X'], mimeTypes: [' Text/Plain'] }).mimeTypes,
    ).toEqual(['text/plain']);
  });

  it('gives a zip-packaged format the zip signatures', () => {
    const odt = defineFileFormat({
      id: 'odt',
      kind: 'binary',
      extensions: ['odt'],
      mimeTypes: ['application/vnd.oasis.opendocument.text'],
      zipEntryPrefix: 'content.xml',
    });
    expect(odt.magic.map((signature) => signature.bytes.slice(0, 2))).toEqual([
      [0x50, 0x4b],
      [0x50, 0x4b],
    ]);
  });

  it.each([
    ['an id with upper case', { id: 'CSV2', kind: 'text' }, 'its id must be'],
    ['a reserved id', { id: 'executable', kind: 'binary', magic: [{ bytes: [1] }] }, 'is a detected type'],
    ['a binary format without magic bytes', { id: 'blob', kind: 'binary' }, 'needs magic bytes'],
    ['a binary format named as text content is', { id: 'json', kind: 'binary', magic: [{ bytes: [1] }] }, 'another id'],
    ['a text format with magic bytes', { id: 'x', kind: 'text', magic: [{ bytes: [1] }] }, 'told by its name'],
    ['a magic byte over 255', { id: 'x', kind: 'binary', magic: [{ bytes: [256] }] }, 'must be bytes'],
    ['an extension with a slash', { id: 'x', kind: 'text', extensions: ['a/b'] }, 'is not an extension'],
  ])('refuses %s with CONFIG_INVALID', (_label, input, message) => {
    expect(() => defineFileFormat({ extensions: [], mimeTypes: [], ...input } as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(message) }),
    );
  });
});

describe('FileFormatRegistry', () => {
  it('is one table: every extension a built-in parser reads names a format the Content Steward knows', () => {
    const parsed = defaultFileFormats.formats.filter((format) => format.parser);
    expect(parsed.map((format) => format.id)).toEqual([
      'csv',
      'tsv',
      'json',
      'jsonl',
      'text',
      'markdown',
      'html',
      'pdf',
      'xlsx',
      'docx',
    ]);
    for (const extension of ['csv', 'tsv', 'tab', 'txt', 'text', 'log', 'md', 'markdown', 'jsonl', 'ndjson', 'htm'])
      expect(defaultFileFormats.forName(`a.${extension.toUpperCase()}`)?.parser, extension).toBeDefined();
    expect(defaultFileFormats.forName('archive.tar.gz')).toBeUndefined();
    expect(defaultFileFormats.forName('README')).toBeUndefined();
  });

  it('adds a host’s formats in a new registry, leaving the default as it was', () => {
    const formats = defaultFileFormats.with(psv, parquet);
    expect(formats.forName('a.psv')).toBe(psv);
    expect(formats.sniff(bytes(0x50, 0x41, 0x52, 0x31, 0x15, 0x04)).type).toBe('parquet');
    expect(formats.accepts(parquet, 'parquet')).toBe(true);
    expect(defaultFileFormats.forName('a.psv')).toBeUndefined();
    expect(defaultFileFormats.sniff(bytes(0x50, 0x41, 0x52, 0x31, 0x15, 0x04)).type).toBe('binary');
    expect(formats.formats).toHaveLength(BUILTIN_FILE_FORMATS.length + 2);
  });

  it('refuses a format whose id or extension is taken', () => {
    const text2 = defineFileFormat({ id: 'logs', kind: 'text', extensions: ['log'], mimeTypes: [] });
    expect(() => defaultFileFormats.with(text2)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: { format: 'logs', conflictsWith: 'text' } }),
    );
    expect(() => createFileFormatRegistry([psv, psv])).toThrow(/the id 'psv' is taken/);
    // Leaving a built-in out to replace it is a filter away.
    const replaced = createFileFormatRegistry([
      ...defaultFileFormats.formats.filter((format) => format.id !== 'text'),
      defineFileFormat({
        id: 'text',
        kind: 'text',
        extensions: ['txt', 'log'],
        mimeTypes: ['text/plain'],
        parser: 'text',
      }),
    ]);
    expect(replaced.forName('a.text')).toBeUndefined();
  });

  it('tells which content a format takes', () => {
    const get = (id: string) => defaultFileFormats.get(id) as NonNullable<ReturnType<typeof defaultFileFormats.get>>;
    expect(defaultFileFormats.accepts(get('csv'), 'json')).toBe(true);
    expect(defaultFileFormats.accepts(get('csv'), 'pdf')).toBe(false);
    expect(defaultFileFormats.accepts(get('zip'), 'xlsx')).toBe(true);
    expect(defaultFileFormats.accepts(get('xlsx'), 'docx')).toBe(false);
    expect(defaultFileFormats.accepts(get('pdf'), 'text')).toBe(false);
  });
});

describe('sniffing', () => {
  const zipHead = bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00);
  it.each([
    ['a PDF', text('%PDF-1.7\n'), undefined, 'pdf'],
    ['a zip, before its entries are known', zipHead, undefined, 'zip'],
    ['a workbook', zipHead, ['[Content_Types].xml', 'xl/workbook.xml'], 'xlsx'],
    ['a Word document', zipHead, ['word/document.xml'], 'docx'],
    ['a plain zip', zipHead, ['notes.txt'], 'zip'],
    ['a PNG', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a), undefined, 'png'],
    ['a gzip stream', bytes(0x1f, 0x8b, 0x08, 0x00), undefined, 'gzip'],
    ['an ELF program', bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1), undefined, 'executable'],
    ['a PE program', newExecutable('PE\0\0'), undefined, 'executable'],
    ['a 16-bit Windows program', newExecutable('NE'), undefined, 'executable'],
    ['an OS/2 program', newExecutable('LX'), undefined, 'executable'],
    ['a 64-bit Mach-O (little-endian)', bytes(0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1), undefined, 'executable'],
    ['a 64-bit Mach-O (big-endian)', bytes(0xfe, 0xed, 0xfa, 0xcf, 0, 0, 0, 7), undefined, 'executable'],
    ['a universal Mach-O', bytes(0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2), undefined, 'executable'],
    ['MZ pointing nowhere', newExecutable('XX\0\0'), undefined, 'binary'],
    ['text beginning with MZ', text(`MZ_code,name\n${'MZ-1,Mazowieckie\n'.repeat(8)}`), undefined, 'text'],
    ['a #! script', text('#!/usr/bin/env python3\nprint("hi")\n'), undefined, 'text'],
    ['a JSON document', text('  [{"a": 1}]'), undefined, 'json'],
    ['an HTML page', text('<!DOCTYPE html><html></html>'), undefined, 'html'],
    ['an empty file', new Uint8Array(), undefined, 'text'],
    ['UTF-16 without a byte order mark', Buffer.from('a,b\n1,2\n', 'utf16le'), undefined, 'binary'],
  ])('calls %s %s', (_label, head, entries, type) => {
    expect(defaultFileFormats.sniff(head, entries).type).toBe(type);
  });

  it.each([
    ['UTF-8', text('city\nZürich\n'), 'utf-8'],
    ['UTF-8 with a byte order mark', Buffer.concat([bytes(0xef, 0xbb, 0xbf), text('city\nZürich\n')]), 'utf-8'],
    ['UTF-8 whose last character the sample cuts', text('city\nZürich').subarray(0, 8), 'utf-8'],
    ['Windows-1252', Buffer.from('city;note\nZürich;“ok” – 5 €\n'.replace(/[“”–€]/g, 'x'), 'latin1'), 'windows-1252'],
    ['UTF-16 LE', utf16('city\tnote\r\n東京\t😀\r\n', 'le'), 'utf-16le'],
    ['UTF-16 BE', utf16('city\tnote\r\n東京\t😀\r\n', 'be'), 'utf-16be'],
    ['UTF-16 LE cut in a surrogate pair', utf16('a😀', 'le').subarray(0, 7), 'utf-16le'],
  ])('reads %s as text in its encoding', (_label, head, encoding) => {
    expect(defaultFileFormats.sniff(head)).toEqual({ type: 'text', encoding });
  });

  it('decodes as the parsers do: UTF-8 up to the first invalid byte, Windows-1252 from there', () => {
    const mixed = Buffer.concat([text('Zürich;'), bytes(0x93, 0x4d, 0xfc, 0x6e, 0x63, 0x68, 0x65, 0x6e, 0x94, 0x80)]);
    expect(decodeTextContent(mixed)).toEqual({ text: 'Zürich;“München”€', encoding: 'windows-1252' });
    expect(decodeTextContent(utf16('Zürich', 'be'))).toEqual({ text: 'Zürich', encoding: 'utf-16be' });
    expect(decodeTextContent(Buffer.concat([bytes(0xef, 0xbb, 0xbf), text('a')]))).toEqual({
      text: 'a',
      encoding: 'utf-8',
    });
  });

  it('counts control characters: one in a hundred is text, more is binary', () => {
    const line = `${'x'.repeat(98)}\n`;
    expect(defaultFileFormats.sniff(text(`${line}\u0000`.padEnd(100, 'x'))).type).toBe('text');
    expect(defaultFileFormats.sniff(text(`\u0000\u0001${line}`)).type).toBe('binary');
    // Escape sequences (ANSI colours in logs) are text.
    expect(defaultFileFormats.sniff(text('\u001b[31merror\u001b[0m\n'.repeat(10))).type).toBe('text');
  });
});
