import { type ColumnProfile, ColumnProfiler, type PhysicalType } from '../insights/column-profiler.js';

export type { PhysicalType };

const INTEGER = /^[+-]?\d{1,18}$/;
const DECIMAL = /^[+-]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEAN = /^(?:true|false|yes|no)$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SLASH_DATE = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/;
const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;

function validDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** True when `value` is a real calendar date (ISO `2026-01-31`, or `31/01/2026` / `01/31/2026`). */
export function isDate(value: string): boolean {
  const iso = ISO_DATE.exec(value);
  if (iso) return validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const slash = SLASH_DATE.exec(value);
  if (!slash) return false;
  const [a, b, year] = [Number(slash[1]), Number(slash[2]), Number(slash[3])];
  return validDate(year, b, a) || validDate(year, a, b);
}

/** True when `value` is an ISO 8601 date and time with a real date and clock time. */
export function isDateTime(value: string): boolean {
  const match = ISO_DATETIME.exec(value);
  if (!match) return false;
  const [hours, minutes, seconds] = [Number(match[4]), Number(match[5]), Number(match[6] ?? 0)];
  return validDate(Number(match[1]), Number(match[2]), Number(match[3])) && hours < 24 && minutes < 60 && seconds < 61;
}

/** Which physical types one non-empty value fits. */
export function typesOf(value: unknown): Set<PhysicalType> {
  const fits = new Set<PhysicalType>(['string']);
  if (typeof value === 'boolean') return fits.add('boolean');
  if (typeof value === 'number') {
    if (Number.isFinite(value)) {
      fits.add('decimal');
      if (Number.isInteger(value)) fits.add('integer');
    }
    return fits;
  }
  const text = String(value).trim();
  if (INTEGER.test(text)) fits.add('integer').add('decimal');
  else if (DECIMAL.test(text)) fits.add('decimal');
  if (BOOLEAN.test(text)) fits.add('boolean');
  if (isDateTime(text)) fits.add('datetime');
  else if (isDate(text)) fits.add('date').add('datetime');
  return fits;
}

/** The inferred physical type of a column and the share of its non-empty values that fit it. */
export interface PhysicalTypeInference {
  type: PhysicalType;
  /** Share (0-1) of non-empty values that fit `type`. */
  share: number;
  nonEmpty: number;
}

/**
 * The physical type of a profiled column: the profile's one type decision
 * ({@link ColumnProfile.type}), so the semantic phase, the profile and the report agree.
 */
export function physicalTypeOfProfile(profile: ColumnProfile): PhysicalTypeInference {
  const nonEmpty = profile.count - profile.nulls;
  return {
    type: profile.physicalType,
    share: nonEmpty === 0 ? 0 : round(1 - profile.otherTypeValues / nonEmpty),
    nonEmpty,
  };
}

/**
 * Infers a column's physical type from some of its values (a sample, when the column was not
 * profiled), by the very rules of the profiler ({@link ColumnProfiler}): empty values and null
 * tokens left out; integer or decimal when 90 % are numbers (codes with leading zeros are text);
 * boolean when all are booleans; date or datetime when 90 % are dates; string otherwise.
 * `column` is the column's name, which tells ids from measures.
 */
export function inferPhysicalType(values: readonly unknown[], column = ''): PhysicalTypeInference {
  const profiler = new ColumnProfiler(column);
  for (const value of values) profiler.add(value);
  return physicalTypeOfProfile(profiler.profile());
}

/** Rounds a share or a confidence to three decimals, as reported. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
