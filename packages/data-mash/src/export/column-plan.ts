import { PlatformError } from '@platform/foundations';
import type { ColumnProfile } from '../insights/column-profile.js';
import type { ColumnType } from '../insights/column-type.js';
import { type DateOrder, parseDateValue } from '../insights/date-reading.js';
import { DEFAULT_NULL_TOKENS, NullTokens, readBoolean, readUnitNumber } from '../insights/readings.js';
import { isNumberText } from '../insights/values.js';

/** How a column is stored in Parquet. */
export type ParquetColumnType = 'int64' | 'double' | 'boolean' | 'date32' | 'timestamp' | 'utf8';

/** A column of an export: its profile's type, and how it is written. */
export interface ExportColumn {
  name: string;
  /** The column's type in its profile. */
  type: ColumnType;
  /**
   * Its Parquet type: `int64` (INT64), `double` (DOUBLE), `boolean` (BOOLEAN), `date32` (INT32
   * DATE: days since 1970-01-01), `timestamp` (INT64 TIMESTAMP, microseconds, not adjusted to
   * UTC: a wall-clock time), `utf8` (BYTE_ARRAY UTF8). Every column is nullable.
   */
  parquetType: ParquetColumnType;
  /** Why a column whose type is a number, date or boolean is written as text (`3 values are not integers`). */
  textBecause?: string;
  /** The unit the profile read the column's numbers with (`$`, `€`, `%`): Parquet keeps the number only. */
  unit?: string;
  /** How `d/m/yyyy`-style dates of the column read (the profile's decision): day first or month first. */
  dateOrder?: DateOrder;
}

/** A value as the Parquet writer takes it: int64 as bigint, dates as days, timestamps as microseconds. */
export type ParquetValue = bigint | number | boolean | string | null;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const plural = (count: number, one: string, many: string) =>
  `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

function fitsInt64(profile: ColumnProfile): boolean {
  const numeric = profile.numeric;
  if (!numeric) return false;
  try {
    const low = numeric.exactMin === undefined ? undefined : BigInt(numeric.exactMin);
    const high = numeric.exactMax === undefined ? undefined : BigInt(numeric.exactMax);
    if (low !== undefined && low < INT64_MIN) return false;
    if (high !== undefined && high > INT64_MAX) return false;
  } catch {
    return false;
  }
  // 2^63 is a double exactly; the largest int64 is not, and rounds up to it.
  return numeric.min >= -(2 ** 63) && numeric.max < 2 ** 63;
}

/**
 * The Parquet type of each column, from its profile (`InsightsResult.tables[].insights.columns`):
 * the profile's physical type (`integer` also for integer ids without leading zeros), when the
 * profile counted every non-null value as of that type. A column with values of another type
 * (`otherTypeValues`: text in a number column), integers beyond 64 bits, or infinite values
 * among integers is written as text, with the reason: an export never drops or rounds a value
 * to make it fit. Codes with leading zeros (`identifier`), categories, free text and empty
 * columns are text.
 */
export function planColumns(columns: readonly ColumnProfile[]): ExportColumn[] {
  return columns.map(planColumn);
}

function planColumn(profile: ColumnProfile): ExportColumn {
  const base = { name: profile.name, type: profile.type };
  const text = (because?: string): ExportColumn => ({
    ...base,
    parquetType: 'utf8',
    ...(because ? { textBecause: because } : {}),
  });
  const other = profile.otherTypeValues;
  const numeric = profile.numeric;
  const unit = numeric?.unit ? { unit: numeric.unit } : {};
  switch (profile.physicalType) {
    case 'integer':
      if (!numeric) return text('its profile has no figures of its numbers');
      if (other > 0) return text(`${plural(other, 'value is', 'values are')} not an integer`);
      if (numeric.infinite > 0) return text(`${plural(numeric.infinite, 'value is', 'values are')} infinite`);
      if (!fitsInt64(profile)) return text('some values are beyond the 64-bit integer range');
      return { ...base, parquetType: 'int64', ...unit };
    case 'decimal':
      if (!numeric) return text('its profile has no figures of its numbers');
      if (other > 0) return text(`${plural(other, 'value is', 'values are')} not a number`);
      return { ...base, parquetType: 'double', ...unit };
    case 'boolean':
      if (other > 0) return text(`${plural(other, 'value is', 'values are')} not true or false`);
      return { ...base, parquetType: 'boolean' };
    case 'date':
    case 'datetime': {
      if (other > 0) return text(`${plural(other, 'value is', 'values are')} not a date`);
      const order = profile.dates?.order?.order;
      return {
        ...base,
        parquetType: profile.physicalType === 'date' ? 'date32' : 'timestamp',
        ...(order ? { dateOrder: order } : {}),
      };
    }
    default:
      return text();
  }
}

const DAY_MS = 86_400_000;
const INTEGER = /^[+-]?\d+$/;
const INFINITY_WORD = /^([+-]?)(?:inf|infinity)$/i;
// The digits of a number written with a unit or thousands separators (readUnitNumber's form).
const GROUPED = /(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?/;
// The fraction of an ISO 8601 time: the digits past the milliseconds the date reader keeps.
const FRACTION = /:\d\d\.(\d+)/;

function trimmed(text: string): string {
  return text.length > 0 && (text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32) ? text.trim() : text;
}

const int64 = (value: bigint): bigint | undefined => (value >= INT64_MIN && value <= INT64_MAX ? value : undefined);

function readInteger(text: string): bigint | undefined {
  if (INTEGER.test(text)) return int64(BigInt(text));
  if (isNumberText(text)) {
    const number = Number(text);
    return Number.isInteger(number) ? int64(BigInt(number)) : undefined;
  }
  const withUnit = readUnitNumber(text);
  if (!withUnit || !Number.isInteger(withUnit.value)) return undefined;
  if (Number.isSafeInteger(withUnit.value)) return BigInt(withUnit.value);
  // Beyond 2^53 the double is rounded: the digits as written are the integer.
  const digits = GROUPED.exec(text);
  if (!digits || /[1-9]/.test(digits[2] ?? '')) return undefined;
  const whole = BigInt((digits[1] as string).replaceAll(',', ''));
  return int64(withUnit.value < 0 ? -whole : whole);
}

function readDecimal(text: string): number | undefined {
  if (isNumberText(text)) return Number(text);
  const infinite = INFINITY_WORD.exec(text);
  if (infinite) return infinite[1] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return readUnitNumber(text)?.value;
}

// Microseconds since the epoch of a wall-clock time: the seconds from the date reader (an offset
// applied), the fraction to the microsecond from the text.
function readTimestamp(text: string, order: DateOrder | undefined): bigint | undefined {
  const ms = parseDateValue(text, order);
  if (ms === undefined) return undefined;
  const fraction = FRACTION.exec(text)?.[1];
  const micros = fraction
    ? BigInt(fraction.slice(0, 6).padEnd(6, '0'))
    : BigInt(ms - Math.floor(ms / 1000) * 1000) * 1000n;
  return BigInt(Math.floor(ms / 1000)) * 1_000_000n + micros;
}

/**
 * Reads a stored value as its column's Parquet value: `null` for a missing one (null, empty
 * text; in typed columns also white space only and the profile's null tokens such as `NA`),
 * `undefined` when the value does not read as the column's type.
 */
export type ValueReader = (value: unknown) => ParquetValue | undefined;

/** Options of {@link columnReader}. */
export interface ReaderOptions {
  /** Text read as missing in typed columns. Default: the profiler's (`DEFAULT_NULL_TOKENS`); give the profiler's `nullTokens` if it had others. */
  nullTokens?: readonly string[];
}

/**
 * The reader of a column's values: the profiler's readings, so that what the profile counted as
 * a number, a boolean or a date is written as one. Numbers written with a unit or thousands
 * separators (`$1,234.50`, `45%`) are their number (1234.5, 45), as the profile reads them;
 * integers beyond 2^53 are read from their digits, exactly. Text columns keep every value as it
 * is, white space and `NA` included; only empty text is null.
 */
export function columnReader(column: ExportColumn, options: ReaderOptions = {}): ValueReader {
  if (column.parquetType === 'utf8') {
    return (value) => {
      if (value === null || value === undefined || value === '') return null;
      if (typeof value === 'string') return value;
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
    };
  }
  const nulls = new NullTokens(options.nullTokens ?? DEFAULT_NULL_TOKENS);
  const typed =
    (
      read: (text: string) => ParquetValue | undefined,
      fromNumber?: (value: number) => ParquetValue | undefined,
    ): ValueReader =>
    (value) => {
      if (value === null || value === undefined) return null;
      if (typeof value === 'number' && fromNumber) return fromNumber(value);
      const text = trimmed(
        typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value),
      );
      if (text === '' || nulls.has(text)) return null;
      return read(text);
    };
  const order = column.dateOrder;
  switch (column.parquetType) {
    case 'int64':
      return typed(readInteger, (value) => (Number.isInteger(value) ? int64(BigInt(value)) : undefined));
    case 'double':
      return typed(readDecimal, (value) => value);
    case 'boolean': {
      const read = typed(readBoolean);
      return (value) => (typeof value === 'boolean' ? value : read(value));
    }
    case 'date32':
      return typed((text) => {
        const ms = parseDateValue(text, order);
        return ms !== undefined && ms % DAY_MS === 0 ? ms / DAY_MS : undefined;
      });
    case 'timestamp':
      return typed((text) => readTimestamp(text, order));
  }
}

/**
 * The error of a value that does not read as its column's type, though the profile counted
 * every value of the column as of that type: the profile is not of these rows (other null
 * tokens, rows changed since). Nothing of the export is kept.
 */
export function typeMismatch(column: ExportColumn, row: number, value: unknown): PlatformError {
  const shown = typeof value === 'string' ? value.slice(0, 100) : JSON.stringify(value)?.slice(0, 100);
  return new PlatformError(
    'CONTRACT_VIOLATION',
    `column '${column.name}' is ${column.type} in its profile, but its value ${JSON.stringify(shown)} in row ${row} is not: the profile is not of these rows`,
    { details: { column: column.name, type: column.type, parquetType: column.parquetType, row } },
  );
}
