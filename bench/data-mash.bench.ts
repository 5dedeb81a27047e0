/**
 * CSV parse + profile throughput of the built @platform/data-mash, against, in the same run and
 * over the same generated file (mixed column types, quoted fields):
 *   - a bare streaming parse with papaparse (what parsing alone costs),
 *   - DuckDB's SUMMARIZE through @duckdb/node-api on 1 and 2 threads (the target: at least as
 *     fast as DuckDB on one thread),
 * with cases interleaved over rounds and the median reported. Then the peak RSS of profiling a
 * 1 GB file in a child process, and a cross-check of the SDK's figures against DuckDB's.
 *
 *   node data-mash.bench.ts [--quick] [--mb 200] [--rounds 3] [--rss-mb 1000] [--check]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { profileDelimitedFile, type TableInsights } from '@platform/data-mash';
import Papa from 'papaparse';
import { generateCsv } from './data-mash/generate.ts';
import { numericArgument, printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const megabytes = numericArgument('--mb', quick ? 20 : 200);
const rounds = numericArgument('--rounds', quick ? 1 : 3);
const rssMegabytes = numericArgument('--rss-mb', quick ? 0 : 1000);

async function fileOf(mb: number): Promise<string> {
  const path = join(tmpdir(), `platform-bench-${mb}mb.csv`);
  // The generator is deterministic: a file of the right size from an earlier run is the same file.
  if (!existsSync(path) || Math.abs(statSync(path).size - mb * 1_000_000) > 1000) {
    process.stdout.write(`generating ${mb} MB at ${path} ... `);
    const { rows } = await generateCsv(path, mb);
    console.log(`${rows} rows`);
  }
  return path;
}

function papaparsePass(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let rows = 0;
    Papa.parse(createReadStream(path), {
      chunk: (results) => {
        rows += results.data.length;
      },
      complete: () => resolve(rows),
      error: reject,
    });
  });
}

async function duckdbSummarize(path: string, threads: number): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(`SUMMARIZE SELECT * FROM read_csv('${path.replace(/'/g, "''")}')`);
    return reader.getRowObjectsJS() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const path = await fileOf(megabytes);
const bytes = statSync(path).size;
let sdkInsights: TableInsights | undefined;
let duckSummary: Array<Record<string, unknown>> = [];
const cases: Array<{ name: string; run: () => Promise<unknown> }> = [
  { name: 'papaparse, bare streaming parse', run: () => papaparsePass(path) },
  {
    name: 'SDK parse + profile, 1 thread',
    run: async () => {
      sdkInsights = (await profileDelimitedFile(path, { workers: 1 })).insights;
    },
  },
  {
    name: 'SDK parse + profile, 2 threads',
    run: () => profileDelimitedFile(path, { workers: 2, minBytesPerWorker: 1 }),
  },
  {
    name: 'SDK, papaparse engine, 1 thread',
    run: () => profileDelimitedFile(path, { workers: 1, engine: 'papaparse' }),
  },
  {
    name: 'DuckDB SUMMARIZE, 1 thread',
    run: async () => {
      duckSummary = await duckdbSummarize(path, 1);
    },
  },
  { name: 'DuckDB SUMMARIZE, 2 threads', run: () => duckdbSummarize(path, 2) },
];

const seconds = new Map<string, number[]>(cases.map((entry) => [entry.name, []]));
for (let round = 0; round < rounds; round += 1) {
  for (const entry of cases) {
    const started = performance.now();
    await entry.run();
    seconds.get(entry.name)?.push((performance.now() - started) / 1000);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const throughput = new Map(cases.map((entry) => [entry.name, bytes / 1e6 / median(seconds.get(entry.name) ?? [])]));
const baseline = throughput.get('DuckDB SUMMARIZE, 1 thread') as number;
console.log(`\n${(bytes / 1e6).toFixed(0)} MB CSV, ${rounds} round(s), median of each:`);
printTable([
  ['case', 'MB/s', 'vs DuckDB 1 thread'],
  ...cases.map((entry) => {
    const rate = throughput.get(entry.name) as number;
    return [entry.name, rate.toFixed(1), `${(rate / baseline).toFixed(2)}x`];
  }),
]);

// The same figures, computed two ways: DuckDB's avg/min/max against the SDK's, per numeric column.
let worst = 0;
for (const row of duckSummary) {
  const column = sdkInsights?.columns.find((entry) => entry.name === row.column_name)?.numeric;
  if (!column || row.avg === null || row.avg === undefined) continue;
  for (const [ours, theirs] of [
    [column.mean, Number(row.avg)],
    [column.min, Number(row.min)],
    [column.max, Number(row.max)],
  ] as const) {
    worst = Math.max(worst, Math.abs(ours - theirs) / Math.max(1e-12, Math.abs(theirs)));
  }
}
console.log(
  `\ncross-check: largest relative difference between the SDK's and DuckDB's mean/min/max: ${worst.toExponential(2)}`,
);

let peakRss: number | undefined;
if (rssMegabytes > 0) {
  const big = await fileOf(rssMegabytes);
  for (const workers of [1, 2]) {
    const child = spawnSync(
      process.execPath,
      [join(import.meta.dirname, 'data-mash', 'rss.ts'), big, String(workers)],
      { encoding: 'utf8' },
    );
    if (child.status !== 0) throw new Error(child.stderr);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as {
      rows: number;
      seconds: number;
      peakRssMb: number;
    };
    peakRss = Math.max(peakRss ?? 0, result.peakRssMb);
    console.log(
      `${rssMegabytes} MB file, ${workers} thread(s): ${result.rows} rows in ${result.seconds.toFixed(1)} s (${(statSync(big).size / 1e6 / result.seconds).toFixed(1)} MB/s), peak RSS ${result.peakRssMb.toFixed(0)} MB (target < 300 MB)`,
    );
  }
}

const best = Math.max(
  throughput.get('SDK parse + profile, 1 thread') as number,
  throughput.get('SDK parse + profile, 2 threads') as number,
);
const missed: string[] = [];
if (best < baseline)
  missed.push(`parse + profile ${best.toFixed(1)} MB/s is below DuckDB on one thread (${baseline.toFixed(1)} MB/s)`);
if (peakRss !== undefined && peakRss >= 300) missed.push(`peak RSS ${peakRss.toFixed(0)} MB is not under 300 MB`);
if (worst > 1e-6) missed.push(`figures differ from DuckDB's by ${worst.toExponential(2)}`);
for (const miss of missed) console.log(`target missed: ${miss}`);
if (process.argv.includes('--check') && missed.length > 0) process.exitCode = 1;
