import type { DateOrder } from './date-reading.js';
import { pickUniform, SeededRandom } from './sampling.js';

export { type DateOrder, parseDateValue, readDate } from './date-reading.js';

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
  /**
   * The typical step between consecutive distinct dates: the unit the median gap is (within
   * 20 %: 1 day, 7 days, 28 to 31 days...); absent with fewer than 3 distinct dates or a median
   * gap that is no one unit (3 days), which {@link medianGapSeconds} then states.
   */
  granularity?: DateUnit;
  /** The median gap between consecutive distinct dates, in seconds. */
  medianGapSeconds?: number;
  /**
   * How `d/m/yyyy`-style values were read, decided once for the column: `values` when some value
   * is possible in one order only (`13/01/2024`), `assumed` (month first, as in the US and as
   * DuckDB's sniffer tries first) when every value reads both ways. Absent without such values.
   */
  order?: { order: DateOrder; evidence: 'values' | 'assumed' };
  /**
   * 12 equal-width bins from min to max (ISO instants), counting every date while there are at
   * most 10,000, then a uniform sample's counts scaled to the column.
   */
  histogram: Array<{ from: string; to: string; count: number }>;
  /**
   * Periods of the column's granularity (day to year) between the first and the last date that
   * have no date at all, with the first 10 runs of them (`from`, `to`: the first and last missing
   * period's start). Present when the granularity is a calendar unit and every distinct date was
   * kept (at most 10,000).
   */
  missingPeriods?: { unit: DateUnit; count: number; runs: Array<{ from: string; to: string }> };
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

// The unit a gap is, within 20 % (months and years vary in length by about 10 %); else undefined.
function unitOf(seconds: number): DateUnit | undefined {
  for (const [unit, length] of SECONDS) if (Math.abs(seconds / length - 1) <= 0.2) return unit;
  return undefined;
}

/** A {@link DateAccumulator} as plain data. */
export interface DateAccumulatorState {
  count: number;
  min: number;
  max: number;
  finest: number;
  distinct: number[];
  /** Uniform sample of every date added (repeats included), for the histogram. */
  sample: number[];
}

/** Accumulates a date column: range, precision, and a sample for the typical step. */
export class DateAccumulator {
  count = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = Number.NEGATIVE_INFINITY;
  #finest = 7; // index into SECONDS of the finest unit seen: starts at year
  readonly #distinct = new Set<number>();
  readonly #maxDistinct: number;
  readonly #sample: number[] = [];
  readonly #random = new SeededRandom(0x2f6b3a1d);

  constructor(maxDistinct = 10_000) {
    this.#maxDistinct = maxDistinct;
  }

  /** Adds a date; `known` when the caller knows it was added before (range and precision are then unchanged). */
  add(epochMs: number, known = false): void {
    this.count += 1;
    if (this.#sample.length < SAMPLE_SIZE) this.#sample.push(epochMs);
    else {
      const slot = Math.floor(this.#random.next() * this.count);
      if (slot < SAMPLE_SIZE) this.#sample[slot] = epochMs;
    }
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
    return {
      count: this.count,
      min: this.#min,
      max: this.#max,
      finest: this.#finest,
      distinct: [...this.#distinct],
      sample: [...this.#sample],
    };
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
    // A uniform sample of both: each side's share in proportion to the dates it stands for.
    const own = this.count - other.count;
    if (this.#sample.length + other.sample.length <= SAMPLE_SIZE) this.#sample.push(...other.sample);
    else {
      const fromOwn = Math.min(this.#sample.length, Math.round((SAMPLE_SIZE * own) / Math.max(1, this.count)));
      const kept = [
        ...pickUniform(this.#sample, fromOwn, this.#random),
        ...pickUniform(other.sample, SAMPLE_SIZE - fromOwn, this.#random),
      ];
      this.#sample.splice(0, this.#sample.length, ...kept);
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
      histogram: this.#histogram(),
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
      const unit = unitOf(median);
      if (unit) profile.granularity = unit;
      if (unit && CALENDAR.includes(unit) && this.#distinct.size < this.#maxDistinct)
        profile.missingPeriods = missingPeriods(sorted, unit);
    }
    return profile;
  }

  #histogram(): DateProfile['histogram'] {
    const bins = 12;
    const width = (this.#max - this.#min) / bins || 1;
    const edges = Array.from({ length: bins + 1 }, (_, index) => this.#min + index * width);
    const counts = new Array<number>(bins).fill(0);
    for (const value of this.#sample) {
      let index = Math.min(bins - 1, Math.floor((value - this.#min) / width));
      while (index > 0 && value < (edges[index] as number)) index -= 1;
      while (index < bins - 1 && value >= (edges[index + 1] as number)) index += 1;
      counts[index] = (counts[index] as number) + 1;
    }
    const scale = this.count / Math.max(1, this.#sample.length);
    return counts.map((count, index) => ({
      from: new Date(edges[index] as number).toISOString(),
      to: new Date(edges[index + 1] as number).toISOString(),
      count: scale === 1 ? count : Math.round(count * scale),
    }));
  }
}

const SAMPLE_SIZE = 10_000;
const CALENDAR: readonly DateUnit[] = ['day', 'week', 'month', 'quarter', 'year'];

// The calendar period a date falls in, as a number that grows by one a period (weeks from Mondays).
function periodOf(epochMs: number, unit: DateUnit): number {
  const days = Math.floor(epochMs / 86_400_000);
  if (unit === 'day') return days;
  if (unit === 'week') return Math.floor((days + 3) / 7);
  const date = new Date(epochMs);
  const months = date.getUTCFullYear() * 12 + date.getUTCMonth();
  if (unit === 'month') return months;
  if (unit === 'quarter') return Math.floor(months / 3);
  return date.getUTCFullYear();
}

// The start of a period, as an ISO date.
function periodStart(period: number, unit: DateUnit): string {
  let epochMs: number;
  if (unit === 'day') epochMs = period * 86_400_000;
  else if (unit === 'week') epochMs = (period * 7 - 3) * 86_400_000;
  else if (unit === 'month') epochMs = Date.UTC(Math.floor(period / 12), period % 12, 1);
  else if (unit === 'quarter') epochMs = Date.UTC(Math.floor(period / 4), (period % 4) * 3, 1);
  else epochMs = Date.UTC(period, 0, 1);
  return new Date(epochMs).toISOString().slice(0, 10);
}

function missingPeriods(sorted: readonly number[], unit: DateUnit): NonNullable<DateProfile['missingPeriods']> {
  const periods = [...new Set(sorted.map((value) => periodOf(value, unit)))].sort((a, b) => a - b);
  const runs: Array<{ from: string; to: string }> = [];
  let count = 0;
  for (let index = 1; index < periods.length; index += 1) {
    const previous = periods[index - 1] as number;
    const current = periods[index] as number;
    if (current - previous <= 1) continue;
    count += current - previous - 1;
    if (runs.length < 10) runs.push({ from: periodStart(previous + 1, unit), to: periodStart(current - 1, unit) });
  }
  return { unit, count, runs };
}
