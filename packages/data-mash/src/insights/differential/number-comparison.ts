import { asNumber, type ColumnFigures, ulps } from './column-figures.js';
import { type ComparedNumbers, LIMITS } from './compared-insights.js';
import { TOLERANCES } from './figures.js';
import { sqlDouble } from './reference-table.js';

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

export async function compareNumbers(column: ColumnFigures, numeric: ComparedNumbers, numbers: number): Promise<void> {
  const facts = column.facts;
  const x = column.x;
  const magnitude = asNumber(facts.magnitude) ?? 0;
  const min = asNumber(facts.min);
  const max = asNumber(facts.max);
  column.exact('numeric: count', numeric.count, numbers);
  // Integers compare as exact text (beyond 2^53 a double cannot hold them all); other numbers as doubles.
  if (Number(facts.integers) === numbers) {
    column.exact(
      'numeric: min (exact integer)',
      integerText(numeric.exactMin ?? numeric.min),
      String(facts.integer_min),
    );
    column.exact(
      'numeric: max (exact integer)',
      integerText(numeric.exactMax ?? numeric.max),
      String(facts.integer_max),
    );
  } else {
    column.exact('numeric: min', numeric.min, min);
    column.exact('numeric: max', numeric.max, max);
  }
  column.near('numeric: mean', numeric.mean, asNumber(facts.mean), 1e-12 * magnitude, TOLERANCES.mean);
  const std = numbers > 1 ? asNumber(facts.std) : 0;
  column.near('numeric: stdDev', numeric.stdDev, std, 1e-9 * std + 1e-12 * magnitude, TOLERANCES.spread);
  if (numeric.variance !== undefined) {
    const variance = numbers > 1 ? asNumber(facts.variance) : 0;
    const bound = 1e-9 * variance + 1e-12 * magnitude * magnitude;
    column.near('numeric: variance', numeric.variance, variance, bound, TOLERANCES.spread);
  }
  if (numeric.sum !== undefined)
    column.near('numeric: sum', numeric.sum, asNumber(facts.sum), 1e-12 * asNumber(facts.absolute_sum), TOLERANCES.sum);
  if (numeric.zeros !== undefined) column.exact('numeric: zeros', numeric.zeros, Number(facts.zeros));
  if (numeric.negatives !== undefined) column.exact('numeric: negatives', numeric.negatives, Number(facts.negatives));
  if (numeric.skewness !== undefined || numeric.kurtosis !== undefined) await compareMoments(column, numeric, numbers);
  const exact = numbers <= LIMITS.sampleSize;
  column.exact('numeric: quantileMethod', numeric.quantileMethod, exact ? 'exact' : 'sample');

  // Quantiles: each q, and for a sample the ranks q -/+ 4 standard errors around it.
  const spread = (q: number) => 4 * Math.sqrt((q * (1 - q)) / LIMITS.sampleSize);
  const ranks = QUANTILES.flatMap(([, q]) => [q, Math.max(0, q - spread(q)), Math.min(1, q + spread(q))]);
  const { quantiles } = await column.table.one(`SELECT quantile_cont(${x}, [${ranks.join(', ')}]) AS quantiles FROM d`);
  const reference = (quantiles as unknown[]).map(asNumber);
  const given: Record<string, number> = { ...numeric.quantiles, median: numeric.median };
  const at: Record<string, number> = {};
  QUANTILES.forEach(([label, q], position) => {
    const [value, low, high] = reference.slice(position * 3, position * 3 + 3) as [number, number, number];
    at[label] = value;
    if (numeric.quantileMethod === 'exact')
      column.near(`numeric: ${label} (q ${q})`, given[label], value, ulps(4, magnitude), TOLERANCES.ulps);
    else {
      const sdk = given[label] as number;
      column.add(
        `numeric: ${label} (q ${q})`,
        sdk,
        `${value} (rank range ${low} .. ${high})`,
        TOLERANCES.sampleQuantile,
        sdk >= low && sdk <= high,
      );
    }
  });
  const [q25, median, q75] = [at.p25, at.median, at.p75] as [number, number, number];
  const { mad } = await column.table.one(`SELECT quantile_cont(abs(${x} - ${sqlDouble(median)}), 0.5) AS mad FROM d`);
  if (exact) {
    if (numeric.iqr !== undefined)
      column.near('numeric: iqr', numeric.iqr, q75 - q25, ulps(8, magnitude), TOLERANCES.ulps);
    if (numeric.mad !== undefined)
      column.near('numeric: mad', numeric.mad, asNumber(mad), ulps(8, magnitude), TOLERANCES.ulps);
  }
  await compareHistogram(column, numeric, numbers, min, max, magnitude);
  const measure =
    column.profile.type === undefined || column.profile.type === 'integer' || column.profile.type === 'decimal';
  if (measure && numbers >= 4)
    await compareOutliers(column, numeric, numbers, q25, median, q75, asNumber(mad), magnitude);
}

// Skewness and excess kurtosis, sample-adjusted (G1, G2; DuckDB's and pandas' definitions),
// from central moments computed in a second pass.
async function compareMoments(column: ColumnFigures, numeric: ComparedNumbers, numbers: number): Promise<void> {
  const x = column.x;
  const mean = sqlDouble(asNumber(column.facts.mean));
  const moments = await column.table.one(
    `SELECT favg(power(${x} - ${mean}, 2)) AS m2, favg(power(${x} - ${mean}, 3)) AS m3, favg(power(${x} - ${mean}, 4)) AS m4 FROM d`,
  );
  const [m2, m3, m4] = [asNumber(moments.m2), asNumber(moments.m3), asNumber(moments.m4)];
  const n = numbers;
  const skewness = n > 2 && m2 > 0 ? ((Math.sqrt(n * (n - 1)) / (n - 2)) * m3) / m2 ** 1.5 : null;
  const kurtosis =
    n > 3 && m2 > 0 ? ((n - 1) / ((n - 2) * (n - 3))) * ((n + 1) * (m4 / (m2 * m2)) - 3 * (n - 1)) : null;
  const bound = (value: number | null) => 1e-9 * Math.max(1, Math.abs(value ?? 0));
  if (numeric.skewness !== undefined)
    column.near('numeric: skewness', numeric.skewness, skewness, bound(skewness), TOLERANCES.moments);
  if (numeric.kurtosis !== undefined)
    column.near('numeric: kurtosis', numeric.kurtosis, kurtosis, bound(kurtosis), TOLERANCES.moments);
}

// The counts of the SDK's stated bins: [from, to), the last one closed; values outside them
// counted in histogramOutside when the profile has it. The bins span min to max unless it has.
async function compareHistogram(
  column: ColumnFigures,
  numeric: ComparedNumbers,
  numbers: number,
  min: number,
  max: number,
  magnitude: number,
): Promise<void> {
  const bins = numeric.histogram;
  const first = bins[0];
  const last = bins.at(-1);
  column.exact('histogram: bins', bins.length, LIMITS.bins);
  if (!first || !last) return;
  if (!numeric.histogramOutside) {
    column.exact('histogram: from (min)', first.from, min);
    // (One value throughout has bins of width 1 from it: no end to compare.)
    if (max > min) column.near('histogram: to (max)', last.to, max, ulps(16, magnitude), TOLERANCES.histogramEnd);
  }
  const x = column.x;
  // The last bin is closed, and ends at the max when the bins span min to max (its stated end
  // may fall an ulp short of it).
  const end = numeric.histogramOutside ? last.to : Math.max(last.to, max);
  const cases = bins.map((bin, index) => {
    const upper = index === bins.length - 1 ? `<= ${sqlDouble(end)}` : `< ${sqlDouble(bin.to)}`;
    return `count(*) FILTER (WHERE ${x} >= ${sqlDouble(bin.from)} AND ${x} ${upper}) AS b${index}`;
  });
  const counted = await column.table.one(
    `SELECT ${cases.join(', ')}, count(*) FILTER (WHERE ${x} < ${sqlDouble(first.from)}) AS below,
              count(*) FILTER (WHERE ${x} > ${sqlDouble(end)}) AS above FROM d`,
  );
  const counts = bins.map((_, index) => Number(counted[`b${index}`]));
  const outside = numeric.histogramOutside;
  const [below, above] = [Number(counted.below), Number(counted.above)];
  if (numeric.quantileMethod === 'exact') {
    column.exact(
      'histogram: counts',
      bins.map((bin) => bin.count),
      counts,
    );
    column.exact('histogram: outside (below, above)', [outside?.below ?? 0, outside?.above ?? 0], [below, above]);
    return;
  }
  const bound = (count: number) => {
    const share = count / numbers;
    return 4 * numbers * Math.sqrt((share * (1 - share)) / LIMITS.sampleSize) + 1;
  };
  counts.forEach((count, index) => {
    column.near(`histogram: count of bin ${index}`, bins[index]?.count, count, bound(count), TOLERANCES.sampleCount);
  });
  column.near('histogram: outside below', outside?.below ?? 0, below, bound(below), TOLERANCES.sampleCount);
  column.near('histogram: outside above', outside?.above ?? 0, above, bound(above), TOLERANCES.sampleCount);
}

// Outliers by Tukey's fences and by the modified z-score (docs/insights.md), from the
// reference's quartiles, median and MAD; examples are the values farthest from the median.
async function compareOutliers(
  column: ColumnFigures,
  numeric: ComparedNumbers,
  numbers: number,
  q25: number,
  median: number,
  q75: number,
  mad: number,
  magnitude: number,
): Promise<void> {
  const x = column.x;
  const iqr = q75 - q25;
  const reach = (3.5 * mad) / 0.6745;
  const rules = [
    { method: 'iqr', low: q25 - 1.5 * iqr, high: q75 + 1.5 * iqr, applies: iqr > 0 },
    { method: 'robust_z', low: median - reach, high: median + reach, applies: mad > 0 },
  ];
  const exact = numeric.quantileMethod === 'exact';
  const reportedBy = (method: string) =>
    column.insights.outliers.find((entry) => entry.column === column.name && entry.method === method);
  // Values beyond each pair of fences (the reference's while exact, else the SDK's), in one scan.
  const fences = rules.map((rule) => {
    const reported = reportedBy(rule.method);
    return exact ? rule : { ...rule, low: reported?.low ?? 0, high: reported?.high ?? 0, applies: !!reported };
  });
  const beyond = fences.map(
    (fence, index) =>
      `count(*) FILTER (WHERE ${fence.applies} AND (${x} < ${sqlDouble(fence.low)} OR ${x} > ${sqlDouble(fence.high)})) AS n${index}`,
  );
  const counted = await column.table.one(`SELECT ${beyond.join(', ')} FROM d`);
  const outside = (index: number) => Number(counted[`n${index}`]);
  for (const [index, rule] of rules.entries()) {
    const label = `outliers (${rule.method})`;
    const reported = reportedBy(rule.method);
    if (exact) {
      const count = outside(index);
      column.exact(`${label}: reported`, reported !== undefined, count > 0);
      if (!reported || count === 0) continue;
      column.near(`${label}: low fence`, reported.low, rule.low, ulps(32, magnitude), TOLERANCES.fences);
      column.near(`${label}: high fence`, reported.high, rule.high, ulps(32, magnitude), TOLERANCES.fences);
      column.exact(`${label}: count`, reported.count, count);
    } else if (reported) {
      // Fences from sample quartiles: the count of values beyond them, as scaled from the sample.
      const count = outside(index);
      const share = count / numbers;
      const bound = 4 * numbers * Math.sqrt((share * (1 - share)) / LIMITS.sampleSize) + 1;
      column.near(`${label}: count`, reported.count, count, bound, TOLERANCES.sampleCount);
    }
    if (!reported) continue;
    // Examples: the values beyond the SDK's fences farthest from its median (as distances:
    // values on both sides may tie), each on the row it names.
    const center = sqlDouble(numeric.median);
    const farthest = await column.table.query(
      `SELECT abs(${x} - ${center}) AS distance FROM d WHERE ${x} < ${sqlDouble(reported.low)} OR ${x} > ${sqlDouble(reported.high)}
         ORDER BY distance DESC LIMIT ${LIMITS.outlierExamples}`,
    );
    column.exact(
      `${label}: examples (distance from the median)`,
      reported.examples.map((example) => Math.abs(example.value - numeric.median)),
      farthest.map((row) => asNumber(row.distance)),
    );
    if (reported.examples.length === 0) continue;
    // The SDK numbers rows as the file shows them (the header being row 1); the reference's
    // `row` counts data rows from 1.
    const shift = (column.insights.rows?.firstRowNumber ?? 1) - 1;
    const rows = reported.examples.map((example) => example.row - shift);
    const onRows = await column.table.query(`SELECT row, ${x} AS value FROM d WHERE row IN (${rows.join(', ')})`);
    const valueOn = new Map(onRows.map((row) => [Number(row.row) + shift, asNumber(row.value)]));
    column.exact(
      `${label}: example rows (rows of the file)`,
      reported.examples.map((example) => [example.row, example.value]),
      reported.examples.map((example) => [example.row, valueOn.get(example.row) ?? null]),
    );
  }
}
