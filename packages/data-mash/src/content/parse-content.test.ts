import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LocalBlobStore, MemoryBlobStore } from '@platform/foundations';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { buildDocx, buildPdf, buildZipBomb } from '../parsing/documents/fixtures.test-helpers.js';
import { computeInsights } from './content-insights.js';
import { parseContent } from './parse-content.js';

const encode = (text: string) => new TextEncoder().encode(text);

async function storedLines(store: MemoryBlobStore | LocalBlobStore, tenant: string, key: string): Promise<unknown[]> {
  const text = Buffer.from(await store.get(tenant, key)).toString('utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('parseContent', () => {
  it('streams a CSV into a JSON Lines copy on local disk, with columns, samples and warnings', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'parse-content-'));
    try {
      const store = new LocalBlobStore({ directory });
      const rows = Array.from(
        { length: 5000 },
        (_, index) => `${index},name ${index},${index % 7 === 0 ? '' : index * 1.5}`,
      );
      const csv = `id,name,amount\n${rows.join('\n')}\n1,short\n`;
      const result = await parseContent({
        tenantId: 't1',
        fileId: 'f1',
        fileName: 'sales.csv',
        body: encode(csv),
        blobStore: store,
      });
      expect(result.format).toBe('csv');
      const table = result.structured?.tables[0];
      expect(table).toMatchObject({
        name: 'sales',
        columns: ['id', 'name', 'amount'],
        rowCount: 5001,
        rowsKey: 'parsed/f1/table-1.jsonl',
      });
      expect(table?.samples.amount).toHaveLength(100);
      expect(table?.samples.amount).not.toContain('');
      const lines = await storedLines(store, 't1', 'parsed/f1/table-1.jsonl');
      expect(lines).toHaveLength(5001);
      expect(lines[1]).toEqual({ id: '1', name: 'name 1', amount: '1.5' });
      expect(lines[5000]).toEqual({ id: '1', name: 'short', amount: '' });
      expect(result.report.warnings).toEqual([expect.objectContaining({ code: 'RAGGED_ROW', row: 5002 })]);
      expect(result.unstructured).toBeUndefined();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('keeps the samples of columns named like Object properties (__proto__, constructor)', async () => {
    const store = new MemoryBlobStore();
    const result = await parseContent({
      tenantId: 't1',
      fileId: 'f-proto',
      fileName: 'proto.csv',
      body: encode('__proto__,constructor,toString\na,b,c\nd,e,f\n'),
      blobStore: store,
    });
    const samples = result.structured?.tables[0]?.samples as Record<string, string[]>;
    expect(Object.getPrototypeOf(samples)).toBe(Object.prototype);
    expect(Object.keys(samples)).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(samples, '__proto__')?.value?.sort()).toEqual(['a', 'd']);
    const roundTripped = JSON.parse(JSON.stringify(samples)) as Record<string, string[]>;
    expect(Object.getOwnPropertyDescriptor(roundTripped, '__proto__')?.value?.sort()).toEqual(['a', 'd']);
  });

  it('flattens JSON Lines to dotted columns and stores the rows', async () => {
    const store = new MemoryBlobStore();
    const body = encode('{"a":1,"b":{"c":"x"}}\nnot json\n{"a":2,"d":[1,2]}\n');
    const result = await parseContent({ tenantId: 't', fileId: 'f', fileName: 'events.jsonl', body, blobStore: store });
    expect(result.structured?.tables[0]).toMatchObject({ columns: ['a', 'b.c', 'd'], rowCount: 2 });
    expect(await storedLines(store, 't', 'parsed/f/table-1.jsonl')).toEqual([
      { a: 1, 'b.c': 'x' },
      { a: 2, d: '[1,2]' },
    ]);
    expect(result.report.warnings.map((warning) => [warning.code, warning.row])).toEqual([['INVALID_JSON_LINE', 2]]);
  });

  it('chunks Markdown within sections, carrying the heading path and offsets into the stored text', async () => {
    const store = new MemoryBlobStore();
    const long = 'Sentence about installing things. '.repeat(60);
    const markdown = `# Guide\n\nIntro.\n\n## Install\n\n${long}\n\n## Use\n\nRun it.\n`;
    const result = await parseContent({
      tenantId: 't',
      fileId: 'md',
      fileName: 'README.md',
      body: encode(markdown),
      blobStore: store,
    });
    const text = Buffer.from(await store.get('t', result.unstructured?.textKey ?? '')).toString('utf8');
    const chunks = result.unstructured?.chunks ?? [];
    expect(chunks.map((chunk) => chunk.section?.join(' > '))).toEqual([
      'Guide',
      'Guide > Install',
      'Guide > Install',
      'Guide > Install',
      'Guide > Use',
    ]);
    for (const chunk of chunks) expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
  });

  it('reads PDFs page by page, chunks saying which pages they span', async () => {
    const store = new MemoryBlobStore();
    const body = buildPdf([['Alpha page.'], ['Beta page.']], { title: 'Two pages' });
    const result = await parseContent({ tenantId: 't', fileId: 'p', fileName: 'scan.pdf', body, blobStore: store });
    expect(result.unstructured).toMatchObject({ pageCount: 2, title: 'Two pages' });
    expect(result.unstructured?.chunks[0]).toMatchObject({ pageStart: 1, pageEnd: 2 });
  });

  it('gives HTML and DOCX both their text and their tables', async () => {
    const store = new MemoryBlobStore();
    const html = await parseContent({
      tenantId: 't',
      fileId: 'h',
      fileName: 'page.html',
      body: encode('<h1>Report</h1><table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>'),
      blobStore: store,
    });
    expect(html.structured?.tables[0]).toMatchObject({ name: 'table 1', columns: ['k', 'v'], rowCount: 1 });
    expect(html.unstructured?.chunks[0]?.text).toContain('Report');
    const docx = await parseContent({
      tenantId: 't',
      fileId: 'd',
      fileName: 'notes.docx',
      body: await buildDocx({ heading: 'Notes', paragraphs: ['Body text.'], table: [['x', 'y']] }),
      blobStore: store,
    });
    expect(docx.format).toBe('docx');
    expect(docx.structured?.tables).toHaveLength(1);
    expect(docx.unstructured?.chunks[0]?.text).toContain('Body text.');
  });

  it('stores every XLSX sheet as its own table', async () => {
    const book = new ExcelJS.Workbook();
    book.addWorksheet('One').addRows([['a'], [1], [2]]);
    book.addWorksheet('Two').addRows([
      ['b', 'c'],
      ['x', 'y'],
    ]);
    book.addWorksheet('Header only').addRow(['z']);
    const store = new MemoryBlobStore();
    const body = new Uint8Array(await book.xlsx.writeBuffer());
    const result = await parseContent({ tenantId: 't', fileId: 'x', fileName: 'book.xlsx', body, blobStore: store });
    expect(result.structured?.tables.map((table) => [table.name, table.rowCount, table.rowsKey])).toEqual([
      ['One', 2, 'parsed/x/table-1.jsonl'],
      ['Two', 1, 'parsed/x/table-2.jsonl'],
      ['Header only', 0, 'parsed/x/table-3.jsonl'],
    ]);
    expect(await storedLines(store, 't', 'parsed/x/table-2.jsonl')).toEqual([{ b: 'x', c: 'y' }]);
  });

  it('refuses what it cannot parse with typed errors, keeping copies stored earlier', async () => {
    const store = new MemoryBlobStore();
    const good = await parseContent({
      tenantId: 't',
      fileId: 'same',
      fileName: 'a.csv',
      body: encode('a\n1\n'),
      blobStore: store,
    });
    expect(good.structured?.tables[0]?.rowCount).toBe(1);
    // The same file id, now with a 2 MB line: refused, and the earlier copy is still there.
    const hostile = encode(`a\n1\n${'x'.repeat(2_000_000)}\n`);
    await expect(
      parseContent(
        { tenantId: 't', fileId: 'same', fileName: 'a.csv', body: hostile, blobStore: store },
        { csv: { maxLineChars: 1_000_000 } },
      ),
    ).rejects.toMatchObject({ code: 'PARSE_LIMIT_EXCEEDED' });
    expect(await storedLines(store, 't', 'parsed/same/table-1.jsonl')).toEqual([{ a: '1' }]);

    const bomb = await buildZipBomb('xl/worksheets/sheet1.xml', 64);
    await expect(
      parseContent(
        { tenantId: 't', fileId: 'b', fileName: 'bomb.xlsx', body: bomb, blobStore: store },
        { zip: { maxDecompressedBytes: 8 << 20 } },
      ),
    ).rejects.toMatchObject({ code: 'PARSE_LIMIT_EXCEEDED' });
    await expect(
      parseContent({
        tenantId: 't',
        fileId: 'e',
        fileName: 'program.exe',
        body: encode('MZ\x90\x00'),
        blobStore: store,
      }),
    ).rejects.toMatchObject({ code: 'UNSUPPORTED_FILE_TYPE' });
    await expect(
      parseContent(
        { tenantId: 't', fileId: 'big', fileName: 'big.json', body: encode('[1,2,3]'), blobStore: store },
        { maxBytes: 4 },
      ),
    ).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
    expect((await store.list('t', { prefix: 'parsed/b' })).items).toEqual([]);
  });

  it('profiles text tables while parsing, with the figures a pass over the stored copy gives', async () => {
    const store = new MemoryBlobStore();
    const rows = Array.from(
      { length: 3000 },
      (_, index) =>
        `${index},${index % 9 === 0 ? '' : `"c ${index % 17}, ""q"""`},${(index * 7919) % 1000},2024-02-${String((index % 28) + 1).padStart(2, '0')},${index % 3 === 0},p${index % 4}`,
    );
    const csv = `id,label,amount,day,flag,__proto__\n${rows.join('\n')}\n1,short\n`;
    const input = { tenantId: 't', fileId: 'p', fileName: 'profiled.csv', blobStore: store };
    const plain = await parseContent({ ...input, body: encode(csv) });
    expect(plain.structured?.tables[0]?.profile).toBeUndefined();
    const streamed = await computeInsights({ tenantId: 't', blobStore: store, parse: plain });

    const profiled = await parseContent({ ...input, body: encode(csv) }, { profile: {} });
    const table = profiled.structured?.tables[0];
    expect(table?.profile?.options).toEqual({});
    // Read from JSON, as the Insights Pillar reads the parse result.
    expect(JSON.parse(JSON.stringify(table?.profile?.insights))).toEqual(streamed.tables[0]?.insights);
    expect(table?.profile?.insights.rowCount).toBe(3001);
    // A column named __proto__ is kept in the stored rows (assigned on a plain object, it was lost).
    expect(table?.profile?.insights.columns.at(-1)).toMatchObject({ name: '__proto__', nulls: 1, distinct: 4 });
    const lines = await storedLines(store, 't', 'parsed/p/table-1.jsonl');
    expect(lines[0]).toEqual(
      JSON.parse('{"id":"0","label":"","amount":"0","day":"2024-02-01","flag":"true","__proto__":"p0"}'),
    );
  });

  it('profiles JSON and XLSX tables while parsing, as a pass over the stored copy would; not JSON Lines', async () => {
    const store = new MemoryBlobStore();
    const jsonl = await parseContent(
      { tenantId: 't', fileId: 'j', fileName: 'e.jsonl', body: encode('{"a":1}\n{"a":2.5}\n'), blobStore: store },
      { profile: {} },
    );
    expect(jsonl.structured?.tables[0]?.profile).toBeUndefined();
    const book = new ExcelJS.Workbook();
    book.addWorksheet('One').addRows([
      ['a', 'b', 'when'],
      [1, 'x', '2024-01-02'],
      [2, true, '2024-01-03'],
      [-0.5, null, '2024-02-01'],
    ]);
    const json = encode(
      JSON.stringify([
        { a: 1, b: 'x' },
        { a: 2.5, b: true },
        { a: null, b: { nested: 1 } },
      ]),
    );
    for (const [fileName, body] of [
      ['book.xlsx', new Uint8Array(await book.xlsx.writeBuffer())],
      ['rows.json', json],
    ] as const) {
      const parse = await parseContent(
        { tenantId: 't', fileId: fileName, fileName, body, blobStore: store },
        { profile: {} },
      );
      const table = parse.structured?.tables[0];
      expect(table?.profile, fileName).toBeDefined();
      const { profile: _profile, ...unprofiled } = table as NonNullable<typeof table>;
      const reread = await computeInsights({
        tenantId: 't',
        blobStore: store,
        parse: { ...parse, structured: { tables: [unprofiled] } },
      });
      expect(table?.profile?.insights, fileName).toEqual(reread.tables[0]?.insights);
    }
  });

  it('stores lines longer than a write buffer whole and in order', async () => {
    const store = new MemoryBlobStore();
    const long = 'é'.repeat(200_000);
    const many = Array.from({ length: 20_000 }, (_, index) => `${index},v${index}`).join('\n');
    const csv = `a,b\n1,x\n2,${long}\n3,"y, z"\n${many}\n`;
    const result = await parseContent({
      tenantId: 't',
      fileId: 'l',
      fileName: 'long.csv',
      body: encode(csv),
      blobStore: store,
    });
    const lines = await storedLines(store, 't', 'parsed/l/table-1.jsonl');
    expect(lines).toHaveLength(20_003);
    expect(result.structured?.tables[0]?.rowCount).toBe(20_003);
    expect(lines.slice(0, 3)).toEqual([
      { a: '1', b: 'x' },
      { a: '2', b: long },
      { a: '3', b: 'y, z' },
    ]);
    expect(lines.at(-1)).toEqual({ a: '19999', b: 'v19999' });
  });

  it('parses a body given as one large array in pieces (no text of the whole file to scan)', async () => {
    const store = new MemoryBlobStore();
    // Over 16 Mi characters in one array: as one text, checking its line lengths took hours.
    const row = 'x'.repeat(40);
    const rows = 420_000;
    const body = encode(`a,b\n${`${row},1\n`.repeat(rows)}`);
    expect(body.byteLength).toBeGreaterThan(16 * 1024 * 1024);
    const result = await parseContent({ tenantId: 't', fileId: 'one', fileName: 'one.csv', body, blobStore: store });
    expect(result.structured?.tables[0]?.rowCount).toBe(rows);
  });

  it("reports the store's own reason when it fails mid-table (a full disk), not an abort", async () => {
    class FullDisk extends MemoryBlobStore {
      override async put(...args: Parameters<MemoryBlobStore['put']>) {
        const [, key, body] = args;
        if (!key.endsWith('.jsonl')) return super.put(...args);
        let read = 0;
        const source = body as Readable;
        for await (const chunk of source) {
          read += (chunk as Buffer).byteLength;
          if (read > 1024 * 1024) break;
        }
        // As stream.pipeline does when the file write fails: the source is aborted first, then the
        // put rejects with the file system's reason.
        source.destroy(
          Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' }),
        );
        await new Promise((resolve) => setImmediate(resolve));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
    }
    const body = encode(`a,b\n${'some text,1\n'.repeat(400_000)}`);
    await expect(
      parseContent({ tenantId: 't', fileId: 'full', fileName: 'full.csv', body, blobStore: new FullDisk() }),
    ).rejects.toMatchObject({ message: expect.stringContaining('ENOSPC') });
  });
});
