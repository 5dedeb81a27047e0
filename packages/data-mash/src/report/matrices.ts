import { figure } from '../text/readable.js';
import { divergingRgb, NO_VALUE_COLOR, type Rgb, whiteTextOn } from '../wording/colors.js';
import { clipMiddle, escapeHtml, fixed, labelWidth, px, svg, svgText } from './html.js';

const INK: Rgb = [29, 36, 51];

const hex = (rgb: Rgb) => `#${rgb.map((channel) => Math.round(channel).toString(16).padStart(2, '0')).join('')}`;

/** The colour of a coefficient: red for -1, near white for 0, blue for 1; and whether white text reads better on it than dark. */
export function correlationColor(r: number): { fill: string; dark: boolean } {
  const rgb = divergingRgb(r);
  return { fill: hex(rgb), dark: whiteTextOn(rgb, INK) };
}

/** Pearson's r between every two measures as a square of coloured cells, both axes labelled. */
export function heatmap(
  names: readonly string[],
  correlations: ReadonlyArray<{ a: string; b: string; pearson: number | null; rows: number }>,
): string {
  const n = names.length;
  if (n < 2) return '';
  const pairs = new Map<string, { pearson: number | null; rows: number }>();
  for (const pair of correlations) {
    pairs.set(`${pair.a}\u0000${pair.b}`, pair);
    pairs.set(`${pair.b}\u0000${pair.a}`, pair);
  }
  const cell = Math.max(14, Math.min(60, Math.floor(400 / n)));
  const labels = names.map((name) => clipMiddle(name, 20));
  const longest = Math.max(...labels.map((label) => labelWidth(label)));
  // Column labels turned 45 degrees need about 16 px each; closer, they stand upright.
  const upright = cell < 20;
  const left = longest + 12;
  const grid = n * cell;
  const xLabels = (upright ? longest : longest * 0.71) + 16;
  const legendY = grid + xLabels + 8;
  const width = Math.max(left + grid + 16, left + 11 * 22 + 16);
  const parts: string[] = [];
  names.forEach((row, i) => {
    parts.push(
      `<g><title>${escapeHtml(row)}</title>${svgText(left - 6, i * cell + cell / 2 + 4, labels[i] as string, `text-anchor="end"`)}</g>`,
    );
    names.forEach((column, j) => {
      const pair = i === j ? { pearson: 1, rows: Number.NaN } : pairs.get(`${row}\u0000${column}`);
      const r = pair?.pearson ?? null;
      const x = left + j * cell;
      const y = i * cell;
      const title =
        i === j
          ? `${row}`
          : `${row} ~ ${column}: ${r === null ? 'r not defined (a constant column or fewer than 3 shared rows)' : `r = ${fixed(r, 3)}`}${pair ? ` over ${figure(pair.rows)} rows` : ''}`;
      const { fill, dark } = r === null ? { fill: NO_VALUE_COLOR, dark: false } : correlationColor(r);
      const value =
        cell >= 34
          ? svgText(
              x + cell / 2,
              y + cell / 2 + 4,
              r === null ? '–' : r.toFixed(2),
              `class="cell${dark ? ' on-dark' : ''}"`,
            )
          : '';
      parts.push(
        `<g><title>${escapeHtml(title)}</title><rect x="${x}" y="${y}" width="${cell - 1}" height="${cell - 1}" fill="${fill}"/>${value}</g>`,
      );
    });
    const x = left + i * cell + cell / 2;
    parts.push(
      `<g><title>${escapeHtml(row)}</title>${svgText(0, 0, labels[i] as string, `text-anchor="end" transform="translate(${px(upright ? x + 4 : x + 3)} ${px(grid + 8)}) rotate(${upright ? -90 : -45})"`)}</g>`,
    );
  });
  // The colour scale, from -1 to 1.
  for (let step = 0; step <= 10; step += 1) {
    const r = -1 + step / 5;
    const x = left + step * 22;
    parts.push(
      `<rect x="${x}" y="${px(legendY)}" width="21" height="12" fill="${correlationColor(r).fill}"><title>r = ${fixed(r, 2)}</title></rect>`,
    );
    if (step % 5 === 0)
      parts.push(svgText(x + 10.5, legendY + 26, step === 0 ? '-1' : step === 5 ? '0' : '1', 'class="tick"'));
  }
  parts.push(svgText(left + 11 * 22 + 8, legendY + 10, "Pearson's r", 'text-anchor="start" class="tick"'));
  const height = legendY + 32;
  const label = `Correlation heatmap (Pearson's r) of ${n} measure columns: ${names.join(', ')}`;
  return svg('heatmap', Math.max(width, left + 11 * 22 + 90), height, label, parts.join(''));
}

/**
 * Missing values of a sample of rows: a column of cells per column of the table, a row of cells
 * per sampled row (in file order, top to bottom); a dark cell is a missing value.
 */
export function missingMatrix(
  names: readonly string[],
  sample: ReadonlyArray<{ row: number; pattern: string }>,
): string {
  const n = names.length;
  const m = sample.length;
  if (n === 0 || m === 0) return '';
  const cellW = Math.max(8, Math.min(48, Math.floor(480 / n)));
  const rowH = Math.max(1.5, Math.min(14, 300 / m));
  const font = cellW >= 12 ? 11 : 9;
  const labels = names.map((name) => clipMiddle(name, 20));
  const top = Math.min(130, Math.max(...labels.map((label) => labelWidth(label, font)))) + 10;
  const firstRow = (sample[0] as { row: number }).row;
  const lastRow = (sample.at(-1) as { row: number }).row;
  const left = Math.max(labelWidth(`row ${figure(firstRow)}`), labelWidth(`row ${figure(lastRow)}`)) + 10;
  const height = m * rowH;
  const parts: string[] = [];
  names.forEach((name, column) => {
    const x = left + column * cellW;
    let missing = 0;
    const runs: string[] = [];
    for (let index = 0; index < m; index += 1) {
      if ((sample[index] as { pattern: string }).pattern[column] !== '1') continue;
      let end = index;
      while (end + 1 < m && (sample[end + 1] as { pattern: string }).pattern[column] === '1') end += 1;
      const from = (sample[index] as { row: number }).row;
      const to = (sample[end] as { row: number }).row;
      const rows = end - index + 1;
      missing += rows;
      const where = rows === 1 ? `row ${figure(from)}` : `rows ${figure(from)} to ${figure(to)} (${rows} sampled rows)`;
      runs.push(
        `<rect class="missing" x="${x}" y="${px(index * rowH)}" width="${cellW - 1}" height="${px(rows * rowH)}"><title>${escapeHtml(`${where}: ${name} missing`)}</title></rect>`,
      );
      index = end;
    }
    parts.push(
      `<g transform="translate(0 ${px(top)})"><rect class="present" x="${x}" y="0" width="${cellW - 1}" height="${px(height)}"><title>${escapeHtml(`${name}: ${figure(missing)} of ${figure(m)} sampled rows missing`)}</title></rect>${runs.join('')}</g>`,
      `<g><title>${escapeHtml(name)}</title>${svgText(0, 0, labels[column] as string, `text-anchor="start"${font < 11 ? ' class="small"' : ''} transform="translate(${px(x + cellW / 2 + font / 3)} ${px(top - 6)}) rotate(-90)"`)}</g>`,
    );
  });
  parts.push(
    svgText(left - 6, top + 9, `row ${figure(firstRow)}`, 'text-anchor="end" class="tick"'),
    svgText(left - 6, top + height, `row ${figure(lastRow)}`, 'text-anchor="end" class="tick"'),
  );
  const label = `Missing values matrix: ${n} columns by ${m} sampled rows, missing values dark`;
  return svg('missing', left + n * cellW + 8, top + height + 4, label, parts.join(''));
}
