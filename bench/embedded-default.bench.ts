/**
 * The embedded default as a CLI user meets it: whole `data-mash` processes (the built bin), each
 * timed from spawn to exit with its CPU time (user + system, every thread) and peak RSS, against a
 * bare `node -e 0` measured the same way in the same run. Cases:
 *
 *   1. cold start: each read command a user types on an existing data dir (`--version`, `--help`,
 *      `journeys`, `journey <id>`, `insights <id>`, `search <text>`, `doctor`, `audit`, and
 *      `queue stats` on a database of its own on the local Postgres when one answers), target at
 *      most 0.3 s from spawn to exit (and `journeys` at most 150 MB);
 *   2. the first ingest of a 26-byte CSV into a fresh data dir (target: at most 1.5 s);
 *   3. 20 `data-mash ingest` processes at once on one data dir, different files: every journey
 *      completes and is listed afterwards (a mismatch exits 1);
 *   4. `journeys` and the first ingest on PGlite (`pglite://`), the previous default, for comparison.
 *
 *   node embedded-default.bench.ts [--quick] [--runs 5]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresTestDatabase } from '@platform/foundations/testing';
import { numericArgument, printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const runs = numericArgument('--runs', quick ? 1 : 5);
const BIN = fileURLToPath(new URL('../packages/data-mash-cli/dist/cli.js', import.meta.url));
// Preloaded into each measured process: at exit, writes its peak RSS (kB, every thread) and the
// CPU time it used (µs, user + system, every thread) to PEAK_RSS_FILE. CPU time is what a loaded
// machine changes least: the wall time of a process waiting for a core grows, its CPU time hardly.
const PRELOAD = `data:text/javascript,${encodeURIComponent(`
import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const usage = process.resourceUsage();
  if (process.env.PEAK_RSS_FILE) writeFileSync(process.env.PEAK_RSS_FILE, usage.maxRSS + ' ' + (usage.userCPUTime + usage.systemCPUTime));
});
`)}`;

interface Run {
  ms: number;
  peakMb: number;
  cpuMs: number;
  code: number | null;
  stdout: string;
}

/** Runs `node <args>` in `cwd` with a clean environment plus `env`; wall time and peak RSS. */
async function measured(args: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  const rssFile = join(cwd, `.peak-${process.hrtime.bigint()}`);
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', PRELOAD, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, PEAK_RSS_FILE: rssFile, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = performance.now() - started;
  const [rssKb, cpuMicros] = (await readFile(rssFile, 'utf8')).split(' ').map(Number);
  const peakMb = (rssKb as number) / 1024;
  const cpuMs = (cpuMicros as number) / 1000;
  await rm(rssFile, { force: true });
  return { ms, peakMb, cpuMs, code, stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function repeat(times: number, run: (index: number) => Promise<Run>) {
  const results: Run[] = [];
  for (let index = 0; index < times; index += 1) {
    const result = await run(index);
    if (result.code !== 0) throw new Error(`a measured command exited ${result.code}: ${result.stdout}`);
    results.push(result);
  }
  return {
    ms: median(results.map((r) => r.ms)),
    cpuMs: median(results.map((r) => r.cpuMs)),
    peakMb: Math.max(...results.map((r) => r.peakMb)),
  };
}

/** The local Postgres for `queue stats`, or why there is none (the case is then left out). */
async function queueDatabase(): Promise<Awaited<ReturnType<typeof createPostgresTestDatabase>> | string> {
  try {
    return await createPostgresTestDatabase();
  } catch (error) {
    return (error as Error).message;
  }
}

const COLD_START_MS = 300;
const work = await mkdtemp(join(tmpdir(), 'bench-embedded-'));
const tinyCsv = (seed: number) => `id,name\n${seed},ada\n${seed + 1},bob\n`;
try {
  for (let index = 0; index < 40; index += 1) await writeFile(join(work, `tiny-${index}.csv`), tinyCsv(index * 10));
  const rows: string[][] = [['case', 'wall (median)', 'x node -e 0', 'CPU (median)', 'peak RSS', 'target', 'met']];
  const baseline = await repeat(runs, () => measured(['-e', '0'], work));
  rows.push([
    'node -e 0 (baseline)',
    `${baseline.ms.toFixed(0)} ms`,
    '1.00',
    `${baseline.cpuMs.toFixed(0)} ms`,
    `${baseline.peakMb.toFixed(0)} MB`,
    '',
    '',
  ]);

  const backends: Array<[string, (dir: string) => Record<string, string>]> = [
    ['SQLite (default)', () => ({})],
    ...(quick
      ? []
      : ([
          [
            'PGlite (before)',
            (dir: string) => ({
              PLATFORM_METADATA_STORE: `pglite://${dir}/pglite`,
              PLATFORM_SEMANTIC_STORE: `pglite://${dir}/pglite`,
            }),
          ],
        ] as Array<[string, (dir: string) => Record<string, string>]>)),
  ];
  for (const [name, envOf] of backends) {
    let fresh = 0;
    const first = await repeat(runs, async () => {
      fresh += 1;
      const dir = join(work, `fresh-${name.length}-${fresh}`);
      return measured([BIN, '--data-dir', dir, 'ingest', 'tiny-0.csv'], work, envOf(dir));
    });
    const existing = join(work, `existing-${name.length}`);
    const seeded = await measured([BIN, '--data-dir', existing, 'ingest', 'tiny-1.csv'], work, envOf(existing));
    if (seeded.code !== 0) throw new Error(`seeding ${name} failed`);
    const list = await repeat(runs, () => measured([BIN, '--data-dir', existing, 'journeys'], work, envOf(existing)));
    const row = (label: string, result: { ms: number; cpuMs: number; peakMb: number }, target: string, met: boolean) =>
      rows.push([
        `${label}, ${name}`,
        `${result.ms.toFixed(0)} ms`,
        (result.ms / baseline.ms).toFixed(2),
        `${result.cpuMs.toFixed(0)} ms`,
        `${result.peakMb.toFixed(0)} MB`,
        target,
        met ? 'yes' : 'NO',
      ]);
    row(
      'journeys on an existing data dir',
      list,
      `≤ ${COLD_START_MS} ms, ≤ 150 MB`,
      list.ms <= COLD_START_MS && list.peakMb <= 150,
    );
    if (name === 'SQLite (default)') {
      const command = (args: string[], extraEnv: Record<string, string> = {}) =>
        repeat(runs, () => measured([BIN, '--data-dir', existing, ...args], work, { ...envOf(existing), ...extraEnv }));
      const listed = await measured([BIN, '--data-dir', existing, 'journeys', '--json'], work, envOf(existing));
      const journeyId = (JSON.parse(listed.stdout) as Array<{ id: string }>)[0]?.id;
      if (!journeyId) throw new Error('the seeding ingest left no journey');
      const coldStarts: Array<[string, string[]]> = [
        ['--version', ['--version']],
        ['--help', ['--help']],
        ['journey <id>', ['journey', journeyId]],
        ['insights <id>', ['insights', journeyId]],
        ['search <text>', ['search', 'ada']],
        ['doctor', ['doctor']],
        ['audit', ['audit']],
      ];
      for (const [label, args] of coldStarts) {
        const result = await command(args);
        row(label, result, `≤ ${COLD_START_MS} ms`, result.ms <= COLD_START_MS);
      }
      const database = quick ? 'left out with --quick' : await queueDatabase();
      if (typeof database === 'string') console.error(`queue stats not measured: ${database}`);
      else {
        try {
          const queueEnv = { PLATFORM_QUEUE_URL: database.url };
          // The first run creates the queue's tables (once per database); what is measured is every later run.
          const created = await measured([BIN, '--data-dir', existing, 'queue', 'stats'], work, queueEnv);
          if (created.code !== 0) throw new Error(`queue stats exited ${created.code}`);
          const result = await command(['queue', 'stats'], queueEnv);
          row('queue stats (local Postgres)', result, `≤ ${COLD_START_MS} ms`, result.ms <= COLD_START_MS);
        } finally {
          await database.drop();
        }
      }
    }
    row('first ingest of a tiny CSV', first, '≤ 1500 ms', first.ms <= 1500);
  }

  // 20 processes at once on one data dir, different files.
  const shared = join(work, 'shared');
  const processes = quick ? 6 : 20;
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: processes }, (_, index) =>
      measured([BIN, '--data-dir', shared, 'ingest', `tiny-${index + 10}.csv`], work),
    ),
  );
  const wall = performance.now() - started;
  const listed = await measured([BIN, '--data-dir', shared, 'journeys', '--json'], work);
  const journeys = JSON.parse(listed.stdout) as Array<{ status: string }>;
  const completed = journeys.filter((journey) => journey.status === 'completed').length;
  const ok = results.every((result) => result.code === 0) && completed === processes && journeys.length === processes;
  rows.push([
    `${processes} ingest processes at once, one data dir`,
    `${wall.toFixed(0)} ms in all`,
    (wall / baseline.ms).toFixed(2),
    `${results.reduce((sum, r) => sum + r.cpuMs, 0).toFixed(0)} ms in all`,
    `${Math.max(...results.map((r) => r.peakMb)).toFixed(0)} MB each at most`,
    `${processes} journeys completed`,
    ok ? 'yes' : `NO (${completed} completed of ${journeys.length})`,
  ]);
  printTable(rows);
  if (!ok) {
    console.error('concurrent ingests lost work: this is a correctness failure');
    process.exitCode = 1;
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
