// The alerts of a profile (quality flags) as the HTML report and the console name them.
import type { QualityFlag } from '../insights/table-profiler.js';
import { figure } from '../text/readable.js';
import { num } from './numbers.js';

const ALERT_NAMES: Readonly<Record<QualityFlag['kind'], string>> = {
  empty: 'empty',
  mostly_null: 'missing',
  constant: 'constant',
  duplicate_rows: 'duplicates',
  mixed_types: 'mixed types',
  formula_injection: 'formulas',
  many_zeros: 'zeros',
  skewed: 'skewed',
  imbalanced: 'imbalanced',
  high_cardinality: 'high cardinality',
  highly_correlated: 'correlated',
  unique: 'unique',
};

/**
 * A short name of an alert's kind: `many_zeros` is `zeros`. A kind this version does not know
 * (from a newer server) is written with spaces for its underscores.
 */
export function alertName(kind: QualityFlag['kind'] | (string & {})): string {
  return (ALERT_NAMES as Readonly<Record<string, string>>)[kind] ?? kind.replace(/_/g, ' ');
}

/** What an alert's figure is, in words: `zeros 57.4 %`, `r = 0.91`, `12 distinct`. */
export function alertFigure(flag: Pick<QualityFlag, 'kind' | 'figure'>): string {
  const value = flag.figure;
  const percent = `${Math.round(value * 1000) / 10} %`;
  switch (flag.kind) {
    case 'mostly_null':
      return `missing ${percent}`;
    case 'many_zeros':
      return `zeros ${percent}`;
    case 'imbalanced':
      return `imbalance ${num(value)}`;
    case 'skewed':
      return `skewness ${num(value)}`;
    case 'highly_correlated':
      return `r = ${value.toFixed(2)}`;
    case 'duplicate_rows':
      return `${figure(value)} ${value === 1 ? 'row' : 'rows'}`;
    case 'mixed_types':
      return `${figure(value)} other ${value === 1 ? 'value' : 'values'}`;
    case 'formula_injection':
      return `${figure(value)} ${value === 1 ? 'value' : 'values'}`;
    case 'high_cardinality':
    case 'unique':
    case 'constant':
      return `${figure(value)} distinct`;
    default:
      return figure(value);
  }
}
