import type { ComponentChildren } from 'preact';
import { type Bar, barsChart } from './charts.js';
import { PlotFigure } from './plot-figure.js';

/** A figure's rows: a label and its value, both as text. */
export type Row = [string, string];
/** Figures as a two-column list under a heading. */
export function Figures({ title, rows }: { title: string; rows: readonly Row[] }) {
  return (
    <div class="figures">
      <h4>{title}</h4>
      <dl>
        {rows.map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>{value.replace(/ %/g, '\u00a0%')}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/** A chart's data as a table, for screen readers (and in sight when the chart cannot be drawn). */
export function DataTable({
  caption,
  head,
  rows,
}: {
  caption: string;
  head: readonly string[];
  rows: ReadonlyArray<readonly string[]>;
}) {
  return (
    <table class="data-table">
      <caption>{caption}</caption>
      <thead>
        <tr>
          {head.map((cell) => (
            <th key={cell} scope="col">
              {cell}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={index}>
            {row.map((cell, column) =>
              column === 0 ? (
                <th key={column} scope="row">
                  {cell}
                </th>
              ) : (
                <td key={column}>{cell}</td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Note({ children }: { children: ComponentChildren }) {
  return <p class="note">{children}</p>;
}

/** Horizontal bars with their table: top values, keywords, a boolean split. */
export function BarsFigure({ caption, bars }: { caption: string; bars: readonly Bar[] }) {
  return (
    <PlotFigure caption={caption} draw={barsChart(bars)}>
      <DataTable caption={caption} head={['value', 'count']} rows={bars.map((bar) => [bar.label, bar.caption])} />
    </PlotFigure>
  );
}
