// The profile's formula test (`formulaValues`) is the same: `=`, `+`, `-`, `@`, tab or CR first,
// as OWASP's "CSV Injection" lists what a spreadsheet may run as a formula; plain numbers excepted.
import { isNumberText, startsFormula } from '../insights/values.js';

const PLUS = 43;
const MINUS = 45;
const QUOTE = 39;

/**
 * A cell's text made safe to open in a spreadsheet (OWASP's advice on CSV injection): text that
 * begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a `'` in front, so that Excel,
 * LibreOffice and Google Sheets show it as text instead of running it (`=HYPERLINK(...)`,
 * `@SUM(...)`, `-2+3+cmd|' /C calc'!A0`).
 *
 * Two exceptions, both decided so the guard can be undone exactly ({@link unguardCsvCell}):
 * - A plain number (`-5`, `+3.2`, `-1e-7`: an optional sign, digits, an optional fraction and
 *   exponent, nothing else) is left as it is, in any column: a spreadsheet reads it as the number
 *   it is, and nothing runs. Prefixing it would turn every negative amount into text. The test
 *   is the text's, not the column's type, so the same text is written the same way in every
 *   column, and a CSV can be written without a profile.
 * - Text that already begins with `'` followed by one of those characters (or by another `'`)
 *   gets one more `'`: so every cell that begins with `'` and one of `=+-@'`, tab or CR was
 *   guarded, and removing that one `'` gives back the text exactly. Text such as
 *   `'s-Hertogenbosch` (a `'` then a letter) is left alone.
 */
export function guardCsvCell(text: string): string {
  if (text.length === 0) return text;
  const first = text.charCodeAt(0);
  if (first === PLUS || first === MINUS) return isNumberText(text) ? text : `'${text}`;
  if (startsFormula(first)) return `'${text}`;
  if (first === QUOTE && text.length > 1) {
    const second = text.charCodeAt(1);
    if (second === QUOTE || startsFormula(second)) return `'${text}`;
  }
  return text;
}

/**
 * The text a guarded cell stood for ({@link guardCsvCell} undone): one leading `'` removed when
 * it is followed by `=`, `+`, `-`, `@`, a tab, a carriage return or another `'`. For every
 * string `s`, `unguardCsvCell(guardCsvCell(s)) === s`.
 */
export function unguardCsvCell(text: string): string {
  if (text.length < 2 || text.charCodeAt(0) !== QUOTE) return text;
  const second = text.charCodeAt(1);
  return second === QUOTE || startsFormula(second) ? text.slice(1) : text;
}

/**
 * One field as RFC 4180 writes it: in double quotes, each `"` doubled, when it holds a comma, a
 * double quote, a CR or an LF; as it is otherwise.
 */
export function quoteCsvField(text: string): string {
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 44 || code === 34 || code === 10 || code === 13) return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}

/**
 * The text of a stored value in a CSV cell: text as it is, numbers as JSON writes them (the
 * same digits the JSON Lines copy has), `true`/`false`, objects and arrays as JSON, and an
 * empty cell for `null`, `undefined` and empty text (CSV has no null).
 */
export function csvText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}

/** Options of the CSV writer. */
export interface CsvOptions {
  /**
   * Guard cells against formula injection ({@link guardCsvCell}). Default `true`; turn it off
   * only for a reader that never is a spreadsheet and must get the text unchanged.
   */
  formulaGuard?: boolean;
  /**
   * Start the file with a UTF-8 byte order mark, which Excel needs to read UTF-8 (without it,
   * `Zürich` shows as `ZÃ¼rich`). Default `false`: RFC 4180 readers, DuckDB and pandas take
   * UTF-8 as it is.
   */
  bom?: boolean;
}

/**
 * Encodes rows as CSV lines: RFC 4180 (comma, `"` quoting, CRLF after every record, the header
 * first), UTF-8, each cell guarded ({@link guardCsvCell}) unless told otherwise.
 */
export class CsvEncoder {
  readonly columns: readonly string[];
  readonly #guard: boolean;
  readonly #single: boolean;

  constructor(columns: readonly string[], options: CsvOptions = {}) {
    this.columns = columns;
    this.#guard = options.formulaGuard ?? true;
    this.#single = columns.length === 1;
  }

  /** The header record, with its CRLF. */
  header(): string {
    return this.#line(this.columns);
  }

  /** One record of the values in column order, with its CRLF. */
  record(values: readonly unknown[]): string {
    const cells: string[] = new Array(values.length);
    for (let index = 0; index < values.length; index += 1) cells[index] = csvText(values[index]);
    return this.#line(cells);
  }

  #line(cells: readonly string[]): string {
    // A table of one column with an empty cell would be a blank line, which readers skip: `""` keeps the record.
    if (this.#single && cells[0] === '') return '""\r\n';
    let line = '';
    for (let index = 0; index < cells.length; index += 1) {
      const text = this.#guard ? guardCsvCell(cells[index] as string) : (cells[index] as string);
      line += index === 0 ? quoteCsvField(text) : `,${quoteCsvField(text)}`;
    }
    return `${line}\r\n`;
  }
}
