/**
 * Scale-out: flows per second through the distributed runner with 1, 2 and 4 worker processes
 * (`data-mash work --concurrency 1`, the built CLI, as users run it), on
 *   (a) small CSVs (1-5 KB each, `SCALE_SMALL_FILES` of them) and
 *   (b) CPU-bound CSVs of `SCALE_LARGE_MB` MB (`SCALE_LARGE_FILES` of them),
 * against, in the same run and the same database, pg-boss's own ceiling: the same number of jobs
 * through plain pg-boss workers whose handler does nothing (scale-out/noop-worker.ts: same worker
 * processes, same concurrency, same 1 s polling, a queue with the flow queue's options).
 *
 * Each case (kind x worker count) gets a database of its own on the local Postgres (queue and
 * metadata store), and a directory of its own for the shared blob store (local://) and the shared
 * semantic store (sqlite://<dir>/semantic.db; `SCALE_SEMANTIC=memory` uses memory:// instead).
 * The files are generated with a seeded random (the same files every run, each one different).
 * A case:
 *   1. submits every file (`data-mash ingest <files> --queue <db> --no-wait --json`), then holds
 *      the queued jobs (start_after in the future) so that no worker takes one while starting;
 *   2. no-op ceiling: queues as many no-op jobs, holds them, starts N no-op workers, waits until
 *      each is working, releases the jobs and times until none is queued or active;
 *   3. the same with N `data-mash work` processes on the flow jobs;
 *   4. checks that every job completed with `output.success` (flows: and ran `new`), else the
 *      case is reported as failed (and the run exits 1).
 * Times come from the database clock: from the release of the jobs to the last `completed_on`
 * ("drain"). Worker start-up (from spawning the first process to the last one working) is
 * measured apart; "incl. start-up" is files / (start-up + drain), an estimate of a cold start.
 * Also per case: the first pickup (release to the first started_on: idle workers poll every
 * second), the mean time a worker held a flow job, and the whole machine's CPU busy share during
 * the drain (/proc/stat: other users' load shows there too).
 * If a flow fails on the shared SQLite semantic store, its errors are printed and the case is run
 * again with memory:// (marked in the table).
 *
 *   node scale-out-throughput.bench.ts
 *   SCALE_SMALL_FILES=20 SCALE_LARGE_FILES=4 SCALE_WORKERS=1,2 node scale-out-throughput.bench.ts
 *
 * Environment (defaults give a full run of about 10 minutes on 2 cores):
 *   SCALE_SMALL_FILES=100  SCALE_LARGE_FILES=24  SCALE_LARGE_MB=5  SCALE_WORKERS=1,2,4
 *   SCALE_CONCURRENCY=1 (flows per worker)  SCALE_KINDS=small,large  SCALE_SEMANTIC=sqlite|memory
 *   PLATFORM_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * Why 100 small files by default: `data-mash work` polls every second and pg-boss waits out the
 * rest of the interval after each job (batch size 1, no burst), so each worker slot takes at most
 * about one job a second; 200 files would spend ~12 minutes on the 1-worker cases alone.
 *
 * Needs `pnpm build` first. Writes only to a temporary directory and its own databases, removed
 * at the end (also on failure and on Ctrl-C); every process it starts is stopped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresTestDatabase } from '@platform/foundations/testing';
import { writeCsv } from './data-mash/generate.ts';
import { printTable } from './harness.ts';
import { type Boss, createNoopQueue, NOOP_QUEUE, startBoss } from './scale-out/noop-worker.ts';

const integer = (name: string, fallback: number) => {
  const value = process.env[name];
  const number = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isFinite(number) || number < 0) throw new Error(`${name} must be a number, got '${value}'`);
  return number;
};
const SMALL_FILES = integer('SCALE_SMALL_FILES', 100);
const LARGE_FILES = integer('SCALE_LARGE_FILES', 24);
const LARGE_MB = integer('SCALE_LARGE_MB', 5);
const CONCURRENCY = integer('SCALE_CONCURRENCY', 1);
const WORKERS = (process.env.SCALE_WORKERS ?? '1,2,4').split(',').map(Number);
const KINDS = (process.env.SCALE_KINDS ?? 'small,large').split(',') as Array<'small' | 'large'>;
const SEMANTIC = process.env.SCALE_SEMANTIC ?? 'sqlite';
const FLOW_QUEUE = 'data-mash-flow';
const TARGET_TWO_WORKERS = 1.7;

const CLI = join(import.meta.dirname, '..', 'packages', 'data-mash-cli', 'dist', 'cli.js');
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run pnpm build first`);
const NOOP_WORKER = join(import.meta.dirname, 'scale-out', 'noop-worker.ts');
// The Node flags of the bin's `#!/usr/bin/env -S node <flags>` line, as the installed command runs.
const BIN_FLAGS = (
  /^#!\/usr\/bin\/env -S node (.*)$/m.exec(readFileSync(CLI, 'utf8').split('\n', 1)[0] ?? '')?.[1] ?? ''
)
  .split(' ')
  .filter(Boolean);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

// ---- what to clean up, whatever happens -------------------------------------------------------

type Database = Awaited<ReturnType<typeof createPostgresTestDatabase>>;
const children = new Set<ChildProcess>();
const databases = new Set<Database>();
let root: string | undefined;

async function cleanUp(): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
  for (const database of databases) await database.drop().catch((error) => console.error(`drop: ${error}`));
  databases.clear();
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

// ---- child processes -----------------------------------------------------------------------------

interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
  exited: Promise<number | null>;
}

function start(args: string[], env: Record<string, string>, cwd: string): Proc {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env } });
  children.add(child);
  const proc: Proc = {
    child,
    out: '',
    err: '',
    exited: new Promise((resolve) =>
      child.on('close', (code) => {
        children.delete(child);
        resolve(code);
      }),
    ),
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    proc.out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    proc.err += chunk.toString();
  });
  return proc;
}

/** Resolves with the time `marker` shows on stderr; rejects if the process exits first. */
function readyAt(proc: Proc, marker: string, timeoutMs = 120_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const check = () => {
      if (proc.err.includes(marker)) return resolve(performance.now());
      if (proc.child.exitCode !== null || proc.child.signalCode !== null || Date.now() > deadline) {
        return reject(new Error(`worker did not start (exit ${proc.child.exitCode}): ${proc.err.slice(-2000)}`));
      }
      setTimeout(check, 10);
    };
    check();
  });
}

async function stop(procs: Proc[]): Promise<void> {
  for (const proc of procs) proc.child.kill('SIGTERM');
  await Promise.all(
    procs.map(async (proc) => {
      const killed = sleep(40_000).then(() => proc.child.kill('SIGKILL'));
      await Promise.race([proc.exited, killed]);
    }),
  );
}

/** Lines a worker wrote that are not its ordinary start / stop messages (errors, warnings). */
function unusualLines(procs: Proc[]): string[] {
  const ordinary = /working on|stopping: running flows|stopped: every running flow|^ready$|^\s*$/;
  return [...new Set(procs.flatMap((proc) => proc.err.split('\n')).filter((line) => !ordinary.test(line)))];
}

// ---- files -----------------------------------------------------------------------------------------

const CATEGORIES = ['groceries', 'travel', 'electronics', 'books', 'garden', 'toys', 'health', 'fuel', 'rent', 'other'];
const WORDS =
  'the delivery was late but the product quality is great and support answered quickly although price seemed high'.split(
    ' ',
  );
const START = Date.UTC(2024, 0, 1);
const line = (row: number, next: () => number) => {
  const created = new Date(START + Math.floor(next() * 730 * 86_400_000)).toISOString().slice(0, 19);
  const amount = (next() < 0.001 ? 50_000 + next() * 10_000 : next() * 500).toFixed(2);
  const words = Array.from({ length: 3 + Math.floor(next() * 8) }, () => WORDS[Math.floor(next() * WORDS.length)]).join(
    ' ',
  );
  const comment = next() < 0.2 ? `"${words}, ""quoted"" part"` : words;
  const score = next() < 0.6 ? '' : (next() * 10).toFixed(1);
  return `${row},${created},${created.slice(0, 10)},${CATEGORIES[Math.floor(next() * CATEGORIES.length)]},${amount},${1 + Math.floor(next() * 20)},user${Math.floor(next() * 50_000)}@example.com,${comment},${next() < 0.5},${score}\n`;
};
const HEADER = 'id,created_at,day,category,amount,quantity,email,comment,active,score';
const seedOf = (kind: string, index: number) =>
  (Math.imul(index + 1, 2_654_435_761) ^ (kind === 'small' ? 0x5bd1e995 : 0x2545f491)) >>> 0 || 1;

async function generate(
  directory: string,
  kind: 'small' | 'large',
  count: number,
): Promise<{ files: string[]; bytes: number }> {
  await mkdir(directory, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  for (let index = 0; index < count; index += 1) {
    const path = join(directory, `${kind}-${String(index).padStart(4, '0')}.csv`);
    const seed = seedOf(kind, index);
    // Small: 1 to 5 KB, by the file's seed; large: LARGE_MB.
    const megabytes = kind === 'small' ? (1 + (seed % 4001) / 1000) / 1000 : LARGE_MB;
    const written = await writeCsv(path, megabytes, { header: HEADER, seed, line });
    bytes += written.bytes;
    files.push(path);
  }
  return { files, bytes };
}

// ---- one measured phase: hold, start workers, release, drain --------------------------------------

interface Phase {
  /** Spawning the first worker to the last one working, seconds. */
  startup: number;
  /** Release of the jobs to the last completed_on (database clock), seconds. */
  drain: number;
  perSecond: number;
  perSecondWithStartup: number;
  failures: string[];
  retries: number;
  runs: Record<string, number>;
  /** Mean time a job was held by a worker (started_on to completed_on), seconds. */
  meanJobSeconds: number;
  /** Release of the jobs to the first started_on (idle workers poll every second), seconds. */
  firstPickup: number;
  /** The machine's CPU busy share during the drain (all processes, this bench's and others'). */
  cpuBusy: number;
  workerLines: string[];
}

/** Busy and total jiffies of the whole machine (Linux /proc/stat; zeros elsewhere). */
function cpuTimes(): { busy: number; total: number } {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1, 9)
      .map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

type Row = Record<string, unknown>;
type Sql = (text: string, values?: unknown[]) => Promise<Row[]>;

/** Makes the queue's waiting jobs not due (so that starting workers take none). */
async function hold(sql: Sql, queue: string): Promise<number> {
  const [row] = await sql(
    `WITH held AS (UPDATE pgboss.job SET start_after = now() + interval '1 day'
                    WHERE name = $1 AND state = 'created' RETURNING 1)
     SELECT count(*)::int AS n FROM held`,
    [queue],
  );
  return Number(row?.n);
}

async function phase(sql: Sql, queue: string, jobs: number, workers: () => Proc[], marker: string): Promise<Phase> {
  const spawned = performance.now();
  const procs = workers();
  let outcome: Phase | undefined;
  let failure: unknown;
  try {
    outcome = await measure(sql, queue, jobs, procs, marker, spawned);
  } catch (error) {
    failure = error;
  }
  await stop(procs);
  const workerLines = unusualLines(procs);
  if (!outcome) {
    throw new Error(`${(failure as Error)?.message ?? failure}\nworkers said:\n${workerLines.slice(0, 30).join('\n')}`);
  }
  return { ...outcome, workerLines };
}

async function measure(
  sql: Sql,
  queue: string,
  jobs: number,
  procs: Proc[],
  marker: string,
  spawned: number,
): Promise<Phase> {
  {
    const ready = await Promise.all(procs.map((proc) => readyAt(proc, marker)));
    const startup = (Math.max(...ready) - spawned) / 1000;
    const cpuBefore = cpuTimes();
    const [released = {}] = await sql(
      `WITH released AS (UPDATE pgboss.job SET start_after = now() WHERE name = $1 AND state = 'created' RETURNING 1)
       SELECT now() AS at, count(*)::int AS n FROM released`,
      [queue],
    );
    if (Number(released.n) !== jobs) throw new Error(`released ${released.n} ${queue} jobs, expected ${jobs}`);
    const deadline = Date.now() + 120_000 + jobs * 60_000;
    let last: Date;
    for (;;) {
      const [row = {}] = await sql(
        `SELECT count(*) FILTER (WHERE state < 'completed')::int AS pending, max(completed_on) AS last
           FROM pgboss.job WHERE name = $1`,
        [queue],
      );
      if (Number(row.pending) === 0) {
        last = row.last as Date;
        break;
      }
      if (Date.now() > deadline) throw new Error(`${row.pending} ${queue} jobs still pending at the deadline`);
      await sleep(100);
    }
    const cpuAfter = cpuTimes();
    const drain = (last.getTime() - (released.at as Date).getTime()) / 1000;
    const [timing = {}] = await sql(
      `SELECT extract(epoch FROM avg(completed_on - started_on))::float8 AS mean,
              extract(epoch FROM min(started_on) - $2::timestamptz)::float8 AS first
         FROM pgboss.job WHERE name = $1`,
      [queue, released.at],
    );
    const rows = await sql(`SELECT state::text AS state, output, retry_count FROM pgboss.job WHERE name = $1`, [queue]);
    const failures: string[] = [];
    const runs: Record<string, number> = {};
    let retries = 0;
    for (const row of rows) {
      retries += Number(row.retry_count ?? 0);
      const output = (row.output ?? {}) as {
        success?: boolean;
        run?: string;
        error?: { code?: string; message?: string };
      };
      if (row.state !== 'completed' || output.success !== true) {
        failures.push(`${row.state}: ${output.error?.code ?? ''} ${output.error?.message ?? JSON.stringify(output)}`);
      } else if (output.run) runs[output.run] = (runs[output.run] ?? 0) + 1;
    }
    const [dead = {}] = await sql(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1`, [
      `${queue}.dead-letters`,
    ]);
    if (Number(dead.n) > 0) failures.push(`${dead.n} dead-lettered`);
    if (rows.length !== jobs) failures.push(`${rows.length} jobs in the queue, expected ${jobs}`);
    return {
      startup,
      drain,
      perSecond: jobs / drain,
      perSecondWithStartup: jobs / (startup + drain),
      failures,
      retries,
      runs,
      meanJobSeconds: Number(timing.mean),
      firstPickup: Number(timing.first),
      cpuBusy: (cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total),
      workerLines: [],
    };
  }
}

// ---- one case: a fresh database and stores, the no-op ceiling and the flows ----------------------

interface CaseResult {
  kind: 'small' | 'large';
  workers: number;
  semantic: string;
  submitSeconds: number;
  noop: Phase;
  flows: Phase;
}

async function runCase(
  kind: 'small' | 'large',
  files: string[],
  workers: number,
  semantic: 'sqlite' | 'memory',
): Promise<CaseResult> {
  const database = await createPostgresTestDatabase();
  databases.add(database);
  const dir = await mkdtemp(join(root as string, `case-${kind}-${workers}-`));
  let client: Boss | undefined;
  try {
    const env = {
      PLATFORM_DATA_DIR: join(dir, 'data'),
      PLATFORM_METADATA_STORE: database.url,
      PLATFORM_BLOB_STORE: `local://${join(dir, 'blobs')}`,
      PLATFORM_SEMANTIC_STORE: semantic === 'sqlite' ? `sqlite://${join(dir, 'semantic.db')}` : 'memory://',
      PLATFORM_QUEUE_URL: database.url,
    };
    // 1. Every file submitted, then held.
    const submitStarted = performance.now();
    const submit = start(
      [...BIN_FLAGS, CLI, 'ingest', ...files, '--queue', database.url, '--no-wait', '--json'],
      env,
      dir,
    );
    const code = await submit.exited;
    const submitSeconds = (performance.now() - submitStarted) / 1000;
    if (code !== 0) throw new Error(`ingest --no-wait exited ${code}: ${submit.err.slice(-2000)}`);
    const queued = (JSON.parse(submit.out) as { queued: unknown[] }).queued.length;
    if (queued !== files.length)
      throw new Error(`${queued} of ${files.length} files queued: ${submit.out.slice(-2000)}`);
    // The bench's own pg-boss client (no supervision, no schedules): SQL, the no-op queue and its jobs.
    client = await startBoss(database.url, { supervise: false, schedule: false });
    const db = client.getDb();
    const sql: Sql = async (text, values) => (await db.executeSql(text, values)).rows;
    const held = await hold(sql, FLOW_QUEUE);
    if (held !== files.length) throw new Error(`held ${held} flow jobs, expected ${files.length}`);

    // 2. The no-op ceiling: as many jobs, same worker processes, concurrency and polling.
    await createNoopQueue(client);
    const data = (index: number) => ({
      fileId: `file-${index}`,
      traceId: 'a'.repeat(32),
      userContext: { userId: 'bench', tenantId: 'local', roles: [], permissions: [] },
    });
    await client.insert(
      NOOP_QUEUE,
      files.map((_, index) => ({ data: data(index) })),
    );
    await hold(sql, NOOP_QUEUE);
    const noop = await phase(
      sql,
      NOOP_QUEUE,
      files.length,
      () => Array.from({ length: workers }, () => start([NOOP_WORKER, database.url, String(CONCURRENCY)], {}, dir)),
      'ready',
    );

    // 3. The flows.
    const flows = await phase(
      sql,
      FLOW_QUEUE,
      files.length,
      () =>
        Array.from({ length: workers }, () =>
          start([...BIN_FLAGS, CLI, 'work', '--concurrency', String(CONCURRENCY), '--drain-timeout', '5'], env, dir),
        ),
      'working on',
    );
    return { kind, workers, semantic, submitSeconds, noop, flows };
  } finally {
    await client?.stop({ graceful: false });
    await database.drop();
    databases.delete(database);
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- the run ----------------------------------------------------------------------------------------

const fmt = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

async function main(): Promise<number> {
  console.log(
    `scale-out throughput: workers ${WORKERS.join(',')} x data-mash work --concurrency ${CONCURRENCY}; ` +
      `${SMALL_FILES} small (1-5 KB) and ${LARGE_FILES} x ${LARGE_MB} MB CSVs; semantic store ${SEMANTIC}; ` +
      `load average ${load()} on ${(await import('node:os')).availableParallelism()} cores`,
  );
  root = await mkdtemp(join(tmpdir(), 'scale-out-bench-'));
  const sets: Record<'small' | 'large', string[]> = { small: [], large: [] };
  for (const kind of KINDS) {
    const count = kind === 'small' ? SMALL_FILES : LARGE_FILES;
    if (count === 0) continue;
    const started = performance.now();
    const { files, bytes } = await generate(join(root, kind), kind, count);
    sets[kind] = files;
    console.log(
      `generated ${count} ${kind} files, ${(bytes / 1e6).toFixed(2)} MB in all (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  const results: CaseResult[] = [];
  let failed = false;
  for (const kind of KINDS) {
    if (sets[kind].length === 0) continue;
    for (const workers of WORKERS) {
      let result = await runCase(kind, sets[kind], workers, SEMANTIC === 'memory' ? 'memory' : 'sqlite');
      const report = (r: CaseResult) =>
        console.log(
          `  ${r.kind} x${r.workers} (${r.semantic}): submit ${fmt(r.submitSeconds, 1)} s; no-op ${fmt(r.noop.perSecond)}/s ` +
            `(start-up ${fmt(r.noop.startup)} s); flows ${fmt(r.flows.perSecond)}/s (start-up ${fmt(r.flows.startup)} s, ` +
            `drain ${fmt(r.flows.drain, 1)} s, first pickup ${fmt(r.flows.firstPickup)} s, mean flow ${fmt(r.flows.meanJobSeconds)} s, ` +
            `CPU busy ${fmt(r.flows.cpuBusy * 100, 0)}%, runs ${JSON.stringify(r.flows.runs)}, retries ${r.flows.retries}); load ${load()}`,
        );
      report(result);
      for (const [name, phaseResult] of [
        ['no-op', result.noop],
        ['flows', result.flows],
      ] as const) {
        if (phaseResult.failures.length > 0) {
          console.log(`    ${name} FAILED (${phaseResult.failures.length}):`);
          for (const failure of [...new Set(phaseResult.failures)].slice(0, 10)) console.log(`      ${failure}`);
        }
        for (const text of phaseResult.workerLines.slice(0, 20))
          console.log(`    ${name} worker: ${text.slice(0, 400)}`);
      }
      if (result.flows.failures.length > 0 && result.semantic === 'sqlite') {
        console.log('    the shared SQLite semantic store failed (above): running the case again with memory://');
        result = await runCase(kind, sets[kind], workers, 'memory');
        report(result);
      }
      if (result.flows.failures.length > 0 || result.noop.failures.length > 0) failed = true;
      results.push(result);
    }
  }

  console.log(`\nload average at the end: ${load()}\n`);
  const rows = [
    [
      'workers',
      'files',
      'flows/s',
      'vs 1 worker',
      'no-op jobs/s',
      'vs no-op',
      'flows/s incl. start-up',
      'start-up s',
      'drain s',
      'mean flow s',
      'CPU busy',
      'semantic',
      'ok',
    ],
  ];
  for (const result of results) {
    const one = results.find((other) => other.kind === result.kind && other.workers === 1);
    rows.push([
      `${result.workers} x c${CONCURRENCY}`,
      result.kind === 'small' ? `${sets.small.length} small` : `${sets.large.length} x ${LARGE_MB} MB`,
      fmt(result.flows.perSecond),
      one ? `${fmt(result.flows.perSecond / one.flows.perSecond)}x` : '–',
      fmt(result.noop.perSecond),
      fmt(result.flows.perSecond / result.noop.perSecond),
      fmt(result.flows.perSecondWithStartup),
      fmt(result.flows.startup),
      fmt(result.flows.drain, 1),
      fmt(result.flows.meanJobSeconds),
      `${fmt(result.flows.cpuBusy * 100, 0)}%`,
      result.semantic,
      result.flows.failures.length === 0 ? 'yes' : `${result.flows.failures.length} failed`,
    ]);
  }
  printTable(rows);
  const one = results.find((result) => result.kind === 'large' && result.workers === 1);
  const two = results.find((result) => result.kind === 'large' && result.workers === 2);
  if (one && two) {
    const scaling = two.flows.perSecond / one.flows.perSecond;
    console.log(
      `\ntarget: 2 workers >= ${TARGET_TWO_WORKERS}x one on the ${LARGE_MB} MB files: ${fmt(scaling)}x ` +
        `${scaling >= TARGET_TWO_WORKERS ? 'MET' : 'NOT MET'}`,
    );
  }
  if (failed) console.log('\nSOME JOBS FAILED (above)');
  return failed ? 1 : 0;
}

let exitCode = 1;
try {
  exitCode = await main();
} finally {
  await cleanUp();
}
process.exit(exitCode);
