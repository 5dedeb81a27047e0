import type { JourneyRecord } from '@platform/foundations';
import type { DateProfile } from '../insights/dates.js';
import { duration } from '../text/readable.js';
import { nextPeriod } from '../wording/dates.js';
import { dateText, type MissingPeriods, num, periodText, plural, share } from '../wording/index.js';
import { countAxis, WIDTH } from './charts.js';
import { clip, escapeHtml, labelWidth, px, spaced, svg, svgText } from './html.js';

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

const T = { height: 178, top: 12, right: 14, bottom: 44 };

/**
 * A date column over time: how many dates fall in each of its histogram's 12 periods as bars on
 * a calendar axis (counts up the y axis), with the periods that have no date at all (of the
 * column's granularity) marked on the axis in orange. A profile without a histogram shows the
 * span from the first to the last date.
 */
export function dateTimeline(name: string, dates: DateProfile): string {
  const min = Date.parse(dates.min);
  const max = Date.parse(dates.max);
  if (Number.isNaN(min) || Number.isNaN(max)) return '';
  const span = Math.max(max - min, 1000);
  const [unit, step] = STEPS.find(([candidate, size]) => span / (MS[candidate] * size) <= 6) ?? ['year', 1000];
  const bins = (dates.histogram ?? []).filter((bin) => !Number.isNaN(Date.parse(bin.from)));
  // Bars span the first to the last date; a span alone is drawn on whole calendar units around it.
  let from = floorTo(min, unit, step);
  let to = from;
  while (to < max || to === from) to = add(to, unit, step);
  const ticks: Array<{ time: number; text: string }> = [];
  const sameDay = new Date(from).toISOString().slice(0, 10) === new Date(to - 1).toISOString().slice(0, 10);
  for (let time = from; time <= to; time = add(time, unit, step))
    ticks.push({ time, text: tickText(time, unit, sameDay) });
  if (bins.length > 0 && max > min) [from, to] = [min, max];
  const shown = ticks.filter((tick) => tick.time >= from && tick.time <= to);
  const bottom = T.height - T.bottom;
  // Room right of the plot for half the last tick label, which is centred on its tick.
  const right = WIDTH - Math.max(T.right, ...shown.map((tick) => labelWidth(tick.text) / 2 + 2));
  const axis = countAxis(Math.max(0, ...bins.map((bin) => bin.count)), T.top, bottom, right);
  const left = axis.left;
  const xOf = (time: number) => left + ((right - left) * (time - from)) / (to - from);
  const first = dateText(dates.min, dates.precision);
  const last = dateText(dates.max, dates.precision);
  const parts: string[] = [];
  if (bins.length > 0) {
    parts.push(...axis.parts);
    bins.forEach((bin, index) => {
      const start = Date.parse(bin.from);
      const end = Date.parse(bin.to);
      // A bin holds [from, to): its last date is just before `to`, but the last bin holds `to`.
      const until = dateText(new Date(index === bins.length - 1 ? end : end - 1).toISOString(), dates.precision);
      const since = dateText(bin.from, dates.precision);
      const title = `${since === until ? since : `${since} to ${until}`}: ${plural(bin.count, 'date')} (${share(bin.count, dates.count)})`;
      const x0 = xOf(start);
      const x1 = Math.max(xOf(end), x0 + 2);
      parts.push(
        `<rect class="bin" x="${px(x0 + 0.5)}" y="${px(axis.yOf(bin.count))}" width="${px(Math.max(1, x1 - x0 - 1))}" height="${px(bottom - axis.yOf(bin.count))}"><title>${escapeHtml(title)}</title></rect>`,
      );
    });
  } else {
    const x0 = xOf(min);
    const x1 = Math.max(xOf(max), x0 + 2);
    parts.push(
      `<rect class="span" x="${px(x0)}" y="${bottom - 16}" width="${px(x1 - x0)}" height="14"><title>${escapeHtml(`${first} to ${last}: ${plural(dates.count, 'date')}`)}</title></rect>`,
    );
  }
  for (const run of dates.missingPeriods?.runs ?? []) {
    const unitOfRun = (dates.missingPeriods as MissingPeriods).unit;
    const x0 = xOf(Date.parse(`${run.from.slice(0, 10)}T00:00:00Z`));
    const x1 = Math.max(xOf(nextPeriod(run.to, unitOfRun)), x0 + 2);
    const title = `no date: ${run.from === run.to ? periodText(run.from, unitOfRun) : `${periodText(run.from, unitOfRun)} to ${periodText(run.to, unitOfRun)}`}`;
    parts.push(
      `<rect class="gap" x="${px(x0)}" y="${bottom - 2}" width="${px(x1 - x0)}" height="5"><title>${escapeHtml(title)}</title></rect>`,
    );
  }
  parts.push(`<line class="axis" x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}"/>`);
  for (const tick of spaced(shown.map((entry) => ({ x: xOf(entry.time), text: entry.text }))))
    parts.push(
      `<line class="axis" x1="${px(tick.x)}" x2="${px(tick.x)}" y1="${bottom}" y2="${bottom + 4}"/>`,
      svgText(tick.x, bottom + 16, tick.text, 'class="tick"'),
    );
  parts.push(svgText((left + right) / 2, T.height - 6, clip(name, 48), 'class="axis-title"'));
  if (bins.length > 0) parts.push(axis.title);
  const most = Math.max(0, ...bins.map((bin) => bin.count));
  const gaps = dates.missingPeriods;
  const label = `Timeline of ${name}: from ${first} to ${last}${bins.length > 0 ? `, dates per period in ${bins.length} bars, up to ${num(most)}` : ''}${gaps && gaps.count > 0 ? `; ${plural(gaps.count, gaps.unit)} with no date` : ''}`;
  return svg('dates', WIDTH, T.height, label, parts.join(''));
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
