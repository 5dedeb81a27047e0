// The distributed runner under faults and load: N `data-mash work` processes on a Postgres queue
// and stores of the suite's own, files submitted by `data-mash ingest --queue`, while the suite
// kills a random worker with SIGKILL every few seconds (and starts another), crashes and restarts
// Postgres once and Redis once. Afterwards every record is checked against the input itself
// (bench/fault-suite/verify.ts); any breach fails the run.
//
//   node fault-and-load.bench.ts --ci        200 files up to 2 MB, 3 workers (CI, `.ci/run`)
//   node fault-and-load.bench.ts             1,000 files from 1 KB to 50 MB, 4 workers
//   options: --files N --workers N --max-kb N --kill-every S --deadline-minutes M
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { random } from './data-mash/generate.ts';
import { writeCorpus } from './fault-suite/corpus.ts';
import { runCli, Workers } from './fault-suite/fleet.ts';
import { OwnPostgres, OwnRedis } from './fault-suite/services.ts';
import { verify } from './fault-suite/verify.ts';
import { numericArgument } from './harness.ts';

const ci = process.argv.includes('--ci');
const FILES = numericArgument('--files', ci ? 200 : 1000);
const WORKERS = numericArgument('--workers', ci ? 3 : 4);
const MAX_KB = numericArgument('--max-kb', ci ? 2_000 : 50_000);
const KILL_EVERY_S = numericArgument('--kill-every', ci ? 8 : 5);
const DEADLINE_MIN = numericArgument('--deadline-minutes', ci ? 5 : 45);
const QUEUE = 'data-mash-flow';
const BATCH = 20;

const root = await mkdtemp(join(tmpdir(), 'fault-and-load-'));
const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(1);
const say = (line: string) => console.log(`[${seconds().padStart(6)} s] ${line}`);
let postgres: OwnPostgres | undefined;
let redis: OwnRedis | undefined;
let workers: Workers | undefined;
let failed = true;
try {
  say(`corpus: ${FILES} files from 1 KB to ${MAX_KB} KB`);
  const corpus = await writeCorpus(await mkdtemp(join(root, 'files-')), FILES, 1, MAX_KB);
  const totalMb = corpus.reduce((sum, file) => sum + file.bytes, 0) / 1e6;
  [postgres, redis] = await Promise.all([OwnPostgres.start(root), OwnRedis.start(root)]);
  say(`services: Postgres ${postgres.url}, Redis ${redis.url}; ${totalMb.toFixed(0)} MB to ingest`);
  const env = {
    PLATFORM_METADATA_STORE: postgres.url,
    PLATFORM_QUEUE_URL: postgres.url,
    PLATFORM_BLOB_STORE: `local://${join(root, 'blobs')}`,
    PLATFORM_SEMANTIC_STORE: `sqlite://${join(root, 'semantic.db')}`,
    PLATFORM_KEY_VALUE_STORE: `${redis.url}?prefix=fault`,
    PLATFORM_EVENT_BUS: `${redis.url}?prefix=fault`,
  };
  workers = new Workers(root, env, 2);
  for (let index = 0; index < WORKERS; index += 1) workers.start();

  // The chaos: a worker killed every KILL_EVERY_S seconds; Postgres crashed once a quarter of the
  // flows have completed, Redis once half have, so that both hit flows in flight.
  const next = random(0xc4a05);
  let submitting = true;
  let chaosDone = false;
  const chaos = (async () => {
    while (!chaosDone) {
      await sleep(KILL_EVERY_S * 1000);
      if (chaosDone) break;
      await workers?.killOneAndReplace(next());
    }
  })();
  const outages = (async () => {
    const faults = [
      {
        at: 0.25,
        name: 'Postgres crashed (immediate stop), restarting in 3 s',
        run: () => postgres?.crashAndRestart(3_000),
      },
      { at: 0.5, name: 'Redis killed (SIGKILL), restarting in 2 s', run: () => redis?.crashAndRestart(2_000) },
    ];
    for (const fault of faults) {
      while (!chaosDone && (await completed(postgres?.url as string).catch(() => 0)) < fault.at * FILES)
        await sleep(500);
      if (chaosDone) return;
      say(`fault: ${fault.name}`);
      await fault.run();
      say('fault: back');
    }
  })();

  // Submitters: batches per tenant, as `ingest --queue --no-wait` would be run by a user; a batch
  // that fails (Postgres down) is submitted again, which the flow answers from its journey.
  const submitted = new Set<string>();
  let batches = 0;
  let resubmissions = 0;
  const pending = [...corpus];
  while (pending.length > 0) {
    const tenant = pending[0]?.tenant as string;
    const batch = pending.filter((file) => file.tenant === tenant).slice(0, BATCH);
    batches += 1;
    const run = runCli(
      root,
      `submit-${batches}`,
      ['ingest', ...batch.map((file) => file.path), '--queue', postgres.url, '--no-wait', '--json', '--tenant', tenant],
      env,
    );
    const code = await run.exited;
    let queued: Array<{ file: string }> = [];
    try {
      queued = (JSON.parse(run.output().slice(run.output().indexOf('{'))) as { queued: Array<{ file: string }> })
        .queued;
    } catch {
      // The submitter died before printing (its Postgres went away): the whole batch again.
    }
    const done = new Set(queued.map((job) => job.file));
    for (const file of batch) {
      if (done.has(file.path)) {
        submitted.add(file.path);
        pending.splice(pending.indexOf(file), 1);
      }
    }
    if (done.size < batch.length) {
      resubmissions += batch.length - done.size;
      say(`submitter exited ${code}: ${batch.length - done.size} of ${batch.length} files to submit again`);
      await sleep(1_000);
    }
  }
  submitting = false;
  say(`submitted: ${submitted.size} files in ${batches} batches (${resubmissions} resubmitted)`);

  // Wait for the queue to empty: nothing created, retrying or active.
  const deadline = started + DEADLINE_MIN * 60_000;
  for (;;) {
    const left = await remaining(postgres.url).catch(() => Number.NaN);
    if (left === 0) break;
    if (performance.now() > deadline)
      throw new Error(`the queue still holds ${left} jobs after ${DEADLINE_MIN} minutes`);
    await sleep(2_000);
  }
  chaosDone = true;
  await Promise.all([chaos, outages]);
  // What an operator does after the incident: look at the dead letters (each must say why) and
  // send them back; the workers, no longer killed, finish them.
  let deadLettered = 0;
  for (let round = 0; round < 3; round += 1) {
    const listed = runCli(root, `dead-letters-${round}`, ['queue', 'dead-letters', '--json', '--limit', '1000'], env);
    await listed.exited;
    const letters = JSON.parse(listed.output().slice(listed.output().indexOf('['))) as Array<{
      fileId: string;
      reason?: { code?: string; message?: string };
    }>;
    if (letters.length === 0) break;
    deadLettered += letters.length;
    for (const letter of letters) {
      say(`dead letter: ${letter.fileId}: ${letter.reason?.code ?? 'NO REASON'}: ${letter.reason?.message ?? ''}`);
      if (!letter.reason?.code) throw new Error(`a dead letter without its reason: ${letter.fileId}`);
    }
    const retried = runCli(root, `retry-${round}`, ['queue', 'retry', '--all'], env);
    if ((await retried.exited) !== 0) throw new Error(`queue retry --all failed: ${retried.output()}`);
    while ((await remaining(postgres.url)) > 0) {
      if (performance.now() > deadline)
        throw new Error(`the retried dead letters did not finish in ${DEADLINE_MIN} minutes`);
      await sleep(2_000);
    }
  }
  const flowSeconds = (performance.now() - started) / 1000;
  // The faults must have happened, or the run proves nothing.
  if (workers.killed === 0 || postgres.restarts === 0 || redis.restarts === 0) {
    throw new Error(
      `faults not injected: ${workers.killed} kills, ${postgres.restarts} Postgres and ${redis.restarts} Redis restarts`,
    );
  }
  // Then the rest of the operator's round: data-mash doctor, per tenant. A write killed mid-way
  // leaves an uncommitted data file (removed by --fix, counted); anything else it finds (an
  // object without its file, a file without its bytes, a journey left running) is a breach.
  const leftovers: Record<string, number> = {};
  const doctorBreaches: string[] = [];
  for (const tenant of ['acme', 'globex']) {
    for (const pass of ['fix', 'check'] as const) {
      const doctor = runCli(
        root,
        `doctor-${tenant}-${pass}`,
        ['--tenant', tenant, 'doctor', '--min-age', '0s', '--json', ...(pass === 'fix' ? ['--fix'] : [])],
        env,
      );
      await doctor.exited;
      const report = JSON.parse(doctor.output().slice(doctor.output().indexOf('{'))) as {
        findings: Array<{ kind: string; key?: string; id?: string }>;
      };
      for (const finding of report.findings) {
        if (pass === 'fix' && finding.kind === 'orphan_local_data')
          leftovers[finding.kind] = (leftovers[finding.kind] ?? 0) + 1;
        else doctorBreaches.push(`doctor (${tenant}, ${pass}): ${finding.kind} ${finding.key ?? finding.id ?? ''}`);
      }
    }
  }
  say(
    `doctor: ${leftovers.orphan_local_data ?? 0} uncommitted data files from killed writes removed; ${doctorBreaches.length} other findings`,
  );
  await workers.stopAll(30_000);
  say(
    `queue empty: ${workers.killed} workers killed, ${workers.exitedOnTheirOwn} exited on their own (last: ${workers.lastExit || '-'}), ${workers.started} started; Postgres restarted ${postgres.restarts}, Redis ${redis.restarts}`,
  );

  const verdict = await verify({
    corpus,
    postgresUrl: postgres.url,
    blobDir: join(root, 'blobs'),
    semanticDb: join(root, 'semantic.db'),
    queue: QUEUE,
  });
  console.log(
    JSON.stringify(
      {
        files: FILES,
        workers: WORKERS,
        megabytes: Math.round(totalMb),
        seconds: Math.round(flowSeconds),
        deadLetteredThenRetried: deadLettered,
        workersKilled: workers.killed,
        uncommittedDataFilesRemoved: leftovers.orphan_local_data ?? 0,
        ...verdict.counts,
      },
      null,
      1,
    ),
  );
  verdict.breaches.push(...doctorBreaches);
  if (verdict.breaches.length > 0) {
    console.error(
      `\n${verdict.breaches.length} breaches:\n${verdict.breaches
        .slice(0, 50)
        .map((line) => `  - ${line}`)
        .join('\n')}`,
    );
  } else {
    say(
      `no record lost, duplicated or orphaned: ${FILES} files through ${WORKERS} workers under faults in ${flowSeconds.toFixed(0)} s`,
    );
    // The check itself checked: a journey deleted, a row count changed and an object no file
    // owns must each be reported, or the verdict above proves nothing.
    const tampered = await tamper(postgres.url, join(root, 'blobs'));
    const second = await verify({
      corpus,
      postgresUrl: postgres.url,
      blobDir: join(root, 'blobs'),
      semanticDb: join(root, 'semantic.db'),
      queue: QUEUE,
    });
    const caught = [/journeys, expected exactly one/, /rows parsed, the file has/, /an orphan blob/].filter((pattern) =>
      second.breaches.some((line) => pattern.test(line)),
    );
    if (caught.length === 3) {
      say(`self-check: ${tampered.join(', ')}: each reported`);
      failed = submitting;
    } else console.error(`self-check failed: ${tampered.join(', ')} gave ${JSON.stringify(second.breaches)}`);
  }
} finally {
  await workers?.stopAll(5_000).catch(() => undefined);
  postgres?.stop();
  redis?.stop();
  if (failed) console.error(`kept for inspection: ${root}`);
  else await rm(root, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

/** Breaks three records the way a lost journey, a lost row and a leaked object would look. */
async function tamper(url: string, blobDir: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `delete from platform_journeys where id = (select id from platform_journeys where status = 'completed' order by id limit 1)`,
    );
    await client.query(
      `update platform_parsed_files set row_count = row_count + 1 where id = (select id from platform_parsed_files order by id desc limit 1)`,
    );
  } finally {
    await client.end();
  }
  const blobIndex = new DatabaseSync(join(blobDir, 'index.db'));
  try {
    blobIndex
      .prepare(
        `insert into blob_objects (tenant_id, key, size, sha256, metadata, created_at, inline)
         select tenant_id, 'leaked', 1, sha256, '{}', created_at, x'00' from blob_objects limit 1`,
      )
      .run();
  } finally {
    blobIndex.close();
  }
  return ['a journey deleted', 'a row count raised', 'an object no file owns'];
}

/** Flow jobs completed. */
async function completed(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = $1 and state = 'completed'`,
      [QUEUE],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Flow jobs not yet settled. */
async function remaining(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = $1 and state in ('created', 'retry', 'active')`,
      [QUEUE],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}
