// Generated CSV files for the points of issue 14 that real datasets show only in passing: each
// with a known answer, written to a temporary folder by the differential test.

/** A deterministic generator (mulberry32): the same files every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x100000000;
  };
}

const csv = (header: string[], rows: string[][]) => `${[header, ...rows].map((row) => row.join(',')).join('\n')}\n`;
const pad = (value: number, width: number) => String(value).padStart(width, '0');

/**
 * Codes with leading zeros (issue 14 point 2), 3,000 rows: US zip codes (about 10 % from 00501),
 * county FIPS codes (states 01 to 09 among them), zero-padded ids; beside real measures.
 */
export function codes(): string {
  const next = random(2);
  const rows = Array.from({ length: 3000 }, (_, index) => {
    const zip = next() < 0.1 ? 501 + Math.floor(next() * 9498) : 10_000 + Math.floor(next() * 89_999);
    const fips = (1 + Math.floor(next() * 56)) * 1000 + 1 + 2 * Math.floor(next() * 100);
    return [
      pad(zip, 5),
      pad(fips, 5),
      pad(index + 1, 6),
      (-125 + next() * 58).toFixed(6),
      String(100 + Math.floor(next() * 2_000_000)),
    ];
  });
  return csv(['zip', 'fips', 'padded_id', 'longitude', 'population'], rows);
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Slash dates (issue 14 point 3), a row a day from 2024-01-02 to 2024-12-01: US `mm/dd/yyyy`,
 * European `dd/mm/yyyy`, `yyyy/mm/dd`, `yyyy/mm/dd hh:mm:ss` (08:30:00 plus a minute a row),
 * `Mon dd yyyy`, ISO; and the first of each row's month in US order (`01/01/2024` ...
 * `12/01/2024`), which reads both ways: month first, as DuckDB and pandas assume.
 */
export function slashDates(): string {
  const rows: string[][] = [];
  for (let day = Date.UTC(2024, 0, 2), index = 0; day <= Date.UTC(2024, 11, 1); day += 86_400_000, index += 1) {
    const date = new Date(day);
    const [y, m, d] = [date.getUTCFullYear(), pad(date.getUTCMonth() + 1, 2), pad(date.getUTCDate(), 2)];
    const time = `${pad(8 + Math.floor((30 + index) / 60), 2)}:${pad((30 + index) % 60, 2)}:00`;
    rows.push([
      `${m}/${d}/${y}`,
      `${d}/${m}/${y}`,
      `${y}/${m}/${d}`,
      `${y}/${m}/${d} ${time}`,
      `${MONTH_NAMES[date.getUTCMonth()]} ${d} ${y}`,
      `${y}-${m}-${d}`,
      `${m}/01/${y}`,
    ]);
  }
  return csv(['us_date', 'eu_date', 'ymd', 'ymd_time', 'month_name', 'iso', 'us_monthly'], rows);
}

/**
 * Numbers with white space around them (issue 14 point 4), 1,000 rows: `padded` is `plain` with a
 * trailing space (quoted in odd rows), `leading` with a leading one.
 */
export function whitespace(): string {
  const next = random(4);
  const rows = Array.from({ length: 1000 }, (_, index) => {
    const value = (Math.floor(next() * 100_000) / 100).toString();
    return [index % 2 ? `"${value} "` : `${value} `, ` ${value}`, value];
  });
  return csv(['padded', 'leading', 'plain'], rows);
}

/** Integers beyond 2^53 (issue 14 point 5): their exact min, max and distinct count. */
export const BIG_INTEGERS = {
  values: [
    '9007199254740993',
    '9007199254740992',
    '9007199254740995',
    '-9007199254740993',
    '18014398509481985',
    '9223372036854775807',
    '123456789012345678901',
  ],
  min: '-9007199254740993',
  max: '123456789012345678901',
};

/** 300 rows: the big integers, each several times, among small ones. */
export function bigIntegers(): string {
  const rows = Array.from({ length: 300 }, (_, index) => [
    index % 3 === 0 ? (BIG_INTEGERS.values[index % BIG_INTEGERS.values.length] as string) : String(index),
  ]);
  return csv(['big'], rows);
}

/** The heavy-hitter file's known counts. */
export const HEAVY_HITTER = { rows: 45_000, springfield: 2700, riverside: 122 };

/**
 * A column of 42,180 distinct cities (issue 14 points 6 and 7: past the exact limit, in the range
 * where HyperLogLog's raw estimate was biased), with one heavy hitter (Springfield, 6 %) and one
 * city at 0.27 %, shuffled; and an amount column of 45,000 numbers (quantiles from a sample).
 */
export function heavyHitter(): string {
  const next = random(7);
  const cities: string[] = [
    ...Array.from({ length: HEAVY_HITTER.springfield }, () => 'Springfield'),
    ...Array.from({ length: HEAVY_HITTER.riverside }, () => 'Riverside'),
  ];
  for (let index = cities.length; index < HEAVY_HITTER.rows; index += 1) cities.push(`Town ${pad(index, 6)}`);
  for (let index = cities.length - 1; index > 0; index -= 1) {
    const other = Math.floor(next() * (index + 1));
    [cities[index], cities[other]] = [cities[other] as string, cities[index] as string];
  }
  const rows = cities.map((city) => [city, (Math.floor(next() ** 2 * 1_000_000) / 100).toString()]);
  return csv(['city', 'amount'], rows);
}

/** The distinct-count file's columns and their true distinct counts (46,000 rows). */
export const DISTINCT_COUNTS: Record<string, number> = {
  d41k: 41_000,
  d42k: 42_000,
  d43k: 43_000,
  d44k: 44_000,
  d45k: 45_000,
  d46k: 46_000,
};

/**
 * Distinct counts where issue 14 (point 6) found HyperLogLog's raw estimate biased by +2.2 %:
 * 41,000 to 46,000 distinct values, 2.5 to 2.8 times its 16,384 registers. A column a count,
 * each value of its own text (`d41k-17`), so the six estimates are independent.
 */
export function distinctCounts(): string {
  const rows = 46_000;
  const columns = Object.entries(DISTINCT_COUNTS);
  const lines = Array.from({ length: rows }, (_, index) =>
    columns.map(([name, distinct]) => `${name}-${(index * 7919) % distinct}`),
  );
  return csv(
    columns.map(([name]) => name),
    lines,
  );
}

/** The null-token file's known counts (2,000 rows). */
export const NULL_TOKENS = { rows: 2000, amountNulls: 240, labelNulls: 200, scoreNulls: 60 };

/**
 * Null tokens (issue 14 point 11): `NA`, `N/A`, `null`, `None`, `-` and empty, in turn. `amount`
 * is 12 % tokens (88 % numbers: not numeric unless the tokens are nulls), `label` 10 %, `score` 3 %.
 */
export function nullTokens(): string {
  const tokens = ['NA', 'N/A', 'null', 'None', '-', ''];
  const next = random(11);
  const rows = Array.from({ length: NULL_TOKENS.rows }, (_, index) => [
    index % 25 < 3 ? (tokens[index % 6] as string) : String(Math.floor(next() * 10_000) / 10),
    index % 10 === 0 ? (tokens[(index / 10) % 6] as string) : (['red', 'green', 'blue'][index % 3] as string),
    index % 100 < 3 ? (tokens[index % 6] as string) : String(Math.floor(next() * 100)),
  ]);
  return csv(['amount', 'label', 'score'], rows);
}

/** Booleans in three spellings (issue 14 point 11), 1,000 rows, 5 % empty; most rows repeat another. */
export function booleans(): string {
  const next = random(13);
  const pick = (yes: string, no: string) => (next() < 0.05 ? '' : next() < 0.6 ? yes : no);
  const rows = Array.from({ length: 1000 }, () => [pick('true', 'false'), pick('yes', 'no'), pick('T', 'F')]);
  return csv(['flag', 'answer', 'tf'], rows);
}

/**
 * A column empty for the first 2,000 rows, numeric after (issue 14 point 8), beside two columns
 * numeric throughout, 5,000 rows.
 */
export function lateNumeric(): string {
  const next = random(17);
  const rows = Array.from({ length: 5000 }, (_, index) => {
    const x = next() * 100;
    return [x.toFixed(3), (2 * x + next() * 10).toFixed(3), index < 2000 ? '' : (3 * x - next() * 50).toFixed(3)];
  });
  return csv(['x', 'y', 'late'], rows);
}

/** 25 numeric columns (issue 14 point 8: more than the 20 correlated), 2,000 rows. */
export function wide(): string {
  const next = random(19);
  const header = Array.from({ length: 25 }, (_, index) => `m${pad(index + 1, 2)}`);
  const rows = Array.from({ length: 2000 }, () => {
    const base = next();
    return header.map((_, index) => (base * index + next() * 10).toFixed(4));
  });
  return csv(header, rows);
}

/** Every generated file, by name. */
export const EDGE_CASES: Record<string, () => string> = {
  'codes.csv': codes,
  'slash-dates.csv': slashDates,
  'whitespace.csv': whitespace,
  'big-integers.csv': bigIntegers,
  'heavy-hitter.csv': heavyHitter,
  'distinct-counts.csv': distinctCounts,
  'null-tokens.csv': nullTokens,
  'booleans.csv': booleans,
  'late-numeric.csv': lateNumeric,
  'wide.csv': wide,
};
