/** Storage types a column's values can have. */
export type PhysicalType = 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'string';

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

/** Most specific first: the first type enough values fit wins. */
const PREFERENCE: readonly PhysicalType[] = ['boolean', 'integer', 'decimal', 'date', 'datetime'];

/**
 * Infers a column's physical type: the most specific of boolean, integer, decimal, date,
 * datetime that at least `threshold` (default 0.95) of the non-empty values fit, else string.
 */
export function inferPhysicalType(values: readonly unknown[], threshold = 0.95): PhysicalTypeInference {
  const nonEmpty = values.filter((value) => value !== null && value !== undefined && String(value).trim() !== '');
  if (nonEmpty.length === 0) return { type: 'string', share: 0, nonEmpty: 0 };
  const counts = new Map<PhysicalType, number>();
  for (const value of nonEmpty) for (const type of typesOf(value)) counts.set(type, (counts.get(type) ?? 0) + 1);
  for (const type of PREFERENCE) {
    const share = (counts.get(type) ?? 0) / nonEmpty.length;
    if (share >= threshold) return { type, share: round(share), nonEmpty: nonEmpty.length };
  }
  return { type: 'string', share: 1, nonEmpty: nonEmpty.length };
}

/** Rounds a share or a confidence to three decimals, as reported. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
