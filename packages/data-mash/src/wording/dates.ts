// Dates and durations as the HTML report and the console write them.
import type { DateProfile, DateUnit } from '../insights/dates.js';
import { TIME_UNITS } from '../insights/wording.js';
import { plural } from './numbers.js';

/** A date as precise as the column is: `2024`, `2024-03`, `2024-03-15`, `2024-03-15 14:05`. */
export function dateText(iso: string, precision: DateUnit): string {
  if (precision === 'year') return iso.slice(0, 4);
  if (precision === 'month' || precision === 'quarter') return iso.slice(0, 7);
  if (precision === 'day' || precision === 'week') return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, precision === 'second' ? 19 : 16)}`;
}

/** How long a gap is in words, to 3 significant digits in the largest unit it fills: `1 day`, `3.5 hours`. */
export function gapText(seconds: number): string {
  for (const [unit, size] of TIME_UNITS) {
    if (seconds >= size || unit === 'second') return plural(Number((seconds / size).toPrecision(3)), unit);
  }
  return `${seconds} s`;
}

/** The start (epoch milliseconds, UTC) of the period of `unit` after the one starting at `iso` (a date). */
export function nextPeriod(iso: string, unit: DateUnit): number {
  const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()];
  if (unit === 'week') return Date.UTC(year, month, day + 7);
  if (unit === 'month') return Date.UTC(year, month + 1, 1);
  if (unit === 'quarter') return Date.UTC(year, month + 3, 1);
  if (unit === 'year') return Date.UTC(year + 1, 0, 1);
  return Date.UTC(year, month, day + 1);
}

// How many periods from the one starting at `from` to the one starting at `to`, both included.
function periodsIn(from: string, to: string, unit: DateUnit): number {
  const end = Date.parse(`${to.slice(0, 10)}T00:00:00Z`);
  let count = 1;
  for (let time = nextPeriod(from, unit); time <= end; time = nextPeriod(new Date(time).toISOString(), unit))
    count += 1;
  return count;
}

/** A period by its start as people write it: `2024-03-10` (a day or a week's Monday), `2024-03`, `2024 Q2`, `2024`. */
export function periodText(iso: string, unit: DateUnit): string {
  if (unit === 'year') return iso.slice(0, 4);
  if (unit === 'quarter') return `${iso.slice(0, 4)} Q${Math.floor((Number(iso.slice(5, 7)) - 1) / 3) + 1}`;
  if (unit === 'month') return iso.slice(0, 7);
  return iso.slice(0, 10);
}

/** The periods with no date of a date column (its profile's `missingPeriods`). */
export type MissingPeriods = NonNullable<DateProfile['missingPeriods']>;

/**
 * The periods of a date column's granularity between its first and last date that have no
 * date, in words: `5 days with no date: 2024-03-10 to 2024-03-14, 2024-04-02.`; runs past the
 * ten the profile lists are counted.
 */
export function missingPeriodsText(missing: MissingPeriods): string {
  const unit = missing.unit;
  if (missing.count === 0) return `No ${unit} without a date between the first and the last.`;
  const runs = missing.runs.map((run) =>
    run.from === run.to ? periodText(run.from, unit) : `${periodText(run.from, unit)} to ${periodText(run.to, unit)}`,
  );
  const listed = missing.runs.reduce((sum, run) => sum + periodsIn(run.from, run.to, unit), 0);
  const more = missing.count - listed;
  return `${plural(missing.count, unit)} with no date: ${runs.join(', ')}${more > 0 ? `, and ${plural(more, unit)} more in later gaps` : ''}.`;
}
