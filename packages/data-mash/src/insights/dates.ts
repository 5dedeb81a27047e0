import { isDate, isDateTime } from '../semantics/physical-types.js';

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

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const SLASH = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/;

/**
 * Reads a date or date-time text as milliseconds since the epoch (UTC; an offset is honoured;
 * slash dates are read day first unless that is impossible). `undefined` for anything else.
 */
export function parseDateValue(text: string): number | undefined {
  const first = text.charCodeAt(0);
  if (first < 48 || first > 57 || text.length < 8 || text.length > 35) return undefined;
  const iso = ISO.exec(text);
  if (iso) {
    if (iso[4] === undefined ? !isDate(text) : !isDateTime(text)) return undefined;
    const offset = iso[8];
    const base = text.slice(0, text.length - (offset?.length ?? 0)).replace(' ', 'T');
    const zone =
      offset === undefined
        ? 'Z'
        : offset === 'Z'
          ? 'Z'
          : offset.length === 5
            ? `${offset.slice(0, 3)}:${offset.slice(3)}`
            : offset;
    const value = Date.parse(iso[4] === undefined ? `${text}T00:00:00Z` : `${base}${zone}`);
    return Number.isNaN(value) ? undefined : value;
  }
  const slash = SLASH.exec(text);
  if (!slash || !isDate(text)) return undefined;
  const [a, b, year] = [Number(slash[1]), Number(slash[2]), Number(slash[3])];
  const [day, month] = a > 12 ? [a, b] : b > 12 ? [b, a] : [a, b];
  return Date.UTC(year, month - 1, day);
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

  add(epochMs: number): void {
    this.count += 1;
    if (epochMs < this.#min) this.#min = epochMs;
    if (epochMs > this.#max) this.#max = epochMs;
    if (this.#distinct.size < this.#maxDistinct) this.#distinct.add(epochMs);
    if (this.#finest > 0) {
      const date = new Date(epochMs);
      const finest =
        date.getUTCSeconds() !== 0 || date.getUTCMilliseconds() !== 0
          ? 0
          : date.getUTCMinutes() !== 0
            ? 1
            : date.getUTCHours() !== 0
              ? 2
              : date.getUTCDate() !== 1
                ? 3
                : date.getUTCMonth() !== 0
                  ? 5
                  : 7;
      if (finest < this.#finest) this.#finest = finest;
    }
  }

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
