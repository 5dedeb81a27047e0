import { PlatformError } from '@platform/foundations/errors';
import type { ParseWarning } from './delimited.js';
import { decodeText } from './text-decoding.js';

/** Options of the JSON parsers. */
export interface JsonParseOptions {
  /** Deepest nesting accepted. Default 64. */
  maxDepth?: number;
  /** Longest JSON Lines record, in characters. Default 16 Mi. */
  maxLineChars?: number;
  /** Largest whole JSON document (it is read into memory), in characters. Default 256 Mi. */
  maxDocumentChars?: number;
  /** Most warnings kept. Default 100. */
  maxWarnings?: number;
}

/** What a JSON parse found besides its rows. */
export interface JsonParseReport {
  /** Every flattened column seen, in first-seen order. */
  columns: string[];
  rowCount: number;
  warnings: Array<Omit<ParseWarning, 'code'> & { code: 'INVALID_JSON_LINE' | 'NOT_AN_OBJECT' | 'ENCODING_FALLBACK' }>;
  droppedWarnings: number;
}

type Row = Record<string, string | number | boolean | null>;

/** Nesting depth of a JSON text, counted without parsing (strings skipped): a guard before JSON.parse. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 0x5c) index += 1;
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) inString = true;
    else if (char === 0x7b || char === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (char === 0x7d || char === 0x5d) depth -= 1;
  }
  return deepest;
}

/**
 * Flattens an object into columns with dotted paths (`customer.address.city`); arrays are kept as
 * their JSON text in one column, since rows cannot hold them.
 */
export function flatten(value: Record<string, unknown>, prefix = '', out: Row = {}): Row {
  for (const [key, item] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (item !== null && typeof item === 'object' && !Array.isArray(item))
      flatten(item as Record<string, unknown>, path, out);
    else if (Array.isArray(item)) out[path] = JSON.stringify(item);
    else out[path] = item === undefined ? null : (item as string | number | boolean | null);
  }
  return out;
}

function tooDeep(depth: number, max: number, where: string): PlatformError {
  return new PlatformError('PARSE_LIMIT_EXCEEDED', `${where} is nested ${depth} levels deep; the limit is ${max}`, {
    details: { limit: 'maxDepth', value: max },
  });
}

/**
 * Streams JSON Lines: one object per line, flattened, handed to `onRow`. A line that is not valid
 * JSON, or not an object, is skipped with a warning naming its line; a line nested deeper than
 * `maxDepth` or longer than `maxLineChars` stops with `PARSE_LIMIT_EXCEEDED`.
 */
export async function parseJsonLines(
  input: AsyncIterable<Uint8Array>,
  onRow: (row: Row, index: number) => void | Promise<void>,
  options: JsonParseOptions = {},
): Promise<JsonParseReport> {
  const maxDepth = options.maxDepth ?? 64;
  const maxLine = options.maxLineChars ?? 16 * 1024 * 1024;
  const report: JsonParseReport = { columns: [], rowCount: 0, warnings: [], droppedWarnings: 0 };
  const seen = new Set<string>();
  const warn = (warning: JsonParseReport['warnings'][number]) => {
    if (report.warnings.length < (options.maxWarnings ?? 100)) report.warnings.push(warning);
    else report.droppedWarnings += 1;
  };
  let pending = '';
  let line = 0;
  const handle = async (text: string) => {
    line += 1;
    const trimmed = text.trim();
    if (trimmed === '') return;
    const depth = jsonDepth(trimmed);
    if (depth > maxDepth) throw tooDeep(depth, maxDepth, `line ${line}`);
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      warn({ code: 'INVALID_JSON_LINE', message: `line ${line} is not valid JSON; skipped`, row: line });
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      warn({ code: 'NOT_AN_OBJECT', message: `line ${line} is not a JSON object; skipped`, row: line });
      return;
    }
    const row = flatten(value as Record<string, unknown>);
    for (const column of Object.keys(row)) {
      if (!seen.has(column)) {
        seen.add(column);
        report.columns.push(column);
      }
    }
    await onRow(row, report.rowCount);
    report.rowCount += 1;
  };
  for await (const text of decodeText(input, (_encoding, warning) => {
    if (warning) warn({ code: warning.code, message: warning.message });
  })) {
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      await handle(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
    if (pending.length > maxLine) {
      throw new PlatformError('PARSE_LIMIT_EXCEEDED', `line ${line + 1} is longer than ${maxLine} characters`, {
        details: { limit: 'maxLineChars', value: maxLine },
      });
    }
  }
  await handle(pending);
  return report;
}

/**
 * Parses a whole JSON document: an array of objects gives one row each, an object gives one row.
 * @throws {PlatformError} `VALIDATION_FAILED` for invalid JSON (with the position), `PARSE_LIMIT_EXCEEDED`
 * for a document deeper than `maxDepth` or larger than `maxDocumentChars`.
 */
export async function parseJsonDocument(
  input: AsyncIterable<Uint8Array>,
  options: JsonParseOptions = {},
): Promise<{ rows: Row[]; report: JsonParseReport }> {
  const maxChars = options.maxDocumentChars ?? 256 * 1024 * 1024;
  const maxDepth = options.maxDepth ?? 64;
  const report: JsonParseReport = { columns: [], rowCount: 0, warnings: [], droppedWarnings: 0 };
  let text = '';
  for await (const part of decodeText(input, (_encoding, warning) => {
    if (warning) report.warnings.push({ code: warning.code, message: warning.message });
  })) {
    text += part;
    if (text.length > maxChars) {
      throw new PlatformError(
        'PARSE_LIMIT_EXCEEDED',
        `the JSON document is larger than ${maxChars} characters; use JSON Lines for large data`,
        {
          details: { limit: 'maxDocumentChars', value: maxChars },
        },
      );
    }
  }
  const depth = jsonDepth(text);
  if (depth > maxDepth) throw tooDeep(depth, maxDepth, 'the document');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw malformedJson(error as Error);
  }
  const items = Array.isArray(value) ? value : [value];
  const rows: Row[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      report.warnings.push({
        code: 'NOT_AN_OBJECT',
        message: `item ${index + 1} is not an object; kept as a 'value' column`,
        row: index + 1,
      });
      rows.push({
        value:
          item === null || typeof item !== 'object' ? (item as string | number | boolean | null) : JSON.stringify(item),
      });
    } else rows.push(flatten(item as Record<string, unknown>));
    for (const column of Object.keys(rows[rows.length - 1] as Row)) {
      if (!seen.has(column)) {
        seen.add(column);
        report.columns.push(column);
      }
    }
  });
  report.rowCount = rows.length;
  return { rows, report };
}

// V8's messages quote the text around the error (`Unexpected token 'j', "jo@ex.io" is not valid
// JSON`): the file's content, which may be personal data, must not reach a journey or a log. Only
// where the error is, and what kind it is, are kept.
function malformedJson(error: Error): PlatformError {
  const at = /at position (\d+)(?: \(line (\d+) column (\d+)\))?/.exec(error.message);
  const where = at ? (at[2] ? { line: Number(at[2]), column: Number(at[3]) } : { position: Number(at[1]) }) : undefined;
  const ended = /Unexpected end of JSON input|Unterminated string/.test(error.message);
  const place = where
    ? 'line' in where
      ? ` at line ${where.line}, column ${where.column}`
      : ` at character ${(where.position ?? 0) + 1}`
    : '';
  return new PlatformError(
    'MALFORMED_FILE',
    ended ? `the file is not valid JSON: it ends before the JSON does${place}` : `the file is not valid JSON${place}`,
    { details: { format: 'json', ...(where ?? {}) } },
  );
}
