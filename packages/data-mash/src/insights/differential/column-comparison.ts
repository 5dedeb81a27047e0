import { asNumber, type ColumnFigures } from './column-figures.js';
import { LIMITS } from './compared-insights.js';
import { compareDates } from './date-comparison.js';
import { HLL_STANDARD_ERROR, TOLERANCES } from './figures.js';
import { compareNumbers } from './number-comparison.js';
import { INTEGER_RE, LEADING_ZERO_RE, sqlText, WS } from './reference-table.js';

/** Compares the figures of one column; returns the reference's nulls and distinct count, which quality flags follow from. */
export async function compareColumn(column: ColumnFigures): Promise<{ nulls: number; distinct: number }> {
  const r = column.r;
  const x = column.x;
  // Each value's integer reading (for exact min and max) and code test, once a row.
  const integer = `CASE WHEN ${x} IS NOT NULL AND regexp_full_match(${r}, '${INTEGER_RE}') THEN TRY_CAST(trim(${r}, ${WS}) AS HUGEINT) END`;
  const code = `${x} IS NOT NULL AND regexp_full_match(${r}, '${LEADING_ZERO_RE}')`;
  column.facts = await column.table.one(`SELECT
        count(*) - count(r) AS nulls, count(DISTINCT r) AS distinct_values, count(x) AS numbers,
        min(x) AS min, max(x) AS max, max(abs(x)) AS magnitude, sum(abs(x)) AS absolute_sum,
        favg(x) AS mean, fsum(x) AS sum, stddev_samp(x) AS std, var_samp(x) AS variance,
        count(*) FILTER (WHERE x = 0) AS zeros, count(*) FILTER (WHERE x < 0) AS negatives,
        count(i) AS integers, min(i) AS integer_min, max(i) AS integer_max, count(*) FILTER (WHERE code) AS codes
      FROM (SELECT ${r} AS r, ${x} AS x, ${integer} AS i, ${code} AS code FROM d)`);
  const facts = column.facts;
  const profile = column.profile;
  const nulls = Number(facts.nulls);
  const distinct = Number(facts.distinct_values);
  const numbers = Number(facts.numbers);
  column.nonNull = column.rowCount - nulls;

  column.exact('count', profile.count, column.rowCount);
  column.exact('nulls', profile.nulls, nulls);
  column.exact('distinctMethod', profile.distinctMethod, distinct <= LIMITS.exactDistinct ? 'exact' : 'hyperloglog');
  if (profile.distinctMethod === 'exact') column.exact('distinct', profile.distinct, distinct);
  else column.near('distinct', profile.distinct, distinct, 3 * HLL_STANDARD_ERROR * distinct, TOLERANCES.hll);
  await compareTopValues(column, distinct);
  if (profile.boolean) {
    const words = await column.table.one(
      `SELECT count(*) FILTER (WHERE word IN ('true', 'yes', 't', 'y')) AS trues,
                count(*) FILTER (WHERE word IN ('false', 'no', 'f', 'n')) AS falses
         FROM (SELECT lower(trim(${r}, ${WS})) AS word FROM d)`,
    );
    column.exact('boolean: true', profile.boolean.true, Number(words.trues));
    column.exact('boolean: false', profile.boolean.false, Number(words.falses));
  }

  const codes = column.table.rules.codes && Number(facts.codes) > 0;
  if (column.table.rules.codes) {
    const numeric = !codes && numbers > 0 && numbers >= 0.9 * column.nonNull;
    const why = codes
      ? `${facts.codes} numbers with a leading zero`
      : `${numbers} of ${column.nonNull} values are numbers`;
    column.add(
      'numeric (>= 90 % numbers, none with a leading zero)',
      profile.numeric ? 'numeric' : 'not numeric',
      `${numeric ? 'numeric' : 'not numeric'} (${why})`,
      TOLERANCES.exact,
      (profile.numeric !== undefined) === numeric,
    );
  }
  if (profile.numeric) await compareNumbers(column, profile.numeric, numbers);
  else {
    await compareDates(column);
    await compareText(column, codes);
  }
  return { nulls, distinct };
}
// Top values: exact while the profile says so (ties broken by the value, in JavaScript's string
// order); otherwise each listed value checked against its true count.
async function compareTopValues(column: ColumnFigures, distinct: number): Promise<void> {
  const { topValues: k } = LIMITS;
  const r = column.r;
  const profile = column.profile;
  column.exact('topValuesMethod is exact', profile.topValuesMethod === 'exact', distinct <= LIMITS.exactDistinct);
  // DuckDB orders text by code point, as JavaScript does but for characters past U+FFFF against
  // U+E000 to U+FFFF (UTF-16 code units): the list is sorted again here.
  const counted = await column.table.query(
    `SELECT ${r} AS value, count(*) AS n FROM d WHERE ${r} IS NOT NULL GROUP BY ${r} ORDER BY n DESC, value LIMIT ${k}`,
  );
  const top = counted
    .map((row) => ({ value: String(row.value), count: Number(row.n) }))
    .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  if (profile.topValuesMethod === 'exact') {
    column.exact(
      'topValues',
      profile.topValues.map((entry) => ({ value: entry.value, count: entry.count })),
      top,
    );
    return;
  }
  const listed = profile.topValues.map((entry) => entry.value);
  const truth = new Map<string, number>();
  if (listed.length > 0) {
    const rows = await column.table.query(
      `SELECT ${r} AS value, count(*) AS n FROM d WHERE ${r} IN (${listed.map(sqlText).join(', ')}) GROUP BY ${r}`,
    );
    for (const row of rows) truth.set(String(row.value), Number(row.n));
  }
  const nonNull = column.nonNull;
  for (const entry of profile.topValues) {
    const count = truth.get(entry.value) ?? 0;
    // Without a stated error, a count scaled from a 500-value sample (docs/insights.md): within 4 of its standard errors.
    const share = count / nonNull;
    const close =
      entry.maxError === undefined
        ? Math.abs(entry.count - count) <= 4 * nonNull * Math.sqrt((share * (1 - share)) / 500) + 1
        : count >= entry.count - entry.maxError && count <= entry.count;
    column.add(`topValues: count of '${entry.value}'`, entry.count, count, TOLERANCES.estimatedCount, close);
    const threshold = entry.maxError === undefined ? 0.006 : 0.001;
    column.add(
      `topValues: share of '${entry.value}'`,
      entry.count / nonNull,
      share,
      TOLERANCES.estimatedShare,
      share >= threshold,
    );
  }
  const unlisted = top.filter((entry) => entry.count >= 0.01 * nonNull && !listed.includes(entry.value));
  column.add(
    'topValues: frequent values listed',
    listed,
    unlisted.map((entry) => `${entry.value} (${entry.count}) unlisted`),
    TOLERANCES.frequentListed,
    unlisted.length === 0,
  );
}
// Lengths (UTF-16 code units, as JavaScript counts) of the values that are not numbers; with
// codes, of every value.
async function compareText(column: ColumnFigures, codes: boolean): Promise<void> {
  const r = column.r;
  // UTF-16 length: characters, plus one for each past U+FFFF (looked for only in non-ASCII text).
  const length = `CASE WHEN strlen(${r}) = length(${r}) THEN length(${r}) ELSE length(${r}) + length(regexp_replace(${r}, '[^\\x{10000}-\\x{10FFFF}]', '', 'g')) END`;
  const text = await column.table.one(
    `SELECT count(${r}) AS n, min(${length}) AS shortest, max(${length}) AS longest, favg(${length}) AS mean
       FROM d WHERE ${codes ? 'TRUE' : `${column.x} IS NULL`}`,
  );
  const sdk = column.profile.text;
  if (Number(text.n) === 0) {
    column.exact('text', sdk, undefined);
    return;
  }
  column.exact('text: minLength', sdk?.minLength, Number(text.shortest));
  column.exact('text: maxLength', sdk?.maxLength, Number(text.longest));
  const mean = asNumber(text.mean);
  column.near('text: meanLength', sdk?.meanLength, mean, 1e-12 * mean, TOLERANCES.textMean);
}
