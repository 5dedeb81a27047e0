import { Readable } from 'node:stream';
import { PlatformError } from '@platform/foundations/errors';
import type { ParseWarning } from '../delimited.js';
import { uniqueColumns } from '../delimited.js';
import { assertSafeZip, type ZipDocumentLimits } from './zip-guard.js';

/** Options of {@link parseXlsx}. */
export interface XlsxParseOptions extends ZipDocumentLimits {
  /** Columns a sheet may have. Default 10,000. */
  maxColumns?: number;
  /** Warnings kept; more are counted only. Default 100. */
  maxWarnings?: number;
}

/** One sheet as {@link parseXlsx} read it. */
export interface XlsxSheetReport {
  name: string;
  columns: string[];
  rowCount: number;
}

/** What {@link parseXlsx} found. */
export interface XlsxParseReport {
  sheets: XlsxSheetReport[];
  warnings: ParseWarning[];
  droppedWarnings: number;
}

type Cell = string | number | boolean | null;

/** A cell's value as a plain value: formulas give their cached result, dates ISO text, rich text its text. */
function plainValue(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof value === 'object') {
    const cell = value as Record<string, unknown>;
    if ('result' in cell) return plainValue(cell.result);
    if (Array.isArray(cell.richText)) return cell.richText.map((part: { text?: string }) => part.text ?? '').join('');
    if ('text' in cell) return plainValue(cell.text);
    if ('error' in cell) return null;
  }
  return String(value);
}

/**
 * Reads every sheet of an XLSX workbook with exceljs's streaming reader, row by row: the first
 * non-empty row of a sheet is its header; formulas give their cached results, dates ISO text,
 * error cells `null`. The archive is inflated within limits first, so a zip
 * bomb is a `PARSE_LIMIT_EXCEEDED` and a broken file a `MALFORMED_FILE`, never a crash.
 */
export async function parseXlsx(
  bytes: Uint8Array,
  onRow: (sheet: string, row: Record<string, Cell>, index: number, rowNumber: number) => void | Promise<void>,
  options: XlsxParseOptions = {},
): Promise<XlsxParseReport> {
  assertSafeZip(bytes, 'xlsx', options);
  const maxWarnings = options.maxWarnings ?? 100;
  const maxColumns = options.maxColumns ?? 10_000;
  const report: XlsxParseReport = { sheets: [], warnings: [], droppedWarnings: 0 };
  const warn = (warning: ParseWarning) => {
    if (report.warnings.length < maxWarnings) report.warnings.push(warning);
    else report.droppedWarnings += 1;
  };
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([Buffer.from(bytes)]), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    entries: 'ignore',
  });
  try {
    for await (const worksheet of reader) {
      const name = (worksheet as unknown as { name: string }).name;
      const sheet: XlsxSheetReport = { name, columns: [], rowCount: 0 };
      report.sheets.push(sheet);
      for await (const row of worksheet) {
        // exceljs rows are 1-based sparse arrays.
        const values = (row.values as unknown[]).slice(1).map(plainValue);
        if (sheet.columns.length === 0) {
          if (values.every((value) => value === null || value === '')) continue;
          if (values.length > maxColumns) {
            throw new PlatformError(
              'PARSE_LIMIT_EXCEEDED',
              `sheet '${name}' has ${values.length} columns; the limit is ${maxColumns}`,
              {
                details: { limit: 'maxColumns', sheet: name },
              },
            );
          }
          sheet.columns = uniqueColumns(
            values.map((value) => (value === null ? '' : String(value))),
            (warning) => warn({ ...warning, message: `sheet '${name}': ${warning.message}`, row: row.number }),
          );
          continue;
        }
        if (values.length > sheet.columns.length) {
          warn({
            code: 'RAGGED_ROW',
            message: `sheet '${name}' row ${row.number} has ${values.length} cells; the header has ${sheet.columns.length}; extra cells dropped`,
            row: row.number,
          });
        }
        const record: Record<string, Cell> = {};
        sheet.columns.forEach((column, index) => {
          record[column] = values[index] ?? null;
        });
        await onRow(name, record, sheet.rowCount, row.number);
        sheet.rowCount += 1;
      }
    }
  } catch (error) {
    if (error instanceof PlatformError) throw error;
    throw new PlatformError('MALFORMED_FILE', `the XLSX workbook cannot be read: ${(error as Error).message}`, {
      details: { format: 'xlsx' },
      cause: error,
    });
  }
  return report;
}
