/**
 * The differential test's comparison: every figure of the SDK's insights of a file recomputed by
 * DuckDB over the same file ({@link ReferenceTable}: how values are read), each compared with the
 * tolerance stated for it in {@link TOLERANCES}: exact where docs/insights.md says exact, the
 * documented bound where it is an estimate.
 *
 * Compared: rows, columns, duplicate rows, quality flags; per column count, nulls, distinct
 * (and its method), top values (and their method); for numeric columns count, min, max (exact
 * integers beyond 2^53), mean, standard deviation, quantiles, histogram, outliers (fences, counts,
 * examples and their rows) and, where the profile has them, sum, variance, skewness, kurtosis,
 * zeros, negatives, IQR and MAD; dates (whether a date column, count, range, precision, median gap
 * and granularity); text lengths; boolean counts; each reported correlation. Not compared: the
 * keywords (the first 5,000 multi-word values, and a stop-word list), and where bins start when
 * far outliers put some values outside them (the counts in and outside the stated bins are).
 */
import { type Figure, Figures, HLL_STANDARD_ERROR, TOLERANCES } from './figures.js';
import {
  INTEGER_RE,
  LEADING_ZERO_RE,
  type ReferenceRules,
  ReferenceTable,
  sqlDouble,
  sqlText,
  WS,
} from './reference-table.js';

/** The profiler's documented default limits, which decide when a figure is exact. */
export const LIMITS = { exactDistinct: 10_000, sampleSize: 10_000, topValues: 10, bins: 10, outlierExamples: 20 };

/**
 * The figures of the SDK's insights this comparison reads: `TableInsights` as docs/insights.md
 * documents it, with the fields issue 14 adds (exact integer min/max, estimated top values'
 * error, moments, booleans, the correlation limit) optional.
 */
export interface ComparedInsights {
  rowCount: number;
  columns: ComparedColumn[];
  correlations: Array<{ a: string; b: string; pearson: number | null; rows: number }>;
  correlationLimit?: { columns: number; leftOut: string[] };
  outliers: Array<{
    column: string;
    method: string;
    low: number;
    high: number;
    count: number;
    examples: Array<{ row: number; value: number }>;
  }>;
  duplicateRows: { count: number; checkedRows: number };
  quality: Array<{ kind: string; column?: string }>;
  /** Where row numbers start (the file's row of the first data row: 2 below a header). */
  rows?: { firstRowNumber: number };
}

interface ComparedColumn {
  name: string;
  type?: string;
  count: number;
  nulls: number;
  distinct: number;
  distinctMethod: string;
  topValues: Array<{ value: string; count: number; maxError?: number }>;
  topValuesMethod: string;
  numeric?: ComparedNumbers;
  boolean?: { true: number; false: number };
  dates?: {
    count: number;
    min: string;
    max: string;
    precision: string;
    granularity?: string;
    medianGapSeconds?: number;
  };
  text?: { minLength: number; maxLength: number; meanLength: number };
}

interface ComparedNumbers {
  count: number;
  min: number;
  max: number;
  exactMin?: string;
  exactMax?: string;
  mean: number;
  stdDev: number;
  median: number;
  quantiles: { p05: number; p25: number; p75: number; p95: number };
  histogram: Array<{ from: number; to: number; count: number }>;
  histogramOutside?: { below: number; above: number };
  quantileMethod: string;
  sum?: number;
  variance?: number;
  skewness?: number | null;
  kurtosis?: number | null;
  zeros?: number;
  negatives?: number;
  iqr?: number;
  mad?: number;
}

/** What to compare: a profiled file, and the rules the reference reads it by. */
export interface DifferentialInput {
  /** Named in failure messages. */
  dataset: string;
  /** The CSV or TSV file DuckDB reads: the file the SDK profiled, or the same records written as CSV. */
  file: string;
  delimiter: string;
  insights: ComparedInsights;
  rules: ReferenceRules;
}

const asNumber = (value: unknown) => (typeof value === 'bigint' ? Number(value) : (value as number));
const ulps = (count: number, magnitude: number) => count * Number.EPSILON * magnitude;

/** Compares every figure of `insights` with DuckDB's over the same file; one DuckDB instance a call. */
export async function compareWithDuckDb(input: DifferentialInput): Promise<Figure[]> {
  const table = await ReferenceTable.open(input.file, input.delimiter, input.rules);
  try {
    return await compareTable(table, input);
  } finally {
    table.close();
  }
}

async function compareTable(table: ReferenceTable, input: DifferentialInput): Promise<Figure[]> {
  const figures = new Figures(input.dataset);
  const { insights } = input;
  const rowCount = Number((await table.one('SELECT count(*) AS n FROM d')).n);
  figures.exact(null, 'row count', insights.rowCount, rowCount);
  figures.exact(
    null,
    'columns',
    insights.columns.map((column) => column.name),
    table.columns,
  );

  const facts: Array<{ name: string; nulls: number; distinct: number }> = [];
  for (const [index, name] of table.columns.entries()) {
    const profile = insights.columns[index];
    if (!profile) continue;
    const column = new ColumnComparison(table, figures, insights, index, name, profile, rowCount);
    facts.push({ name, ...(await column.compare()) });
  }
  await compareCorrelations(table, figures, insights);

  // Duplicate rows: rows whose every value (all nulls alike) repeats an earlier row.
  const values = table.columns.map((_, index) => `r${index}`).join(', ');
  const { duplicates } = await table.one(
    `SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT ${values} FROM d)) AS duplicates FROM d`,
  );
  const duplicateCount = Number(duplicates);
  figures.exact(null, 'duplicate rows', insights.duplicateRows.count, duplicateCount);
  figures.exact(
    null,
    'duplicate rows: rows checked',
    insights.duplicateRows.checkedRows,
    Math.min(rowCount, 2_000_000),
  );

  // Quality flags follow from figures: the reference's figures give the reference's flags.
  const expected: string[] = rowCount === 0 ? ['empty'] : [];
  for (const column of rowCount === 0 ? [] : facts) {
    if (column.nulls / rowCount >= 0.5) expected.push(`mostly_null ${column.name}`);
    if (column.distinct === 1 && rowCount - column.nulls > 1) expected.push(`constant ${column.name}`);
  }
  if (duplicateCount > 0) expected.push('duplicate_rows');
  const kinds = new Set(['empty', 'mostly_null', 'constant', 'duplicate_rows']);
  figures.exact(
    null,
    'quality flags (empty, mostly_null, constant, duplicate_rows)',
    insights.quality
      .filter((flag) => kinds.has(flag.kind))
      .map((flag) => (flag.column === undefined ? flag.kind : `${flag.kind} ${flag.column}`))
      .sort(),
    expected.sort(),
  );
  return figures.list;
}

async function compareCorrelations(table: ReferenceTable, figures: Figures, insights: ComparedInsights): Promise<void> {
  const pairs = insights.correlations.map((pair) => ({
    ...pair,
    x: table.columns.indexOf(pair.a),
    y: table.columns.indexOf(pair.b),
  }));
  // A hundred pairs a query: one scan of the table for many pairs.
  for (let start = 0; start < pairs.length; start += 100) {
    const chunk = pairs.slice(start, start + 100);
    const known = chunk.filter((pair) => pair.x >= 0 && pair.y >= 0);
    const sums = known.map(
      (pair, index) =>
        `corr(x${pair.x}, x${pair.y}) AS r${index}, count(*) FILTER (WHERE x${pair.x} IS NOT NULL AND x${pair.y} IS NOT NULL) AS n${index}`,
    );
    const reference = sums.length > 0 ? await table.one(`SELECT ${sums.join(', ')} FROM d`) : {};
    for (const pair of chunk) {
      const label = `${pair.a} ~ ${pair.b}`;
      const index = known.indexOf(pair);
      if (index < 0) {
        figures.add(label, 'pearson', pair.pearson, 'no such column', TOLERANCES.exact, false);
        continue;
      }
      figures.near(label, 'pearson', pair.pearson, asNumber(reference[`r${index}`]), 1e-12, TOLERANCES.correlation);
      figures.exact(label, 'pearson: rows', pair.rows, Number(reference[`n${index}`]));
    }
  }
}

/**
 * The pairs of numeric columns the insights neither correlate nor name as left out (issue 14
 * point 8: correlate every numeric pair, or state and report the cap). Columns whose type is not
 * a measure (ids, codes) are not expected in pairs.
 */
export function uncorrelatedPairs(insights: ComparedInsights): string[] {
  const leftOut = new Set(insights.correlationLimit?.leftOut ?? []);
  const measures = insights.columns
    .filter(
      (column) =>
        column.numeric && (column.type === undefined || column.type === 'integer' || column.type === 'decimal'),
    )
    .map((column) => column.name)
    .filter((name) => !leftOut.has(name));
  const reported = new Set(insights.correlations.flatMap((pair) => [`${pair.a} ~ ${pair.b}`, `${pair.b} ~ ${pair.a}`]));
  return measures.flatMap((a, index) =>
    measures
      .slice(index + 1)
      .filter((b) => !reported.has(`${a} ~ ${b}`))
      .map((b) => `${a} ~ ${b}`),
  );
}

const QUANTILES = [
  ['p05', 0.05],
  ['p25', 0.25],
  ['median', 0.5],
  ['p75', 0.75],
  ['p95', 0.95],
] as const;

// An exact integer as text, whatever the SDK gives it as (a number, a bigint or decimal text).
function integerText(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  return String(value);
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['second', 1],
  ['minute', 60],
  ['hour', 3600],
  ['day', 86_400],
  ['week', 7 * 86_400],
  ['month', 30.44 * 86_400],
  ['quarter', 91.31 * 86_400],
  ['year', 365.25 * 86_400],
];

// The finest unit a date is written in (an index into UNITS): its time of day, else its day, month or year.
function precisionOf(epochMs: number): number {
  const inDay = ((epochMs % 86_400_000) + 86_400_000) % 86_400_000;
  if (inDay % 60_000 !== 0) return 0;
  if (inDay % 3_600_000 !== 0) return 1;
  if (inDay !== 0) return 2;
  const date = new Date(epochMs);
  if (date.getUTCDate() !== 1) return 3;
  return date.getUTCMonth() !== 0 ? 5 : 7;
}

/** The figures of one column. */
class ColumnComparison {
  readonly #table: ReferenceTable;
  readonly #figures: Figures;
  readonly #insights: ComparedInsights;
  readonly #name: string;
  readonly #profile: ComparedColumn;
  readonly #rowCount: number;
  readonly #r: string;
  readonly #x: string;
  #facts: Record<string, unknown> = {};
  #nonNull = 0;

  constructor(
    table: ReferenceTable,
    figures: Figures,
    insights: ComparedInsights,
    index: number,
    name: string,
    profile: ComparedColumn,
    rowCount: number,
  ) {
    this.#table = table;
    this.#figures = figures;
    this.#insights = insights;
    this.#name = name;
    this.#profile = profile;
    this.#rowCount = rowCount;
    this.#r = `r${index}`;
    this.#x = `x${index}`;
  }

  #exact(figure: string, sdk: unknown, duckdb: unknown): void {
    this.#figures.exact(this.#name, figure, sdk, duckdb);
  }

  #near(figure: string, sdk: unknown, duckdb: unknown, bound: number, tolerance: string): void {
    this.#figures.near(this.#name, figure, sdk, duckdb, bound, tolerance);
  }

  #add(figure: string, sdk: unknown, duckdb: unknown, tolerance: string, ok: boolean): void {
    this.#figures.add(this.#name, figure, sdk, duckdb, tolerance, ok);
  }

  async compare(): Promise<{ nulls: number; distinct: number }> {
    const r = this.#r;
    const x = this.#x;
    // Each value's integer reading (for exact min and max) and code test, once a row.
    const integer = `CASE WHEN ${x} IS NOT NULL AND regexp_full_match(${r}, '${INTEGER_RE}') THEN TRY_CAST(trim(${r}, ${WS}) AS HUGEINT) END`;
    const code = `${x} IS NOT NULL AND regexp_full_match(${r}, '${LEADING_ZERO_RE}')`;
    this.#facts = await this.#table.one(`SELECT
        count(*) - count(r) AS nulls, count(DISTINCT r) AS distinct_values, count(x) AS numbers,
        min(x) AS min, max(x) AS max, max(abs(x)) AS magnitude, sum(abs(x)) AS absolute_sum,
        favg(x) AS mean, fsum(x) AS sum, stddev_samp(x) AS std, var_samp(x) AS variance,
        count(*) FILTER (WHERE x = 0) AS zeros, count(*) FILTER (WHERE x < 0) AS negatives,
        count(i) AS integers, min(i) AS integer_min, max(i) AS integer_max, count(*) FILTER (WHERE code) AS codes
      FROM (SELECT ${r} AS r, ${x} AS x, ${integer} AS i, ${code} AS code FROM d)`);
    const facts = this.#facts;
    const profile = this.#profile;
    const nulls = Number(facts.nulls);
    const distinct = Number(facts.distinct_values);
    const numbers = Number(facts.numbers);
    this.#nonNull = this.#rowCount - nulls;

    this.#exact('count', profile.count, this.#rowCount);
    this.#exact('nulls', profile.nulls, nulls);
    this.#exact('distinctMethod', profile.distinctMethod, distinct <= LIMITS.exactDistinct ? 'exact' : 'hyperloglog');
    if (profile.distinctMethod === 'exact') this.#exact('distinct', profile.distinct, distinct);
    else this.#near('distinct', profile.distinct, distinct, 3 * HLL_STANDARD_ERROR * distinct, TOLERANCES.hll);
    await this.#compareTopValues(distinct);
    if (profile.boolean) {
      const words = await this.#table.one(
        `SELECT count(*) FILTER (WHERE word IN ('true', 'yes', 't', 'y')) AS trues,
                count(*) FILTER (WHERE word IN ('false', 'no', 'f', 'n')) AS falses
         FROM (SELECT lower(trim(${r}, ${WS})) AS word FROM d)`,
      );
      this.#exact('boolean: true', profile.boolean.true, Number(words.trues));
      this.#exact('boolean: false', profile.boolean.false, Number(words.falses));
    }

    const codes = this.#table.rules.codes && Number(facts.codes) > 0;
    if (this.#table.rules.codes) {
      const numeric = !codes && numbers > 0 && numbers >= 0.9 * this.#nonNull;
      const why = codes
        ? `${facts.codes} numbers with a leading zero`
        : `${numbers} of ${this.#nonNull} values are numbers`;
      this.#add(
        'numeric (>= 90 % numbers, none with a leading zero)',
        profile.numeric ? 'numeric' : 'not numeric',
        `${numeric ? 'numeric' : 'not numeric'} (${why})`,
        TOLERANCES.exact,
        (profile.numeric !== undefined) === numeric,
      );
    }
    if (profile.numeric) await this.#compareNumbers(profile.numeric, numbers);
    else {
      await this.#compareDates();
      await this.#compareText(codes);
    }
    return { nulls, distinct };
  }

  // Top values: exact while the profile says so (ties broken by the value, in JavaScript's string
  // order); otherwise each listed value checked against its true count.
  async #compareTopValues(distinct: number): Promise<void> {
    const { topValues: k } = LIMITS;
    const r = this.#r;
    const profile = this.#profile;
    this.#exact('topValuesMethod is exact', profile.topValuesMethod === 'exact', distinct <= LIMITS.exactDistinct);
    // DuckDB orders text by code point, as JavaScript does but for characters past U+FFFF against
    // U+E000 to U+FFFF (UTF-16 code units): the list is sorted again here.
    const counted = await this.#table.query(
      `SELECT ${r} AS value, count(*) AS n FROM d WHERE ${r} IS NOT NULL GROUP BY ${r} ORDER BY n DESC, value LIMIT ${k}`,
    );
    const top = counted
      .map((row) => ({ value: String(row.value), count: Number(row.n) }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    if (profile.topValuesMethod === 'exact') {
      this.#exact(
        'topValues',
        profile.topValues.map((entry) => ({ value: entry.value, count: entry.count })),
        top,
      );
      return;
    }
    const listed = profile.topValues.map((entry) => entry.value);
    const truth = new Map<string, number>();
    if (listed.length > 0) {
      const rows = await this.#table.query(
        `SELECT ${r} AS value, count(*) AS n FROM d WHERE ${r} IN (${listed.map(sqlText).join(', ')}) GROUP BY ${r}`,
      );
      for (const row of rows) truth.set(String(row.value), Number(row.n));
    }
    const nonNull = this.#nonNull;
    for (const entry of profile.topValues) {
      const count = truth.get(entry.value) ?? 0;
      // Without a stated error, a count scaled from a 500-value sample (docs/insights.md): within 4 of its standard errors.
      const share = count / nonNull;
      const close =
        entry.maxError === undefined
          ? Math.abs(entry.count - count) <= 4 * nonNull * Math.sqrt((share * (1 - share)) / 500) + 1
          : count >= entry.count - entry.maxError && count <= entry.count;
      this.#add(`topValues: count of '${entry.value}'`, entry.count, count, TOLERANCES.estimatedCount, close);
      const threshold = entry.maxError === undefined ? 0.006 : 0.001;
      this.#add(
        `topValues: share of '${entry.value}'`,
        entry.count / nonNull,
        share,
        TOLERANCES.estimatedShare,
        share >= threshold,
      );
    }
    const unlisted = top.filter((entry) => entry.count >= 0.01 * nonNull && !listed.includes(entry.value));
    this.#add(
      'topValues: frequent values listed',
      listed,
      unlisted.map((entry) => `${entry.value} (${entry.count}) unlisted`),
      TOLERANCES.frequentListed,
      unlisted.length === 0,
    );
  }

  async #compareNumbers(numeric: ComparedNumbers, numbers: number): Promise<void> {
    const facts = this.#facts;
    const x = this.#x;
    const magnitude = asNumber(facts.magnitude) ?? 0;
    const min = asNumber(facts.min);
    const max = asNumber(facts.max);
    this.#exact('numeric: count', numeric.count, numbers);
    // Integers compare as exact text (beyond 2^53 a double cannot hold them all); other numbers as doubles.
    if (Number(facts.integers) === numbers) {
      this.#exact(
        'numeric: min (exact integer)',
        integerText(numeric.exactMin ?? numeric.min),
        String(facts.integer_min),
      );
      this.#exact(
        'numeric: max (exact integer)',
        integerText(numeric.exactMax ?? numeric.max),
        String(facts.integer_max),
      );
    } else {
      this.#exact('numeric: min', numeric.min, min);
      this.#exact('numeric: max', numeric.max, max);
    }
    this.#near('numeric: mean', numeric.mean, asNumber(facts.mean), 1e-12 * magnitude, TOLERANCES.mean);
    const std = numbers > 1 ? asNumber(facts.std) : 0;
    this.#near('numeric: stdDev', numeric.stdDev, std, 1e-9 * std + 1e-12 * magnitude, TOLERANCES.spread);
    if (numeric.variance !== undefined) {
      const variance = numbers > 1 ? asNumber(facts.variance) : 0;
      const bound = 1e-9 * variance + 1e-12 * magnitude * magnitude;
      this.#near('numeric: variance', numeric.variance, variance, bound, TOLERANCES.spread);
    }
    if (numeric.sum !== undefined)
      this.#near(
        'numeric: sum',
        numeric.sum,
        asNumber(facts.sum),
        1e-12 * asNumber(facts.absolute_sum),
        TOLERANCES.sum,
      );
    if (numeric.zeros !== undefined) this.#exact('numeric: zeros', numeric.zeros, Number(facts.zeros));
    if (numeric.negatives !== undefined) this.#exact('numeric: negatives', numeric.negatives, Number(facts.negatives));
    if (numeric.skewness !== undefined || numeric.kurtosis !== undefined) await this.#compareMoments(numeric, numbers);
    const exact = numbers <= LIMITS.sampleSize;
    this.#exact('numeric: quantileMethod', numeric.quantileMethod, exact ? 'exact' : 'sample');

    // Quantiles: each q, and for a sample the ranks q -/+ 4 standard errors around it.
    const spread = (q: number) => 4 * Math.sqrt((q * (1 - q)) / LIMITS.sampleSize);
    const ranks = QUANTILES.flatMap(([, q]) => [q, Math.max(0, q - spread(q)), Math.min(1, q + spread(q))]);
    const { quantiles } = await this.#table.one(
      `SELECT quantile_cont(${x}, [${ranks.join(', ')}]) AS quantiles FROM d`,
    );
    const reference = (quantiles as unknown[]).map(asNumber);
    const given: Record<string, number> = { ...numeric.quantiles, median: numeric.median };
    const at: Record<string, number> = {};
    QUANTILES.forEach(([label, q], position) => {
      const [value, low, high] = reference.slice(position * 3, position * 3 + 3) as [number, number, number];
      at[label] = value;
      if (numeric.quantileMethod === 'exact')
        this.#near(`numeric: ${label} (q ${q})`, given[label], value, ulps(4, magnitude), TOLERANCES.ulps);
      else {
        const sdk = given[label] as number;
        this.#add(
          `numeric: ${label} (q ${q})`,
          sdk,
          `${value} (rank range ${low} .. ${high})`,
          TOLERANCES.sampleQuantile,
          sdk >= low && sdk <= high,
        );
      }
    });
    const [q25, median, q75] = [at.p25, at.median, at.p75] as [number, number, number];
    const { mad } = await this.#table.one(`SELECT quantile_cont(abs(${x} - ${sqlDouble(median)}), 0.5) AS mad FROM d`);
    if (exact) {
      if (numeric.iqr !== undefined)
        this.#near('numeric: iqr', numeric.iqr, q75 - q25, ulps(8, magnitude), TOLERANCES.ulps);
      if (numeric.mad !== undefined)
        this.#near('numeric: mad', numeric.mad, asNumber(mad), ulps(8, magnitude), TOLERANCES.ulps);
    }
    await this.#compareHistogram(numeric, numbers, min, max, magnitude);
    const measure =
      this.#profile.type === undefined || this.#profile.type === 'integer' || this.#profile.type === 'decimal';
    if (measure && numbers >= 4)
      await this.#compareOutliers(numeric, numbers, q25, median, q75, asNumber(mad), magnitude);
  }

  // Skewness and excess kurtosis, sample-adjusted (G1, G2; DuckDB's and pandas' definitions),
  // from central moments computed in a second pass.
  async #compareMoments(numeric: ComparedNumbers, numbers: number): Promise<void> {
    const x = this.#x;
    const mean = sqlDouble(asNumber(this.#facts.mean));
    const moments = await this.#table.one(
      `SELECT favg(power(${x} - ${mean}, 2)) AS m2, favg(power(${x} - ${mean}, 3)) AS m3, favg(power(${x} - ${mean}, 4)) AS m4 FROM d`,
    );
    const [m2, m3, m4] = [asNumber(moments.m2), asNumber(moments.m3), asNumber(moments.m4)];
    const n = numbers;
    const skewness = n > 2 && m2 > 0 ? ((Math.sqrt(n * (n - 1)) / (n - 2)) * m3) / m2 ** 1.5 : null;
    const kurtosis =
      n > 3 && m2 > 0 ? ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * (m4 / (m2 * m2)) - 3 * (n - 1)) : null;
    const bound = (value: number | null) => 1e-9 * Math.max(1, Math.abs(value ?? 0));
    if (numeric.skewness !== undefined)
      this.#near('numeric: skewness', numeric.skewness, skewness, bound(skewness), TOLERANCES.moments);
    if (numeric.kurtosis !== undefined)
      this.#near('numeric: kurtosis', numeric.kurtosis, kurtosis, bound(kurtosis), TOLERANCES.moments);
  }

  // The counts of the SDK's stated bins: [from, to), the last one closed; values outside them
  // counted in histogramOutside when the profile has it. The bins span min to max unless it has.
  async #compareHistogram(
    numeric: ComparedNumbers,
    numbers: number,
    min: number,
    max: number,
    magnitude: number,
  ): Promise<void> {
    const bins = numeric.histogram;
    const first = bins[0];
    const last = bins.at(-1);
    this.#exact('histogram: bins', bins.length, LIMITS.bins);
    if (!first || !last) return;
    if (!numeric.histogramOutside) {
      this.#exact('histogram: from (min)', first.from, min);
      // (One value throughout has bins of width 1 from it: no end to compare.)
      if (max > min) this.#near('histogram: to (max)', last.to, max, ulps(16, magnitude), TOLERANCES.histogramEnd);
    }
    const x = this.#x;
    // The last bin is closed, and ends at the max when the bins span min to max (its stated end
    // may fall an ulp short of it).
    const end = numeric.histogramOutside ? last.to : Math.max(last.to, max);
    const cases = bins.map((bin, index) => {
      const upper = index === bins.length - 1 ? `<= ${sqlDouble(end)}` : `< ${sqlDouble(bin.to)}`;
      return `count(*) FILTER (WHERE ${x} >= ${sqlDouble(bin.from)} AND ${x} ${upper}) AS b${index}`;
    });
    const counted = await this.#table.one(
      `SELECT ${cases.join(', ')}, count(*) FILTER (WHERE ${x} < ${sqlDouble(first.from)}) AS below,
              count(*) FILTER (WHERE ${x} > ${sqlDouble(end)}) AS above FROM d`,
    );
    const counts = bins.map((_, index) => Number(counted[`b${index}`]));
    const outside = numeric.histogramOutside;
    const [below, above] = [Number(counted.below), Number(counted.above)];
    if (numeric.quantileMethod === 'exact') {
      this.#exact(
        'histogram: counts',
        bins.map((bin) => bin.count),
        counts,
      );
      this.#exact('histogram: outside (below, above)', [outside?.below ?? 0, outside?.above ?? 0], [below, above]);
      return;
    }
    const bound = (count: number) => {
      const share = count / numbers;
      return 4 * numbers * Math.sqrt((share * (1 - share)) / LIMITS.sampleSize) + 1;
    };
    counts.forEach((count, index) => {
      this.#near(`histogram: count of bin ${index}`, bins[index]?.count, count, bound(count), TOLERANCES.sampleCount);
    });
    this.#near('histogram: outside below', outside?.below ?? 0, below, bound(below), TOLERANCES.sampleCount);
    this.#near('histogram: outside above', outside?.above ?? 0, above, bound(above), TOLERANCES.sampleCount);
  }

  // Outliers by Tukey's fences and by the modified z-score (docs/insights.md), from the
  // reference's quartiles, median and MAD; examples are the values farthest from the median.
  async #compareOutliers(
    numeric: ComparedNumbers,
    numbers: number,
    q25: number,
    median: number,
    q75: number,
    mad: number,
    magnitude: number,
  ): Promise<void> {
    const x = this.#x;
    const iqr = q75 - q25;
    const reach = (3.5 * mad) / 0.6745;
    const rules = [
      { method: 'iqr', low: q25 - 1.5 * iqr, high: q75 + 1.5 * iqr, applies: iqr > 0 },
      { method: 'robust_z', low: median - reach, high: median + reach, applies: mad > 0 },
    ];
    const exact = numeric.quantileMethod === 'exact';
    const reportedBy = (method: string) =>
      this.#insights.outliers.find((entry) => entry.column === this.#name && entry.method === method);
    // Values beyond each pair of fences (the reference's while exact, else the SDK's), in one scan.
    const fences = rules.map((rule) => {
      const reported = reportedBy(rule.method);
      return exact ? rule : { ...rule, low: reported?.low ?? 0, high: reported?.high ?? 0, applies: !!reported };
    });
    const beyond = fences.map(
      (fence, index) =>
        `count(*) FILTER (WHERE ${fence.applies} AND (${x} < ${sqlDouble(fence.low)} OR ${x} > ${sqlDouble(fence.high)})) AS n${index}`,
    );
    const counted = await this.#table.one(`SELECT ${beyond.join(', ')} FROM d`);
    const outside = (index: number) => Number(counted[`n${index}`]);
    for (const [index, rule] of rules.entries()) {
      const label = `outliers (${rule.method})`;
      const reported = reportedBy(rule.method);
      if (exact) {
        const count = outside(index);
        this.#exact(`${label}: reported`, reported !== undefined, count > 0);
        if (!reported || count === 0) continue;
        this.#near(`${label}: low fence`, reported.low, rule.low, ulps(32, magnitude), TOLERANCES.fences);
        this.#near(`${label}: high fence`, reported.high, rule.high, ulps(32, magnitude), TOLERANCES.fences);
        this.#exact(`${label}: count`, reported.count, count);
      } else if (reported) {
        // Fences from sample quartiles: the count of values beyond them, as scaled from the sample.
        const count = outside(index);
        const share = count / numbers;
        const bound = 4 * numbers * Math.sqrt((share * (1 - share)) / LIMITS.sampleSize) + 1;
        this.#near(`${label}: count`, reported.count, count, bound, TOLERANCES.sampleCount);
      }
      if (!reported) continue;
      // Examples: the values beyond the SDK's fences farthest from its median (as distances:
      // values on both sides may tie), each on the row it names.
      const center = sqlDouble(numeric.median);
      const farthest = await this.#table.query(
        `SELECT abs(${x} - ${center}) AS distance FROM d WHERE ${x} < ${sqlDouble(reported.low)} OR ${x} > ${sqlDouble(reported.high)}
         ORDER BY distance DESC LIMIT ${LIMITS.outlierExamples}`,
      );
      this.#exact(
        `${label}: examples (distance from the median)`,
        reported.examples.map((example) => Math.abs(example.value - numeric.median)),
        farthest.map((row) => asNumber(row.distance)),
      );
      if (reported.examples.length === 0) continue;
      // The SDK numbers rows as the file shows them (the header being row 1); the reference's
      // `row` counts data rows from 1.
      const shift = (this.#insights.rows?.firstRowNumber ?? 1) - 1;
      const rows = reported.examples.map((example) => example.row - shift);
      const onRows = await this.#table.query(`SELECT row, ${x} AS value FROM d WHERE row IN (${rows.join(', ')})`);
      const valueOn = new Map(onRows.map((row) => [Number(row.row) + shift, asNumber(row.value)]));
      this.#exact(
        `${label}: example rows (rows of the file)`,
        reported.examples.map((example) => [example.row, example.value]),
        reported.examples.map((example) => [example.row, valueOn.get(example.row) ?? null]),
      );
    }
  }

  // A date column: at least 90 % of the non-null values are dates, by the rules.
  async #compareDates(): Promise<void> {
    const r = this.#r;
    const ms = await this.#table.dateExpression(r);
    const dates = await this.#table.one(
      `SELECT count(ms) AS n, list(DISTINCT ms ORDER BY ms) FILTER (WHERE ms IS NOT NULL) AS distinct_ms
       FROM (SELECT ${ms} AS ms FROM d WHERE ${r} IS NOT NULL AND ${this.#x} IS NULL)`,
    );
    const count = Number(dates.n);
    const distinct = ((dates.distinct_ms as unknown[] | null) ?? []).map(Number);
    const iso = (epochMs: number | undefined) => (epochMs === undefined ? undefined : new Date(epochMs).toISOString());
    const isDates = count > 0 && count >= 0.9 * this.#nonNull;
    const sdk = this.#profile.dates;
    this.#add(
      'dates (>= 90 % of the values are dates)',
      sdk ? `${sdk.min} .. ${sdk.max}` : 'absent',
      isDates
        ? `${iso(distinct[0])} .. ${iso(distinct.at(-1))}`
        : `absent (${count} of ${this.#nonNull} values are dates)`,
      TOLERANCES.exact,
      (sdk !== undefined) === isDates,
    );
    if (!sdk || !isDates) return;
    this.#exact('dates: count', sdk.count, count);
    this.#exact('dates: min', sdk.min, iso(distinct[0]));
    this.#exact('dates: max', sdk.max, iso(distinct.at(-1)));
    this.#exact('dates: precision', sdk.precision, UNITS[Math.min(...distinct.map(precisionOf))]?.[0]);
    if (distinct.length < 3) {
      this.#exact('dates: medianGapSeconds', sdk.medianGapSeconds, undefined);
      return;
    }
    // The SDK keeps the first 10,000 distinct dates for the gaps: beyond, the gaps are not compared.
    if (distinct.length > 10_000) return;
    const gaps = distinct
      .slice(1)
      .map((value, position) => (value - (distinct[position] as number)) / 1000)
      .sort((p, q) => p - q);
    const lower = gaps[Math.floor((gaps.length - 1) / 2)] as number;
    const upper = gaps[Math.floor(gaps.length / 2)] as number;
    const gap = sdk.medianGapSeconds;
    this.#add(
      'dates: medianGapSeconds',
      gap,
      lower === upper ? lower : `${lower} .. ${upper}`,
      TOLERANCES.medianGap,
      gap !== undefined && gap >= lower && gap <= upper,
    );
    // A unit only when the gap is one (within 20 %, as 28 to 31 days are a month), so a 3-day
    // gap is not "a week" (issue 14, point 9).
    const unitOf = (seconds: number) => UNITS.find(([, length]) => Math.abs(seconds / length - 1) <= 0.2)?.[0];
    const units = [...new Set([unitOf(lower), unitOf(upper)])];
    this.#add(
      'dates: granularity',
      sdk.granularity,
      units.map((unit) => unit ?? 'absent').join(' or '),
      TOLERANCES.granularityWithin,
      units.includes(sdk.granularity),
    );
  }

  // Lengths (UTF-16 code units, as JavaScript counts) of the values that are not numbers; with
  // codes, of every value.
  async #compareText(codes: boolean): Promise<void> {
    const r = this.#r;
    // UTF-16 length: characters, plus one for each past U+FFFF (looked for only in non-ASCII text).
    const length = `CASE WHEN strlen(${r}) = length(${r}) THEN length(${r}) ELSE length(${r}) + length(regexp_replace(${r}, '[^\\x{10000}-\\x{10FFFF}]', '', 'g')) END`;
    const text = await this.#table.one(
      `SELECT count(${r}) AS n, min(${length}) AS shortest, max(${length}) AS longest, favg(${length}) AS mean
       FROM d WHERE ${codes ? 'TRUE' : `${this.#x} IS NULL`}`,
    );
    const sdk = this.#profile.text;
    if (Number(text.n) === 0) {
      this.#exact('text', sdk, undefined);
      return;
    }
    this.#exact('text: minLength', sdk?.minLength, Number(text.shortest));
    this.#exact('text: maxLength', sdk?.maxLength, Number(text.longest));
    const mean = asNumber(text.mean);
    this.#near('text: meanLength', sdk?.meanLength, mean, 1e-12 * mean, TOLERANCES.textMean);
  }
}
