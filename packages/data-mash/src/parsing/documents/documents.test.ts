import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parseDocx } from './docx.js';
import { buildDocx, buildPdf, buildZipBomb } from './fixtures.test-helpers.js';
import { extractHtml } from './html.js';
import { parseMarkdownStructure } from './markdown.js';
import { parsePdf } from './pdf.js';
import { parseXlsx } from './xlsx.js';

async function workbook(build: (book: ExcelJS.Workbook) => void): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  build(book);
  return new Uint8Array(await book.xlsx.writeBuffer());
}

describe('Markdown structure', () => {
  it('gives each section its heading path and offsets, ignoring headings inside code fences', () => {
    const source = [
      'Preface text.',
      '',
      '# Guide',
      'Intro.',
      '',
      '## Install',
      '```sh',
      '# not a heading',
      '```',
      '',
      'Setext title',
      '------------',
      'Body.',
      '',
      '# Reference',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
    ].join('\r\n');
    const { text, sections, blocks } = parseMarkdownStructure(source);
    expect(sections.map((section) => section.path.join(' > '))).toEqual([
      '',
      'Guide',
      'Guide > Install',
      'Guide > Setext title',
      'Reference',
    ]);
    expect(text.slice(sections[2]?.start, sections[2]?.end)).toContain('# not a heading');
    expect(text.slice(sections[1]?.start)).toMatch(/^# Guide\nIntro\./);
    expect(sections.at(-1)?.end).toBe(text.length);
    expect(blocks).toEqual({ code: 1, table: 1, list: 0 });
  });
});

describe('HTML', () => {
  it('keeps visible text, drops scripts, styles and hidden elements, and reads tables with their header', () => {
    const html = `<!doctype html><html><head><title>Prices &amp; stock</title><style>p{}</style></head>
      <body><script>alert("x")</script><h1>Prices</h1><p>Updated&nbsp;daily.<br>Second line</p>
      <div hidden>secret</div><p style="display: none">also secret</p><template><p>never</p></template>
      <table><caption>Stock</caption><tr><th>item</th><th>qty</th></tr><tr><td>apple</td><td>3</td></tr>
      <tr><td>pear</td><td>5</td><td>extra</td></tr></table>
      <table><tr><td>x</td><td>1</td></tr></table><p>After <b>bold</b> text.</p></body></html>`;
    const content = extractHtml(html);
    expect(content.title).toBe('Prices & stock');
    expect(content.text).toContain('Prices\n\nUpdated\u00a0daily.\nSecond line');
    expect(content.text).toContain('After bold text.');
    for (const hidden of ['alert', 'secret', 'never', 'p{}']) expect(content.text).not.toContain(hidden);
    expect(content.tables).toEqual([
      {
        name: 'Stock',
        columns: ['item', 'qty', 'column_3'],
        rows: [
          ['apple', '3', ''],
          ['pear', '5', 'extra'],
        ],
      },
      { name: 'table 2', columns: ['column_1', 'column_2'], rows: [['x', '1']] },
    ]);
  });

  it('forgives broken markup the way browsers do', () => {
    const content = extractHtml('<p>open <b>bold <i>both</p><table><tr><td>a<td>b</table><p>end');
    expect(content.text).toContain('open bold both');
    expect(content.text).toContain('end');
    expect(content.tables[0]?.rows).toEqual([['a', 'b']]);
  });
});

describe('XLSX', () => {
  it('reads every sheet with its own header, formulas as results, dates as ISO text', async () => {
    const bytes = await workbook((book) => {
      const sales = book.addWorksheet('Sales');
      sales.addRow(['region', 'amount', 'day', 'double']);
      sales.addRow(['north', 10.5, new Date(Date.UTC(2026, 0, 31)), { formula: 'B2*2', result: 21 }]);
      sales.addRow(['south', 4, new Date(Date.UTC(2026, 1, 1, 13, 30)), { formula: 'B3*2', result: 8 }]);
      const people = book.addWorksheet('People');
      people.addRow([]);
      people.addRow(['name', 'name']);
      people.addRow(['Ada', 'Lovelace']);
    });
    const rows: Array<[string, Record<string, unknown>]> = [];
    const report = await parseXlsx(bytes, (sheet, row) => {
      rows.push([sheet, row]);
    });
    expect(report.sheets).toEqual([
      { name: 'Sales', columns: ['region', 'amount', 'day', 'double'], rowCount: 2 },
      { name: 'People', columns: ['name', 'name_2'], rowCount: 1 },
    ]);
    expect(rows).toEqual([
      ['Sales', { region: 'north', amount: 10.5, day: '2026-01-31', double: 21 }],
      ['Sales', { region: 'south', amount: 4, day: '2026-02-01T13:30:00.000Z', double: 8 }],
      ['People', { name: 'Ada', name_2: 'Lovelace' }],
    ]);
    expect(report.warnings.map((warning) => warning.code)).toEqual(['DUPLICATE_COLUMN']);
  });

  it('refuses a zip bomb named .xlsx by what it inflates to, and a truncated workbook as malformed', async () => {
    const bomb = await buildZipBomb('xl/worksheets/sheet1.xml', 64);
    expect(bomb.length).toBeLessThan(200_000);
    await expect(parseXlsx(bomb, () => {}, { maxDecompressedBytes: 16 * 1024 * 1024 })).rejects.toMatchObject({
      code: 'PARSE_LIMIT_EXCEEDED',
    });
    const good = await workbook((book) => {
      book.addWorksheet('A').addRow(['x']);
    });
    await expect(parseXlsx(good.subarray(0, good.length / 2), () => {})).rejects.toMatchObject({
      code: 'MALFORMED_FILE',
    });
    await expect(parseXlsx(new TextEncoder().encode('not a zip'), () => {})).rejects.toMatchObject({
      code: 'MALFORMED_FILE',
    });
  });
});

describe('PDF', () => {
  it('gives the text of every page, in order, and the title', async () => {
    const pdf = buildPdf(
      [
        ['Quarterly report (draft)', 'Revenue grew 12 percent.'],
        ['Page two text.', 'Costs fell.'],
      ],
      { title: 'Q3 report' },
    );
    const content = await parsePdf(pdf);
    expect(content.pageCount).toBe(2);
    expect(content.title).toBe('Q3 report');
    expect(content.pages[0]).toContain('Quarterly report (draft)');
    expect(content.pages[0]).toContain('Revenue grew 12 percent.');
    expect(content.pages[1]).toContain('Costs fell.');
    expect(content.warnings).toEqual([]);
  });

  it('refuses encrypted PDFs with ENCRYPTED_FILE and garbage with MALFORMED_FILE; a truncated one is refused or read with a warning', async () => {
    await expect(parsePdf(buildPdf([['secret']], { encrypted: true }))).rejects.toMatchObject({
      code: 'ENCRYPTED_FILE',
    });
    await expect(parsePdf(new TextEncoder().encode('%PDF-1.4\ngarbage'))).rejects.toMatchObject({
      code: 'MALFORMED_FILE',
    });
    const whole = buildPdf([['first page'], ['second page'], ['third page']]);
    // Cut before the cross-reference table: nothing can be located.
    await expect(parsePdf(whole.subarray(0, Math.floor(whole.length * 0.75)))).rejects.toMatchObject({
      code: 'MALFORMED_FILE',
    });
    // Cut only at the end marker: readable, and the reader says it looks truncated.
    const cut = await parsePdf(whole.subarray(0, whole.length - '%%EOF\n'.length));
    expect(cut.pages).toEqual(['first page', 'second page', 'third page']);
    expect(cut.warnings.map((warning) => warning.code)).toEqual(['TRUNCATED_FILE']);
    await expect(parsePdf(buildPdf([['a'], ['b']]), { maxPages: 1 })).rejects.toMatchObject({
      code: 'PARSE_LIMIT_EXCEEDED',
    });
  });
});

describe('DOCX', () => {
  it('reads headings, paragraphs and tables', async () => {
    const docx = await buildDocx({
      heading: 'Field notes',
      paragraphs: ['First paragraph & more.', 'Second one.'],
      table: [
        ['site', 'count'],
        ['A', '4'],
      ],
    });
    const content = await parseDocx(docx);
    expect(content.text).toMatch(/^Field notes\n\nFirst paragraph & more\.\n\nSecond one\./);
    expect(content.tables).toEqual([
      {
        name: 'table 1',
        columns: ['column_1', 'column_2'],
        rows: [
          ['site', 'count'],
          ['A', '4'],
        ],
      },
    ]);
  });

  it('refuses an encrypted (OLE) document, a zip without a document, and a zip bomb', async () => {
    const ole = new Uint8Array(1024);
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    await expect(parseDocx(ole)).rejects.toMatchObject({ code: 'ENCRYPTED_FILE' });
    await expect(parseDocx(await buildZipBomb('word/other.xml', 1))).rejects.toMatchObject({ code: 'MALFORMED_FILE' });
    await expect(
      parseDocx(await buildZipBomb('word/document.xml', 64), { maxDecompressedBytes: 8 * 1024 * 1024 }),
    ).rejects.toMatchObject({ code: 'PARSE_LIMIT_EXCEEDED' });
  });
});
