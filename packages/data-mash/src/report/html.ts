import { figure, printable } from '../text/readable.js';

// The report's figures are written by the wording it shares with the console (`num` is re-exported for its tests).
export { num } from '../wording/index.js';

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 });

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text from a user's file is never markup: every value goes through here. Control characters
 * and bidirectional controls are made visible first (as the CLI prints them, {@link printable}),
 * so that a value can neither break the page nor make text read in another order than it is.
 */
export function escapeHtml(value: unknown): string {
  return printable(value).replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

/** `text` cut to `max` characters (code points) with an ellipsis. */
export function clip(text: string, max: number): string {
  const chars = Array.from(printable(text));
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
}

/**
 * `text` cut in the middle to `max` characters: the end is kept, where names that share a
 * prefix differ (`sensor_re…_name_17`).
 */
export function clipMiddle(text: string, max: number): string {
  const chars = Array.from(printable(text));
  if (chars.length <= max) return chars.join('');
  const head = Math.floor((max - 1) * 0.4);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (max - 1 - head)).join('')}`;
}

/** A number to `digits` significant digits, without floating-point noise. */
export function fixed(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return figure(Number(value.toPrecision(digits)));
}

/** A coordinate for SVG: one decimal. */
export const px = (value: number): string => (Math.round(value * 10) / 10).toString();

/** An inline SVG chart: `role="img"` with a label for screen readers; hovering its parts shows their `<title>`. */
export function svg(className: string, width: number, height: number, label: string, body: string): string {
  return `<svg class="${className}" viewBox="0 0 ${px(width)} ${px(height)}" width="${px(width)}" height="${px(height)}" role="img" aria-label="${escapeHtml(label)}">${body}</svg>`;
}

/** Text in an SVG, centred on `x` unless `extra` anchors it otherwise. */
export function svgText(x: number, y: number, text: string, extra = ''): string {
  const anchor = extra.includes('text-anchor') ? '' : ' text-anchor="middle"';
  return `<text x="${px(x)}" y="${px(y)}"${anchor}${extra ? ` ${extra}` : ''}>${escapeHtml(text)}</text>`;
}

/**
 * "Nice" round ticks within `min` to `max`, about `count` of them: steps of 1, 2 or 5 times a
 * power of ten, the one nearest to the span / count (as d3's `ticks`).
 */
export function niceTicks(min: number, max: number, count = 5, integer = false): { ticks: number[]; step: number } {
  if (!(max > min) || !Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [min], step: 1 };
  const span = max - min;
  const power = 10 ** Math.floor(Math.log10(span / count));
  const error = span / count / power;
  let step = power * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1);
  if (integer) step = Math.max(1, Math.round(step));
  const first = Math.ceil(min / step - 1e-9);
  const ticks: number[] = [];
  for (let index = first; index * step <= max + step * 1e-9; index += 1)
    ticks.push(Number((index * step).toPrecision(12)));
  return { ticks, step };
}

// The decimals a step needs to be written exactly: 0.25 needs 2.
function decimalsOf(step: number): number {
  for (let digits = 0; digits < 10; digits += 1) {
    const scaled = step * 10 ** digits;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-6 * Math.max(1, scaled)) return digits;
  }
  return 10;
}

/**
 * An axis tick as people read it: `2.5`, `10,000`, `1.5M`, `2e-7`; the same decimals along an
 * axis (an axis whose step is tiny or huge is in exponent form throughout). `plain` writes the
 * number without separators or abbreviations: years (`1995`).
 */
export function tickLabel(value: number, step: number, plain = false): string {
  if (value === 0) return '0';
  const digits = decimalsOf(step);
  if (plain)
    return value.toLocaleString('en-US', {
      useGrouping: false,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    });
  const size = Math.abs(value);
  if (size >= 1e15 || step < 1e-4) {
    const exponent = Math.floor(Math.log10(size));
    return value.toExponential(Math.min(1, decimalsOf(step / 10 ** exponent)));
  }
  if (size >= 1e6) return compact.format(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** About how wide a label is at 11 px. */
export const labelWidth = (text: string, fontSize = 11): number => Array.from(text).length * fontSize * 0.6;

/**
 * Keeps the labels (centred on `x`) that do not overlap one kept before them, the ones listed
 * first winning: axis ticks never print over each other.
 */
export function spaced<T extends { x: number; text: string }>(labels: readonly T[], gap = 6): T[] {
  const kept: T[] = [];
  const taken: Array<[number, number]> = [];
  for (const label of labels) {
    const half = labelWidth(label.text) / 2;
    const from = label.x - half - gap / 2;
    const to = label.x + half + gap / 2;
    if (taken.some(([start, end]) => from < end && to > start)) continue;
    taken.push([from, to]);
    kept.push(label);
  }
  return kept;
}
