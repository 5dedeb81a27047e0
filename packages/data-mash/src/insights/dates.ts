/** Units a date column can be recorded in or step by. */
export type DateUnit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** What a date column covers and how finely. */
export interface DateProfile {
  count: number;
  /** Earliest and latest, ISO 8601 (UTC). */
  min: string;
  max: string;
  /** The finest unit the values are written in: `day` when every time is midnight, `month` when every day is the 1st. */
  precision: DateUnit;
  /** The typical step between consecutive distinct dates (median gap), as the nearest unit; absent with fewer than 3 distinct dates. */
  granularity?: DateUnit;
  /** The median gap between consecutive distinct dates, in seconds. */
  medianGapSeconds?: number;
}

const SLASH = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

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

/**
 * Reads a date or date-time text as milliseconds since the epoch (UTC; an offset is honoured;
 * slash dates are read day first unless that is impossible). `undefined` for anything else,
 * including impossible dates and clock times. ISO forms are read character by character: this
 * runs once per value of every text column.
 */
export function parseDateValue(text: string): number | undefined {
  const length = text.length;
  if (length < 8 || length > 35) return undefined;
  const first = text.charCodeAt(0);
  if (first < 48 || first > 57) return undefined;
  if (text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && length >= 10) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
    const date = daysFromCivil(year, month, day) * 86_400_000;
    if (length === 10) return date;
    const separator = text.charCodeAt(10);
    if ((separator !== 84 && separator !== 32) || length < 16 || text.charCodeAt(13) !== 58) return undefined;
    const hours = digits(text, 11, 2);
    const minutes = digits(text, 14, 2);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return undefined;
    let cursor = 16;
    let seconds = 0;
    let millis = 0;
    if (text.charCodeAt(cursor) === 58) {
      seconds = digits(text, cursor + 1, 2);
      if (seconds < 0 || seconds > 60) return undefined;
      cursor += 3;
      if (text.charCodeAt(cursor) === 46) {
        let end = cursor + 1;
        while (end < length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end += 1;
        if (end === cursor + 1 || end - cursor - 1 > 9) return undefined;
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
        if (rest !== 4 && !(rest === 5 && colon)) return undefined;
        const offsetMins = digits(text, cursor + 3 + colon, 2);
        if (offsetHours < 0 || offsetHours > 23 || offsetMins < 0 || offsetMins > 59) return undefined;
        offsetMinutes = (zone === 45 ? -1 : 1) * (offsetHours * 60 + offsetMins);
      } else return undefined;
    }
    return date + ((hours * 60 + minutes - offsetMinutes) * 60 + seconds) * 1000 + millis;
  }
  const slash = SLASH.exec(text);
  if (!slash) return undefined;
  const [a, b, year] = [Number(slash[1]), Number(slash[2]), Number(slash[3])];
  const [day, month] = a > 12 ? [a, b] : b > 12 ? [b, a] : [a, b];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  return daysFromCivil(year, month, day) * 86_400_000;
}

const SECONDS: ReadonlyArray<[DateUnit, number]> = [
  ['second', 1],
  ['minute', 60],
  ['hour', 3600],
  ['day', 86_400],
  ['week', 7 * 86_400],
  ['month', 30.44 * 86_400],
  ['quarter', 91.31 * 86_400],
  ['year', 365.25 * 86_400],
];

function nearestUnit(seconds: number): DateUnit {
  let best = SECONDS[0] as [DateUnit, number];
  for (const unit of SECONDS) {
    if (Math.abs(Math.log(seconds / unit[1])) < Math.abs(Math.log(seconds / best[1]))) best = unit;
  }
  return best[0];
}

/** A {@link DateAccumulator} as plain data. */
export interface DateAccumulatorState {
  count: number;
  min: number;
  max: number;
  finest: number;
  distinct: number[];
}

/** Accumulates a date column: range, precision, and a sample for the typical step. */
export class DateAccumulator {
  count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #finest = 7; // index into SECONDS of the finest unit seen: starts at year
  readonly #distinct = new Set<number>();
  readonly #maxDistinct: number;

  constructor(maxDistinct = 10_000) {
    this.#maxDistinct = maxDistinct;
  }

  /** Adds a date; `known` when the caller knows it was added before (range and precision are then unchanged). */
  add(epochMs: number, known = false): void {
    this.count += 1;
    if (known) return;
    if (epochMs < this.#min) this.#min = epochMs;
    if (epochMs > this.#max) this.#max = epochMs;
    if (this.#distinct.size < this.#maxDistinct) this.#distinct.add(epochMs);
    if (this.#finest > 0) {
      const inDay = ((epochMs % 86_400_000) + 86_400_000) % 86_400_000;
      let finest: number;
      if (inDay % 60_000 !== 0) finest = 0;
      else if (inDay % 3_600_000 !== 0) finest = 1;
      else if (inDay !== 0) finest = 2;
      else if (this.#finest <= 3) finest = 3;
      else {
        const date = new Date(epochMs);
        finest = date.getUTCDate() !== 1 ? 3 : date.getUTCMonth() !== 0 ? 5 : 7;
      }
      if (finest < this.#finest) this.#finest = finest;
    }
  }

  /** The state as plain data, to merge elsewhere. */
  state(): DateAccumulatorState {
    return { count: this.count, min: this.#min, max: this.#max, finest: this.#finest, distinct: [...this.#distinct] };
  }

  /** Adds the dates another accumulator saw. */
  merge(other: DateAccumulatorState): void {
    this.count += other.count;
    this.#min = Math.min(this.#min, other.min);
    this.#max = Math.max(this.#max, other.max);
    this.#finest = Math.min(this.#finest, other.finest);
    for (const value of other.distinct) {
      if (this.#distinct.size >= this.#maxDistinct) break;
      this.#distinct.add(value);
    }
  }

  /** The profile of the dates so far; `undefined` when there were none. */
  profile(): DateProfile | undefined {
    if (this.count === 0) return undefined;
    const profile: DateProfile = {
      count: this.count,
      min: new Date(this.#min).toISOString(),
      max: new Date(this.#max).toISOString(),
      precision: (SECONDS[this.#finest] as [DateUnit, number])[0],
    };
    // The first distinct dates seen (up to the limit) stand for the column's rhythm.
    const sorted = [...this.#distinct].sort((a, b) => a - b);
    if (sorted.length >= 3) {
      const gaps = sorted
        .slice(1)
        .map((value, index) => value - (sorted[index] as number))
        .sort((a, b) => a - b);
      const median = (gaps[Math.floor(gaps.length / 2)] as number) / 1000;
      profile.medianGapSeconds = median;
      profile.granularity = nearestUnit(median);
    }
    return profile;
  }
}
