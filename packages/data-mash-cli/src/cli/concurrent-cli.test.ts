import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Several `data-mash` processes at once on one data directory: the embedded default (SQLite in
// WAL mode, journeys held by one run at a time) must lose nothing and never be left unopenable.
const BIN = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const PROCESSES = 20;

let workDir: string;

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--data-dir', join(workDir, 'shared'), ...args], {
      cwd: workDir,
      env: { PATH: process.env.PATH ?? '', HOME: workDir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

type Report = { success: boolean; journeyId?: string; run?: string; error?: { code: string } };

describe(`${PROCESSES} data-mash processes at once on one data directory`, () => {
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-concurrent-'));
    for (let index = 0; index < PROCESSES; index += 1) {
      await writeFile(
        join(workDir, `part-${index}.csv`),
        `id,amount,region\n${index},${index * 3}.5,north\n${index + 100},1,south\n`,
      );
    }
    await writeFile(join(workDir, 'same.csv'), 'id,amount\n1,2\n3,4\n');
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('ingests different files: every process succeeds and every journey is there afterwards', async () => {
    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, (_, index) =>
        cli(['--tenant', 'many', 'ingest', `part-${index}.csv`, '--json']),
      ),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const journeyIds = runs.map((run) => (JSON.parse(run.stdout) as Report[])[0]?.journeyId);
    expect(new Set(journeyIds).size).toBe(PROCESSES);

    const listed = await cli(['--tenant', 'many', 'journeys', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const journeys = JSON.parse(listed.stdout) as Array<{ id: string; status: string }>;
    expect(journeys.map((journey) => journey.id).sort()).toEqual([...journeyIds].sort());
    expect(journeys.every((journey) => journey.status === 'completed')).toBe(true);
  }, 240_000);

  it('ingests the same file: one journey runs, every other process answers with it, and the store opens after', async () => {
    const runs = await Promise.all(
      Array.from({ length: PROCESSES }, () => cli(['--tenant', 'same', 'ingest', 'same.csv', '--json'])),
    );
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const reports = runs.map((run) => (JSON.parse(run.stdout) as Report[])[0] as Report);
    expect(new Set(reports.map((report) => report.journeyId)).size).toBe(1);
    expect(reports.filter((report) => report.run === 'new')).toHaveLength(1);
    expect(reports.filter((report) => report.run === 'reused')).toHaveLength(PROCESSES - 1);

    const listed = await cli(['--tenant', 'same', 'journeys', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ status: 'completed' })]);
  }, 240_000);
});
