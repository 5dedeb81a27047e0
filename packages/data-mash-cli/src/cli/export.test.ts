import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { unguardCsvCell } from '@platform/data-mash';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from './cli.test-helpers.js';

let workDir: string;
const cli = (args: string[]) => runBin(workDir, args);
const journeyOf = (run: { stdout: string }) => (JSON.parse(run.stdout) as Array<{ journeyId: string }>)[0]?.journeyId;

async function duckdb<T>(sql: string): Promise<T[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  try {
    return (await (await instance.connect()).runAndReadAll(sql)).getRowObjectsJson() as T[];
  } finally {
    instance.closeSync();
  }
}

const ORDERS = [
  'id,zip,customer,amount,note',
  '1,00501,Zoë,-12.50,=SUM(A1)',
  '2,02134,"Ωmega, ""quoted""",7.25,@cmd',
  '3,10001,"two',
  'lines",-0.75,plain',
  '4,00601,李雷,,-5',
].join('\r\n');

const TWO_TABLES = `<html><body>
<table><caption>Prices</caption><tr><th>item</th><th>price</th></tr><tr><td>tea</td><td>2.5</td></tr><tr><td>cake</td><td>-1</td></tr></table>
<table><caption>Stock/levels</caption><tr><th>item</th><th>units</th></tr><tr><td>tea</td><td>40</td></tr></table>
</body></html>`;

describe('data-mash export (the built bin)', () => {
  let orders: string;
  let pages: string;

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-export-cli-'));
    await writeFile(join(workDir, 'orders.csv'), ORDERS);
    await writeFile(join(workDir, 'pages.html'), TWO_TABLES);
    const run = cli(['ingest', 'orders.csv', '--json']);
    expect(run.code, run.stderr).toBe(0);
    orders = journeyOf(run) as string;
    const html = cli(['ingest', 'pages.html', '--json']);
    expect(html.code, html.stderr).toBe(0);
    pages = journeyOf(html) as string;
  }, 120_000);
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('writes Parquet by default, named after the table, and prints its path; DuckDB reads the typed rows', async () => {
    const run = cli(['export', orders]);
    expect(run.code, run.stderr).toBe(0);
    const path = join(workDir, 'orders.parquet');
    expect(run.stdout).toBe(`${path}\n`);
    const rows = await duckdb(`SELECT id, zip, customer, amount, note FROM read_parquet('${path}') ORDER BY id`);
    expect(rows).toEqual([
      { id: '1', zip: '00501', customer: 'Zoë', amount: -12.5, note: '=SUM(A1)' },
      { id: '2', zip: '02134', customer: 'Ωmega, "quoted"', amount: 7.25, note: '@cmd' },
      { id: '3', zip: '10001', customer: 'two\r\nlines', amount: -0.75, note: 'plain' },
      { id: '4', zip: '00601', customer: '李雷', amount: null, note: '-5' },
    ]);
  });

  it('writes formula-safe CSV with --format csv --out, and answers paths, rows, bytes and types with --json', async () => {
    const run = cli(['export', orders, '--format', 'csv', '--out', 'out/orders-safe.csv', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const answer = JSON.parse(run.stdout) as {
      journeyId: string;
      format: string;
      files: Array<{ table: string; path: string; rows: number; bytes: number; columns: Array<{ name: string }> }>;
    };
    const path = join(workDir, 'out', 'orders-safe.csv');
    expect(answer).toMatchObject({ journeyId: orders, format: 'csv', files: [{ table: 'orders', path, rows: 4 }] });
    const text = await readFile(path, 'utf8');
    expect(answer.files[0]?.bytes).toBe(Buffer.byteLength(text));
    expect(text).toBe(
      [
        'id,zip,customer,amount,note',
        "1,00501,Zoë,-12.50,'=SUM(A1)",
        `2,02134,"Ωmega, ""quoted""",7.25,'@cmd`,
        '3,10001,"two\r\nlines",-0.75,plain',
        '4,00601,李雷,,-5',
        '',
      ].join('\r\n'),
    );
    const back = await duckdb<Record<string, string | null>>(
      `SELECT * FROM read_csv('${path}', header = true, all_varchar = true)`,
    );
    expect(back.map((row) => unguardCsvCell(row.note ?? ''))).toEqual(['=SUM(A1)', '@cmd', 'plain', '-5']);
  });

  it('refuses to replace a file unless --force (a CSV’s export is named like the CSV)', async () => {
    const refused = cli(['export', orders, '--format', 'csv']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('orders.csv');
    expect(refused.stderr).toContain('--force');
    expect(await readFile(join(workDir, 'orders.csv'), 'utf8')).toBe(ORDERS);
    const forced = cli(['export', orders, '--out', 'orders.parquet', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    // No partial file is left beside it.
    expect((await readdir(workDir)).filter((name) => name.includes('.partial'))).toEqual([]);
  });

  it('writes every table of a file into a folder, or one by --table', async () => {
    const run = cli(['export', pages, '--out', 'tables']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      join(workDir, 'tables', 'Prices.parquet'),
      join(workDir, 'tables', 'Stock_levels.parquet'),
    ]);
    const one = cli(['export', pages, '--table', 'Stock/levels', '--format', 'csv', '--out', 'stock.csv']);
    expect(one.code, one.stderr).toBe(0);
    expect(await readFile(join(workDir, 'stock.csv'), 'utf8')).toBe('item,units\r\ntea,40\r\n');
  });

  it('says what is wrong: an unknown table (with the tables there are), journey or format', () => {
    const table = cli(['export', pages, '--table', 'Nope']);
    expect(table.code).toBe(1);
    expect(table.stderr).toContain("NOT_FOUND: flow '");
    expect(table.stderr).toContain("'Prices', 'Stock/levels'");
    const journey = cli(['export', 'journey_missing']);
    expect(journey.code).toBe(1);
    expect(journey.stderr).toContain('NOT_FOUND');
    const format = cli(['export', orders, '--format', 'xlsx']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('parquet, csv');
  });
});

// Rows of a table of every column type, about 130 bytes each as CSV.
async function writeLargeCsv(path: string, rows: number): Promise<number> {
  const out = createWriteStream(path);
  out.write('id,zip,city,amount,quantity,active,order_date,updated_at,note,big\r\n');
  const cities = ['Seattle', 'Zürich', 'São Paulo', 'Köln', 'Oslo'];
  const words = ['alpha', 'beta', '"quoted"', 'comma, here', '=SUM(A1)', 'naïve'];
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let id = 1; id <= rows; id += 1) {
    const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(next() * 3650) * 86_400_000).toISOString();
    const note = Array.from(
      { length: 3 + Math.floor(next() * 4) },
      () => words[Math.floor(next() * words.length)],
    ).join(' ');
    const line = [
      id,
      String(Math.floor(next() * 99_999)).padStart(5, '0'),
      cities[id % cities.length],
      id % 50 === 0 ? '' : ((next() - 0.3) * 10_000).toFixed(2),
      Math.floor(next() * 200) - 20,
      next() < 0.5 ? 'true' : 'false',
      day.slice(0, 10),
      `${day.slice(0, 10)} ${String(id % 24).padStart(2, '0')}:${String(id % 60).padStart(2, '0')}:00`,
      `"${note.replaceAll('"', '""')}"`,
      String(9_007_199_254_740_993n + BigInt(id)),
    ].join(',');
    if (!out.write(`${line}\r\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return (await stat(path)).size;
}

// The bin as its shebang runs it (a young generation of 8 MB), with `flags` more; its peak RSS
// (process.resourceUsage().maxRSS at exit) is written by a preloaded module.
async function runMeasured(args: string[], flags: string[]) {
  const preload = join(workDir, 'peak-rss.mjs');
  const peakFile = join(workDir, `peak-${process.hrtime.bigint()}.txt`);
  await writeFile(
    preload,
    `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`,
  );
  const started = performance.now();
  const child = spawn(process.execPath, ['--max-semi-space-size=8', ...flags, '--import', preload, BIN, ...args], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', HOME: workDir, PEAK_RSS_FILE: peakFile },
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
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const seconds = (performance.now() - started) / 1000;
  const peakMiB = existsSync(peakFile) ? Number(await readFile(peakFile, 'utf8')) / 1024 : 0;
  return { code, stdout, stderr, seconds, peakMiB };
}

describe('data-mash export of a large table', () => {
  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-export-large-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('streams with bounded memory: a 64 MB heap exports a table whose rows alone would not fit in it', async () => {
    const csvBytes = await writeLargeCsv(join(workDir, 'large.csv'), 250_000);
    const ingest = cli(['ingest', 'large.csv', '--json']);
    expect(ingest.code, ingest.stderr).toBe(0);
    const journey = journeyOf(ingest) as string;
    const figures: string[] = [];
    for (const format of ['parquet', 'csv']) {
      // The old generation capped at 64 MB: 250,000 rows held as objects would need several times that.
      const run = await runMeasured(
        ['export', journey, '--format', format, '--out', `large-out.${format}`],
        ['--max-old-space-size=64'],
      );
      expect(run.code, run.stderr).toBe(0);
      const written = (await stat(join(workDir, `large-out.${format}`))).size;
      // The CSV quotes only the notes that need it; Parquet compresses about tenfold.
      expect(written).toBeGreaterThan(format === 'csv' ? csvBytes * 0.9 : csvBytes / 20);
      expect(run.peakMiB, format).toBeLessThan(256);
      figures.push(
        `${format}: ${(csvBytes / 1e6).toFixed(1)} MB of CSV in ${run.seconds.toFixed(1)} s (${(csvBytes / 1e6 / run.seconds).toFixed(1)} MB/s, the process's start included), peak RSS ${run.peakMiB.toFixed(0)} MiB`,
      );
    }
    const rows = await duckdb<{ n: string; big: string }>(
      `SELECT count(*) AS n, max(big)::VARCHAR AS big FROM read_parquet('${join(workDir, 'large-out.parquet')}')`,
    );
    expect(rows).toEqual([{ n: '250000', big: String(9_007_199_254_740_993n + 250_000n) }]);
    console.log(`data-mash export of a large table: ${figures.join('; ')}`);
  }, 300_000);
});
