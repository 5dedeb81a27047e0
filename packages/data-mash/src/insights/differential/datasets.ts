// The real datasets of the differential test: vega-datasets' CSV and TSV files, and flat JSON
// arrays of records, profiled the way the SDK profiles each kind.
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { profileDelimitedFile } from '../parallel/profile-file.js';
import { type TableInsights, TableProfiler } from '../table-profiler.js';

/** A file the SDK profiles and DuckDB reads. */
export interface Dataset {
  name: string;
  /** The CSV or TSV file DuckDB reads. */
  file: string;
  delimiter: string;
  /** The SDK's profile of the dataset. */
  profile(): Promise<TableInsights>;
}

const require = createRequire(import.meta.url);

/** The folder of vega-datasets' files. */
export const VEGA_DATA = join(dirname(require.resolve('vega-datasets')), '..', 'data');

/** Every CSV and TSV file of vega-datasets (24). */
export const VEGA_DELIMITED = [
  'airports.csv',
  'birdstrikes.csv',
  'co2-concentration.csv',
  'disasters.csv',
  'flights-airport.csv',
  'gapminder-health-income.csv',
  'github.csv',
  'global-temp.csv',
  'iowa-electricity.csv',
  'la-riots.csv',
  'lookup_groups.csv',
  'lookup_people.csv',
  'population_engineers_hurricanes.csv',
  'seattle-weather-hourly-normals.csv',
  'seattle-weather.csv',
  'sp500-2000.csv',
  'sp500.csv',
  'species.csv',
  'stocks.csv',
  'us-employment.csv',
  'weather.csv',
  'windvectors.csv',
  'zipcodes.csv',
  'unemployment.tsv',
];

/** Flat JSON arrays of records from vega-datasets, with nulls, dates and mixed types (6). */
export const VEGA_JSON = [
  'cars.json',
  'movies.json',
  'penguins.json',
  'flights-20k.json',
  'football.json',
  'unemployment-across-industries.json',
];

/** A CSV or TSV file, profiled by {@link profileDelimitedFile} on the calling thread (the byte fast path). */
export function delimitedDataset(name: string, file: string): Dataset {
  return {
    name,
    file,
    delimiter: file.endsWith('.tsv') ? '\t' : ',',
    profile: async () => (await profileDelimitedFile(file, { workers: 1 })).insights,
  };
}

const csvField = (value: unknown) =>
  value === null || value === undefined ? '' : `"${String(value).replaceAll('"', '""')}"`;

/**
 * A JSON array of flat records, profiled by {@link TableProfiler.add} with its typed values (as
 * the Insights Pillar profiles a JSON Lines copy); DuckDB reads the same records written as CSV
 * in `directory`, each value as `String(value)` (the text the profiler keys it by), nulls empty.
 */
export async function jsonDataset(name: string, path: string, directory: string): Promise<Dataset> {
  const records = JSON.parse(await readFile(path, 'utf8')) as Array<Record<string, unknown>>;
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const record of records)
    for (const key of Object.keys(record))
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
  const lines = [columns.map(csvField).join(',')];
  for (const record of records) lines.push(columns.map((column) => csvField(record[column])).join(','));
  const file = join(directory, `${name}.csv`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return {
    name,
    file,
    delimiter: ',',
    profile: async () => {
      const profiler = new TableProfiler(columns);
      for (const record of records) profiler.add(record);
      return profiler.result();
    },
  };
}
