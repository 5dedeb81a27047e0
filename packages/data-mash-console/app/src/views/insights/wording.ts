// Figures and alerts in the words of the HTML report (packages/data-mash/src/report), so that the
// console and the report say the same thing the same way.
import type { ColumnProfile, DateUnit, QualityFlag } from './types.js';

const whole = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });

/**
 * A figure: integers in full with separators, other numbers to 4 significant digits, tiny and
 * huge ones in exponent form. `scale` (the size of the column's values) turns rounding noise
 * such as `1e-17` into `0`. `–` for no number.
 */
export function num(value: number | null | undefined, scale = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (scale > 0 && Math.abs(value) < scale * 1e-12) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return whole.format(value);
  const size = Math.abs(value);
  if (size !== 0 && (size < 1e-4 || size >= 1e15)) return value.toExponential(2).replace(/\.?0+e/, 'e');
  return whole.format(Number(value.toPrecision(4)));
}

/** A number in at most about 6 characters, for axis ticks: `21.9K`, `1,234`, `0.0153`. */
export function short(value: number): string {
  return Math.abs(value) >= 1e4 && Math.abs(value) < 1e15 ? compact.format(value) : num(Number(value.toPrecision(3)));
}

/** A part of a whole as a percentage with at most one decimal: `45.7 %`, `< 0.1 %`. */
export function share(part: number, whole: number): string {
  if (whole <= 0) return '–';
  const value = part / whole;
  if (value > 0 && value < 0.001) return '< 0.1 %';
  return `${Math.round(value * 1000) / 10} %`;
}

/** `1 row`, `3 rows`. */
export function plural(count: number, noun: string): string {
  return `${num(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** An ISO instant as precisely as its column is written: `2024`, `2024-05`, `2024-05-01`, `2024-05-01 12:30`. */
export function dateText(iso: string, precision: DateUnit): string {
  if (precision === 'year') return iso.slice(0, 4);
  if (precision === 'month' || precision === 'quarter') return iso.slice(0, 7);
  if (precision === 'day' || precision === 'week') return iso.slice(0, 10);
  return `${iso.slice(0, 10)} ${iso.slice(11, precision === 'second' ? 19 : 16)}`;
}

/** How long a gap is in words: `1 day`, `3.5 hours`. */
export function gapText(seconds: number): string {
  const units: Array<[string, number]> = [
    ['year', 365.25 * 86_400],
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
    ['second', 1],
  ];
  for (const [unit, size] of units) {
    if (seconds >= size || unit === 'second') return plural(Number((seconds / size).toPrecision(3)), unit);
  }
  return `${seconds} s`;
}

const ALERT_NAMES: Record<string, string> = {
  empty: 'empty',
  mostly_null: 'missing',
  constant: 'constant',
  duplicate_rows: 'duplicates',
  mixed_types: 'mixed types',
  formula_injection: 'formulas',
  many_zeros: 'zeros',
  skewed: 'skewed',
  imbalanced: 'imbalanced',
  high_cardinality: 'high cardinality',
  highly_correlated: 'correlated',
  unique: 'unique',
};

/** A short name of an alert's kind: `many_zeros` is `zeros`; an unknown kind as written. */
export function alertName(kind: string): string {
  return ALERT_NAMES[kind] ?? kind.replace(/_/g, ' ');
}

/** What an alert's figure is, in words: `zeros 57.4 %`, `r = 0.91`. */
export function alertFigure(flag: QualityFlag): string {
  const value = flag.figure;
  const percent = `${Math.round(value * 1000) / 10} %`;
  switch (flag.kind) {
    case 'mostly_null':
      return `missing ${percent}`;
    case 'many_zeros':
      return `zeros ${percent}`;
    case 'imbalanced':
      return `imbalance ${num(value)}`;
    case 'skewed':
      return `skewness ${num(value)}`;
    case 'highly_correlated':
      return `r = ${value.toFixed(2)}`;
    case 'duplicate_rows':
      return plural(value, 'row');
    case 'mixed_types':
      return `${num(value)} other values`;
    case 'formula_injection':
      return `${num(value)} values`;
    case 'high_cardinality':
    case 'unique':
    case 'constant':
      return `${num(value)} distinct`;
    default:
      return num(value);
  }
}

/** Warnings first, then the rest, each group in the profile's order. */
export function warningsFirst(flags: readonly QualityFlag[]): QualityFlag[] {
  return [
    ...flags.filter((flag) => flag.severity === 'warning'),
    ...flags.filter((flag) => flag.severity !== 'warning'),
  ];
}

/** The kind of personal data in words: `card_number` is `card number`. */
export function piiName(column: ColumnProfile): string | undefined {
  return column.pii?.replaceAll('_', ' ');
}

/** An element id for a column of a table, stable and safe in a URL fragment-free `id`. */
export function columnId(table: number, column: number): string {
  return `insights-t${table}-c${column}`;
}
