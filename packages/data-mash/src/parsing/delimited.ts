import { Readable } from 'node:stream';
import { PlatformError } from '@platform/foundations/errors';
import Papa from 'papaparse';
import { RecordBreaks } from './record-breaks.js';
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
  /**
   * The columns, when the input has no header of its own (a later part of a split file): every
   * record is then data, and record numbers in warnings count from 1 at the first of them.
   */
  columns?: readonly string[];
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

/**
 * Header names made usable: empty ones become `column_<n>`, repeated ones `<name>_<k>`, each with
 * a warning. A made-up name never takes one the header already has (`a,a_2,a` gives `a`, `a_2`,
 * `a_3`): two columns of one name would store one column's values under the other.
 */
export function uniqueColumns(header: readonly string[], warn: (warning: ParseWarning) => void): string[] {
  const given = new Set(header.map((raw) => raw.trim()));
  const taken = new Set<string>();
  const seen = new Map<string, number>();
  return header.map((raw, index) => {
    let name = raw.trim();
    if (name === '') {
      name = `column_${index + 1}`;
      for (let k = 2; taken.has(name) || given.has(name); k += 1) name = `column_${index + 1}_${k}`;
      warn({ code: 'EMPTY_COLUMN_NAME', message: `column ${index + 1} has no name; called it '${name}'`, row: 1 });
    }
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (taken.has(name)) {
      let k = Math.max(2, count);
      while (taken.has(`${name}_${k}`) || given.has(`${name}_${k}`)) k += 1;
      const renamed = `${name}_${k}`;
      warn({
        code: 'DUPLICATE_COLUMN',
        message: `column '${name}' appears ${count} times; called this one '${renamed}'`,
        row: 1,
      });
      taken.add(renamed);
      return renamed;
    }
    taken.add(name);
    return name;
  });
}

/** An empty report, and the function that adds a warning to it (up to `maxWarnings`, then counts). */
export function newReport(
  delimiter: string,
  maxWarnings: number,
): { report: DelimitedParseReport; warn: (warning: ParseWarning) => void } {
  const report: DelimitedParseReport = {
    columns: [],
    rowCount: 0,
    delimiter,
    encoding: 'utf-8',
    warnings: [],
    droppedWarnings: 0,
  };
  const warn = (warning: ParseWarning) => {
    if (report.warnings.length < maxWarnings) report.warnings.push(warning);
    else report.droppedWarnings += 1;
  };
  return { report, warn };
}

/**
 * The longest line in `text`, counting `carried` characters of a line begun in earlier text. Only
 * text longer than what is left of the limit is scanned: no line in it can be over otherwise.
 */
function longestLine(text: string, carried: number, limit: number): number {
  if (carried + text.length <= limit) return carried + text.length;
  // Each kind of break is looked for again only once passed: one scan of the text in all (looking
  // for the next of either from every line would rescan to the end for the kind that is absent).
  let nextLf = text.indexOf('\n');
  let nextCr = text.indexOf('\r');
  let longest = 0;
  let start = 0;
  let current = carried;
  for (;;) {
    const next = nextLf < 0 ? nextCr : nextCr < 0 ? nextLf : Math.min(nextLf, nextCr);
    if (next < 0) break;
    longest = Math.max(longest, current + next - start);
    current = 0;
    start = next + 1;
    if (nextLf >= 0 && nextLf < start) nextLf = text.indexOf('\n', start);
    if (nextCr >= 0 && nextCr < start) nextCr = text.indexOf('\r', start);
  }
  return Math.max(longest, current + text.length - start);
}

/**
 * Streams a CSV/TSV (any delimiter) with bounded memory: bytes are decoded (BOM, UTF-8, with a
 * Windows-1252 fallback), parsed by papaparse, and each record handed to `onRow` as an object
 * keyed by the (de-duplicated) header. Ragged rows are padded or cut, with a warning naming the
 * record; malformed quoting is a warning; a line longer than `maxLineChars` or a header wider
 * than `maxColumns` stops parsing with `PARSE_LIMIT_EXCEEDED`.
 */
export function parseDelimited(
  input: AsyncIterable<Uint8Array> | Uint8Array,
  onRow: RowHandler,
  options: DelimitedParseOptions = {},
): Promise<DelimitedParseReport> {
  return parse(input, onRow, undefined, options);
}

/**
 * {@link parseDelimited} handing each record as an array of strings in the order of
 * `report.columns` (known from the first call on): no object a row, for the fastest passes.
 * The array is the parser's own: copy it to keep it.
 */
export function parseDelimitedValues(
  input: AsyncIterable<Uint8Array> | Uint8Array,
  onValues: ValuesHandler,
  options: DelimitedParseOptions = {},
): Promise<DelimitedParseReport> {
  return parse(input, undefined, onValues, options);
}

/**
 * {@link parseDelimitedValues} over the rest of a UTF-8 file, from the start of a record at byte
 * `offset` (after a faster reader stopped there): `options.columns` and `options.delimiter` say
 * what the start of the file did. Record numbers count from 2 at the first record given, as
 * with `columns`; an encoding warning names the byte of the whole file.
 */
export function resumeDelimitedValues(
  input: AsyncIterable<Uint8Array>,
  onValues: ValuesHandler,
  options: DelimitedParseOptions & { columns: readonly string[]; delimiter: string },
  offset: number,
): Promise<DelimitedParseReport> {
  return parse(input, undefined, onValues, options, { offset });
}

/** Receives one record of a delimited file as an object keyed by column. */
export type RowHandler = (row: Record<string, string>, index: number) => void | Promise<void>;
/** Receives one record of a delimited file as values in column order. */
export type ValuesHandler = (
  values: readonly string[],
  index: number,
  columns: readonly string[],
) => void | Promise<void>;

/** Text read before the delimiter and line break are guessed: papaparse's guess needs a few lines. */
export const SAMPLE_CHARS = 64 * 1024;

/**
 * The delimiter: given, else guessed among comma, tab, semicolon and pipe from a sample (the
 * decoded text of the first chunks, at least `SAMPLE_CHARS` of it, with `\r\n` and `\r` made `\n`).
 */
export function delimiterOf(sample: string, delimiter: string | undefined): string {
  if (delimiter) return delimiter;
  const { meta } = Papa.parse<string[]>(sample, {
    preview: 50,
    skipEmptyLines: true,
    delimitersToGuess: [',', '\t', ';', '|'],
  });
  return meta.delimiter || ',';
}

async function parse(
  input: AsyncIterable<Uint8Array> | Uint8Array,
  onRow: RowHandler | undefined,
  onValues: ValuesHandler | undefined,
  options: DelimitedParseOptions,
  resume?: { offset: number },
): Promise<DelimitedParseReport> {
  const maxLine = options.maxLineChars ?? 16 * 1024 * 1024;
  const maxWarnings = options.maxWarnings ?? 100;
  const { report, warn } = newReport(options.delimiter ?? ',', maxWarnings);
  const bytes = input instanceof Uint8Array ? Readable.from([input]) : input;
  const tooLong = (what: string) =>
    new PlatformError(
      'PARSE_LIMIT_EXCEEDED',
      `${what} is longer than ${maxLine} characters; raise maxLineChars to read it`,
      {
        details: { limit: 'maxLineChars', value: maxLine },
      },
    );

  let record = options.columns ? 1 : 0;
  if (options.columns) report.columns = [...options.columns];
  // Handles one record synchronously; returns the handler's promise when it gave one.
  const handle = (fields: string[], delimiter: string): undefined | PromiseLike<void> => {
    record += 1;
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
      return undefined;
    }
    const columns = report.columns;
    if (fields.length !== columns.length) {
      warn({
        code: 'RAGGED_ROW',
        message: `record ${record} has ${fields.length} fields, the header ${columns.length}; ${fields.length < columns.length ? 'missing ones are empty' : 'extra ones are dropped'}`,
        row: record,
      });
    }
    const values = fields.length === columns.length ? fields : columns.map((_, index) => fields[index] ?? '');
    const index = report.rowCount;
    report.rowCount += 1;
    if (onValues) {
      const result = onValues(values, index, columns);
      return result && typeof result.then === 'function' ? result : undefined;
    }
    const row: Record<string, string> = {};
    for (let position = 0; position < columns.length; position += 1) {
      const column = columns[position] as string;
      // Assigned, `__proto__` would set the object's prototype and its value be lost.
      if (column === '__proto__')
        Object.defineProperty(row, column, { value: values[position], enumerable: true, writable: true });
      else row[column] = values[position] as string;
    }
    const result = (onRow as RowHandler)(row, index);
    return result && typeof result.then === 'function' ? result : undefined;
  };

  // Pull, parse, hand out, then pull again: the next text is read only after every record of the
  // last one was handled (and any promise a handler returned settled), so a slow consumer holds
  // the reading back and no record is dropped or reordered whatever the handler's timing.
  // Records are made to end with `\n` first (RecordBreaks: mixed or old line endings, blank
  // lines), then papaparse's core parser is given whole text and told to leave the last, possibly
  // cut record (`ignoreLastRow`): what follows its cursor waits for the next text.
  let breaks: RecordBreaks | undefined;
  let delimiter = ',';
  let sample = '';
  let pending = '';
  let carried = 0;
  let sinceBreak = 0;
  const consume = async (final: boolean): Promise<void> => {
    const parser = new Papa.Parser({ delimiter, newline: '\n', quoteChar: '"' });
    const results = parser.parse(pending, 0, !final) as Papa.ParseResult<string[]>;
    pending = final ? '' : pending.slice(results.meta.cursor);
    carried = pending.length;
    // A record still open after this much text (an unclosed quote, most often) would otherwise
    // be held whole until the end of the file.
    if (carried > maxLine) throw tooLong('a record');
    const quoteErrors = results.errors.filter((error) => error.type === 'Quotes');
    const rows = results.data;
    for (let position = 0; position < rows.length; position += 1) {
      for (const error of quoteErrors) {
        if ((error.row ?? 0) !== position) continue;
        const at = record + 1;
        warn({ code: 'MALFORMED_QUOTES', message: `record ${at}: ${error.message.toLowerCase()}`, row: at });
      }
      const handled = handle(rows[position] as string[], delimiter);
      if (handled) await handled;
    }
  };
  const add = async (text: string, final: boolean): Promise<void> => {
    if (!breaks) {
      sample += text;
      if (!final && sample.length < SAMPLE_CHARS) return;
      // Guessed from lines as the parser will see them: with line endings mixed, the guess read
      // the CRLF lines and the LF ones differently.
      delimiter = delimiterOf(sample.replace(/\r\n?/g, '\n'), options.delimiter);
      breaks = new RecordBreaks(delimiter);
      text = sample;
      sample = '';
    }
    pending += breaks.push(text, final);
    if (final) {
      // The last record's `\n` ends it; given to the parser, it would read an empty record after.
      if (!breaks.inQuotes && pending.endsWith('\n')) pending = pending.slice(0, -1);
      if (pending !== '') await consume(true);
      return;
    }
    // Parsing again only once the new text is at least as long as the carried part keeps a record
    // that spans many chunks linear in its length instead of quadratic.
    if (pending.length - carried < carried) return;
    await consume(false);
  };

  for await (const text of decodeText(
    bytes,
    (encoding, warning) => {
      report.encoding = encoding;
      if (warning) warn({ code: warning.code, message: warning.message });
    },
    resume,
  )) {
    if (longestLine(text, sinceBreak, maxLine) > maxLine) throw tooLong('a line');
    const lastBreak = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r'));
    sinceBreak = lastBreak < 0 ? sinceBreak + text.length : text.length - lastBreak - 1;
    await add(text, false);
  }
  await add('', true);
  return report;
}
