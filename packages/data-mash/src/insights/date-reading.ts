// Reading date texts: ISO 8601, yyyy/mm/dd, month names, and d/m/yyyy in both orders.

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FULL_MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
// d/m/yyyy or m/d/yyyy (also with '.' or '-'), optionally with a clock time.
const DAY_MONTH_YEAR = /^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
// yyyy/mm/dd or yyyy.mm.dd, optionally with a clock time.
const YEAR_MONTH_DAY = /^(\d{4})([/.])(\d{1,2})\2(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
// `Jan 01 2024`, `Jan 1, 2024`, `January 1 2024`.
const MONTH_DAY_YEAR = /^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$/;
// `01 Jan 2024`, `1 January 2024`, `01-Jan-2024`.
const DAY_MONTH_NAME_YEAR = /^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -](\d{4})$/;

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let index = from; index < from + count; index += 1) {
    const code = text.charCodeAt(index) - 48;
    if (code < 0 || code > 9) return -1;
    value = value * 10 + code;
  }
  return value;
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1] as number;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

// Days from 1970-01-01 to a civil date (Howard Hinnant's days_from_civil).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

// The instant of a civil date and clock time, or NaN when either is impossible.
function civil(year: number, month: number, day: number, hours = 0, minutes = 0, seconds = 0): number {
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return Number.NaN;
  if (hours > 23 || minutes > 59 || seconds > 60) return Number.NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + ((hours * 60 + minutes) * 60 + seconds) * 1000;
}

function monthNamed(name: string): number {
  const lower = name.toLowerCase();
  const short = MONTHS.indexOf(lower.slice(0, 3));
  if (short < 0) return -1;
  // `Sept` is written too; otherwise the name is the abbreviation or the full name.
  if (lower.length === 3 || lower === FULL_MONTHS[short] || lower === 'sept') return short + 1;
  return -1;
}

/** How a slash date such as `01/02/2024` is read: day first (1 February) or month first (2 January). */
export type DateOrder = 'day-first' | 'month-first';

/**
 * Reads a date or date-time text into its instant under both orders of day and month (ms since
 * the epoch, UTC; an offset is honoured): `out[0]` day first, `out[1]` month first, NaN where
 * that reading is impossible. Only `d/m/yyyy`-style dates differ between the two; every other
 * form (ISO 8601, `yyyy/mm/dd`, month names) fills both with the same instant. Returns false,
 * with both NaN, for anything that is not a date. ISO forms are read character by character:
 * this runs once per distinct value of every text column.
 */
export function readDate(text: string, out: Float64Array): boolean {
  out[0] = Number.NaN;
  out[1] = Number.NaN;
  const length = text.length;
  if (length < 8 || length > 35) return false;
  const first = text.charCodeAt(0);
  if (first >= 48 && first <= 57) {
    if (text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && length >= 10) {
      const instant = readIso(text);
      out[0] = instant;
      out[1] = instant;
      // biome-ignore lint/suspicious/noSelfCompare: the allocation-free test for NaN
      return instant === instant;
    }
    const ymd = YEAR_MONTH_DAY.exec(text);
    if (ymd) {
      const instant = civil(Number(ymd[1]), Number(ymd[3]), Number(ymd[4]), ...clock(ymd[5], ymd[6], ymd[7]));
      out[0] = instant;
      out[1] = instant;
      return !Number.isNaN(instant);
    }
    const dmy = DAY_MONTH_YEAR.exec(text);
    if (dmy) {
      const [a, b, year] = [Number(dmy[1]), Number(dmy[3]), Number(dmy[4])];
      const time = clock(dmy[5], dmy[6], dmy[7]);
      out[0] = civil(year, b, a, ...time);
      out[1] = civil(year, a, b, ...time);
      return !Number.isNaN(out[0]) || !Number.isNaN(out[1]);
    }
    const named = DAY_MONTH_NAME_YEAR.exec(text);
    if (named) {
      const instant = civil(Number(named[3]), monthNamed(named[2] as string), Number(named[1]));
      out[0] = instant;
      out[1] = instant;
      return !Number.isNaN(instant);
    }
    return false;
  }
  const named = MONTH_DAY_YEAR.exec(text);
  if (!named) return false;
  const instant = civil(Number(named[3]), monthNamed(named[1] as string), Number(named[2]));
  out[0] = instant;
  out[1] = instant;
  return !Number.isNaN(instant);
}

function clock(hours?: string, minutes?: string, seconds?: string): [number, number, number] {
  return [Number(hours ?? 0), Number(minutes ?? 0), Number(seconds ?? 0)];
}

// ISO 8601: yyyy-mm-dd, optionally [T ]hh:mm[:ss[.fraction]] and Z or an offset.
function readIso(text: string): number {
  const length = text.length;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return Number.NaN;
  const date = daysFromCivil(year, month, day) * 86_400_000;
  if (length === 10) return date;
  const separator = text.charCodeAt(10);
  if ((separator !== 84 && separator !== 32) || length < 16 || text.charCodeAt(13) !== 58) return Number.NaN;
  const hours = digits(text, 11, 2);
  const minutes = digits(text, 14, 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return Number.NaN;
  let cursor = 16;
  let seconds = 0;
  let millis = 0;
  if (text.charCodeAt(cursor) === 58) {
    seconds = digits(text, cursor + 1, 2);
    if (seconds < 0 || seconds > 60) return Number.NaN;
    cursor += 3;
    if (text.charCodeAt(cursor) === 46) {
      let end = cursor + 1;
      while (end < length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end += 1;
      if (end === cursor + 1 || end - cursor - 1 > 9) return Number.NaN;
      millis = Math.floor(Number(`0${text.slice(cursor, end)}`) * 1000);
      cursor = end;
    }
  }
  let offsetMinutes = 0;
  if (cursor < length) {
    const zone = text.charCodeAt(cursor);
    if (zone === 90 && cursor === length - 1) offsetMinutes = 0;
    else if (zone === 43 || zone === 45) {
      const rest = length - cursor - 1;
      const offsetHours = digits(text, cursor + 1, 2);
      const colon = rest === 5 && text.charCodeAt(cursor + 3) === 58 ? 1 : 0;
      if (rest !== 4 && !(rest === 5 && colon)) return Number.NaN;
      const offsetMins = digits(text, cursor + 3 + colon, 2);
      if (offsetHours < 0 || offsetHours > 23 || offsetMins < 0 || offsetMins > 59) return Number.NaN;
      offsetMinutes = (zone === 45 ? -1 : 1) * (offsetHours * 60 + offsetMins);
    } else return Number.NaN;
  }
  return date + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000 + millis;
}

const readings = new Float64Array(2);

/**
 * Reads one date or date-time text as milliseconds since the epoch (UTC), or `undefined`.
 * A `d/m/yyyy`-style date is read in `order` when given (`undefined` when impossible in that
 * order); without it, month first unless only day first is possible, as the profiler assumes
 * for a column whose values read both ways. A column's order is better decided from all its
 * values: the profiler does that ({@link DateProfile.order}).
 */
export function parseDateValue(text: string, order?: DateOrder): number | undefined {
  if (!readDate(text, readings)) return undefined;
  const [dayFirst, monthFirst] = readings as unknown as [number, number];
  const value =
    order === 'month-first'
      ? monthFirst
      : order === 'day-first'
        ? dayFirst
        : Number.isNaN(monthFirst)
          ? dayFirst
          : monthFirst;
  return Number.isNaN(value) ? undefined : value;
}
