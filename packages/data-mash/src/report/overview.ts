import { DEFAULT_NULL_TOKENS } from '../insights/readings.js';
import type { QualityFlag, TableInsights } from '../insights/table-profiler.js';
import { figure } from '../text/readable.js';
import { alertFigure, alertName, COLUMN_TYPES, share } from '../wording/index.js';
import { clip, clipMiddle, escapeHtml } from './html.js';

function rows(list: ReadonlyArray<[string, string]>): string {
  return list
    .map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('');
}

/** Rows, columns, duplicate rows, missing cells, and how many columns of each type. */
export function overview(insights: TableInsights): string {
  const columns = insights.columns.length;
  const cells = insights.rowCount * columns;
  const missing = insights.columns.reduce((sum, column) => sum + column.nulls, 0);
  const duplicates = insights.duplicateRows;
  const checked =
    duplicates.checkedRows < insights.rowCount ? ` of the first ${figure(duplicates.checkedRows)} rows` : '';
  const dataset = rows([
    ['rows', figure(insights.rowCount)],
    ['columns', figure(columns)],
    ['missing cells', `${figure(missing)} (${share(missing, cells)})`],
    ['duplicate rows', `${figure(duplicates.count)} (${share(duplicates.count, duplicates.checkedRows)}${checked})`],
  ]);
  const types = rows(
    COLUMN_TYPES.map((type): [string, string] => [
      type,
      figure(insights.columns.filter((column) => column.type === type).length),
    ]).filter(([, count]) => count !== '0'),
  );
  return `<div class="stats-pair"><table class="stats"><caption>Dataset</caption><tbody>${dataset}</tbody></table><table class="stats"><caption>Columns by type</caption><tbody>${types}</tbody></table></div>`;
}

/** The alerts, warnings first, each with its figure and a link to its column. */
export function alertList(flags: readonly QualityFlag[], columnIds: ReadonlyMap<string, string>): string {
  if (flags.length === 0) return '<p class="note">No alert.</p>';
  const ordered = [
    ...flags.filter((flag) => flag.severity === 'warning'),
    ...flags.filter((flag) => flag.severity !== 'warning'),
  ];
  const items = ordered.map((flag) => {
    const id = flag.column === undefined ? undefined : columnIds.get(flag.column);
    const column = id
      ? `<a href="#${id}" title="${escapeHtml(flag.column)}">${escapeHtml(clipMiddle(flag.column as string, 20))}</a>`
      : '';
    return `<li class="alert ${flag.severity}"><span class="badge ${flag.severity}">${flag.severity === 'warning' ? 'warning' : 'info'}</span><span class="kind">${escapeHtml(alertName(flag.kind))}</span><span class="message">${escapeHtml(flag.message)}</span><span class="figure">${escapeHtml(alertFigure(flag))}</span>${column}</li>`;
  });
  return `<ul class="alerts">${items.join('')}</ul>`;
}

const NULL_TOKENS: ReadonlySet<string> = new Set(DEFAULT_NULL_TOKENS);

/**
 * The first rows as they were read, numbered as the file's rows (`firstRowNumber`: 2 below a
 * header on row 1, as the missing-values matrix numbers them). Missing values are marked: empty
 * ones as `–`, null tokens (`NA`, `None`, `N/A`..., those the profile counts as missing) as
 * written, both in the muted style of a missing cell.
 */
export function sampleRows(
  names: readonly string[],
  firstRows: ReadonlyArray<ReadonlyArray<string | null>>,
  firstRowNumber = 1,
): string {
  if (firstRows.length === 0) return '<p class="note">No row.</p>';
  const head = `<tr><th scope="col">row</th>${names.map((name) => `<th scope="col" title="${escapeHtml(name)}">${escapeHtml(clip(name, 30))}</th>`).join('')}</tr>`;
  const body = firstRows.map((row, index) => {
    const cells = names.map((_, column) => {
      const value = row[column];
      const trimmed = value?.trim() ?? '';
      if (value === null || value === undefined || trimmed === '') return '<td class="na" title="missing">–</td>';
      if (NULL_TOKENS.has(trimmed))
        return `<td class="na" title="${escapeHtml(`missing: ${trimmed} is read as no value`)}">${escapeHtml(clip(value, 60))}</td>`;
      const shown = clip(value, 60);
      return `<td${shown === value ? '' : ` title="${escapeHtml(value)}"`}>${escapeHtml(shown)}</td>`;
    });
    return `<tr><th scope="row">${figure(firstRowNumber + index)}</th>${cells.join('')}</tr>`;
  });
  return `<div class="scroll"><table class="sample"><thead>${head}</thead><tbody>${body.join('')}</tbody></table></div>`;
}
