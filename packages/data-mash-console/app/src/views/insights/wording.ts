// Figures and alerts in the words of the HTML report: the wording both take from
// `@platform/data-mash/wording` (browser-safe, bundled), so that the console and the report say the
// same thing the same way and cannot drift. Below it, the few helpers only the console needs.
import type { ColumnProfile, QualityFlag } from './types.js';

export {
  alertFigure,
  alertName,
  COLUMN_TYPES,
  dateFigureRows,
  dateText,
  type FigureRow,
  gapText,
  isUnique,
  isYearColumn,
  missingPeriodsText,
  num,
  numericFigureRows,
  periodText,
  plural,
  share,
  short,
  type ValueFormat,
  valueCounts,
  valueFormat,
  valueRows,
  yearText,
} from '@platform/data-mash/wording';

/** Warnings first, then the rest, each group in the profile's order. */
export function warningsFirst(flags: readonly QualityFlag[]): QualityFlag[] {
  return [
    ...flags.filter((flag) => flag.severity === 'warning'),
    ...flags.filter((flag) => flag.severity !== 'warning'),
  ];
}

/** The kind of personal data in words: `card_number` is `card number`. */
export function piiName(column: ColumnProfile): string | undefined {
  return column.pii?.replaceAll('_', ' ');
}

/** An element id for a column of a table, stable and safe in a URL fragment-free `id`. */
export function columnId(table: number, column: number): string {
  return `insights-t${table}-c${column}`;
}
