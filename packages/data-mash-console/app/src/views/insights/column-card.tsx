import { type Bar, clipMiddle, histogramChart, timelineChart, valueCountsChart, valueLabel } from './charts.js';
import { BarsFigure, DataTable, Figures, Note, type Row } from './figures.js';
import { PlotFigure } from './plot-figure.js';
import type { ColumnOutliers, ColumnProfile, DateProfile, NumericProfile, QualityFlag } from './types.js';
import {
  alertName,
  dateFigureRows,
  dateText,
  isUnique,
  missingPeriodsText,
  num,
  numericFigureRows,
  piiName,
  plural,
  share,
  valueCounts,
  valueFormat,
  valueRows,
} from './wording.js';

/** Missing values of a column as a bar: the share of its values that are missing. */
function MissingBar({ column }: { column: ColumnProfile }) {
  const part = column.count > 0 ? column.nulls / column.count : 0;
  return (
    <div class="missing-bar">
      <span class="missing-label">
        missing {num(column.nulls)} of {num(column.count)} ({share(column.nulls, column.count).replace(' %', '\u00a0%')}
        )
      </span>
      <span class="missing-track" aria-hidden="true" title={`${num(column.nulls)} missing of ${num(column.count)}`}>
        <span class="missing-fill" style={{ width: `${Math.min(100, part * 100)}%` }} />
      </span>
    </div>
  );
}

function MeasureBody({
  column,
  numeric,
  outliers,
}: {
  column: ColumnProfile;
  numeric: NumericProfile;
  outliers: readonly ColumnOutliers[];
}) {
  // Written as the report writes them: years plainly (`2012`), the column's unit among its figures.
  const format = valueFormat(column, numeric);
  const value = format.value;
  const { quantiles, descriptive } = numericFigureRows(column, numeric);
  if (numeric.infinite > 0) descriptive.push(['infinite', num(numeric.infinite)]);
  const counts = valueCounts(column, numeric);
  const outside = numeric.histogramOutside;
  const first = numeric.histogram[0]?.from ?? numeric.min;
  const last = numeric.histogram.at(-1)?.to ?? numeric.max;
  return (
    <>
      {counts ? (
        <PlotFigure
          caption={`Count of each value of ${column.name}`}
          draw={valueCountsChart(column.name, numeric, counts.values, format)}
        >
          <DataTable
            caption={`Count of each value of ${column.name}`}
            head={['value', 'count']}
            rows={counts.values.map((entry) => [value(entry.value), num(entry.count)])}
          />
        </PlotFigure>
      ) : (
        numeric.histogram.length > 0 && (
          <PlotFigure
            caption={`Distribution of ${column.name}: values per bin (dashed line: the median, ${value(numeric.median)})`}
            draw={histogramChart(column.name, numeric, format)}
          >
            <DataTable
              caption={`Histogram of ${column.name}`}
              head={['bin', 'count']}
              rows={numeric.histogram.map((bin) => [`${value(bin.from)} to ${value(bin.to)}`, num(bin.count)])}
            />
          </PlotFigure>
        )
      )}
      {outside && outside.below + outside.above > 0 && (
        <Note>
          Far outliers (beyond 3 IQR from the quartiles) left out of the chart:{' '}
          {[
            outside.below > 0 ? `${num(outside.below)} below ${value(first)} (from ${value(numeric.min)})` : '',
            outside.above > 0 ? `${num(outside.above)} above ${value(last)} (up to ${value(numeric.max)})` : '',
          ]
            .filter(Boolean)
            .join(', ')}
          .
        </Note>
      )}
      {numeric.quantileMethod === 'sample' && (
        <Note>
          {counts?.exact
            ? 'Quantiles from a uniform sample of the values; the count of each value is exact.'
            : 'Quantiles and histogram from a uniform sample of the values; counts scaled to the column.'}
        </Note>
      )}
      {outliers.map((found) => (
        <Note key={found.method}>
          {found.countMethod === 'exact' ? '' : '~'}
          {plural(found.count, 'outlier')} by{' '}
          {found.method === 'iqr' ? "Tukey's fences (1.5 IQR)" : 'robust z-score above 3.5'}: outside {value(found.low)}{' '}
          to {value(found.high)}
          {found.examples.length > 0 &&
            `; most extreme: ${found.examples
              .slice(0, 3)
              .map((example) => `${value(example.value)} (row ${num(example.row)})`)
              .join(', ')}`}
          .
        </Note>
      ))}
      <div class="figures-row">
        <Figures title="Quantiles" rows={quantiles} />
        <Figures title="Descriptive" rows={descriptive} />
      </div>
    </>
  );
}

function DateBody({ column, dates }: { column: ColumnProfile; dates: DateProfile }) {
  const rows = dateFigureRows(dates);
  const missing = dates.missingPeriods;
  const caption = `Dates of ${column.name} over time, ${dateText(dates.min, dates.precision)} to ${dateText(dates.max, dates.precision)}`;
  return (
    <>
      {dates.histogram.length > 0 && (
        <PlotFigure caption={caption} draw={timelineChart(column.name, dates)}>
          <DataTable
            caption={caption}
            head={['period', 'dates']}
            rows={dates.histogram.map((bin) => [
              `${dateText(bin.from, dates.precision)} to ${dateText(bin.to, dates.precision)}`,
              num(bin.count),
            ])}
          />
        </PlotFigure>
      )}
      {missing && (
        <Note>
          {missingPeriodsText(missing)}
          {missing.count > 0 ? ' Marked in orange on the axis.' : ''}
        </Note>
      )}
      {dates.count > 10_000 && (
        <Note>Dates per period from a uniform sample of the dates; counts scaled to the column.</Note>
      )}
      {dates.order && (
        <Note>
          {dates.order.evidence === 'values'
            ? `Read ${dates.order.order === 'month-first' ? 'month first (m/d/y)' : 'day first (d/m/y)'}: some values read that way only.`
            : 'Read month first (m/d/y), assumed: every value reads both ways.'}
        </Note>
      )}
      <div class="figures-row">
        <Figures title="Dates" rows={rows} />
      </div>
    </>
  );
}

function topValueBars(column: ColumnProfile): Bar[] {
  const nonNull = column.count - column.nulls;
  const estimate = column.topValuesMethod === 'estimate';
  const bars: Bar[] = column.topValues.map((entry) => {
    const low = entry.count - (entry.maxError ?? 0);
    const label = valueLabel(entry.value);
    return {
      label,
      count: entry.count,
      caption: `${estimate ? '~' : ''}${num(entry.count)} · ${share(entry.count, nonNull)}`,
      title: `${clipMiddle(label, 40)}: ${estimate ? `${num(low)}–${num(entry.count)}` : num(entry.count)} · ${share(entry.count, nonNull)}`,
    };
  });
  const shown = column.topValues.reduce((sum, entry) => sum + entry.count, 0);
  const others = column.distinct - column.topValues.length;
  if (!estimate && others > 0 && nonNull > shown)
    bars.push({
      label: `other values (${num(others)})`,
      count: nonNull - shown,
      caption: `${num(nonNull - shown)} · ${share(nonNull - shown, nonNull)}`,
      title: `${num(others)} other values: ${num(nonNull - shown)} · ${share(nonNull - shown, nonNull)}`,
      muted: true,
    });
  return bars;
}

function TextBody({ column }: { column: ColumnProfile }) {
  const keywords = column.text?.keywords ?? [];
  const tables: Array<{ title: string; rows: Row[] }> = [];
  if (column.text) {
    const { minLength, meanLength, maxLength } = column.text;
    tables.push({
      title: 'Lengths',
      rows: [
        ['shortest', `${num(minLength)} characters`],
        ['mean', `${num(meanLength)} characters`],
        ['longest', `${num(maxLength)} characters`],
      ],
    });
  }
  if (column.numeric && column.type === 'identifier')
    tables.push({ title: 'Numbers', rows: [['range', `${num(column.numeric.min)} to ${num(column.numeric.max)}`]] });
  const maxError = Math.max(0, ...column.topValues.map((entry) => entry.maxError ?? 0));
  return (
    <>
      {isUnique(column) ? (
        <Note>Every value distinct: no value repeats.</Note>
      ) : (
        column.topValues.length > 0 && (
          <>
            <BarsFigure
              caption={`Most frequent values of ${column.name} (count · share)`}
              bars={topValueBars(column)}
            />
            {column.topValuesMethod === 'estimate' && (
              <Note>
                Counts are estimates from a summary of the most frequent values (too many distinct values to count each)
                {maxError > 0 ? `, each at most ${num(maxError)} over the true count` : ''}; only values surely that
                frequent are listed.
              </Note>
            )}
          </>
        )
      )}
      {keywords.length > 0 && (
        <BarsFigure
          caption={`Keywords of ${column.name} (count)`}
          bars={keywords.map((entry) => ({
            label: entry.word,
            count: entry.count,
            caption: num(entry.count),
            title: `${entry.word}: ${num(entry.count)}`,
          }))}
        />
      )}
      {tables.length > 0 && (
        <div class="figures-row">
          {tables.map((table) => (
            <Figures key={table.title} title={table.title} rows={table.rows} />
          ))}
        </div>
      )}
    </>
  );
}

function BooleanBody({ column, split }: { column: ColumnProfile; split: { true: number; false: number } }) {
  const parts: Array<[string, number, boolean]> = [
    ['true', split.true, false],
    ['false', split.false, false],
    ['missing', column.nulls, true],
  ];
  const bars = parts
    .filter(([label, count]) => label !== 'missing' || count > 0)
    .map(([label, count, muted]) => ({
      label,
      count,
      caption: `${num(count)} · ${share(count, column.count)}`,
      title: `${label}: ${num(count)} · ${share(count, column.count)}`,
      muted,
    }));
  return <BarsFigure caption={`True and false values of ${column.name} (count · share)`} bars={bars} />;
}

function Body({ column, outliers }: { column: ColumnProfile; outliers: readonly ColumnOutliers[] }) {
  if (column.type === 'empty') return <Note>No value: every value is missing.</Note>;
  if ((column.type === 'integer' || column.type === 'decimal') && column.numeric)
    return <MeasureBody column={column} numeric={column.numeric} outliers={outliers} />;
  if ((column.type === 'date' || column.type === 'datetime') && column.dates)
    return <DateBody column={column} dates={column.dates} />;
  if (column.type === 'boolean' && column.boolean) return <BooleanBody column={column} split={column.boolean} />;
  return <TextBody column={column} />;
}

/** A column's card: name, type and storage, personal data and alerts, then the figures and charts its type calls for. */
export function ColumnCard({
  id,
  column,
  alerts,
  outliers,
}: {
  id: string;
  column: ColumnProfile;
  alerts: readonly QualityFlag[];
  outliers: readonly ColumnOutliers[];
}) {
  const pii = piiName(column);
  return (
    <section class="column-card" id={id} tabIndex={-1} aria-labelledby={`${id}-name`}>
      <header class="column-head">
        <h3 id={`${id}-name`}>{column.name}</h3>
        <span class="tag">{column.type}</span>
        <span class="muted small">stored as {column.physicalType}</span>
        {pii && (
          <span
            class="badge pii"
            title={`personal data (${pii}): values masked or hashed by the server, figures left out`}
          >
            personal data: {pii}
          </span>
        )}
        {alerts.map((flag) => (
          <span key={`${flag.kind}-${flag.message}`} class={`badge ${flag.severity}`} title={flag.message}>
            {alertName(flag.kind)}
          </span>
        ))}
      </header>
      {pii && (
        <p class="note">
          Personal data ({pii}): values are shown as the server returns them, masked or hashed; its figures were left
          out.
        </p>
      )}
      <MissingBar column={column} />
      <div class="column-body">
        <div class="column-charts">
          <Body column={column} outliers={outliers} />
        </div>
        <div class="column-facts">
          <Figures title="Values" rows={valueRows(column)} />
        </div>
      </div>
    </section>
  );
}
