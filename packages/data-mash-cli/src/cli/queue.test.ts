import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPostgresTestDatabase } from '@platform/foundations/testing';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from './cli.test-helpers.js';

// Workers as users run them: the built bin in child processes, on a queue and stores in a
// database of their own on the local Postgres, a blob directory in a temporary folder.
type Database = Awaited<ReturnType<typeof createPostgresTestDatabase>>;
const QUEUE = 'data-mash-flow';
let dir: string;
const databases: Database[] = [];
const children: ChildProcess[] = [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 120_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function storesOf(database: Database): Record<string, string> {
  return {
    PLATFORM_METADATA_STORE: database.url,
    PLATFORM_BLOB_STORE: `local://${join(dir, `blobs-${databases.indexOf(database)}`)}`,
    PLATFORM_SEMANTIC_STORE: 'memory://',
    PLATFORM_QUEUE_URL: database.url,
  };
}

/** Runs the bin in the background, collecting its output. */
function start(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
  });
  children.push(child);
  const run = { child, out: '', err: '', code: undefined as number | null | undefined, signal: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    run.out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    run.err += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      run.code = code;
      resolve(code);
    }),
  );
  return Object.assign(run, { exited });
}

async function cli(args: string[], env: Record<string, string>) {
  const run = start(args, env);
  await run.exited;
  return run;
}

/** A CSV big enough that its flow runs for seconds (`seed` makes each file different). */
async function bigCsv(name: string, seed: string, rows = 450_000): Promise<string> {
  const path = join(dir, name);
  const out = createWriteStream(path);
  out.write(`id,name,city,amount,date,note,score,flag_${seed}\n`);
  for (let index = 0; index < rows; index += 1) {
    const line = `${index},name${index % 977},city${index % 53},${(index * 1.37).toFixed(2)},2024-0${1 + (index % 9)}-1${index % 9},some note ${index % 1013},${index % 100},${index % 2 ? 'yes' : 'no'}\n`;
    if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return path;
}

async function boss(database: Database) {
  const instance = new PgBoss({ connectionString: database.url, supervise: false, schedule: false });
  instance.on('error', () => undefined);
  await instance.start();
  return instance;
}

async function job(instance: PgBoss, id: string) {
  const [found] = await instance.findJobs(QUEUE, { id });
  return found as (typeof found & { output?: Record<string, unknown> }) | undefined;
}

/**
 * Whether a worker has begun the flow's journey: a milestone no longer pending, which is what makes
 * a later run 'resumed' (the metadata store shares the queue's database).
 */
async function journeyBegun(instance: PgBoss): Promise<boolean> {
  const counted = await instance
    .getDb()
    .executeSql(
      `select count(*)::int as n from platform_journeys
        where exists (select 1 from jsonb_array_elements(milestones) as m where m->>'status' <> 'pending')`,
    )
    .catch(() => ({ rows: [{ n: 0 }] }));
  return Number(counted.rows[0]?.n) > 0;
}

async function submit(env: Record<string, string>, file: string): Promise<string> {
  const queued = await cli(['ingest', file, '--queue', env.PLATFORM_QUEUE_URL as string, '--no-wait', '--json'], env);
  expect(queued.code, queued.err).toBe(0);
  return (JSON.parse(queued.out) as { queued: Array<{ jobId: string }> }).queued[0]?.jobId as string;
}

/** Starts `data-mash work` and waits until it works (and its health port, when asked). */
async function worker(env: Record<string, string>, args: string[]) {
  const run = start(['work', '--concurrency', '1', ...args], env);
  await until(() => run.err.includes('working on') || run.code !== undefined, 60_000, 'the worker to start');
  expect(run.err).toContain('working on');
  const port = Number(/health on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.err)?.[1] ?? Number.NaN);
  return Object.assign(run, { port });
}

describe('operating workers from the CLI (local Postgres)', () => {
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    dir = await mkdtemp(join(tmpdir(), 'data-mash-cli-workers-'));
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const database of databases) await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the queue, lists dead letters with their reason, and moves them back with queue retry', async () => {
    const database = await createPostgresTestDatabase();
    databases.push(database);
    const env = storesOf(database);
    const empty = await cli(['queue', '--json'], env);
    expect(empty.code, empty.err).toBe(0);
    expect(JSON.parse(empty.out)).toEqual({
      queue: QUEUE,
      deadLetterQueue: `${QUEUE}.dead-letters`,
      queued: 0,
      deferred: 0,
      retrying: 0,
      active: 0,
      completed: 0,
      failed: 0,
      cancelled: 0,
      deadLettered: 0,
    });
    // A job whose last attempt failed, as a worker's would (pg-boss itself, no worker running).
    const raw = await boss(database);
    try {
      const data = { fileId: 'file-1', traceId: 'a'.repeat(32), userContext: { tenantId: 'acme' } };
      const id = (await raw.send(QUEUE, data, { retryLimit: 0 })) as string;
      await raw.send(QUEUE, { ...data, fileId: 'file-2' }, { startAfter: 3600 });
      const [fetched] = await raw.fetch(QUEUE);
      expect(fetched?.id).toBe(id);
      await raw.fail(QUEUE, id, { code: 'ADAPTER_UNAVAILABLE', message: 'the embedding service is down' });
    } finally {
      await raw.stop({ graceful: false });
    }
    const stats = await cli(['queue'], env);
    expect(stats.code, stats.err).toBe(0);
    expect(stats.out).toMatch(/queued\s+1\s+\(deferred 1, retrying 0\)/);
    expect(stats.out).toMatch(/failed\s+1\n/);
    expect(stats.out).toMatch(/dead-lettered\s+1\n/);
    const letters = await cli(['queue', 'dead-letters', '--json'], env);
    const [letter] = JSON.parse(letters.out) as Array<{ jobId: string; fileId: string; reason: unknown }>;
    expect(letter).toMatchObject({
      fileId: 'file-1',
      reason: { code: 'ADAPTER_UNAVAILABLE', message: 'the embedding service is down' },
    });
    expect((await cli(['queue', 'dead-letters'], env)).out).toContain(
      'ADAPTER_UNAVAILABLE: the embedding service is down',
    );

    expect((await cli(['queue', 'retry'], env)).code).toBe(2);
    expect((await cli(['queue', 'retry', 'x', '--all'], env)).code).toBe(2);
    expect((await cli(['queue', 'bogus'], env)).code).toBe(2);
    expect((await cli(['queue', 'retry', 'not-a-job'], env)).code).toBe(2);
    const unknown = await cli(['queue', 'retry', '00000000-0000-0000-0000-000000000000', '--json'], env);
    expect([unknown.code, JSON.parse(unknown.out)]).toEqual([1, { moved: 0, missing: 1 }]);
    const retried = await cli(['queue', 'retry', letter?.jobId as string], env);
    expect([retried.code, retried.out.trim()]).toEqual([0, `moved 1 dead letter(s) back to ${QUEUE}`]);
    const after = JSON.parse((await cli(['queue', '--json'], env)).out);
    expect(after).toMatchObject({ queued: 2, deferred: 1, deadLettered: 0, failed: 1 });
    expect(JSON.parse((await cli(['queue', 'retry', '--all', '--json'], env)).out)).toEqual({ moved: 0, missing: 0 });
  }, 120_000);

  it('drains on SIGTERM: a flow with time finishes; one without is released and another worker completes it', async () => {
    const database = await createPostgresTestDatabase();
    databases.push(database);
    const env = storesOf(database);
    const raw = await boss(database);
    try {
      // (a) Time to finish: the worker stops taking jobs, is not ready, finishes the flow, exits 0.
      const first = await worker(env, ['--drain-timeout', '300', '--health-port', '0']);
      expect((await fetch(`http://127.0.0.1:${first.port}/healthz`)).status).toBe(200);
      expect(await (await fetch(`http://127.0.0.1:${first.port}/readyz`)).json()).toEqual({ status: 'ready' });
      const slow = await submit(env, await bigCsv('slow-a.csv', 'a'));
      await until(async () => (await job(raw, slow))?.state === 'active', 120_000, 'the flow to start');
      first.child.kill('SIGTERM');
      await until(() => first.err.includes('stopping'), 30_000, 'the drain');
      const draining = await fetch(`http://127.0.0.1:${first.port}/readyz`);
      expect([draining.status, await draining.json()]).toEqual([503, { status: 'not ready', reason: 'draining' }]);
      expect((await fetch(`http://127.0.0.1:${first.port}/healthz`)).status).toBe(200);
      expect(await first.exited, first.err).toBe(0);
      expect(first.err).toContain('every running flow finished');
      expect(await job(raw, slow)).toMatchObject({ state: 'completed', retryCount: 0, output: { success: true } });

      // (b) No time: the job is released at once, and a second worker completes it long before
      // expireInSeconds (900 s) would have handed it over.
      const second = await worker(env, ['--drain-timeout', '0.5']);
      const released = await submit(env, await bigCsv('slow-b.csv', 'b'));
      await until(async () => (await job(raw, released))?.state === 'active', 120_000, 'the flow to start');
      const stoppedAt = Date.now();
      second.child.kill('SIGTERM');
      expect(await second.exited, second.err).toBe(0);
      expect(second.err).toContain('released 1 unfinished flow(s) to other workers');
      expect(await job(raw, released)).toMatchObject({
        state: 'retry',
        output: { code: 'WORKER_STOPPED' },
      });
      const third = await worker(env, []);
      await until(async () => (await job(raw, released))?.state === 'completed', 300_000, 'the released flow');
      const handedOverSeconds = (Date.now() - stoppedAt) / 1000;
      expect(handedOverSeconds).toBeLessThan(450);
      expect(await job(raw, released)).toMatchObject({ retryCount: 1, output: { success: true } });
      await until(() => third.out.includes('✔ job'), 30_000, 'the third worker to report');

      // A second signal exits at once, whatever runs.
      const another = await submit(env, await bigCsv('slow-c.csv', 'c'));
      await until(async () => (await job(raw, another))?.state === 'active', 120_000, 'the flow to start');
      third.child.kill('SIGTERM');
      await until(() => third.err.includes('stopping'), 30_000, 'the drain');
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(143);
      expect(third.err).toContain('SIGTERM again: exiting now');
      console.info(`released flow completed ${handedOverSeconds.toFixed(1)} s after SIGTERM`);
    } finally {
      await raw.stop({ graceful: false });
    }
  }, 600_000);

  it('hands the flow of a worker killed with SIGKILL to another after its heartbeat lapses, not after expireInSeconds', async () => {
    const database = await createPostgresTestDatabase();
    databases.push(database);
    const env = storesOf(database);
    const raw = await boss(database);
    try {
      const doomed = await worker(env, []);
      // The worker made the queue with the default heartbeat. An operator's shorter one is kept
      // (defaults never replace it) and sent with each job: the handover then waits 10 s, not 30.
      expect(await raw.getQueue(QUEUE)).toMatchObject({ heartbeatSeconds: 30, expireInSeconds: 900 });
      await raw.updateQueue(QUEUE, { heartbeatSeconds: 10 });
      const id = await submit(env, await bigCsv('killed.csv', 'k'));
      expect(await raw.getQueue(QUEUE)).toMatchObject({ heartbeatSeconds: 10, expireInSeconds: 900 });
      await until(async () => (await job(raw, id))?.state === 'active', 120_000, 'the flow to start');
      // Taken is not begun: on a loaded machine the worker may not have begun the journey yet, and
      // the rescuer would then run it anew instead of resuming it.
      await until(() => journeyBegun(raw), 120_000, 'the journey to begin');
      const killedAt = Date.now();
      doomed.child.kill('SIGKILL');
      await doomed.exited;
      expect(await job(raw, id)).toMatchObject({ heartbeatSeconds: 10, expireInSeconds: 900 });
      const rescuer = await worker(env, []);
      await until(async () => (await job(raw, id))?.state === 'completed', 600_000, 'the killed flow');
      const handedOverSeconds = (Date.now() - killedAt) / 1000;
      // The job's heartbeat is 10 s and supervision runs every 10 s; expireInSeconds is 900.
      expect(handedOverSeconds).toBeLessThan(450);
      expect(await job(raw, id)).toMatchObject({ retryCount: 1, output: { success: true, run: 'resumed' } });
      await until(() => rescuer.out.includes('✔ job'), 30_000, 'the rescuing worker to report');
      console.info(`killed worker's flow completed ${handedOverSeconds.toFixed(1)} s after SIGKILL`);
    } finally {
      await raw.stop({ graceful: false });
    }
  }, 900_000);

  it('holds a submitter back with ingest --max-queued while the queue is full (no workers)', async () => {
    const database = await createPostgresTestDatabase();
    databases.push(database);
    const env = storesOf(database);
    const files = ['a', 'b', 'c'].map((name) => join(dir, `held-${name}.csv`));
    for (const [index, file] of files.entries()) await writeFile(file, `id,name\n${index},held ${index}\n`);
    const raw = await boss(database);
    try {
      const submitter = start(
        ['ingest', ...files, '--queue', database.url, '--no-wait', '--max-queued', '2', '--json'],
        env,
      );
      // Zero until the submitter has made the queue.
      const waiting = async () =>
        (await raw.findJobs(QUEUE, {}).catch(() => [])).filter((found) => found.state === 'created').length;
      await until(async () => (await waiting()) === 2, 120_000, 'two jobs queued');
      await sleep(3_000);
      // The third file waits for room: not stored, not queued, the submitter still running.
      expect(await waiting()).toBe(2);
      expect(submitter.code).toBeUndefined();
      const worker = await (async () => start(['work', '--concurrency', '1'], env))();
      expect(await submitter.exited, submitter.err).toBe(0);
      expect((JSON.parse(submitter.out) as { queued: unknown[] }).queued).toHaveLength(3);
      worker.child.kill('SIGTERM');
      await worker.exited;
    } finally {
      await raw.stop({ graceful: false });
    }
    expect((await cli(['ingest', files[0] as string, '--queue', database.url, '--max-queued', '0'], env)).code).toBe(2);
  }, 300_000);

  it('refuses bad worker and queue options', async () => {
    const env = { PLATFORM_QUEUE_URL: 'postgres://127.0.0.1:1/none' };
    for (const args of [
      ['work', '--drain-timeout', '-1'],
      ['work', '--drain-timeout', 'soon'],
      ['work', '--health-port', '70000'],
      ['queue', 'dead-letters', '--limit', '0'],
      ['queue', 'stats', 'some-id'],
    ]) {
      const run = await cli(args, env);
      expect(run.code, args.join(' ')).toBe(2);
    }
    expect((await cli(['queue'], {})).code).toBe(2);
    // A wrong URL is named without its password.
    const wrong = await cli(['work', '--queue', 'redis://admin:Sup3rS3cret@127.0.0.1:1'], {});
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("got 'redis://admin:***@127.0.0.1:1'");
    expect(wrong.err).not.toContain('Sup3rS3cret');
  }, 60_000);
});
