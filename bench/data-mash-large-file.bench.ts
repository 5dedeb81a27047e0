/**
 * A large CSV through the whole data mash flow, as a user runs it: the built CLI
 * (`data-mash ingest <file> --json`) in a child process on the embedded default stores, against,
 * in the same run and on the same file, DuckDB's SUMMARIZE on two threads. For each size:
 *
 *   - the flow's wall time (the child process, start-up included) as a ratio to DuckDB's
 *     (target: within 1.5x, issue 19), with each phase's share from the journey's milestones;
 *   - the child's peak RSS (its own high-water mark, and the process tree's, sampled), against
 *     the target of 300 MB for the 1 GB file;
 *   - correctness: the rows generated = the CSV's lines = the rows parsed = the rows of the stored copy = the rows
 *     profiled = DuckDB's count(*), and the `id` column's sum from the insights (mean x count)
 *     = DuckDB's sum(id) = N(N+1)/2. A mismatch is printed loudly and the run exits 1.
 *
 * The CSV (ten columns: integer id 1..N, date-time, date, category, decimal, integer, e-mail,
 * free text with quoted commas and doubled quotes, boolean, mostly-empty decimal) and the
 * flow's stores are written to a temporary directory, removed at the end (`--keep` keeps them).
 *
 *   node data-mash-large-file.bench.ts [--quick] [--mb 200,1000] [--rounds 1] [--keep] [--cli path]
 *
 * `--quick` is one 5 MB file (a smoke run for CI, seconds). Run `pnpm build` first; `--cli` runs
 * another build's `dist/cli.js` (to compare two builds on the same machine).
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalBlobStore } from '@platform/foundations';
import { generateCsv } from './data-mash/generate.ts';
import { printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const keep = process.argv.includes('--keep');
const listArgument = (name: string, fallback: number[]) => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? (process.argv[index + 1] ?? '').split(',').map(Number) : fallback;
};
const sizes = listArgument('--mb', quick ? [5] : [200, 1000]);
const rounds = listArgument('--rounds', [1])[0] ?? 1;
const TENANT = 'bench';
const TIME_TARGET = 1.5;
const RSS_TARGET_MB = 300;

const cliIndex = process.argv.indexOf('--cli');
const cli =
  cliIndex >= 0
    ? (process.argv[cliIndex + 1] as string)
    : join(import.meta.dirname, '..', 'packages', 'data-mash-cli', 'dist', 'cli.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run pnpm build first`);
// The Node flags of the bin's `#!/usr/bin/env -S node <flags>` line: run as the installed
// `data-mash` command runs (npm and pnpm shims pass them too).
const binFlags = (
  /^#!\/usr\/bin\/env -S node (.*)$/m.exec(readFileSync(cli, 'utf8').split('\n', 1)[0] ?? '')?.[1] ?? ''
)
  .split(' ')
  .filter(Boolean);

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** The child's own peak RSS (process.resourceUsage().maxRSS at exit, every thread), MB. */
  peakRssMb: number;
  /** The largest sum of VmRSS over the child and its descendants, sampled every 100 ms (Linux), MB. */
  treeRssMb: number;
}

/** The RSS of `pid` and every descendant, from /proc (0 where /proc is not there). */
function treeRssKb(pid: number): number {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return 0;
  }
  for (const entry of entries) {
    try {
      // The parent pid is the 2nd field after the command name, which may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  let total = 0;
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop() as number;
    try {
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${current}/status`, 'utf8'));
      total += Number(rss?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
    pending.push(...(children.get(current) ?? []));
  }
  return total;
}

/**
 * Runs the CLI in a child process. A preloaded module (`--import`, nothing else changes) writes
 * the child's peak RSS to a file when it exits; meanwhile the process tree is sampled.
 */
async function runCli(args: string[], work: string): Promise<ChildRun> {
  const preload = join(work, 'peak-rss.mjs');
  const peakFile = join(work, `peak-rss-${process.hrtime.bigint()}.txt`);
  await writeFile(
    preload,
    `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.BENCH_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`,
  );
  const started = performance.now();
  const child = spawn(process.execPath, [...binFlags, '--import', preload, cli, ...args], {
    env: { ...process.env, BENCH_PEAK_RSS_FILE: peakFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  let treeKb = 0;
  const sampler = setInterval(() => {
    if (child.pid) treeKb = Math.max(treeKb, treeRssKb(child.pid));
  }, 100);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const peakKb = existsSync(peakFile) ? Number(await readFile(peakFile, 'utf8')) : 0;
  await rm(peakFile, { force: true });
  return { code, stdout, stderr, seconds, peakRssMb: peakKb / 1024, treeRssMb: treeKb / 1024 };
}

async function duckdb<T>(threads: number, run: (query: (sql: string) => Promise<T[]>) => Promise<void>): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  try {
    await run(async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as T[]);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Lines of a stream (its newline bytes). */
async function countLines(stream: AsyncIterable<unknown>): Promise<number> {
  let lines = 0;
  for await (const chunk of stream) {
    for (let at = (chunk as Buffer).indexOf(10); at >= 0; at = (chunk as Buffer).indexOf(10, at + 1)) lines += 1;
  }
  return lines;
}

/**
 * The rows of the flow's stored copy of a table (the JSON Lines object under `rowsKey`), read
 * back through the local blob store the CLI wrote it with (`<data dir>/blobs`).
 */
async function storedRows(dataDir: string, rowsKey: string): Promise<number | undefined> {
  const store = new LocalBlobStore({ directory: join(dataDir, 'blobs') });
  try {
    return await countLines(await store.getStream(TENANT, rowsKey));
  } catch {
    return undefined;
  } finally {
    await store.shutdown();
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const mb = (value: number) => `${value.toFixed(0)} MB`;
const failures: string[] = [];
const summary: string[][] = [
  ['file', 'rows', 'DuckDB 2 threads', 'flow (CLI)', 'ratio', `target <= ${TIME_TARGET}x`, 'peak RSS', 'RSS target'],
];

const work = await mkdtemp(join(tmpdir(), 'platform-bench-large-'));
try {
  for (const size of sizes) {
    const csv = join(work, `large-${size}mb.csv`);
    process.stdout.write(`\ngenerating ${size} MB ... `);
    const generated = await generateCsv(csv, size);
    const bytes = statSync(csv).size;
    console.log(`${generated.rows.toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(1)} MB at ${csv}`);
    const escaped = csv.replace(/'/g, "''");

    const duckSeconds: number[] = [];
    const flowRuns: ChildRun[] = [];
    let flowReport: Record<string, unknown> | undefined;
    let dataDir = '';
    for (let round = 0; round < rounds; round += 1) {
      // DuckDB first, then the flow: the file is in the page cache for both alike.
      await duckdb(2, async (query) => {
        const started = performance.now();
        await query(`SUMMARIZE SELECT * FROM read_csv('${escaped}')`);
        duckSeconds.push((performance.now() - started) / 1000);
      });
      dataDir = join(work, `data-${size}-${round}`);
      const run = await runCli(
        ['--tenant', TENANT, 'ingest', csv, '--data-dir', dataDir, '--json', '--max-bytes', String(bytes + 1)],
        work,
      );
      if (run.code !== 0) {
        console.log(run.stdout.slice(0, 4000));
        console.log(run.stderr.slice(0, 4000));
        throw new Error(`data-mash ingest exited with ${run.code}`);
      }
      flowRuns.push(run);
      flowReport = (JSON.parse(run.stdout) as Array<Record<string, unknown>>)[0];
      if (round < rounds - 1) await rm(dataDir, { recursive: true, force: true });
    }

    // What the flow reported, and what it stored.
    const report = flowReport as {
      success: boolean;
      journeyId: string;
      durationMs: number;
      phases: { file_parsed: { parseResult: { tables: Array<{ rowCount: number; rowsKey: string }> } } };
    };
    const table = report.phases.file_parsed.parseResult.tables[0];
    const insightsRun = await runCli(
      ['--tenant', TENANT, 'insights', report.journeyId, '--data-dir', dataDir, '--json'],
      work,
    );
    const insights = JSON.parse(insightsRun.stdout) as {
      tables: Array<{
        insights: {
          rowCount: number;
          columns: Array<{ name: string; numeric?: { count: number; mean: number; min: number; max: number } }>;
        };
      }>;
    };
    const profiled = insights.tables[0]?.insights;
    const id = profiled?.columns.find((column) => column.name === 'id')?.numeric;
    const journeyRun = await runCli(
      ['--tenant', TENANT, 'journey', report.journeyId, '--data-dir', dataDir, '--json'],
      work,
    );
    const milestones = (
      JSON.parse(journeyRun.stdout) as {
        journey: { milestones: Array<{ name: string; startedAt: string; completedAt: string }> };
      }
    ).journey.milestones;
    const stored = table ? await storedRows(dataDir, table.rowsKey) : undefined;

    // DuckDB's figures over the same file.
    let duckRows = 0n;
    let duckSum = 0n;
    await duckdb<{ rows: string; total: string }>(2, async (query) => {
      const [row] = await query(
        `SELECT count(*)::VARCHAR AS rows, sum(id)::VARCHAR AS total FROM read_csv('${escaped}')`,
      );
      duckRows = BigInt(row?.rows ?? '0');
      duckSum = BigInt(row?.total ?? '0');
    });

    const n = BigInt(generated.rows);
    const expectedSum = (n * (n + 1n)) / 2n;
    const flowSum = id ? BigInt(Math.round(id.mean * id.count)) : undefined;
    const checks: Array<[string, bigint | number | undefined, bigint]> = [
      [
        'lines of the CSV less its header',
        (await countLines(createReadStream(csv, { highWaterMark: 1 << 20 }))) - 1,
        n,
      ],
      ['rows parsed (ingest --json)', table?.rowCount, n],
      ['rows in the stored copy (JSON Lines lines)', stored, n],
      ['rows profiled (insights --json)', profiled?.rowCount, n],
      ["values of 'id' profiled", id?.count, n],
      ["max of 'id'", id?.max, n],
      ['DuckDB count(*)', duckRows, n],
      ["sum of 'id' from the insights (mean x count)", flowSum, expectedSum],
      ['DuckDB sum(id)', duckSum, expectedSum],
    ];
    console.log(`\ncorrectness, ${size} MB (expected: ${generated.rows} rows, sum(id) = ${expectedSum}):`);
    const rows: string[][] = [['check', 'value', 'expected', '']];
    for (const [name, value, expected] of checks) {
      const ok = value !== undefined && BigInt(value) === expected;
      rows.push([name, String(value ?? 'missing'), String(expected), ok ? 'ok' : '<<< MISMATCH']);
      if (!ok) failures.push(`${size} MB: ${name} is ${value ?? 'missing'}, expected ${expected}`);
    }
    printTable(rows);

    const duck = median(duckSeconds);
    const flow = median(flowRuns.map((run) => run.seconds));
    const peak = Math.max(...flowRuns.map((run) => Math.max(run.peakRssMb, run.treeRssMb)));
    const ratio = flow / duck;
    const phases: string[][] = [['flow phase (last round)', 'seconds', 'share']];
    const last = flowRuns.at(-1) as ChildRun;
    const inPhases = milestones.reduce(
      (sum, milestone) => sum + (Date.parse(milestone.completedAt) - Date.parse(milestone.startedAt)) / 1000,
      0,
    );
    phases.push([
      'start-up, sha256, stop (outside milestones)',
      (last.seconds - inPhases).toFixed(2),
      `${(((last.seconds - inPhases) / last.seconds) * 100).toFixed(0)} %`,
    ]);
    for (const milestone of milestones) {
      const seconds = (Date.parse(milestone.completedAt) - Date.parse(milestone.startedAt)) / 1000;
      phases.push([milestone.name, seconds.toFixed(2), `${((seconds / last.seconds) * 100).toFixed(0)} %`]);
    }
    console.log('');
    printTable(phases);
    console.log(
      `\n${size} MB, ${rounds} round(s), median: DuckDB SUMMARIZE on 2 threads ${duck.toFixed(2)} s (${(bytes / 1e6 / duck).toFixed(1)} MB/s); ` +
        `the flow through the CLI ${flow.toFixed(2)} s (${(bytes / 1e6 / flow).toFixed(1)} MB/s), ${ratio.toFixed(2)}x DuckDB ` +
        `(target <= ${TIME_TARGET}x: ${ratio <= TIME_TARGET ? 'met' : 'not met'}); peak RSS ${mb(peak)} ` +
        `(own high-water mark ${mb(last.peakRssMb)}, process tree sampled ${mb(last.treeRssMb)})`,
    );
    summary.push([
      `${size} MB`,
      generated.rows.toLocaleString('en-US'),
      `${duck.toFixed(2)} s`,
      `${flow.toFixed(2)} s`,
      `${ratio.toFixed(2)}x`,
      ratio <= TIME_TARGET ? 'met' : 'not met',
      mb(peak),
      size >= 1000 ? (peak <= RSS_TARGET_MB ? `<= ${RSS_TARGET_MB} MB: met` : `<= ${RSS_TARGET_MB} MB: not met`) : '',
    ]);
    if (!keep) await rm(dataDir, { recursive: true, force: true });
    if (!keep) await rm(csv, { force: true });
  }
} finally {
  if (keep) console.log(`\nkept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

console.log('');
printTable(summary);
if (failures.length > 0) {
  console.log('\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
  console.log('!!! ROWS LOST OR FIGURES WRONG: the flow does not agree with the file !!!');
  for (const failure of failures) console.log(`!!! ${failure}`);
  console.log('!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!');
  process.exitCode = 1;
}
