import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresTestDatabase } from '@platform/foundations/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from './cli.test-helpers.js';

const SAMPLE = fileURLToPath(new URL('../../../../examples/data/seattle-weather.csv', import.meta.url));

let workDir: string;

function cli(args: string[], env: Record<string, string> = {}) {
  return runBin(workDir, args, env);
}

function json<T>(output: string): T {
  return JSON.parse(output) as T;
}

type Report = {
  file: string;
  success: boolean;
  journeyId?: string;
  failedPhase?: string;
  error?: { code: string };
  phases: Record<string, unknown>;
};

describe('the data-mash CLI', () => {
  let journeyId: string;
  let hostileJourney: string;

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-cli-'));
    await writeFile(join(workDir, 'broken.json'), '[{"name": "Ada", "bo');
    await writeFile(
      join(workDir, 'hostile.csv'),
      'name,note\n<script>alert(1)</script>,"<img src=x onerror=alert(2)>"\nplain,"a ""quoted"" & <b>bold</b>"\n',
    );
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('ingests files and globs with zero configuration, exits 1 when one fails, and says why', () => {
    const run = cli(['ingest', SAMPLE, '*.json', 'hostile.csv', '--json']);
    expect(run.code, run.stderr).toBe(1);
    const reports = json<Report[]>(run.stdout);
    expect(reports.map((report) => [report.file.split('/').at(-1), report.success])).toEqual([
      ['seattle-weather.csv', true],
      ['broken.json', false],
      ['hostile.csv', true],
    ]);
    expect(reports[1]).toMatchObject({ failedPhase: 'file_parsed', error: { code: 'MALFORMED_FILE' } });
    journeyId = reports[0]?.journeyId as string;
    hostileJourney = reports[2]?.journeyId as string;
    // Everything stayed under ./.platform of the working directory.
    expect(existsSync(join(workDir, '.platform', 'platform.db'))).toBe(true);

    const again = cli(['ingest', SAMPLE]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('✔ seattle-weather.csv (csv, already ingested');
    expect(again.stdout).toContain(`journey ${journeyId}`);
    expect(again.stdout).toContain('1 table · 1,461 rows · 6 columns · 0 warnings');
  }, 120_000);

  it('lists journeys, shows one with its milestones, and its insights as text and JSON', () => {
    const list = cli(['journeys', '--json']);
    expect(list.code).toBe(0);
    expect(
      json<Array<{ id: string; status: string }>>(list.stdout)
        .map((journey) => journey.status)
        .sort(),
    ).toEqual(['completed', 'completed', 'failed']);
    expect(cli(['journeys', '--status', 'failed']).stdout).toContain('broken.json');
    // By any part of the file's name, ignoring case.
    const weather = json<Array<{ label?: string }>>(cli(['journeys', '--file', 'WEATHER', '--json']).stdout);
    expect(weather.map((journey) => journey.label)).toEqual(['seattle-weather.csv']);
    expect(cli(['journeys', '--file', 'no-such-file']).stdout).toContain(
      "no journeys with 'no-such-file' in the file name",
    );

    const shown = cli(['journey', journeyId]);
    expect(shown.code).toBe(0);
    for (const milestone of ['file_uploaded', 'file_parsed', 'semantic_processed', 'insights_generated']) {
      expect(shown.stdout).toMatch(new RegExp(`${milestone}\\s+completed\\s+\\d\\d:\\d\\d`));
    }

    const text = cli(['insights', journeyId]);
    expect(text.stdout).toMatch(/temp_max\s+decimal\s+0 %\s+67\s+-1\.6 … 35\.6/);
    const figures = json<{ tables: Array<{ insights: { rowCount: number } }> }>(
      cli(['insights', journeyId, '--json']).stdout,
    );
    expect(figures.tables[0]?.insights.rowCount).toBe(1461);
  }, 60_000);

  it('searches what was ingested', () => {
    const hits = json<Array<{ ref: string }>>(cli(['search', 'weather', '--json', '--limit', '5']).stdout);
    expect(hits.map((hit) => hit.ref)).toContain('seattle-weather.weather');
  }, 30_000);

  it('writes a self-contained HTML report in which values from the file are text, never markup', async () => {
    const run = cli(['report', hostileJourney, '--out', 'report.html']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(join(workDir, 'report.html'));
    const html = await readFile(join(workDir, 'report.html'), 'utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).toContain('class="timeline"');

    const weather = cli(['report', journeyId, '--out', 'weather.html']);
    expect(weather.code).toBe(0);
    const page = await readFile(join(workDir, 'weather.html'), 'utf8');
    // A histogram for each of the four numeric columns, top values for the weather, a range for the dates.
    expect(page.match(/class="histogram"/g)).toHaveLength(4);
    expect(page).toContain('<title>rain: 641, 43.9 % of the values</title>');
    expect(page).toContain('2012-01-01 to 2015-12-31');
  }, 30_000);

  it('keeps tenants apart and reports errors in one line, with the stack only when verbose', () => {
    expect(json<unknown[]>(cli(['--tenant', 'other', 'journeys', '--json']).stdout)).toEqual([]);
    const denied = cli(['--tenant', 'other', 'insights', journeyId]);
    expect(denied.code).toBe(1);
    expect(denied.stderr.trim()).toBe(`data-mash: NOT_FOUND: journey '${journeyId}' not found in tenant 'other'`);
    const verbose = cli(['--tenant', 'other', 'insights', journeyId, '--verbose']);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  }, 30_000);

  it('exits 2 on usage errors and 3 when a store is unreachable, without printing credentials', () => {
    expect(cli(['ingest', 'missing.csv']).code).toBe(2);
    expect(cli(['ingest', 'nothing-*.csv']).stderr).toContain("no file matches 'nothing-*.csv'");
    expect(cli(['journeys', '--status', 'done']).code).toBe(2);
    expect(cli(['frobnicate']).code).toBe(2);
    expect(cli(['ingest', 'sample.csv', '--no-wait']).stderr).toContain('--no-wait goes with --queue');
    expect(cli(['ingest', 'sample.csv', '--max-queued', '3']).code).toBe(2);
    const down = cli(['journeys'], { PLATFORM_METADATA_STORE: 'postgres://app:s3cret@127.0.0.1:1/platform' });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^data-mash: (ADAPTER_UNAVAILABLE|STARTUP_FAILED): /);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).not.toContain('s3cret');
    // An unreachable Redis as well: the process exits (its reconnecting client closed), naming
    // the server without the password.
    const redisDown = cli(['journeys'], {
      PLATFORM_METADATA_STORE: 'postgres://app:s3cret@127.0.0.1:1/platform',
      PLATFORM_EVENT_BUS: 'redis://app:r3dis@127.0.0.1:1',
      PLATFORM_KEY_VALUE_STORE: 'redis://app:r3dis@127.0.0.1:1',
    });
    expect(redisDown.code, redisDown.stderr).toBe(3);
    expect(redisDown.stderr).toContain(
      "'public-works.event-bus' failed (redis: cannot connect to redis://app:***@127.0.0.1:1",
    );
    expect(redisDown.stderr).not.toContain('r3dis');
  }, 60_000);

  it('refuses files over --max-bytes (or PLATFORM_MAX_FILE_BYTES) with the way to raise it, and resumes with a higher limit', () => {
    const small = cli(['--tenant', 'limits', 'ingest', 'hostile.csv', '--max-bytes', '64']);
    expect(small.code).toBe(1);
    expect(small.stdout).toContain('FILE_TOO_LARGE: the file is larger than the limit of 64 bytes');
    expect(small.stdout).toContain('--max-bytes <size>');
    const fromEnv = cli(['--tenant', 'limits', 'ingest', 'hostile.csv', '--json'], { PLATFORM_MAX_FILE_BYTES: '64' });
    expect(json<Report[]>(fromEnv.stdout)[0]).toMatchObject({ success: false, error: { code: 'FILE_TOO_LARGE' } });
    // Refused from its size on disk, before it was read: nothing stored, no journey begun.
    expect(json<unknown[]>(cli(['--tenant', 'limits', 'journeys', '--json']).stdout)).toEqual([]);
    const raised = cli(['--tenant', 'limits', 'ingest', 'hostile.csv', '--max-bytes', '1KiB'], {
      PLATFORM_MAX_FILE_BYTES: '64',
    });
    expect(raised.code, raised.stdout).toBe(0);
    const bad = cli(['ingest', 'hostile.csv', '--max-bytes', 'lots']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-bytes expects a size such as 2GB, 500MiB or 1048576, not 'lots'");
    const badEnv = cli(['ingest', 'hostile.csv'], { PLATFORM_MAX_FILE_BYTES: 'lots' });
    expect(badEnv.code).toBe(3);
    expect(badEnv.stderr).toContain('CONFIG_INVALID');
    expect(badEnv.stderr).toContain('limits.maxFileBytes (from PLATFORM_MAX_FILE_BYTES)');
  }, 60_000);

  it('refuses to read a data directory that does not exist instead of creating an empty one', () => {
    for (const command of [['journeys'], ['doctor'], ['search', 'weather']]) {
      const run = cli(['--data-dir', 'no-such-dir', ...command]);
      expect(run.code, command.join(' ')).toBe(2);
      expect(run.stderr).toContain(`no data directory at '${join(workDir, 'no-such-dir')}'`);
    }
    expect(existsSync(join(workDir, 'no-such-dir'))).toBe(false);
  }, 60_000);

  it('prints what comes from files with control characters and bidi controls made visible, never raw', async () => {
    const rows = (count: number, row: string) => Array.from({ length: count }, (_, index) => `${row},${index}`);
    await writeFile(
      join(workDir, 'controls.csv'),
      `${[
        'name,"note\u001b[2J",amount',
        ...rows(5, '"\u001b[2Jwiped",\u202eevil'),
        ...rows(3, '"\u001b]0;pwned\u0007",\u009b31mred'),
        ...rows(1, 'plain,\u2066isolated\u2069'),
        ...rows(60, 'plain,ok'),
      ].join('\n')}\n`,
    );
    const badName = 'bad\u001b[31mname\u202e.csv';
    await writeFile(join(workDir, badName), 'a\n1\n');
    // Raw C0 controls but the line feed, DEL, C1 controls, bidi embeddings, overrides and isolates.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for
    const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
    const tenant = ['--tenant', 'controls'];
    const ingested = cli([...tenant, 'ingest', 'controls.csv', badName]);
    expect(ingested.code).toBe(1);
    expect(ingested.stdout).toContain('✖ bad\\x1b[31mname\\u202e.csv');
    const journeyId = json<Array<{ id: string; status: string }>>(cli([...tenant, 'journeys', '--json']).stdout).find(
      (journey) => journey.status === 'completed',
    )?.id as string;
    const runs = {
      ingested,
      journeys: cli([...tenant, 'journeys']),
      journey: cli([...tenant, 'journey', journeyId]),
      insights: cli([...tenant, 'insights', journeyId]),
      search: cli([...tenant, 'search', 'wiped evil red', '--mode', 'text']),
      insightsJson: cli([...tenant, 'insights', journeyId, '--json']),
      journeyJson: cli([...tenant, 'journey', journeyId, '--json']),
    };
    for (const [name, run] of Object.entries(runs)) {
      expect(run.stdout, name).not.toMatch(raw);
      expect(run.stderr, name).not.toMatch(raw);
    }
    for (const shown of ['note\\x1b[2J', '\\x1b[2Jwiped', '\\x1b]0;pwned\\x07', '\\u202eevil', '\\x9b31mred'])
      expect(runs.insights.stdout).toContain(shown);
    // JSON escapes them its own way, and the values are exactly those of the file.
    const columns = json<{ tables: Array<{ insights: { columns: Array<{ name: string }> } }> }>(
      runs.insightsJson.stdout,
    ).tables[0]?.insights.columns.map((column) => column.name);
    expect(columns).toEqual(['name', 'note\u001b[2J', 'amount']);
    expect(runs.insightsJson.stdout).toContain('\\u202e');
  }, 120_000);

  it('migrates the configured stores', () => {
    const run = cli(['migrate', '--json']);
    expect(run.code).toBe(0);
    expect(json<Array<{ store: string; applied: string[] }>>(run.stdout)).toEqual([
      expect.objectContaining({ store: 'metadata', applied: [] }),
      expect.objectContaining({ store: 'semantic', applied: [] }),
      // The key-value store starts on demand: unless a command before used it, its table is made now.
      expect.objectContaining({ store: 'keyValue', applied: expect.any(Array) }),
    ]);
    const again = cli(['migrate', '--json']);
    expect(json<Array<{ applied: string[] }>>(again.stdout).map((entry) => entry.applied)).toEqual([[], [], []]);
  }, 30_000);
});

describe('the data-mash CLI on a flow queue (local Postgres)', () => {
  let database: Awaited<ReturnType<typeof createPostgresTestDatabase>>;
  let shared: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    shared = await mkdtemp(join(tmpdir(), 'data-mash-cli-queue-'));
    workDir = shared;
    await writeFile(join(shared, 'broken.json'), '{"a": [1, 2');
    // What a deployment shares between submitters and workers: the stores and the queue. The
    // semantic store is in each process's memory only because this Postgres has no pgvector.
    env = {
      PLATFORM_METADATA_STORE: database.url,
      PLATFORM_BLOB_STORE: `local://${join(shared, 'blobs')}`,
      PLATFORM_SEMANTIC_STORE: 'memory://',
    };
  });
  afterAll(async () => {
    await database?.drop();
    await rm(shared, { recursive: true, force: true });
  });

  it('hands files to a worker process, waits for them, and prints what a local ingest prints', async () => {
    const worker = spawn(process.execPath, [BIN, 'work', '--concurrency', '1'], {
      cwd: workDir,
      env: { PATH: process.env.PATH ?? '', HOME: workDir, ...env, PLATFORM_QUEUE_URL: database.url },
    });
    let out = '';
    let err = '';
    worker.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    worker.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => worker.on('exit', resolve));
    try {
      for (let waited = 0; !err.includes('working on') && waited < 30_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(err).toContain(`working on ${database.url}`);

      const run = await cliAsync(
        ['ingest', SAMPLE, join(shared, 'broken.json'), '--queue', database.url, '--json'],
        env,
      );
      expect(run.code, run.stderr).toBe(1);
      const reports = json<Report[]>(run.stdout);
      expect(reports.map((report) => [report.file.split('/').at(-1), report.success])).toEqual([
        ['seattle-weather.csv', true],
        ['broken.json', false],
      ]);
      expect(Object.keys(reports[0]?.phases ?? {}).sort()).toEqual([
        'file_parsed',
        'file_uploaded',
        'insights_generated',
        'semantic_processed',
      ]);
      expect(reports[1]).toMatchObject({ failedPhase: 'file_parsed', error: { code: 'MALFORMED_FILE' } });

      const queued = await cliAsync(['ingest', SAMPLE, '--queue', database.url, '--no-wait', '--json'], env);
      expect(queued.code, queued.stderr).toBe(0);
      expect(json<{ queued: Array<{ jobId: string }> }>(queued.stdout).queued).toHaveLength(1);
      for (let waited = 0; out.trim().split('\n').length < 3 && waited < 30_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      worker.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('✔ job'))).toEqual([
      expect.stringMatching(/\(new\)$/),
      expect.stringMatching(/\(reused\)$/),
    ]);
    expect(lines.filter((line) => line.startsWith('✖ job'))).toEqual([
      expect.stringContaining('failed at file_parsed: MALFORMED_FILE'),
    ]);
    expect(err).toContain('stopping: running flows finish first');
  }, 120_000);

  it('refuses a queue that is not a Postgres URL, and work without one', () => {
    const notUrl = cli(['ingest', SAMPLE, '--queue', 'data.csv']);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain("--queue takes the queue's Postgres URL");
    expect(cli(['work']).code).toBe(2);
    expect(cli(['work', '--queue', database.url, '--concurrency', '0']).code).toBe(2);
  }, 60_000);
});

/** `cli` without blocking this process (a worker's output is read meanwhile). */
function cliAsync(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: workDir,
    env: { PATH: process.env.PATH ?? '', HOME: workDir, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}
