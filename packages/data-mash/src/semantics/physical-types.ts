import { type ColumnProfile, ColumnProfiler, type PhysicalType } from '../insights/column-profiler.js';
import { readDate } from '../insights/date-reading.js';

export type { PhysicalType };

const readings = new Float64Array(2);

/**
 * True when `value` is a calendar date without a time of day, in any form the profiler reads
 * (ISO `2026-01-31`, `2026/01/31`, `31/01/2026` or `01/31/2026`, `Jan 31 2026`).
 */
export function isDate(value: string): boolean {
  const text = value.trim();
  return readDate(text, readings) && !text.includes(':');
}

/** True when `value` is a date with a time of day the profiler reads (ISO 8601, `2026/01/31 10:00`...). */
export function isDateTime(value: string): boolean {
  const text = value.trim();
  return readDate(text, readings) && text.includes(':');
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
