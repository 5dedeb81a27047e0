/**
 * The differential test of the insights against DuckDB (issue 14, "Done means"): every figure of
 * the SDK's profile of a file, recomputed by DuckDB over the same file, within the tolerance
 * stated for it (./figures.ts), by reading rules written out in SQL (./reference-table.ts).
 *
 * - vega-datasets: 24 CSV/TSV files (profileDelimitedFile on one thread, the byte fast path) and
 *   6 JSON arrays (TableProfiler.add with typed values), by the rules docs/insights.md states
 *   (SDK_RULES).
 * - generated files with known answers (./edge-cases.ts), by the same rules, and one test a point
 *   of issue 14 (each failed on the code before it was fixed).
 *
 *   pnpm vitest run packages/data-mash/src/insights/differential
 *
 * A failure names the dataset, column, figure, the SDK's value, DuckDB's and the tolerance.
 * DUCKDB_DIFFERENTIAL_LOG=file appends every compared figure to `file` as JSON lines.
 */
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dataset, delimitedDataset, jsonDataset, VEGA_DATA, VEGA_DELIMITED, VEGA_JSON } from './datasets.js';
import { type ComparedInsights, compareWithDuckDb, uncorrelatedPairs } from './duckdb-reference.js';
import { BIG_INTEGERS, DISTINCT_COUNTS, EDGE_CASES, HEAVY_HITTER, NULL_TOKENS } from './edge-cases.js';
import { describeFigures, disagreements, HLL_STANDARD_ERROR } from './figures.js';
import { type ReferenceRules, SDK_RULES } from './reference-table.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'duckdb-differential-'));
  for (const [name, generate] of Object.entries(EDGE_CASES)) await writeFile(join(directory, name), generate());
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

// Each file is profiled once, whichever test asks first.
const datasets = new Map<string, Promise<{ dataset: Dataset; insights: ComparedInsights }>>();
function profiled(name: string): Promise<{ dataset: Dataset; insights: ComparedInsights }> {
  let entry = datasets.get(name);
  if (!entry) {
    entry = (async () => {
      const dataset = VEGA_JSON.includes(name)
        ? await jsonDataset(name, join(VEGA_DATA, name), directory)
        : delimitedDataset(name, join(name in EDGE_CASES ? directory : VEGA_DATA, name));
      return { dataset, insights: await dataset.profile() };
    })();
    datasets.set(name, entry);
  }
  return entry;
}

async function expectAgreement(name: string, rules: ReferenceRules): Promise<void> {
  const { dataset, insights } = await profiled(name);
  const figures = await compareWithDuckDb({ ...dataset, dataset: name, insights, rules });
  const log = process.env.DUCKDB_DIFFERENTIAL_LOG;
  if (log) {
    const bigint = (_: string, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value);
    await appendFile(
      log,
      figures.map((figure) => `${JSON.stringify({ rules: rules.name, ...figure }, bigint)}\n`).join(''),
    );
  }
  const failed = disagreements(figures);
  expect(failed.length, `${failed.length} of ${figures.length} figures disagree:\n${describeFigures(failed)}`).toBe(0);
}

const column = (insights: ComparedInsights, name: string) => {
  const found = insights.columns.find((entry) => entry.name === name);
  if (!found) throw new Error(`no column ${name}`);
  return found;
};

const REAL = [...VEGA_DELIMITED, ...VEGA_JSON];

describe('insights against DuckDB: vega-datasets, by the documented rules', () => {
  it.each(REAL)('%s', async (name) => {
    await expectAgreement(name, SDK_RULES);
  });
});

describe('insights against DuckDB: generated edge cases and the points of issue 14', () => {
  it.each(Object.keys(EDGE_CASES))('%s: every figure', async (name) => {
    await expectAgreement(name, SDK_RULES);
  });

  it('keeps codes with leading zeros as text: no mean, correlation or outliers (point 2)', async () => {
    const { insights } = await profiled('codes.csv');
    for (const name of ['zip', 'fips', 'padded_id']) {
      const profile = column(insights, name);
      expect(profile.numeric, `codes.csv | ${name} | numeric: a code column has no numeric figures`).toBeUndefined();
      expect(profile.distinctMethod, `codes.csv | ${name} | distinctMethod`).toBe('exact');
    }
    expect(column(insights, 'padded_id').distinct, 'codes.csv | padded_id | distinct').toBe(3000);
    expect(column(insights, 'longitude').numeric, 'codes.csv | longitude | numeric').toBeDefined();
    const named = [
      ...insights.correlations.flatMap((pair) => [pair.a, pair.b]),
      ...insights.outliers.map((entry) => entry.column),
    ];
    expect(
      named.filter((name) => ['zip', 'fips', 'padded_id'].includes(name)),
      'codes.csv | correlations and outliers naming a code column',
    ).toEqual([]);
  });

  it('reads slash dates in the order the column shows, yyyy/mm/dd and month names (point 3)', async () => {
    const { insights } = await profiled('slash-dates.csv');
    const day = { min: '2024-01-02T00:00:00.000Z', max: '2024-12-01T00:00:00.000Z', granularity: 'day' };
    const expected: Record<string, { min: string; max: string; granularity: string }> = {
      us_date: day,
      eu_date: day,
      ymd: day,
      month_name: day,
      iso: day,
      ymd_time: { min: '2024-01-02T08:30:00.000Z', max: '2024-12-01T14:04:00.000Z', granularity: 'day' },
      us_monthly: { min: '2024-01-01T00:00:00.000Z', max: '2024-12-01T00:00:00.000Z', granularity: 'month' },
    };
    for (const [name, dates] of Object.entries(expected)) {
      const profile = column(insights, name).dates;
      expect(
        { min: profile?.min, max: profile?.max, granularity: profile?.granularity },
        `slash-dates.csv | ${name} | dates: min, max, granularity`,
      ).toEqual(dates);
    }
  });

  it('reads numbers with white space around them as numbers (point 4)', async () => {
    const { insights } = await profiled('whitespace.csv');
    const plain = column(insights, 'plain');
    for (const name of ['padded', 'leading']) {
      const profile = column(insights, name);
      expect(profile.numeric, `whitespace.csv | ${name} | numeric`).toBeDefined();
      expect(
        [profile.numeric?.count, profile.numeric?.min, profile.numeric?.max, profile.numeric?.mean, profile.distinct],
        `whitespace.csv | ${name} | numeric count, min, max, mean and distinct, as the column without white space`,
      ).toEqual([plain.numeric?.count, plain.numeric?.min, plain.numeric?.max, plain.numeric?.mean, plain.distinct]);
    }
  });

  it('gives integers beyond 2^53 their exact min, max and distinct count (point 5)', async () => {
    const { insights } = await profiled('big-integers.csv');
    const numeric = column(insights, 'big').numeric;
    const exact = (value: unknown) => (typeof value === 'number' ? BigInt(value).toString() : String(value));
    expect(
      [exact(numeric?.exactMin ?? numeric?.min), exact(numeric?.exactMax ?? numeric?.max)],
      'big-integers.csv | big | numeric: exact min and max',
    ).toEqual([BIG_INTEGERS.min, BIG_INTEGERS.max]);
    expect(column(insights, 'big').distinct, 'big-integers.csv | big | distinct').toBe(
      200 + BIG_INTEGERS.values.length,
    );
  });

  it('estimates distinct counts without bias at 2.5 to 2.8 times the registers (point 6)', async () => {
    const { insights } = await profiled('distinct-counts.csv');
    const errors = Object.entries(DISTINCT_COUNTS).map(([name, truth]) => {
      const profile = column(insights, name);
      expect(profile.distinctMethod, `distinct-counts.csv | ${name} | distinctMethod`).toBe('hyperloglog');
      return (profile.distinct - truth) / truth;
    });
    // Six independent estimates: their mean error is within 3 standard errors of a mean of six.
    const mean = errors.reduce((sum, error) => sum + error, 0) / errors.length;
    const bound = (3 * HLL_STANDARD_ERROR) / Math.sqrt(errors.length);
    expect(
      Math.abs(mean),
      `distinct-counts.csv | d41k .. d46k | distinct: relative errors ${errors.map((error) => `${(error * 100).toFixed(2)} %`).join(', ')}; mean ${(mean * 100).toFixed(2)} %, tolerance ${(bound * 100).toFixed(2)} %`,
    ).toBeLessThanOrEqual(bound);
  });

  it('lists a heavy hitter first, each estimated count with its error bound and within it (point 7)', async () => {
    const { insights } = await profiled('heavy-hitter.csv');
    const city = column(insights, 'city');
    expect(city.topValuesMethod, 'heavy-hitter.csv | city | topValuesMethod').not.toBe('exact');
    expect(city.topValues[0]?.value, 'heavy-hitter.csv | city | topValues: first').toBe('Springfield');
    const truth = (value: string) =>
      value === 'Springfield' ? HEAVY_HITTER.springfield : value === 'Riverside' ? HEAVY_HITTER.riverside : 1;
    for (const entry of city.topValues) {
      const error = entry.maxError;
      expect(
        error,
        `heavy-hitter.csv | city | topValues: maxError of '${entry.value}' (counts are estimates)`,
      ).toBeDefined();
      expect(
        truth(entry.value) >= entry.count - (error ?? 0) && truth(entry.value) <= entry.count,
        `heavy-hitter.csv | city | topValues: count of '${entry.value}': SDK ${entry.count} (maxError ${error}), true ${truth(entry.value)}`,
      ).toBe(true);
    }
  });

  it.each(['late-numeric.csv', 'wide.csv', ...REAL])(
    '%s: correlates every pair of numeric columns, or reports the ones left out (point 8)',
    async (name) => {
      const { insights } = await profiled(name);
      expect(
        uncorrelatedPairs(insights),
        `${name}: pairs of numeric columns neither correlated nor reported left out`,
      ).toEqual([]);
    },
  );

  it('reads null tokens as nulls (point 11)', async () => {
    const { insights } = await profiled('null-tokens.csv');
    expect(
      ['amount', 'label', 'score'].map((name) => column(insights, name).nulls),
      'null-tokens.csv | amount, label, score | nulls',
    ).toEqual([NULL_TOKENS.amountNulls, NULL_TOKENS.labelNulls, NULL_TOKENS.scoreNulls]);
    expect(column(insights, 'amount').numeric?.count, 'null-tokens.csv | amount | numeric: count').toBe(
      NULL_TOKENS.rows - NULL_TOKENS.amountNulls,
    );
  });
});
