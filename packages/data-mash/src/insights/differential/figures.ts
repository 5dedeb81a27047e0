// Compared figures, their tolerances, and the failure message that names them.
import { isDeepStrictEqual } from 'node:util';

/** Standard error of HyperLogLog with 2^14 registers (docs/insights.md: "about 0.8 %"). */
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(2 ** 14);

/** The tolerance of each kind of figure, as failure messages state it. */
export const TOLERANCES = {
  exact: 'exact',
  ulps: 'within 4 ulp of the largest |value| of the column (type 7 both; DuckDB rounds lo (1 - d) + hi d, the SDK lo + (hi - lo) d)',
  fences: 'within 32 ulp of the largest |value| of the column (from quartiles within 4 ulp)',
  histogramEnd: 'within 16 ulp of the largest |value| of the column (min plus 10 widths, rounded)',
  mean: '|SDK - DuckDB| <= 1e-12 x the largest |value| (DuckDB: Kahan sum, favg)',
  sum: '|SDK - DuckDB| <= 1e-12 x the sum of |values| (DuckDB: Kahan sum, fsum)',
  spread: '|SDK - DuckDB| <= 1e-9 x DuckDB + 1e-12 x the largest |value| (its square for a variance)',
  moments: '|SDK - DuckDB| <= 1e-9 x max(1, |DuckDB|) (DuckDB: two passes, sample G1 and G2)',
  correlation: '|SDK - DuckDB| <= 1e-12 (both null when a column is constant)',
  hll: `relative error <= 3 standard errors of HyperLogLog with 2^14 registers (${(3 * HLL_STANDARD_ERROR * 100).toFixed(2)} %)`,
  sampleQuantile:
    "the rank of a 10,000-value sample's quantile within 4 standard errors: between DuckDB's quantile_cont at q -/+ 4 sqrt(q (1 - q) / 10,000)",
  sampleCount: 'within 4 standard errors of a count scaled from a 10,000-value sample, plus 1 for rounding',
  estimatedCount:
    'true count within [count - maxError, count] when the SDK states maxError; else within 4 standard errors of a count scaled from a 500-value sample, plus 1',
  estimatedShare:
    'a listed value has a true share of at least 0.1 % (0.6 % without maxError, as docs/insights.md said)',
  frequentListed: 'every value among the true top 10 with a true share of at least 1 % is listed',
  textMean: '|SDK - DuckDB| <= 1e-12 x DuckDB',
  medianGap: 'between the lower and upper middle of the gaps between consecutive distinct dates',
  granularityWithin: 'the unit the median gap is, within 20 % (none when it is no one unit, as 3 days)',
} as const;

/** One figure compared. */
export interface Figure {
  dataset: string;
  /** The column, `a ~ b` for a pair, or `null` for a figure of the whole table. */
  column: string | null;
  figure: string;
  sdk: unknown;
  duckdb: unknown;
  tolerance: string;
  ok: boolean;
}

const missing = (value: unknown) =>
  value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
const toNumber = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);

/** Collects the compared figures of one dataset. */
export class Figures {
  readonly list: Figure[] = [];
  readonly #dataset: string;

  constructor(dataset: string) {
    this.#dataset = dataset;
  }

  add(column: string | null, figure: string, sdk: unknown, duckdb: unknown, tolerance: string, ok: boolean): void {
    this.list.push({ dataset: this.#dataset, column, figure, sdk, duckdb, tolerance, ok });
  }

  /** Equal values (deep equality: lists and records alike). */
  exact(column: string | null, figure: string, sdk: unknown, duckdb: unknown): void {
    this.add(column, figure, sdk, duckdb, TOLERANCES.exact, isDeepStrictEqual(sdk, duckdb));
  }

  /** Numbers at most `bound` apart; two missing values (null, undefined, NaN) agree. */
  near(column: string | null, figure: string, sdk: unknown, duckdb: unknown, bound: number, tolerance: string): void {
    const a = toNumber(sdk);
    const b = toNumber(duckdb);
    const ok =
      missing(a) || missing(b)
        ? missing(a) && missing(b)
        : typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= bound;
    this.add(column, figure, sdk, duckdb, tolerance, ok);
  }
}

/** The figures outside their tolerance. */
export function disagreements(figures: readonly Figure[]): Figure[] {
  return figures.filter((figure) => !figure.ok);
}

// A value in a message: JSON, with bigints marked and long values cut.
function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value, (_, item) => (typeof item === 'bigint' ? `${item}n` : item)) ?? String(value);
  return text.length > 300 ? `${text.slice(0, 300)}...` : text;
}

/** One line a figure: dataset | column | figure: SDK value, DuckDB value (tolerance). */
export function describeFigures(figures: readonly Figure[]): string {
  return figures
    .map(
      (figure) =>
        `${figure.dataset} | ${figure.column ?? '(table)'} | ${figure.figure}: SDK ${show(figure.sdk)}, DuckDB ${show(figure.duckdb)} (tolerance: ${figure.tolerance})`,
    )
    .join('\n');
}
