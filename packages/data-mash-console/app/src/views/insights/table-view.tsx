import { clipMiddle, type MissingCell, missingMatrixChart } from './charts.js';
import { ColumnCard } from './column-card.js';
import { Correlations } from './correlations.js';
import { BarsFigure } from './figures.js';
import { PlotFigure } from './plot-figure.js';
import type { QualityFlag, TableInsights } from './types.js';
import { alertFigure, alertName, COLUMN_TYPES, columnId, num, plural, share, warningsFirst } from './wording.js';

/** Moves to a column's card (a hash link would change the console's route). */
function goToColumn(id: string) {
  const card = document.getElementById(id);
  card?.scrollIntoView({ block: 'start' });
  card?.focus({ preventScroll: true });
}

function Overview({ insights }: { insights: TableInsights }) {
  const columns = insights.columns.length;
  const cells = insights.rowCount * columns;
  const missing = insights.columns.reduce((sum, column) => sum + column.nulls, 0);
  const duplicates = insights.duplicateRows;
  const personal = insights.columns.filter((column) => column.pii);
  const types = COLUMN_TYPES.map(
    (type) => [type, insights.columns.filter((column) => column.type === type).length] as const,
  ).filter(([, count]) => count > 0);
  return (
    <div class="stat-tiles">
      <div class="stat">
        <span class="stat-value">{num(insights.rowCount)}</span>
        <span class="stat-name">rows</span>
      </div>
      <div class="stat">
        <span class="stat-value">{num(columns)}</span>
        <span class="stat-name">columns</span>
      </div>
      <div class="stat">
        <span class="stat-value">{num(missing)}</span>
        <span class="stat-name">missing cells ({share(missing, cells).replace(' %', '\u00a0%')})</span>
      </div>
      <div class="stat">
        <span class="stat-value">{num(duplicates.count)}</span>
        <span class="stat-name">
          duplicate rows ({share(duplicates.count, duplicates.checkedRows).replace(' %', '\u00a0%')}
          {duplicates.checkedRows < insights.rowCount ? ` of the first ${num(duplicates.checkedRows)}` : ''})
        </span>
      </div>
      {personal.length > 0 && (
        <div class="stat">
          <span class="stat-value">{num(personal.length)}</span>
          <span class="stat-name">column{personal.length === 1 ? '' : 's'} of personal data</span>
        </div>
      )}
      <div class="stat stat-wide">
        <span class="stat-name">columns by type</span>
        <span class="type-list">
          {types.map(([type, count]) => (
            <span key={type} class="tag">
              {type} {count}
            </span>
          ))}
        </span>
      </div>
    </div>
  );
}

function Alerts({
  flags,
  ids,
  outliers,
}: {
  flags: readonly QualityFlag[];
  ids: ReadonlyMap<string, string>;
  outliers: TableInsights['outliers'];
}) {
  const warnings = flags.filter((flag) => flag.severity === 'warning').length;
  return (
    <section class="panel" aria-labelledby="insights-alerts">
      <h2 id="insights-alerts">
        Alerts{' '}
        <span class="muted small">
          {plural(warnings, 'warning')}, {num(flags.length - warnings)} info
        </span>
      </h2>
      {flags.length === 0 ? (
        <p class="muted">No alert.</p>
      ) : (
        <ul class="alerts">
          {warningsFirst(flags).map((flag) => {
            const id = flag.column === undefined ? undefined : ids.get(flag.column);
            return (
              <li key={`${flag.kind}-${flag.column ?? ''}-${flag.message}`} class={`alert ${flag.severity}`}>
                <span class={`badge ${flag.severity}`}>{flag.severity === 'warning' ? 'warning' : 'info'}</span>
                <span class="alert-kind">{alertName(flag.kind)}</span>
                <span class="alert-message">{flag.message}</span>
                <span class="alert-figure">{alertFigure(flag)}</span>
                {id && flag.column !== undefined && (
                  <button type="button" class="link-button" onClick={() => goToColumn(id)}>
                    <span class="visually-hidden">Go to column </span>
                    {clipMiddle(flag.column, 24)}
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {outliers.length > 0 && (
        <>
          <h3>Outliers</h3>
          <ul class="alerts">
            {outliers.map((found) => {
              const id = ids.get(found.column);
              return (
                <li key={`${found.column}-${found.method}`} class="alert info">
                  <span class="badge outlier">outliers</span>
                  <span class="alert-kind">{found.method === 'iqr' ? 'IQR' : 'robust z'}</span>
                  <span class="alert-message">
                    {found.countMethod === 'exact' ? '' : '~'}
                    {plural(found.count, 'value')} of '{found.column}' outside {num(found.low)} to {num(found.high)}
                  </span>
                  <span class="alert-figure" />
                  {id && (
                    <button type="button" class="link-button" onClick={() => goToColumn(id)}>
                      <span class="visually-hidden">Go to column </span>
                      {clipMiddle(found.column, 24)}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

/** Missing values: each column's share as bars, and by ranges of sampled rows as a matrix. */
function Missing({ insights }: { insights: TableInsights }) {
  const withMissing = insights.columns.filter((column) => column.nulls > 0);
  if (withMissing.length === 0)
    return (
      <section class="panel" aria-labelledby="insights-missing">
        <h2 id="insights-missing">Missing values</h2>
        <p class="muted">No missing value in any column.</p>
      </section>
    );
  const names = insights.columns.map((column) => column.name);
  const sample = insights.rows?.missing ?? [];
  const chunks = Math.min(20, sample.length);
  const ranges: string[] = [];
  const cells: MissingCell[] = [];
  for (let chunk = 0; chunk < chunks; chunk += 1) {
    const rows = sample.slice(
      Math.floor((chunk * sample.length) / chunks),
      Math.floor(((chunk + 1) * sample.length) / chunks),
    );
    const first = rows[0]?.row ?? 0;
    const last = rows.at(-1)?.row ?? first;
    const range = first === last ? `row ${num(first)}` : `rows ${num(first)}–${num(last)}`;
    ranges.push(range);
    names.forEach((name, column) => {
      const missing = rows.filter((row) => row.pattern[column] === '1').length;
      cells.push({
        column: name,
        range,
        share: rows.length ? missing / rows.length : 0,
        title: `${clipMiddle(name, 30)}, ${range}:\n${missing} of ${rows.length} missing`,
      });
    });
  }
  return (
    <section class="panel" aria-labelledby="insights-missing">
      <h2 id="insights-missing">Missing values</h2>
      <BarsFigure
        caption="Missing values per column (count · share)"
        bars={withMissing.map((column) => ({
          label: column.name,
          count: column.nulls,
          caption: `${num(column.nulls)} · ${share(column.nulls, column.count)}`,
          title: `${clipMiddle(column.name, 40)}: ${num(column.nulls)} of ${num(column.count)} missing`,
        }))}
      />
      {chunks > 0 && (
        <PlotFigure
          caption={`Where values are missing, in a uniform sample of ${plural(sample.length, 'row')}: columns across, row ranges down (the darker, the more missing)`}
          draw={missingMatrixChart(names, ranges, cells)}
        >
          <p>
            {withMissing
              .map((column) => {
                const index = names.indexOf(column.name);
                const missing = sample.filter((row) => row.pattern[index] === '1').length;
                return `${column.name}: ${missing} of ${sample.length} sampled rows missing`;
              })
              .join('; ')}
            .
          </p>
        </PlotFigure>
      )}
    </section>
  );
}

function SampleRows({ insights }: { insights: TableInsights }) {
  const rows = insights.rows;
  if (!rows || rows.firstRows.length === 0) return null;
  return (
    <section class="panel" aria-labelledby="insights-sample">
      <h2 id="insights-sample">First rows</h2>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region takes focus so that a keyboard can scroll it (WCAG 2.1.1) */}
      <section class="table-scroll" tabIndex={0} aria-label="First rows, scrollable">
        <table class="sample-rows">
          <thead>
            <tr>
              <th scope="col">row</th>
              {insights.columns.map((column) => (
                <th key={column.name} scope="col">
                  {column.name}
                  {column.pii && <span class="badge pii">personal</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.firstRows.map((row, index) => (
              <tr key={rows.firstRowNumber + index}>
                <th scope="row">{num(rows.firstRowNumber + index)}</th>
                {insights.columns.map((column, position) => {
                  const value = row[position];
                  return value === null || value === undefined || value.trim() === '' ? (
                    <td key={column.name} class="na" title="missing">
                      –
                    </td>
                  ) : (
                    <td key={column.name} title={value.length > 60 ? value : undefined}>
                      {clipMiddle(value, 60)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  );
}

/** Everything about one table: overview and alerts first, then correlations, missing values, a card a column and the first rows. */
export function TableView({
  index,
  insights,
  summary,
}: {
  index: number;
  insights: TableInsights;
  summary: readonly string[];
}) {
  const ids = new Map(insights.columns.map((column, position) => [column.name, columnId(index, position)]));
  return (
    <>
      <section class="panel" aria-labelledby="insights-overview">
        <h2 id="insights-overview">Overview</h2>
        <Overview insights={insights} />
        {summary.length > 0 && (
          <ul class="summary">
            {summary.map((text) => (
              <li key={text}>{text}</li>
            ))}
          </ul>
        )}
      </section>
      <Alerts flags={insights.quality} ids={ids} outliers={insights.outliers} />
      <Correlations insights={insights} />
      <Missing insights={insights} />
      <section aria-labelledby="insights-columns">
        <h2 id="insights-columns" class="section-title">
          Columns
        </h2>
        <div class="column-cards">
          {insights.columns.map((column, position) => (
            <ColumnCard
              key={column.name}
              id={columnId(index, position)}
              column={column}
              alerts={warningsFirst(insights.quality.filter((flag) => flag.column === column.name))}
              outliers={insights.outliers.filter((found) => found.column === column.name)}
            />
          ))}
        </div>
      </section>
      <SampleRows insights={insights} />
    </>
  );
}
