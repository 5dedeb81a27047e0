import type { JourneyRecord } from '@platform/foundations';
import type { DateProfile, DateUnit } from '../../insights/dates.js';
import { duration, figure } from '../output.js';
import { WIDTH } from './charts.js';
import { escapeHtml, labelWidth, px, spaced, svg, svgText } from './html.js';

type TickUnit = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year';

const MS: Record<TickUnit, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  month: 30.44 * 86_400_000,
  year: 365.25 * 86_400_000,
};

// Tick steps, finest first: the first that gives at most 6 ticks is used.
const STEPS: ReadonlyArray<[TickUnit, number]> = [
  ...[1, 5, 15, 30].map((step): [TickUnit, number] => ['second', step]),
  ...[1, 5, 15, 30].map((step): [TickUnit, number] => ['minute', step]),
  ...[1, 3, 6, 12].map((step): [TickUnit, number] => ['hour', step]),
  ...[1, 2, 7, 14].map((step): [TickUnit, number] => ['day', step]),
  ...[1, 2, 3, 6].map((step): [TickUnit, number] => ['month', step]),
  ...[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].map((step): [TickUnit, number] => ['year', step]),
];

// The instant `time` rounded down to a multiple of `step` units (calendar months and years, UTC).
function floorTo(time: number, unit: TickUnit, step: number): number {
  const date = new Date(time);
  if (unit === 'year') return Date.UTC(Math.floor(date.getUTCFullYear() / step) * step, 0, 1);
  if (unit === 'month') return Date.UTC(date.getUTCFullYear(), Math.floor(date.getUTCMonth() / step) * step, 1);
  // Steps of days start on the first date's day; of hours, minutes and seconds, on a multiple of the step.
  const size = MS[unit] * (unit === 'day' ? 1 : step);
  return Math.floor(time / size) * size;
}

function add(time: number, unit: TickUnit, step: number): number {
  const date = new Date(time);
  if (unit === 'year') return Date.UTC(date.getUTCFullYear() + step, 0, 1);
  if (unit === 'month') return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + step, 1);
  return time + MS[unit] * step;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function tickText(time: number, unit: TickUnit, sameDay: boolean): string {
  const iso = new Date(time).toISOString();
  if (unit === 'year') return iso.slice(0, 4);
  if (unit === 'month') return `${MONTHS[new Date(time).getUTCMonth()]} ${iso.slice(0, 4)}`;
  if (unit === 'day') return iso.slice(0, 10);
  const clock = unit === 'second' ? iso.slice(11, 19) : iso.slice(11, 16);
  return sameDay ? clock : `${iso.slice(5, 10)} ${clock}`;
}

/** A date as precise as the column is: `2024`, `2024-03`, `2024-03-15`, `2024-03-15 14:05`. */
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
    if (seconds >= size || unit === 'second') {
      const value = Number((seconds / size).toPrecision(3));
      return `${figure(value)} ${unit}${value === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} s`;
}

/** A date column's span on a calendar axis: a band from its first to its last date. */
export function dateTimeline(name: string, dates: DateProfile): string {
  const min = Date.parse(dates.min);
  const max = Date.parse(dates.max);
  if (Number.isNaN(min) || Number.isNaN(max)) return '';
  const span = Math.max(max - min, 1000);
  const [unit, step] = STEPS.find(([candidate, size]) => span / (MS[candidate] * size) <= 6) ?? ['year', 1000];
  const from = floorTo(min, unit, step);
  let to = from;
  while (to < max || to === from) to = add(to, unit, step);
  const left = 40;
  const right = WIDTH - 40;
  const xOf = (time: number) => left + ((right - left) * (time - from)) / (to - from);
  const ticks: Array<{ x: number; text: string }> = [];
  const sameDay = new Date(from).toISOString().slice(0, 10) === new Date(to - 1).toISOString().slice(0, 10);
  for (let time = from; time <= to; time = add(time, unit, step))
    ticks.push({ x: xOf(time), text: tickText(time, unit, sameDay) });
  const first = dateText(dates.min, dates.precision);
  const last = dateText(dates.max, dates.precision);
  const x0 = xOf(min);
  const x1 = Math.max(xOf(max), x0 + 2);
  const parts = [
    `<rect class="span" x="${px(x0)}" y="22" width="${px(x1 - x0)}" height="14"><title>${escapeHtml(`${first} to ${last}: ${figure(dates.count)} dates`)}</title></rect>`,
    `<line class="axis" x1="${left}" x2="${right}" y1="44" y2="44"/>`,
  ];
  if (x1 - x0 > labelWidth(first) + labelWidth(last) + 12)
    parts.push(svgText(x0, 16, first, 'text-anchor="start"'), svgText(x1, 16, last, 'text-anchor="end"'));
  else parts.push(svgText((x0 + x1) / 2, 16, first === last ? first : `${first} – ${last}`));
  for (const tick of spaced(ticks))
    parts.push(
      `<line class="axis" x1="${px(tick.x)}" x2="${px(tick.x)}" y1="44" y2="48"/>`,
      svgText(tick.x, 61, tick.text, 'class="tick"'),
    );
  return svg('dates', WIDTH, 68, `Timeline of ${name}: from ${first} to ${last}`, parts.join(''));
}

/** The journey's milestones on a time axis, failed ones in red. */
export function journeyTimeline(journey: JourneyRecord): string {
  const timed = journey.milestones.filter((milestone) => milestone.startedAt);
  if (timed.length === 0) return '<p>No milestone has started.</p>';
  const start = Math.min(...timed.map((milestone) => (milestone.startedAt as Date).getTime()));
  const end = Math.max(
    ...timed.map((milestone) => (milestone.completedAt ?? milestone.startedAt ?? new Date()).getTime()),
  );
  const span = Math.max(1, end - start);
  const left = 170;
  const scale = (WIDTH - left - 80) / span;
  const rows = journey.milestones.map((milestone, index) => {
    const y = index * 24;
    const name = svgText(left - 6, y + 13, milestone.name, 'text-anchor="end"');
    if (!milestone.startedAt) return `${name}${svgText(left, y + 13, milestone.status, 'text-anchor="start"')}`;
    const took = (milestone.completedAt ?? milestone.startedAt).getTime() - milestone.startedAt.getTime();
    const x = left + (milestone.startedAt.getTime() - start) * scale;
    const width = Math.max(2, took * scale);
    const error = milestone.error ? `, ${milestone.error.code}: ${milestone.error.message}` : '';
    return `<g class="${escapeHtml(milestone.status)}"><title>${escapeHtml(`${milestone.name}: ${milestone.status}, ${duration(took)}${error}`)}</title>${name}<rect class="bar" x="${px(x)}" y="${y}" width="${px(width)}" height="18"/>${svgText(x + width + 4, y + 13, duration(took), 'text-anchor="start"')}</g>`;
  });
  const label = `Milestones of journey ${journey.id}: ${journey.milestones.map((milestone) => `${milestone.name} ${milestone.status}`).join(', ')}`;
  return svg('timeline', WIDTH, journey.milestones.length * 24, label, rows.join(''));
}
