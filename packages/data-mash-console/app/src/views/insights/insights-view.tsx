import { useState } from 'preact/hooks';
import { href } from '../../router.js';
import { ExportButtons } from './export-buttons.js';
import { BarsFigure } from './figures.js';
import { TableView } from './table-view.js';
import type { InsightsResult } from './types.js';
import { num } from './wording.js';
import './insights.css';

export { loadPlot } from './plot-figure.js';

/**
 * A flow's insights drawn: a table picker when there are several, the chosen table's view, and
 * the figures of its text. Loaded on the Insights tab only, as the charts it draws.
 */
export function InsightsView({ journeyId, result }: { journeyId: string; result: InsightsResult }) {
  const [table, setTable] = useState(0);
  const report = (
    <p class="insights-links">
      <a href={href('journeys', journeyId, 'report')}>Open the HTML report</a>
    </p>
  );
  const tables = result.tables;
  const chosen = Math.min(table, Math.max(0, tables.length - 1));
  const entry = tables[chosen];
  const summary = result.summary
    .filter((statement) => statement.figures.some((pointer) => pointer.startsWith(`/tables/${chosen}/`)))
    .map((statement) => statement.text);
  return (
    <div class="insights">
      <div class="insights-bar">
        {tables.length > 1 && (
          <label class="inline-field">
            Table
            <select value={String(chosen)} onChange={(event) => setTable(Number(event.currentTarget.value))}>
              {tables.map((option, index) => (
                <option key={option.rowsKey} value={String(index)}>
                  {option.name} ({num(option.insights.rowCount)} rows)
                </option>
              ))}
            </select>
          </label>
        )}
        {tables.length === 1 && entry && (
          <p class="muted">
            Table <strong>{entry.name}</strong>
          </p>
        )}
        {entry && <ExportButtons journeyId={journeyId} table={entry.name} />}
        {report}
      </div>
      {entry && <TableView key={chosen} index={chosen} insights={entry.insights} summary={summary} />}
      {result.text && (
        <section class="panel" aria-labelledby="insights-text">
          <h2 id="insights-text">Text</h2>
          <p>
            {num(result.text.words)} words, {num(result.text.characters)} characters, in {num(result.text.chunks)} chunk
            {result.text.chunks === 1 ? '' : 's'}.
          </p>
          {result.text.keywords.length > 0 && (
            <BarsFigure
              caption="Most frequent content words of the text"
              bars={result.text.keywords.map((keyword) => ({
                label: keyword.word,
                count: keyword.count,
                caption: num(keyword.count),
                title: `${keyword.word}: ${num(keyword.count)}`,
              }))}
            />
          )}
        </section>
      )}
      {tables.length === 0 && !result.text && <p class="muted">The insights hold no table and no text.</p>}
    </div>
  );
}
