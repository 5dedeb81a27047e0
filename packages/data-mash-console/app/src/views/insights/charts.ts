// The charts of the Insights tab, as Observable Plot drawings: each takes the Plot module (loaded
// on this tab only) and the width of its container. Colours are CSS variables of insights.css, so
// that charts follow the light and dark schemes; every mark has a tip with its exact figures.
import { divergingRgb, NO_VALUE_COLOR, type Rgb, sequentialRgb, whiteTextOn } from '@platform/data-mash/wording';
import type { DrawChart } from './plot-figure.js';
import type { DateProfile, DateUnit, NumericProfile } from './types.js';
import { dateText, num, periodText, short, type ValueFormat, yearText } from './wording.js';

const FONT = 12;
const STYLE = { background: 'transparent', color: 'var(--text)', fontSize: `${FONT}px`, overflow: 'visible' };
const BAR = 'var(--chart-bar)';
const MUTED = 'var(--chart-muted)';
const WARN = 'var(--chart-warn)';

/** About how wide a label is at the charts' font size. */
function labelWidth(text: string): number {
  return Math.ceil(text.length * FONT * 0.6);
}

/** A label cut in the middle to `max` characters: `very_lo…_name`. */
export function clipMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  return `${text.slice(0, head)}…${text.slice(text.length - (max - 1 - head))}`;
}

/** A value as a label: the empty string said as such. */
export function valueLabel(value: string): string {
  return value === '' ? '(empty)' : value;
}

/** Ticks of a count axis: every whole number while there are few, else about `count` (Plot's choice). */
function countTicks(most: number, count: number): number | number[] {
  return most <= count ? Array.from({ length: Math.max(1, Math.ceil(most)) + 1 }, (_, index) => index) : count;
}

/** One bar of a horizontal bar chart. */
export interface Bar {
  label: string;
  count: number;
  /** Written at the end of the bar: `641 · 43.9 %`. */
  caption: string;
  /** The tip: the bar's exact figures in words. */
  title: string;
  muted?: boolean;
}

/** Horizontal bars, one a label, each with its figures at its end: top values, keywords, a split. */
export function barsChart(bars: readonly Bar[]): DrawChart {
  return (Plot, width) => {
    const narrow = width < 480;
    const labels = bars.map((bar) => clipMiddle(bar.label, narrow ? 14 : 28));
    const marginLeft = Math.min(Math.max(...labels.map(labelWidth), 24) + 10, Math.floor(width * 0.4));
    const marginRight = Math.max(...bars.map((bar) => labelWidth(bar.caption)), 20) + 8;
    const indexes = bars.map((_, index) => index);
    return Plot.plot({
      width,
      height: 24 * bars.length + 34,
      marginLeft,
      marginRight,
      marginTop: 26,
      style: STYLE,
      x: {
        label: null,
        axis: 'top',
        grid: true,
        ticks: countTicks(
          Math.max(...bars.map((bar) => bar.count)),
          Math.max(2, Math.floor((width - marginLeft - marginRight) / 80)),
        ),
        tickFormat: short,
      },
      y: { label: null, domain: indexes, tickFormat: (index: number) => labels[index] ?? '', tickSize: 0 },
      marks: [
        Plot.barX(indexes, {
          y: (index: number) => index,
          x: (index: number) => bars[index]?.count ?? 0,
          fill: (index: number) => (bars[index]?.muted ? MUTED : BAR),
          title: (index: number) => bars[index]?.title ?? '',
          tip: true,
          insetTop: 2,
          insetBottom: 2,
        }),
        Plot.text(indexes, {
          y: (index: number) => index,
          x: (index: number) => bars[index]?.count ?? 0,
          text: (index: number) => bars[index]?.caption ?? '',
          textAnchor: 'start',
          dx: 4,
          fill: 'currentColor',
        }),
        Plot.ruleX([0]),
      ],
    });
  };
}

/** The name of a measure column's value axis: with its unit, as the report writes it (`price ($)`). */
function axisName(name: string, numeric: NumericProfile): string {
  return numeric.unit ? `${name} (${numeric.unit})` : name;
}

/**
 * A numeric column's histogram: value bins along x, counts up y, the median as a dashed line.
 * `format` writes the column's values as the report does (years plainly: `2012`).
 */
export function histogramChart(name: string, numeric: NumericProfile, format: ValueFormat): DrawChart {
  return (Plot, width) =>
    Plot.plot({
      width,
      height: 230,
      marginLeft: 52,
      marginBottom: 40,
      marginRight: 16,
      style: STYLE,
      x: {
        label: axisName(name, numeric),
        ticks: Math.max(3, Math.floor(width / 90)),
        tickFormat: format.plain ? yearText : short,
      },
      y: { label: 'count', grid: true, tickFormat: short, ticks: 5 },
      marks: [
        Plot.rectY(numeric.histogram, {
          x1: 'from',
          x2: 'to',
          y: 'count',
          fill: BAR,
          insetLeft: 0.5,
          insetRight: 0.5,
          title: (bin: { from: number; to: number; count: number }) =>
            `${format.value(bin.from)} to ${format.value(bin.to)}: ${num(bin.count)} value${bin.count === 1 ? '' : 's'}`,
          tip: true,
        }),
        Plot.ruleX([numeric.median], { stroke: WARN, strokeWidth: 2, strokeDasharray: '4,3' }),
        Plot.ruleY([0]),
      ],
    });
}

/** An integer column with few values: one bar a value, values along x (written by `format`), counts up y. */
export function valueCountsChart(
  name: string,
  numeric: NumericProfile,
  values: ReadonlyArray<{ value: number; count: number }>,
  format: ValueFormat,
): DrawChart {
  return (Plot, width) =>
    Plot.plot({
      width,
      height: 230,
      marginLeft: 52,
      marginBottom: 40,
      style: STYLE,
      x: {
        label: axisName(name, numeric),
        type: 'band',
        tickFormat: format.value,
        // Every value while they fit; else every n-th.
        ...(values.length * 28 > width
          ? {
              ticks: values
                .filter((_, index) => index % Math.ceil((values.length * 28) / width) === 0)
                .map((entry) => entry.value),
            }
          : {}),
      },
      y: { label: 'count', grid: true, tickFormat: short, ticks: 5 },
      marks: [
        Plot.barY(values, {
          x: 'value',
          y: 'count',
          fill: BAR,
          title: (entry: { value: number; count: number }) => `${format.value(entry.value)}: ${num(entry.count)}`,
          tip: true,
        }),
        Plot.ruleY([0]),
      ],
    });
}

const UNIT_MS: Record<DateUnit, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30.44 * 86_400_000,
  quarter: 91.31 * 86_400_000,
  year: 365.25 * 86_400_000,
};

/**
 * A date column over time: dates per period as bars on a calendar axis, counts up y; the periods
 * with no date at all marked in orange along the axis.
 */
export function timelineChart(name: string, dates: DateProfile): DrawChart {
  const bins = dates.histogram.map((bin) => ({ from: new Date(bin.from), to: new Date(bin.to), count: bin.count }));
  const most = Math.max(1, ...bins.map((bin) => bin.count));
  const missing = dates.missingPeriods;
  const gaps = (missing?.runs ?? []).map((run) => ({
    from: new Date(run.from),
    to: new Date(Date.parse(run.to) + UNIT_MS[missing?.unit ?? 'day']),
    text: `no date: ${run.from === run.to ? periodText(run.from, missing?.unit ?? 'day') : `${periodText(run.from, missing?.unit ?? 'day')} to ${periodText(run.to, missing?.unit ?? 'day')}`}`,
  }));
  return (Plot, width) =>
    Plot.plot({
      width,
      height: 230,
      marginLeft: 52,
      marginBottom: 40,
      marginRight: 20,
      style: STYLE,
      x: { type: 'utc', label: name, ticks: Math.max(2, Math.floor(width / 110)) },
      y: { label: 'count', grid: true, tickFormat: short, ticks: 5 },
      marks: [
        Plot.rectY(bins, {
          x1: 'from',
          x2: 'to',
          y: 'count',
          fill: BAR,
          insetLeft: 0.5,
          insetRight: 0.5,
          title: (bin: { from: Date; to: Date; count: number }) =>
            `${dateText(bin.from.toISOString(), dates.precision)} to ${dateText(bin.to.toISOString(), dates.precision)}: ${num(bin.count)} date${bin.count === 1 ? '' : 's'}`,
          tip: true,
        }),
        Plot.rect(gaps, {
          x1: 'from',
          x2: 'to',
          y1: 0,
          y2: most * 0.06,
          fill: WARN,
          title: 'text',
          tip: true,
        }),
        Plot.ruleY([0]),
      ],
    });
}

/** A cell of a heatmap. */
export interface HeatCell {
  x: string;
  y: string;
  /** The coefficient; null when it is not defined. */
  value: number | null;
  title: string;
}

const INK: Rgb = [27, 31, 36];

// A cell's colour, rounded for CSS, and near-black or white text, whichever contrasts more.
function cellColor(rgb: Rgb): { fill: string; ink: string } {
  return {
    fill: `rgb(${rgb.map((channel) => Math.round(channel)).join(',')})`,
    ink: whiteTextOn(rgb, INK) ? '#ffffff' : '#1b1f24',
  };
}

/** A diverging colour: red for -1, near white for 0, blue for 1 (as the report's heatmap). */
export function divergingColor(value: number | null): { fill: string; ink: string } {
  return value === null ? { fill: NO_VALUE_COLOR, ink: '#1b1f24' } : cellColor(divergingRgb(value));
}

/** A sequential colour from near white (0) to purple (1): Cramér's V. */
export function sequentialColor(value: number | null): { fill: string; ink: string } {
  return value === null ? { fill: NO_VALUE_COLOR, ink: '#1b1f24' } : cellColor(sequentialRgb(value));
}

/** A square matrix of labelled cells (coefficients to 2 decimals), both axes named by column. */
export function heatmapChart(
  names: readonly string[],
  cells: readonly HeatCell[],
  color: (value: number | null) => { fill: string; ink: string },
): DrawChart {
  return (Plot, width) => {
    const labels = names.map((name) => clipMiddle(name, width < 480 ? 12 : 20));
    const byName = new Map(names.map((name, index) => [name, labels[index] as string]));
    const longest = Math.max(...labels.map(labelWidth));
    const marginLeft = longest + 10;
    const cell = Math.max(16, Math.min(64, Math.floor((width - marginLeft - 10) / names.length)));
    const marginBottom = Math.ceil(longest * 0.75) + 16;
    const showValues = cell >= 36;
    return Plot.plot({
      width: Math.min(width, marginLeft + cell * names.length + 10),
      height: cell * names.length + marginBottom + 10,
      marginLeft,
      marginBottom,
      marginTop: 10,
      marginRight: 10,
      style: STYLE,
      x: {
        domain: names,
        label: null,
        tickFormat: (name: string) => byName.get(name) ?? name,
        tickRotate: -40,
        tickSize: 0,
      },
      y: { domain: names, label: null, tickFormat: (name: string) => byName.get(name) ?? name, tickSize: 0 },
      marks: [
        Plot.cell(cells, {
          x: 'x',
          y: 'y',
          fill: (entry: HeatCell) => color(entry.value).fill,
          inset: 0.5,
          title: 'title',
          tip: true,
        }),
        ...(showValues
          ? [
              Plot.text(cells, {
                x: 'x',
                y: 'y',
                text: (entry: HeatCell) => (entry.value === null ? '–' : entry.value.toFixed(2)),
                fill: (entry: HeatCell) => color(entry.value).ink,
              }),
            ]
          : []),
      ],
    });
  };
}

/** A cell of the missing-values matrix: one column over one range of sampled rows. */
export interface MissingCell {
  column: string;
  range: string;
  share: number;
  title: string;
}

/** Missing values by column (x) and range of sampled rows (y): the darker, the more missing. */
export function missingMatrixChart(
  columns: readonly string[],
  ranges: readonly string[],
  cells: readonly MissingCell[],
): DrawChart {
  return (Plot, width) => {
    const narrow = width < 480;
    const labels = new Map(columns.map((name) => [name, clipMiddle(name, narrow ? 10 : 16)]));
    const longest = Math.max(...[...labels.values()].map(labelWidth));
    const rotate = (width - 110) / columns.length < longest + 8;
    return Plot.plot({
      width,
      height: 18 * ranges.length + (rotate ? Math.ceil(longest * 0.7) + 20 : 40),
      marginLeft: Math.max(...ranges.map(labelWidth)) + 10,
      marginBottom: rotate ? Math.ceil(longest * 0.7) + 16 : 30,
      marginTop: 6,
      marginRight: 10,
      style: STYLE,
      x: {
        domain: columns,
        label: null,
        tickFormat: (name: string) => labels.get(name) ?? name,
        ...(rotate ? { tickRotate: -40 } : {}),
        tickSize: 0,
      },
      y: { domain: ranges, label: null, tickSize: 0 },
      marks: [
        Plot.cell(cells, { x: 'column', y: 'range', fill: 'var(--chart-present)', inset: 0.5 }),
        Plot.cell(cells, {
          x: 'column',
          y: 'range',
          fill: 'var(--chart-missing)',
          fillOpacity: (entry: MissingCell) => (entry.share === 0 ? 0 : 0.25 + 0.75 * entry.share),
          inset: 0.5,
          title: 'title',
          tip: true,
        }),
      ],
    });
  };
}
