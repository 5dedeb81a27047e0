import type { NumericProfile } from '../insights/column-profile.js';
import { num, share, short, type ValueFormat, yearText } from '../wording/index.js';
import { clip, escapeHtml, labelWidth, niceTicks, px, spaced, svg, svgText, tickLabel } from './html.js';

/** The width every chart is drawn at (it scales down with the page). */
export const WIDTH = 560;
const BAR = 18;

/** One bar of a {@link bars} chart. */
export interface Bar {
  label: string;
  value: number;
  /** What the bar's end says, e.g. `641 · 43.9 %`. */
  caption: string;
  /** What hovering the bar shows. */
  title: string;
  muted?: boolean;
}

/** Horizontal bars with their labels on the left and figures at their ends. */
export function bars(className: string, label: string, items: readonly Bar[]): string {
  const max = Math.max(1, ...items.map((item) => item.value));
  const left = 170;
  const room = WIDTH - left - 110;
  const rows = items.map((item, index) => {
    const y = index * (BAR + 4);
    const width = Math.max(1, (room * item.value) / max);
    return `<g${item.muted ? ' class="muted"' : ''}><title>${escapeHtml(item.title)}</title>${svgText(left - 6, y + 13, clip(item.label, 26), 'text-anchor="end"')}<rect class="bar" x="${left}" y="${y}" width="${px(width)}" height="${BAR}"/>${svgText(left + width + 4, y + 13, item.caption, 'text-anchor="start"')}</g>`;
  });
  return svg(`bars ${className}`, WIDTH, items.length * (BAR + 4), label, rows.join(''));
}

const H = { width: WIDTH, height: 214, top: 14, left: 56, right: 14, bottom: 48 };
const SLOT = 34;
const SLOT_GAP = 18;
// The rotated y-axis title's baseline, and the room it takes (12 px bold, turned: about 9 px
// left of the baseline, 3 px right of it) plus a gap before the widest tick label.
const Y_TITLE_X = 16;
const Y_TITLE_ROOM = 10;

/**
 * A y axis of counts from 0 up past `maxCount`: round ticks, grid lines, and the title `count`
 * turned along it (`title`, to draw after the x axis's), clear of the widest tick label (the
 * plot starts right of both: `left`).
 */
export function countAxis(
  maxCount: number,
  top: number,
  bottom: number,
  right: number,
): { left: number; yOf: (count: number) => number; parts: string[]; title: string } {
  const max = Math.max(1, maxCount);
  const { step } = niceTicks(0, max, 4, true);
  const highest = Math.max(max, Math.ceil(max / step - 1e-9) * step);
  const ticks = Array.from({ length: Math.round(highest / step) + 1 }, (_, index) => index * step);
  const labels = ticks.map((tick) => tickLabel(tick, step));
  // Tick labels are drawn at 11 px; digits are a little wider than the average glyph.
  const widest = Math.max(...labels.map((label) => labelWidth(label) * 1.1));
  const left = Math.max(H.left, Math.ceil(Y_TITLE_X + Y_TITLE_ROOM + widest + 6));
  // A bar with any count is at least 2 px tall: one far outlier among thousands stays visible.
  const yOf = (count: number) => Math.min(bottom - (count > 0 ? 2 : 0), bottom - ((bottom - top) * count) / highest);
  const parts: string[] = [];
  ticks.forEach((tick, index) => {
    parts.push(
      `<line class="grid" x1="${left}" x2="${px(right)}" y1="${px(yOf(tick))}" y2="${px(yOf(tick))}"/>`,
      svgText(left - 6, yOf(tick) + 4, labels[index] as string, 'class="tick" text-anchor="end"'),
    );
  });
  parts.push(`<line class="axis" x1="${left}" x2="${left}" y1="${top}" y2="${bottom}"/>`);
  const title = svgText(
    0,
    0,
    'count',
    `class="axis-title" transform="translate(${Y_TITLE_X} ${px((top + bottom) / 2)}) rotate(-90)"`,
  );
  return { left, yOf, parts, title };
}

function ticksAlong(
  parts: string[],
  ticks: ReadonlyArray<{ x: number; text: string; extra?: string }>,
  bottom: number,
): void {
  for (const tick of spaced(ticks)) {
    parts.push(
      `<line class="axis" x1="${px(tick.x)}" x2="${px(tick.x)}" y1="${bottom}" y2="${bottom + 4}"/>`,
      svgText(tick.x, bottom + 16, tick.text, tick.extra ?? 'class="tick"'),
    );
  }
}

function axisName(name: string, numeric: NumericProfile): string {
  return `${clip(name, 48)}${numeric.unit ? ` (${numeric.unit})` : ''}`;
}

/**
 * A histogram with labelled axes: counts up the y axis, the column's values (with their unit)
 * along the x axis, round ticks on both (whole numbers for an integer column, years without
 * separators). Far outliers left out of the bins (`histogramOutside`) are drawn apart, beyond a
 * break in the axis, in another colour.
 */
export function histogram(name: string, numeric: NumericProfile, format: ValueFormat): string {
  const bins = numeric.histogram;
  const first = bins[0];
  const last = bins.at(-1);
  if (!first || !last) return '';
  const below = numeric.histogramOutside?.below ?? 0;
  const above = numeric.histogramOutside?.above ?? 0;
  const bottom = H.height - H.bottom;
  const axis = countAxis(Math.max(below, above, ...bins.map((bin) => bin.count)), H.top, bottom, H.width - H.right);
  const plotLeft = axis.left + (below > 0 ? SLOT + SLOT_GAP : 0);
  const plotRight = H.width - H.right - (above > 0 ? SLOT + SLOT_GAP : 0);
  const { yOf } = axis;
  const xOf = (value: number) =>
    plotLeft + ((plotRight - plotLeft) * (value - first.from)) / (last.to - first.from || 1);
  const total = numeric.count;
  const parts: string[] = [...axis.parts];
  bins.forEach((bin, index) => {
    const x0 = xOf(bin.from);
    const x1 = xOf(bin.to);
    const closing = index === bins.length - 1 ? ']' : ')';
    const title = `[${format.value(bin.from)}, ${format.value(bin.to)}${closing}: ${num(bin.count)} (${share(bin.count, total)})`;
    parts.push(
      `<rect class="bin" x="${px(x0 + 0.5)}" y="${px(yOf(bin.count))}" width="${px(Math.max(1, x1 - x0 - 1))}" height="${px(bottom - yOf(bin.count))}"><title>${escapeHtml(title)}</title></rect>`,
    );
  });
  const ticks: Array<{ x: number; text: string; extra?: string }> = [];
  const slot = (count: number, x: number, side: 'below' | 'above') => {
    const edge = side === 'below' ? first.from : last.to;
    const far = side === 'below' ? numeric.min : numeric.max;
    const title = `${num(count)} far outlier${count === 1 ? '' : 's'} ${side} ${format.value(edge)} (to ${format.value(far)}), beyond 3 IQR from the quartiles: ${share(count, total)}`;
    parts.push(
      `<rect class="bin outside" x="${px(x)}" y="${px(yOf(count))}" width="${SLOT}" height="${px(bottom - yOf(count))}"><title>${escapeHtml(title)}</title></rect>`,
    );
    // The axis break between the bins and the outliers.
    const mid = side === 'below' ? x + SLOT + SLOT_GAP / 2 : x - SLOT_GAP / 2;
    parts.push(`<path class="axis" d="M${px(mid - 4)} ${bottom + 4}l4 -8M${px(mid)} ${bottom + 4}l4 -8"/>`);
    ticks.push({
      x: x + SLOT / 2,
      text: `${side === 'below' ? '<' : '>'} ${format.plain ? yearText(Number(edge.toPrecision(4))) : short(edge)}`,
      extra: 'class="tick outside"',
    });
  };
  if (below > 0) slot(below, axis.left, 'below');
  if (above > 0) slot(above, H.width - H.right - SLOT, 'above');
  const x = niceTicks(first.from, last.to, 6, format.integer);
  for (const tick of x.ticks) ticks.push({ x: xOf(tick), text: tickLabel(tick, x.step, format.plain) });
  ticksAlong(parts, ticks, bottom);
  parts.push(
    `<line class="axis" x1="${px(plotLeft)}" x2="${px(plotRight)}" y1="${bottom}" y2="${bottom}"/>`,
    svgText((plotLeft + plotRight) / 2, H.height - 8, axisName(name, numeric), 'class="axis-title"'),

    axis.title,
  );
  const outside = [
    below > 0 ? `${num(below)} far outliers below ${format.value(first.from)}` : '',
    above > 0 ? `${num(above)} far outliers above ${format.value(last.to)}` : '',
  ].filter(Boolean);
  const label = `Histogram of ${name}: ${bins.length} bins from ${format.value(first.from)} to ${format.value(last.to)}, counts up to ${num(Math.max(...bins.map((bin) => bin.count)))}${outside.length > 0 ? `; drawn apart: ${outside.join(', ')}` : ''}`;
  return svg('histogram', H.width, H.height, label, parts.join(''));
}

/**
 * The count of each value of an integer column with few distinct values: one bar per value on
 * an axis of whole numbers (values between them that never occur are gaps), counts up the y axis.
 */
export function valueHistogram(
  name: string,
  numeric: NumericProfile,
  values: ReadonlyArray<{ value: number; count: number }>,
  format: ValueFormat,
): string {
  const first = values[0];
  const last = values.at(-1);
  if (!first || !last) return '';
  const bottom = H.height - H.bottom;
  const axis = countAxis(Math.max(...values.map((entry) => entry.count)), H.top, bottom, H.width - H.right);
  const { yOf } = axis;
  // Each whole number has a slot; the first and last values sit half a slot in.
  const from = first.value - 0.5;
  const to = last.value + 0.5;
  const xOf = (value: number) => axis.left + ((H.width - H.right - axis.left) * (value - from)) / (to - from);
  const closest = values
    .slice(1)
    .reduce((gap, entry, index) => Math.min(gap, entry.value - (values[index] as { value: number }).value), to - from);
  const width = Math.max(2, Math.min(48, (xOf(from + closest) - xOf(from)) * 0.8));
  const total = numeric.count;
  const parts: string[] = [...axis.parts];
  for (const entry of values) {
    const title = `${format.value(entry.value)}: ${num(entry.count)} (${share(entry.count, total)})`;
    parts.push(
      `<rect class="bin" x="${px(xOf(entry.value) - width / 2)}" y="${px(yOf(entry.count))}" width="${px(width)}" height="${px(bottom - yOf(entry.count))}"><title>${escapeHtml(title)}</title></rect>`,
    );
  }
  const span = last.value - first.value;
  const x =
    span <= 12
      ? { ticks: Array.from({ length: span + 1 }, (_, index) => first.value + index), step: 1 }
      : niceTicks(first.value, last.value, 8, true);
  ticksAlong(
    parts,
    x.ticks.map((tick) => ({ x: xOf(tick), text: tickLabel(tick, x.step, format.plain) })),
    bottom,
  );
  parts.push(
    `<line class="axis" x1="${axis.left}" x2="${H.width - H.right}" y1="${bottom}" y2="${bottom}"/>`,
    svgText((axis.left + H.width - H.right) / 2, H.height - 8, axisName(name, numeric), 'class="axis-title"'),

    axis.title,
  );
  const label = `Counts of each value of ${name}: ${values.map((entry) => `${format.value(entry.value)} ${num(entry.count)}`).join(', ')}`;
  return svg('histogram values', H.width, H.height, label, parts.join(''));
}

/** True, false and missing values as one bar of 100 %, with a legend. */
export function booleanBar(name: string, counts: { true: number; false: number }, missing: number): string {
  const total = counts.true + counts.false + missing;
  if (total === 0) return '';
  const segments = [
    { key: 'true', count: counts.true },
    { key: 'false', count: counts.false },
    { key: 'missing', count: missing },
  ];
  const parts: string[] = [];
  let x = 0;
  segments.forEach((segment, index) => {
    const width = (WIDTH * segment.count) / total;
    const title = `${segment.key}: ${num(segment.count)} (${share(segment.count, total)})`;
    if (width > 0)
      parts.push(
        `<rect class="bool-${segment.key}" x="${px(x)}" y="0" width="${px(width)}" height="26"><title>${escapeHtml(title)}</title></rect>`,
      );
    x += width;
    if (segment.key === 'missing' && segment.count === 0) return;
    const legend = index * 190;
    parts.push(
      `<rect class="bool-${segment.key}" x="${legend}" y="36" width="12" height="12"/>`,
      svgText(legend + 17, 46, title, 'text-anchor="start"'),
    );
  });
  const label = `${name}: true ${num(counts.true)}, false ${num(counts.false)}, missing ${num(missing)} of ${num(total)} values`;
  return svg('boolean', WIDTH, 52, label, parts.join(''));
}
