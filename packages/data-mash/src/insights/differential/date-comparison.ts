import type { ColumnFigures } from './column-figures.js';
import { TOLERANCES } from './figures.js';

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['second', 1],
  ['minute', 60],
  ['hour', 3600],
  ['day', 86_400],
  ['week', 7 * 86_400],
  ['month', 30.44 * 86_400],
  ['quarter', 91.31 * 86_400],
  ['year', 365.25 * 86_400],
];

// The finest unit a date is written in (an index into UNITS): its time of day, else its day, month or year.
function precisionOf(epochMs: number): number {
  const inDay = ((epochMs % 86_400_000) + 86_400_000) % 86_400_000;
  if (inDay % 60_000 !== 0) return 0;
  if (inDay % 3_600_000 !== 0) return 1;
  if (inDay !== 0) return 2;
  const date = new Date(epochMs);
  if (date.getUTCDate() !== 1) return 3;
  return date.getUTCMonth() !== 0 ? 5 : 7;
}

// A date column: at least 90 % of the non-null values are dates, by the rules.
export async function compareDates(column: ColumnFigures): Promise<void> {
  const r = column.r;
  const ms = await column.table.dateExpression(r);
  const dates = await column.table.one(
    `SELECT count(ms) AS n, list(DISTINCT ms ORDER BY ms) FILTER (WHERE ms IS NOT NULL) AS distinct_ms
       FROM (SELECT ${ms} AS ms FROM d WHERE ${r} IS NOT NULL AND ${column.x} IS NULL)`,
  );
  const count = Number(dates.n);
  const distinct = ((dates.distinct_ms as unknown[] | null) ?? []).map(Number);
  const iso = (epochMs: number | undefined) => (epochMs === undefined ? undefined : new Date(epochMs).toISOString());
  const isDates = count > 0 && count >= 0.9 * column.nonNull;
  const sdk = column.profile.dates;
  column.add(
    'dates (>= 90 % of the values are dates)',
    sdk ? `${sdk.min} .. ${sdk.max}` : 'absent',
    isDates
      ? `${iso(distinct[0])} .. ${iso(distinct.at(-1))}`
      : `absent (${count} of ${column.nonNull} values are dates)`,
    TOLERANCES.exact,
    (sdk !== undefined) === isDates,
  );
  if (!sdk || !isDates) return;
  column.exact('dates: count', sdk.count, count);
  column.exact('dates: min', sdk.min, iso(distinct[0]));
  column.exact('dates: max', sdk.max, iso(distinct.at(-1)));
  column.exact('dates: precision', sdk.precision, UNITS[Math.min(...distinct.map(precisionOf))]?.[0]);
  if (distinct.length < 3) {
    column.exact('dates: medianGapSeconds', sdk.medianGapSeconds, undefined);
    return;
  }
  // The SDK keeps the first 10,000 distinct dates for the gaps: beyond, the gaps are not compared.
  if (distinct.length > 10_000) return;
  const gaps = distinct
    .slice(1)
    .map((value, position) => (value - (distinct[position] as number)) / 1000)
    .sort((p, q) => p - q);
  const lower = gaps[Math.floor((gaps.length - 1) / 2)] as number;
  const upper = gaps[Math.floor(gaps.length / 2)] as number;
  const gap = sdk.medianGapSeconds;
  column.add(
    'dates: medianGapSeconds',
    gap,
    lower === upper ? lower : `${lower} .. ${upper}`,
    TOLERANCES.medianGap,
    gap !== undefined && gap >= lower && gap <= upper,
  );
  // A unit only when the gap is one (within 20 %, as 28 to 31 days are a month), so a 3-day
  // gap is not "a week" (issue 14, point 9).
  const unitOf = (seconds: number) => UNITS.find(([, length]) => Math.abs(seconds / length - 1) <= 0.2)?.[0];
  const units = [...new Set([unitOf(lower), unitOf(upper)])];
  column.add(
    'dates: granularity',
    sdk.granularity,
    units.map((unit) => unit ?? 'absent').join(' or '),
    TOLERANCES.granularityWithin,
    units.includes(sdk.granularity),
  );
}
