import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from './cli.test-helpers.js';

describe('data-mash audit (the built bin)', () => {
  let workDir: string;
  const cli = (args: string[]) => runBin(workDir, args);

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-cli-audit-'));
    await writeFile(join(workDir, 'sales.csv'), 'region,amount\nnorth,10\nsouth,20\n');
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('says the chain is intact and prints its head; finds an edited record and records cut from the end', () => {
    expect(cli(['ingest', 'sales.csv']).code).toBe(0);
    const intact = cli(['audit', '--json']);
    expect(intact.code, intact.stderr).toBe(0);
    const result = JSON.parse(intact.stdout) as { ok: boolean; records: number; head: { text: string; seq: number } };
    expect(result.ok).toBe(true);
    expect(result.records).toBeGreaterThan(0);
    expect(cli(['audit', '--expect', result.head.text]).stdout).toMatch(/^intact: /);

    // Someone edits a governance record in the database directly.
    const database = new DatabaseSync(join(workDir, '.platform', 'platform.db'));
    database.prepare("update platform_governance_records set data = json_set(data, '$.edited', 1) where seq = 1").run();
    const broken = cli(['audit']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/^BROKEN: /);
    expect(broken.stdout).toContain('seq 1: edited');

    // Put back as it was: intact again.
    database.prepare("update platform_governance_records set data = json_remove(data, '$.edited') where seq = 1").run();
    expect(cli(['audit']).code).toBe(0);

    // And the newest record removed: only a head kept from before can tell.
    database.prepare('delete from platform_governance_records where seq = ?').run(result.head.seq);
    database.close();
    expect(cli(['audit']).code).toBe(0);
    const cut = cli(['audit', '--expect', result.head.text]);
    expect(cut.code).toBe(1);
    expect(cut.stdout).toContain(`seq ${result.head.seq}: missing`);
    expect(cli(['audit', '--expect', 'nonsense']).code).toBe(2);
  });
});
