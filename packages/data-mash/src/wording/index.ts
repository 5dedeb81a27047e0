/**
 * The wording of a profile, shared by the HTML report and the web console so that the two say
 * the same thing the same way: figures, shares, years, dates, gaps, alerts, the rows of a
 * column's tables, and the heatmaps' colours. Browser-safe: nothing here imports a Node module or another platform package
 * at runtime (the console bundles it as `@platform/data-mash/wording`).
 *
 * @packageDocumentation
 */
// The shapes the functions below take, so that a consumer of this entry alone can name them.
export type { ColumnProfile, NumericProfile } from '../insights/column-profile.js';
export type { ColumnType } from '../insights/column-type.js';
export type { DateProfile, DateUnit } from '../insights/dates.js';
export type { QualityFlag } from '../insights/table-profiler.js';
export { alertFigure, alertName } from './alerts.js';
export {
  contrast,
  divergingRgb,
  luminance,
  NO_VALUE_COLOR,
  type Rgb,
  sequentialRgb,
  whiteTextOn,
} from './colors.js';
export {
  COLUMN_TYPES,
  dateFigureRows,
  FEW_VALUES,
  type FigureRow,
  isUnique,
  isYearColumn,
  numericFigureRows,
  type ValueFormat,
  valueCounts,
  valueFormat,
  valueRows,
} from './columns.js';
export { dateText, gapText, type MissingPeriods, missingPeriodsText, periodText } from './dates.js';
export { bytesText, num, plural, share, short, yearText } from './numbers.js';
