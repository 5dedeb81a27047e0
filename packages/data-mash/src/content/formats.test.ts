import { MemoryBlobStore } from '@platform/foundations';
import { defaultFileFormats, defineFileFormat } from '@platform/smart-city';
import { describe, expect, it } from 'vitest';
import { detectFormat } from './formats.js';
import { parseContent } from './parse-content.js';

const text = (value: string) => new TextEncoder().encode(value);
const zipHead = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);

describe('detectFormat: the parser the format registry names', () => {
  it.each([
    ['a.csv', 'csv'],
    ['a.tsv', 'tsv'],
    ['a.tab', 'tsv'],
    ['a.TXT', 'text'],
    ['a.text', 'text'],
    ['server.log', 'text'],
    ['a.md', 'markdown'],
    ['a.ndjson', 'jsonl'],
    ['a.htm', 'html'],
  ])('reads %s with the %s parser', (name, parser) => {
    expect(detectFormat(name, text('a,b\n1,2\n'))).toBe(parser);
  });

  it('tells binary formats by their bytes, whatever the name', () => {
    expect(detectFormat('notes.txt', text('%PDF-1.7\n'))).toBe('pdf');
    expect(detectFormat('book.xlsx', zipHead)).toBe('xlsx');
    expect(detectFormat('book.zip', zipHead, { zipEntries: ['word/document.xml'] })).toBe('docx');
    expect(() => detectFormat('report.pdf', text('a,b\n'))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_FILE_TYPE' }),
    );
    expect(() => detectFormat('photo.png', Uint8Array.from([0x89, 0x50, 0x4e, 0x47]))).toThrow(
      /its content looks like png and its extension is \.png; supported formats: csv, tsv, json/,
    );
  });

  it("reads a host's format with the parser it names, and refuses a parser the Content Pillar does not have", async () => {
    const formats = defaultFileFormats.with(
      defineFileFormat({ id: 'psv', kind: 'text', extensions: ['psv'], mimeTypes: ['text/plain'], parser: 'csv' }),
      defineFileFormat({ id: 'edi', kind: 'text', extensions: ['edi'], mimeTypes: ['text/plain'], parser: 'x12' }),
    );
    expect(() => detectFormat('a.psv', text('a|b\n'))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_FILE_TYPE' }),
    );
    expect(detectFormat('a.psv', text('a|b\n'), { formats })).toBe('csv');
    expect(() => detectFormat('order.edi', text('ISA*00*'), { formats })).toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED_FILE_TYPE',
        details: expect.objectContaining({ format: 'edi', parser: 'x12' }),
      }),
    );

    const parsed = await parseContent(
      {
        tenantId: 't',
        fileId: 'p',
        fileName: 'prices.psv',
        body: text('sku|price\nA-1|9.50\nB-2|3\n'),
        blobStore: new MemoryBlobStore(),
      },
      { formats },
    );
    expect(parsed).toMatchObject({ format: 'csv', report: { delimiter: '|' } });
    expect(parsed.structured?.tables[0]).toMatchObject({ columns: ['sku', 'price'], rowCount: 2 });
  });
});
