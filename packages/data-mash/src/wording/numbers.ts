// Numbers as the HTML report and the console write them: figures, shares, years, counts of things.
import { formatFigure } from '../insights/wording.js';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });

/**
 * A figure as the whole report writes it ({@link formatFigure}): integers in full with
 * separators, other numbers to 4 significant digits, tiny and huge ones in exponent form
 * (`5.2e-5`). `scale` (the size of the column's values) turns rounding noise such as `1e-17`
 * into `0`. `–` for no number.
 */
export function num(value: number | null | undefined, scale = 0): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return formatFigure(value, scale);
}

/** A year as people write it: `1995`, never `1,995`; a mean or quantile between years to 2 decimals (`2008.85`). */
export function yearText(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 2 });
}

/** A number to 3 significant digits in at most about 6 characters, for tight labels: `21.9M`, `1,230`, `0.0153`. */
export function short(value: number): string {
  const size = Math.abs(value);
  if (size >= 1e4 && size < 1e15) return compact.format(Number(value.toPrecision(3)));
  return num(Number(value.toPrecision(3)));
}

/** A share (0-1) as `45.7 %`, `< 0.1 %` for small non-zero shares, `–` when the whole is 0. */
export function share(part: number, whole: number): string {
  if (whole <= 0) return '–';
  const value = part / whole;
  if (value > 0 && value < 0.001) return '< 0.1 %';
  return `${Math.round(value * 1000) / 10} %`;
}

/** A count of things: `1 row`, `3 rows`, `1,204 days` (the count by {@link num}). */
export function plural(count: number, noun: string): string {
  return `${num(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** `612 MB`, `1.2 KB`, `80 B`: a size as people read it (powers of 1000, as disks are sold). */
export function bytesText(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 || value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
