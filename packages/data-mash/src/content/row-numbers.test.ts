import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBlobStore } from '@platform/foundations';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { profileDelimitedFile } from '../insights/parallel/profile-file.js';
import { computeInsights } from './content-insights.js';
import { parseContent } from './parse-content.js';

// Issue 14, point 12: a parse warning and an outlier on the same line of a file name the same row.
describe('row numbers', () => {
  it('are the rows a spreadsheet shows, the header being row 1, in warnings and outliers alike (CSV)', async () => {
    const lines = Array.from({ length: 40 }, (_, index) => `${index},${10 + (index % 5)}`);
    // Data row 17 (file row 18) is ragged and holds the outlier.
    lines[16] = '16,9000,extra';
    const store = new MemoryBlobStore();
    for (const profile of [{}, undefined]) {
      const parse = await parseContent(
        {
          tenantId: 't',
          fileId: `f${profile ? 1 : 2}`,
          fileName: 'x.csv',
          body: new TextEncoder().encode(`id,amount\n${lines.join('\n')}\n`),
          blobStore: store,
        },
        profile ? { profile } : {},
      );
      const warning = parse.report.warnings.find((entry) => entry.code === 'RAGGED_ROW');
      expect(warning?.row).toBe(18);
      const insights = await computeInsights({ tenantId: 't', blobStore: store, parse });
      const outliers = insights.tables[0]?.insights.outliers.find((entry) => entry.column === 'amount');
      expect(outliers?.examples[0]).toEqual({ row: 18, value: 9000 });
      expect(parse.structured?.tables[0]?.firstRowNumber).toBe(2);
    }
  });

  it('are the sheet rows of an XLSX table whose header is not on row 1', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('data');
    sheet.getRow(3).values = ['id', 'amount'];
    for (let index = 0; index < 30; index += 1)
      sheet.getRow(4 + index).values = [index, index === 10 ? 9000 : 10 + (index % 5)];
    const body = new Uint8Array(await workbook.xlsx.writeBuffer());
    const store = new MemoryBlobStore();
    const parse = await parseContent({ tenantId: 't', fileId: 'x', fileName: 'x.xlsx', body, blobStore: store });
    expect(parse.structured?.tables[0]?.firstRowNumber).toBe(4);
    const insights = await computeInsights({ tenantId: 't', blobStore: store, parse });
    expect(insights.tables[0]?.insights.outliers.find((entry) => entry.column === 'amount')?.examples[0]).toEqual({
      row: 14,
      value: 9000,
    });
  });

  it('are the same from profileDelimitedFile, on one thread and on several', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'row-numbers-'));
    try {
      const lines = Array.from({ length: 30_000 }, (_, index) => `${index},${10 + (index % 5)}`);
      lines[20_000] = '20000,9000,extra';
      const file = join(directory, 'x.csv');
      await writeFile(file, `id,amount\n${lines.join('\n')}\n`);
      for (const workers of [1, 2]) {
        const { report, insights } = await profileDelimitedFile(file, { workers, minBytesPerWorker: 65_536 });
        expect(report.warnings.find((entry) => entry.code === 'RAGGED_ROW')?.row, `${workers}`).toBe(20_002);
        const outliers = insights.outliers.find((entry) => entry.column === 'amount' && entry.method === 'iqr');
        expect(outliers?.examples[0], `${workers}`).toEqual({ row: 20_002, value: 9000 });
        expect(insights.rows.firstRowNumber).toBe(2);
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
