// How figures are written in sentences: significant digits, no floating-point noise, plain units.

const CURRENCY_FIRST = new Set(['$', '£', '¥', '₹', '₩', '₽']);

/**
 * A figure as a reader wants it: integers in full with separators (`12,345`), other numbers to
 * four significant digits but never fewer than their integer digits (`0.00196`, `12.35`,
 * `1,235`), very small and very large ones in exponent form (`1.96e-7`). `noise` is the size
 * below a billionth of which a computed figure (a mean against its standard deviation) is
 * floating-point noise and written `0`; 0 for data values, which are never rounded away.
 * `unit` (`%`, `$`, `€`) is written where readers expect it.
 */
export function formatFigure(value: number, noise = 0, unit?: string): string {
  if (!Number.isFinite(value)) return String(value);
  const cleaned = noise > 0 && Math.abs(value) < noise * 1e-9 ? 0 : value;
  let text: string;
  const magnitude = Math.abs(cleaned);
  if (cleaned === 0) text = '0';
  else if (Number.isInteger(cleaned) && magnitude < 1e21) text = cleaned.toLocaleString('en-US');
  else if (magnitude >= 1e15 || magnitude < 1e-4) text = cleaned.toExponential(3).replace(/\.?0+e/, 'e');
  else if (magnitude >= 1) {
    const integerDigits = Math.floor(Math.log10(magnitude)) + 1;
    text = cleaned.toLocaleString('en-US', { maximumFractionDigits: Math.max(0, 4 - integerDigits) });
  } else text = cleaned.toLocaleString('en-US', { maximumSignificantDigits: 4 });
  if (text === '-0') text = '0';
  if (!unit) return text;
  if (unit === '%') return `${text}%`;
  if (CURRENCY_FIRST.has(unit)) return text.startsWith('-') ? `-${unit}${text.slice(1)}` : `${unit}${text}`;
  return `${text} ${unit}`;
}

/** A share as a percentage to at most one decimal, never rounded to 0 or 100 when it is not: `0.4567` -> `45.7 %`. */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) return '0 %';
  const percent = (part / whole) * 100;
  if (part > 0 && percent < 0.1) return 'under 0.1 %';
  if (part < whole && percent > 99.9) return 'over 99.9 %';
  return `${Math.round(percent * 10) / 10} %`;
}

/** Units of time, largest first, with their length in seconds (a year of 365.25 days). */
export const TIME_UNITS: ReadonlyArray<[string, number]> = [
  ['year', 365.25 * 86_400],
  ['day', 86_400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** A duration in the largest unit it fills, to at most one decimal: `3 days`, `1.5 hours`, `45 seconds`. */
export function formatDuration(seconds: number): string {
  const [name, length] =
    TIME_UNITS.find(([, size]) => seconds >= size) ?? (TIME_UNITS[TIME_UNITS.length - 1] as [string, number]);
  const amount = Math.round((seconds / length) * 10) / 10;
  return `${formatFigure(amount)} ${name}${amount === 1 ? '' : 's'}`;
}
