import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '@platform/foundations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from './cli.test-helpers.js';
import { retentionRule } from './retention.js';

let workDir: string;

function cli(args: string[]) {
  return runBin(workDir, args);
}

describe('retentionRule', () => {
  it('reads the options as a rule, refusing wrong ones', () => {
    expect(retentionRule({})).toEqual({ kind: 'file', olderThanDays: 30 });
    expect(retentionRule({ olderThan: '12h', kind: 'journey', status: 'failed' })).toEqual({
      kind: 'journey',
      olderThanDays: 0.5,
      status: 'failed',
    });
    expect(() => retentionRule({ olderThan: 'soon' })).toThrow('--older-than expects a duration');
    expect(() => retentionRule({ kind: 'file', status: 'failed' })).toThrow('--status of files');
    expect(() => retentionRule({ kind: 'blob' })).toThrow('--kind is file or journey');
  });
});

describe('data-mash retention and hold', () => {
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-cli-retention-'));
    await writeFile(
      join(workDir, 'sales.csv'),
      'order_id,email\n1,qq7retained1@example.com\n2,qq7retained2@example.com\n',
    );
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('lists in a dry run, keeps a held file, erases with --apply once released; the same file runs again', async () => {
    const ingested = cli(['ingest', 'sales.csv', '--json']);
    expect(ingested.code, ingested.stderr).toBe(0);
    const journeyId = (JSON.parse(ingested.stdout) as Array<{ journeyId: string }>)[0]?.journeyId as string;
    const blobs = new LocalBlobStore({ directory: join(workDir, '.platform', 'blobs') });
    const keys = async () => (await blobs.list('local', { limit: 1000 })).items.map((blob) => blob.key);
    const stored = await keys();
    expect(stored.length).toBeGreaterThan(3);

    // Nothing is 30 days old.
    const none = cli(['retention']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain("nothing due in tenant 'local' (files older than 30 days)");

    const dry = cli(['retention', '--older-than', '0s', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const dryReport = JSON.parse(dry.stdout) as { apply: boolean; items: Array<{ fileId: string; outcome: string }> };
    expect(dryReport).toMatchObject({ apply: false, items: [{ outcome: 'due' }] });
    const fileId = dryReport.items[0]?.fileId as string;
    expect(await keys()).toEqual(stored);
    const dryText = cli(['retention', '--older-than', '0s']);
    expect(dryText.stdout).toMatch(new RegExp(`${fileId}\\s+–\\s+sales\\.csv\\s+0d\\s+due`));
    expect(dryText.stdout).toContain('1 due — run with --apply to erase it');

    const held = cli(['hold', fileId, '--reason', 'case 7']);
    expect(held.code, held.stderr).toBe(0);
    expect(held.stdout).toContain(`legal hold set on ${fileId}`);
    const kept = cli(['retention', '--older-than', '0s', '--apply']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(/kept: legal hold\s+under legal hold: case 7/);
    expect(kept.stdout).toContain('1 kept under legal hold');
    expect(await keys()).toEqual(stored);

    expect(cli(['hold', fileId, '--release']).stdout).toContain(`legal hold released on ${fileId}`);
    const applied = cli(['retention', '--older-than', '0s', '--apply', '--json']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({
      apply: true,
      items: [{ fileId, outcome: 'erased', removed: { journeys: [journeyId] } }],
      summary: { erased: 1, failed: 0 },
    });
    expect((await keys()).filter((key) => key.includes(fileId))).toEqual([]);
    const journey = cli(['journey', journeyId, '--json']);
    expect(journey.stdout).toContain('ERASED');
    expect(journey.stdout).not.toContain('qq7retained');
    // The list says erased, and asking for its insights says so too.
    expect(cli(['journeys']).stdout).toMatch(new RegExp(`${journeyId}\\s+erased`));
    const insights = cli(['insights', journeyId]);
    expect(insights.code).toBe(1);
    expect(insights.stderr).toContain('was erased');

    // Erased files are not due again; the same bytes run a new flow.
    expect(cli(['retention', '--older-than', '0s']).stdout).toContain('nothing due');
    const again = cli(['ingest', 'sales.csv', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject([{ journeyId, run: 'new' }]);
    expect((await keys()).some((key) => key.startsWith('parsed/') && !key.includes(fileId))).toBe(true);
  }, 120_000);

  it('refuses a wrong option with exit code 2 and an unknown file with 1', () => {
    expect(cli(['retention', '--older-than', 'soon']).code).toBe(2);
    expect(cli(['retention', '--kind', 'blob']).code).toBe(2);
    const unknown = cli(['hold', 'file_00000000-0000-0000-0000-000000000000']);
    expect(unknown.code).toBe(1);
  });
});
