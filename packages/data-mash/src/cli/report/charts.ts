import type { NumericProfile } from '../../insights/column-profile.js';
import { figure } from '../output.js';
import { clip, escapeHtml, niceTicks, px, share, short, spaced, svg, svgText, tickLabel } from './html.js';

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

/**
 * A histogram with labelled axes: counts up the y axis, the column's values (with their unit)
 * along the x axis, round ticks on both. Far outliers left out of the bins
 * (`histogramOutside`) are drawn apart, beyond a break in the axis, in another colour.
 */
export function histogram(name: string, numeric: NumericProfile): string {
  const bins = numeric.histogram;
  const first = bins[0];
  const last = bins.at(-1);
  if (!first || !last) return '';
  const below = numeric.histogramOutside?.below ?? 0;
  const above = numeric.histogramOutside?.above ?? 0;
  const plotLeft = H.left + (below > 0 ? SLOT + SLOT_GAP : 0);
  const plotRight = H.width - H.right - (above > 0 ? SLOT + SLOT_GAP : 0);
  const bottom = H.height - H.bottom;
  const maxCount = Math.max(1, below, above, ...bins.map((bin) => bin.count));
  const { step } = niceTicks(0, maxCount, 4, true);
  const top = Math.max(maxCount, Math.ceil(maxCount / step - 1e-9) * step);
  const y = { step, ticks: Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step) };
  // A bin with any value is at least 2 px tall: one far outlier among thousands stays visible.
  const yOf = (count: number) => Math.min(bottom - (count > 0 ? 2 : 0), bottom - ((bottom - H.top) * count) / top);
  const xOf = (value: number) =>
    plotLeft + ((plotRight - plotLeft) * (value - first.from)) / (last.to - first.from || 1);
  const total = numeric.count;
  const parts: string[] = [];
  for (const tick of y.ticks) {
    parts.push(
      `<line class="grid" x1="${H.left}" x2="${H.width - H.right}" y1="${px(yOf(tick))}" y2="${px(yOf(tick))}"/>`,
      svgText(H.left - 6, yOf(tick) + 4, tickLabel(tick, y.step), 'class="tick" text-anchor="end"'),
    );
  }
  bins.forEach((bin, index) => {
    const x0 = xOf(bin.from);
    const x1 = xOf(bin.to);
    const closing = index === bins.length - 1 ? ']' : ')';
    const title = `[${figure(bin.from)}, ${figure(bin.to)}${closing}: ${figure(bin.count)} (${share(bin.count, total)})`;
    parts.push(
      `<rect class="bin" x="${px(x0 + 0.5)}" y="${px(yOf(bin.count))}" width="${px(Math.max(1, x1 - x0 - 1))}" height="${px(bottom - yOf(bin.count))}"><title>${escapeHtml(title)}</title></rect>`,
    );
  });
  const ticks: Array<{ x: number; text: string; extra?: string }> = [];
  const slot = (count: number, x: number, side: 'below' | 'above') => {
    const edge = side === 'below' ? first.from : last.to;
    const far = side === 'below' ? numeric.min : numeric.max;
    const title = `${figure(count)} far outlier${count === 1 ? '' : 's'} ${side} ${figure(edge)} (to ${figure(far)}), beyond 3 IQR from the quartiles: ${share(count, total)}`;
    parts.push(
      `<rect class="bin outside" x="${px(x)}" y="${px(yOf(count))}" width="${SLOT}" height="${px(bottom - yOf(count))}"><title>${escapeHtml(title)}</title></rect>`,
    );
    // The axis break between the bins and the outliers.
    const mid = side === 'below' ? x + SLOT + SLOT_GAP / 2 : x - SLOT_GAP / 2;
    parts.push(`<path class="axis" d="M${px(mid - 4)} ${bottom + 4}l4 -8M${px(mid)} ${bottom + 4}l4 -8"/>`);
    ticks.push({
      x: x + SLOT / 2,
      text: `${side === 'below' ? '<' : '>'} ${short(edge)}`,
      extra: 'class="tick outside"',
    });
  };
  if (below > 0) slot(below, H.left, 'below');
  if (above > 0) slot(above, H.width - H.right - SLOT, 'above');
  const x = niceTicks(first.from, last.to, 6);
  for (const tick of x.ticks) ticks.push({ x: xOf(tick), text: tickLabel(tick, x.step) });
  for (const tick of spaced(ticks)) {
    parts.push(
      `<line class="axis" x1="${px(tick.x)}" x2="${px(tick.x)}" y1="${bottom}" y2="${bottom + 4}"/>`,
      svgText(tick.x, bottom + 16, tick.text, tick.extra ?? 'class="tick"'),
    );
  }
  parts.push(
    `<line class="axis" x1="${plotLeft}" x2="${plotRight}" y1="${bottom}" y2="${bottom}"/>`,
    `<line class="axis" x1="${H.left}" x2="${H.left}" y1="${H.top}" y2="${bottom}"/>`,
    svgText(
      (plotLeft + plotRight) / 2,
      H.height - 8,
      `${clip(name, 48)}${numeric.unit ? ` (${numeric.unit})` : ''}`,
      'class="axis-title"',
    ),
    svgText(0, 0, 'count', `class="axis-title" transform="translate(14 ${px((H.top + bottom) / 2)}) rotate(-90)"`),
  );
  const outside = [
    below > 0 ? `${figure(below)} far outliers below ${figure(first.from)}` : '',
    above > 0 ? `${figure(above)} far outliers above ${figure(last.to)}` : '',
  ].filter(Boolean);
  const label = `Histogram of ${name}: ${bins.length} bins from ${figure(first.from)} to ${figure(last.to)}, counts up to ${figure(Math.max(...bins.map((bin) => bin.count)))}${outside.length > 0 ? `; drawn apart: ${outside.join(', ')}` : ''}`;
  return svg('histogram', H.width, H.height, label, parts.join(''));
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
    const title = `${segment.key}: ${figure(segment.count)} (${share(segment.count, total)})`;
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
  const label = `${name}: true ${figure(counts.true)}, false ${figure(counts.false)}, missing ${figure(missing)} of ${figure(total)} values`;
  return svg('boolean', WIDTH, 52, label, parts.join(''));
}
