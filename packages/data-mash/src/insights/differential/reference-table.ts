/**
 * A CSV file loaded into an in-memory DuckDB, with its values read as nulls, numbers and dates by
 * rules written out here in SQL. DuckDB reads the file with `read_csv(..., all_varchar = true)`:
 * its sniffer decides no types, so a comparison tests the SDK's figures, not DuckDB's guesses.
 *
 * - **null**: an empty field (quoted or not), text of ASCII white space only (space, tab, LF, VT,
 *   FF, CR), and the {@link ReferenceRules.nullTokens} (compared after trimming, case-sensitive).
 *   Without tokens this is the SDK's documented rule: "`null`, missing and blank strings are nulls".
 * - **number**: text that, trimmed of that white space, reads `[+-] digits [. digits] [e [+-] digits]`
 *   (or `.digits`) and is finite as a double: the SDK's plain decimal grammar, cast with
 *   `TRY_CAST(... AS DOUBLE)` (correctly rounded, as JavaScript's `Number()`).
 * - **distinct values, top values, duplicate rows**: the text as written (not trimmed), all nulls
 *   one value: the SDK keys values by their text.
 * - **dates**: {@link ReferenceRules.dates}.
 */
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { DEFAULT_NULL_TOKENS } from '../readings.js';

/** How the reference reads values that the documented rules and issue 14 read differently. */
export interface ReferenceRules {
  name: string;
  /** Besides empty and white-space-only text, values (trimmed, case-sensitive) that are null. */
  nullTokens: readonly string[];
  /**
   * How dates are read (issue 14 point 3): ISO dates and date-times (offsets honoured); slash
   * dates in the one order the column's values show (day first when more values have a first
   * part over 12 than a second part over 12; month first otherwise, as DuckDB's sniffer and
   * pandas prefer); `yyyy/mm/dd` with an optional `hh:mm[:ss]`; month names (`Jan 1 2000`,
   * `January 1, 2000`). The granularity (point 9): a unit only when the gap is one within 20 %
   * (28 to 31 days are a month; 3 days are no unit).
   */
  dates: 'issue-14';
  /**
   * Issue 14 point 2: numbers written with a leading zero (`00501`) are codes. A column with any
   * is not numeric (as DuckDB's sniffer reads it): its values are text, and a column with none
   * and at least 90 % numbers is numeric; both are compared.
   */
  codes: boolean;
}

/** The rules docs/insights.md states today. */
/**
 * The reading rules docs/insights.md states (issue 14 points 2, 3 and 11): the default null
 * tokens (pandas' list and a lone `-`), leading-zero codes as text, one order of day and month a
 * column, `yyyy/mm/dd` and month names as dates.
 */
export const SDK_RULES: ReferenceRules = {
  name: 'sdk',
  nullTokens: [...DEFAULT_NULL_TOKENS],
  dates: 'issue-14',
  codes: true,
};

/** SQL of the trimmed characters, and a regular expression class of them (RE2). */
export const WS = 'chr(32) || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)';
const WS_CLASS = '[ \\t\\n\\v\\f\\r]';
/** The SDK's number grammar, white space around allowed. */
export const NUMBER_RE = `${WS_CLASS}*[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?${WS_CLASS}*`;
export const INTEGER_RE = `${WS_CLASS}*[+-]?[0-9]+${WS_CLASS}*`;
/** A number written with a leading zero: a code. */
export const LEADING_ZERO_RE = `${WS_CLASS}*[+-]?0[0-9].*`;
// The SDK's ISO forms: a date, or a date-time with minutes, optional seconds and fraction, optional zone.
const ISO_RE =
  '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\\.[0-9]{1,9})?)?(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?)?';
const SLASH_RE = '^([0-9]{1,2})[/.]([0-9]{1,2})[/.]([0-9]{4})$';
const YMD_RE = '[0-9]{4}/[0-9]{1,2}/[0-9]{1,2}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?';
const MONTH_RE = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\\.? [0-9]{1,2},? [0-9]{4}';

/** Text as an SQL literal. */
export const sqlText = (text: string) => `'${text.replaceAll("'", "''")}'`;
const sqlIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;
/** A double as SQL, through text, which DuckDB reads correctly rounded (a bare `0.1` would be a DECIMAL). */
export const sqlDouble = (value: number) => `CAST('${String(value)}' AS DOUBLE)`;

/**
 * One file in DuckDB: table `raw` (every column text, as read) and table `d` with `row` (the
 * 1-based data row) and per column `i`: `r{i}`, the text or NULL by the null rule, and `x{i}`,
 * the number or NULL.
 */
export class ReferenceTable {
  readonly columns: string[];
  readonly rules: ReferenceRules;
  readonly #instance: DuckDBInstance;
  readonly #connection: DuckDBConnection;

  private constructor(
    instance: DuckDBInstance,
    connection: DuckDBConnection,
    columns: string[],
    rules: ReferenceRules,
  ) {
    this.#instance = instance;
    this.#connection = connection;
    this.columns = columns;
    this.rules = rules;
  }

  /** Loads `file` (a header line, then records; RFC 4180 quotes). */
  static async open(file: string, delimiter: string, rules: ReferenceRules): Promise<ReferenceTable> {
    // One thread: rows keep their order (rowid is the row), and sums add up the same way every run.
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const connection = await instance.connect();
    try {
      await connection.run(`SET TimeZone = 'UTC'`);
      await connection.run(
        `CREATE TABLE raw AS SELECT * FROM read_csv(${sqlText(file)}, all_varchar = true, header = true,
          delim = ${sqlText(delimiter)}, quote = '"', escape = '"', null_padding = true, strict_mode = false)`,
      );
      const described = (await connection.runAndReadAll('DESCRIBE raw')).getRowObjectsJS();
      const columns = described.map((row) => String(row.column_name));
      const tokens = rules.nullTokens.map(sqlText).join(', ');
      const isNull = (c: string) =>
        `(${c} IS NULL OR trim(${c}, ${WS}) = ''${tokens ? ` OR trim(${c}, ${WS}) IN (${tokens})` : ''})`;
      const select = columns.flatMap((name, index) => {
        const c = sqlIdentifier(name);
        const cast = `TRY_CAST(trim(${c}, ${WS}) AS DOUBLE)`;
        return [
          `CASE WHEN ${isNull(c)} THEN NULL ELSE ${c} END AS r${index}`,
          `CASE WHEN NOT ${isNull(c)} AND regexp_full_match(${c}, '${NUMBER_RE}') AND isfinite(${cast}) THEN ${cast} END AS x${index}`,
        ];
      });
      await connection.run(`CREATE TABLE d AS SELECT rowid + 1 AS row, ${select.join(', ')} FROM raw ORDER BY rowid`);
      return new ReferenceTable(instance, connection, columns, rules);
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      throw error;
    }
  }

  /** Rows as plain JavaScript values (BIGINT and HUGEINT as bigint, lists as arrays). */
  async query(sql: string): Promise<Array<Record<string, unknown>>> {
    return (await this.#connection.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
  }

  /** The one row of a query. */
  async one(sql: string): Promise<Record<string, unknown>> {
    const [row] = await this.query(sql);
    if (!row) throw new Error(`no row from: ${sql}`);
    return row;
  }

  /** SQL of column `r`'s value as a date, in epoch milliseconds (NULL when not a date). */
  async dateExpression(r: string): Promise<string> {
    const part = (group: number) => `CAST(regexp_extract(${r}, '${SLASH_RE}', ${group}) AS INTEGER)`;
    const [a, b, year] = [part(1), part(2), part(3)];
    // One order for the column, from the values that show it.
    const evidence = await this.one(
      `SELECT count(*) FILTER (WHERE ${a} > 12 AND ${b} <= 12) AS day_first,
              count(*) FILTER (WHERE ${b} > 12 AND ${a} <= 12) AS month_first
       FROM d WHERE regexp_matches(${r}, '${SLASH_RE}')`,
    );
    const [day, month] = Number(evidence.day_first) > Number(evidence.month_first) ? [a, b] : [b, a];
    // Every form starts with a digit or a month's name: other text is passed over at once.
    const first = `left(${r}, 1)`;
    const forms = [
      `WHEN NOT (${first} BETWEEN '0' AND '9' OR ${first} IN ('J', 'F', 'M', 'A', 'S', 'O', 'N', 'D')) THEN NULL`,
      `WHEN regexp_full_match(${r}, '${ISO_RE}') THEN epoch_ms(TRY_CAST(${r} AS TIMESTAMPTZ))`,
      `WHEN regexp_matches(${r}, '${SLASH_RE}') THEN epoch_ms(try_strptime(${day} || '/' || ${month} || '/' || ${year}, '%d/%m/%Y'))`,
      `WHEN regexp_full_match(${r}, '${YMD_RE}') THEN epoch_ms(try_strptime(${r}, ['%Y/%m/%d %H:%M:%S', '%Y/%m/%d %H:%M', '%Y/%m/%d']))`,
      `WHEN regexp_full_match(${r}, '${MONTH_RE}') THEN epoch_ms(try_strptime(replace(replace(${r}, ',', ''), '.', ''), ['%b %d %Y', '%B %d %Y']))`,
    ];
    return `CASE ${forms.join(' ')} END`;
  }

  close(): void {
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}
