import { divergingColor, type HeatCell, heatmapChart, sequentialColor } from './charts.js';
import { PlotFigure } from './plot-figure.js';
import type { TableInsights } from './types.js';
import { num } from './wording.js';

/** Pairs of columns as a matrix: both orders, the diagonal a coefficient of 1 (or blank). */
function matrix<T extends { a: string; b: string; rows: number }>(
  pairs: readonly T[],
  value: (pair: T) => number | null,
  describe: (pair: T, value: number | null) => string,
): { names: string[]; cells: HeatCell[] } {
  const names: string[] = [];
  for (const pair of pairs) for (const name of [pair.a, pair.b]) if (!names.includes(name)) names.push(name);
  const cells: HeatCell[] = names.map((name) => ({ x: name, y: name, value: 1, title: name }));
  for (const pair of pairs) {
    const figure = value(pair);
    const title = describe(pair, figure);
    cells.push({ x: pair.a, y: pair.b, value: figure, title }, { x: pair.b, y: pair.a, value: figure, title });
  }
  return { names, cells };
}

function Legend({ low, middle, high, gradient }: { low: string; middle?: string; high: string; gradient: string }) {
  return (
    <div class="legend" aria-hidden="true">
      <span>{low}</span>
      <span class={`legend-ramp ${gradient}`} />
      {middle !== undefined && <span class="legend-middle">{middle}</span>}
      <span>{high}</span>
    </div>
  );
}

export function Correlations({ insights }: { insights: TableInsights }) {
  const pearson = matrix(
    insights.correlations,
    (pair) => pair.pearson,
    (pair, r) =>
      `${pair.a} ~ ${pair.b}\n${r === null ? 'r not defined (a constant column\nor fewer than 3 shared rows)' : `Pearson r = ${r.toFixed(3)}`}${pair.spearman === null ? '' : `\nSpearman ρ = ${pair.spearman.toFixed(3)}`}\nover ${num(pair.rows)} rows`,
  );
  const cramers = matrix(
    insights.categoricalAssociations,
    (pair) => pair.cramersV,
    (pair, v) =>
      `${pair.a} ~ ${pair.b}\n${v === null ? "Cramér's V not defined" : `Cramér's V = ${v.toFixed(3)}`}\nover ${num(pair.rows)} rows`,
  );
  if (pearson.names.length < 2 && cramers.names.length < 2) return null;
  const sample =
    insights.associationSample.method === 'sample'
      ? ` Spearman's ρ and Cramér's V from a uniform sample of ${num(insights.associationSample.rows)} rows.`
      : '';
  return (
    <section class="panel" aria-labelledby="insights-correlations">
      <h2 id="insights-correlations">Correlations</h2>
      <div class="matrices">
        {pearson.names.length >= 2 && (
          <div>
            <PlotFigure
              caption="Pearson's r between numeric columns (−1 red, 0 white, 1 blue)"
              draw={heatmapChart(pearson.names, pearson.cells, divergingColor)}
            >
              <table class="data-table">
                <caption>Correlations between numeric columns</caption>
                <thead>
                  <tr>
                    <th scope="col">pair</th>
                    <th scope="col">Pearson r</th>
                    <th scope="col">Spearman ρ</th>
                    <th scope="col">rows</th>
                  </tr>
                </thead>
                <tbody>
                  {insights.correlations.map((pair) => (
                    <tr key={`${pair.a}-${pair.b}`}>
                      <th scope="row">
                        {pair.a} ~ {pair.b}
                      </th>
                      <td>{pair.pearson === null ? '–' : pair.pearson.toFixed(3)}</td>
                      <td>{pair.spearman === null ? '–' : pair.spearman.toFixed(3)}</td>
                      <td>{num(pair.rows)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </PlotFigure>
            <Legend low="−1" middle="0" high="1" gradient="diverging" />
          </div>
        )}
        {cramers.names.length >= 2 && (
          <div>
            <PlotFigure
              caption="Cramér's V between categorical columns (0 white, 1 purple)"
              draw={heatmapChart(cramers.names, cramers.cells, sequentialColor)}
            >
              <table class="data-table">
                <caption>Associations between categorical columns</caption>
                <thead>
                  <tr>
                    <th scope="col">pair</th>
                    <th scope="col">Cramér's V</th>
                    <th scope="col">rows</th>
                  </tr>
                </thead>
                <tbody>
                  {insights.categoricalAssociations.map((pair) => (
                    <tr key={`${pair.a}-${pair.b}`}>
                      <th scope="row">
                        {pair.a} ~ {pair.b}
                      </th>
                      <td>{pair.cramersV === null ? '–' : pair.cramersV.toFixed(3)}</td>
                      <td>{num(pair.rows)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </PlotFigure>
            <Legend low="0" high="1" gradient="sequential" />
          </div>
        )}
      </div>
      <p class="note">
        Hover a cell for its exact figures.{sample}
        {insights.correlationLimit &&
          ` Left out (too many numeric columns): ${insights.correlationLimit.leftOut.join(', ')}.`}
        {insights.categoricalAssociationLimit &&
          ` Left out (too many categorical columns): ${insights.categoricalAssociationLimit.leftOut.join(', ')}.`}
      </p>
    </section>
  );
}
