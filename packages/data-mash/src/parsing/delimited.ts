import { Readable } from 'node:stream';
import { PlatformError } from '@platform/foundations';
import Papa from 'papaparse';
import { decodeText, type TextEncodingName } from './text-decoding.js';

/** Options of {@link parseDelimited}. */
export interface DelimitedParseOptions {
  /** Field delimiter; detected from the first lines when omitted (comma, tab, semicolon, pipe). */
  delimiter?: string;
  /** Longest run of text without a line break, in characters. Default 16 Mi: a guard against one-line files. */
  maxLineChars?: number;
  /** Most columns accepted. Default 10,000. */
  maxColumns?: number;
  /** Most warnings kept (the rest are counted). Default 100. */
  maxWarnings?: number;
}

/** A problem found while parsing that did not stop it. */
export interface ParseWarning {
  code:
    | 'RAGGED_ROW'
    | 'MALFORMED_QUOTES'
    | 'ENCODING_FALLBACK'
    | 'DUPLICATE_COLUMN'
    | 'EMPTY_COLUMN_NAME'
    | 'INVALID_JSON_LINE'
    | 'NOT_AN_OBJECT'
    | 'TRUNCATED_FILE'
    | 'NO_TEXT_LAYER'
    | 'DOCUMENT_PROBLEM';
  message: string;
  /** 1-based record (or line) number where the problem is; the header of a CSV is record 1. */
  row?: number;
  /** 1-based page number, for paged documents. */
  page?: number;
}

/** What {@link parseDelimited} found besides the rows it handed out. */
export interface DelimitedParseReport {
  columns: string[];
  rowCount: number;
  delimiter: string;
  encoding: TextEncodingName;
  warnings: ParseWarning[];
  /** Warnings beyond `maxWarnings`, counted only. */
  droppedWarnings: number;
}

export function uniqueColumns(header: readonly string[], warn: (warning: ParseWarning) => void): string[] {
  const seen = new Map<string, number>();
  return header.map((raw, index) => {
    let name = raw.trim();
    if (name === '') {
      name = `column_${index + 1}`;
      warn({ code: 'EMPTY_COLUMN_NAME', message: `column ${index + 1} has no name; called it '${name}'`, row: 1 });
    }
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (count > 1) {
      const renamed = `${name}_${count}`;
      warn({
        code: 'DUPLICATE_COLUMN',
        message: `column '${name}' appears ${count} times; called this one '${renamed}'`,
        row: 1,
      });
      return renamed;
    }
    return name;
  });
}

/**
 * Streams a CSV/TSV (any delimiter) with bounded memory: bytes are decoded (BOM, UTF-8, with a
 * Windows-1252 fallback), parsed by papaparse, and each record handed to `onRow` as an object
 * keyed by the (de-duplicated) header. Ragged rows are padded or cut, with a warning naming the
 * record; malformed quoting is a warning; a line longer than `maxLineChars` or a header wider
 * than `maxColumns` stops parsing with `PARSE_LIMIT_EXCEEDED`.
 */
export async function parseDelimited(
  input: AsyncIterable<Uint8Array> | Uint8Array,
  onRow: (row: Record<string, string>, index: number) => void | Promise<void>,
  options: DelimitedParseOptions = {},
): Promise<DelimitedParseReport> {
  const maxLine = options.maxLineChars ?? 16 * 1024 * 1024;
  const maxWarnings = options.maxWarnings ?? 100;
  const report: DelimitedParseReport = {
    columns: [],
    rowCount: 0,
    delimiter: options.delimiter ?? ',',
    encoding: 'utf-8',
    warnings: [],
    droppedWarnings: 0,
  };
  const warn = (warning: ParseWarning) => {
    if (report.warnings.length < maxWarnings) report.warnings.push(warning);
    else report.droppedWarnings += 1;
  };
  const bytes = input instanceof Uint8Array ? Readable.from([input]) : input;

  let sinceBreak = 0;
  async function* guarded(): AsyncGenerator<string> {
    for await (const text of decodeText(bytes, (encoding, warning) => {
      report.encoding = encoding;
      if (warning) warn({ code: warning.code, message: warning.message });
    })) {
      const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
      sinceBreak = lastBreak < 0 ? sinceBreak + text.length : text.length - lastBreak - 1;
      if (sinceBreak > maxLine) {
        throw new PlatformError(
          'PARSE_LIMIT_EXCEEDED',
          `a line is longer than ${maxLine} characters; raise maxLineChars to read it`,
          {
            details: { limit: 'maxLineChars', value: maxLine },
          },
        );
      }
      yield text;
    }
  }

  let record = 0;
  let failure: unknown;
  const handle = async (fields: string[], errors: Papa.ParseError[], delimiter: string) => {
    record += 1;
    for (const error of errors) {
      if (error.type === 'Quotes')
        warn({ code: 'MALFORMED_QUOTES', message: `record ${record}: ${error.message.toLowerCase()}`, row: record });
    }
    if (record === 1) {
      const maxColumns = options.maxColumns ?? 10_000;
      if (fields.length > maxColumns) {
        throw new PlatformError(
          'PARSE_LIMIT_EXCEEDED',
          `the header has ${fields.length} columns; the limit is ${maxColumns}`,
          {
            details: { limit: 'maxColumns' },
          },
        );
      }
      report.columns = uniqueColumns(fields, warn);
      report.delimiter = delimiter;
      return;
    }
    if (fields.length !== report.columns.length) {
      warn({
        code: 'RAGGED_ROW',
        message: `record ${record} has ${fields.length} fields, the header ${report.columns.length}; ${fields.length < report.columns.length ? 'missing ones are empty' : 'extra ones are dropped'}`,
        row: record,
      });
    }
    const row: Record<string, string> = {};
    report.columns.forEach((column, index) => {
      row[column] = fields[index] ?? '';
    });
    await onRow(row, report.rowCount);
    report.rowCount += 1;
  };

  await new Promise<void>((resolve, reject) => {
    const text = Readable.from(guarded());
    Papa.parse<string[]>(text as unknown as File, {
      header: false,
      skipEmptyLines: true,
      ...(options.delimiter ? { delimiter: options.delimiter } : { delimitersToGuess: [',', '\t', ';', '|'] }),
      step: (results, parser) => {
        // onRow may be async: hold the parser until it is done, so memory stays bounded.
        parser.pause();
        handle(results.data, results.errors, results.meta.delimiter).then(
          () => parser.resume(),
          (error: unknown) => {
            failure = error;
            parser.abort();
          },
        );
      },
      complete: () => (failure === undefined ? resolve() : reject(failure)),
      error: (error: Error) => reject(failure ?? error),
    });
    text.on('error', (error) => {
      failure ??= error;
      reject(failure);
    });
  });
  return report;
}
