import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBlobStore } from '@platform/foundations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from './cli.test-helpers.js';

let workDir: string;

function cli(args: string[], env: Record<string, string> = {}) {
  return runBin(workDir, args, env);
}

describe('data-mash doctor', () => {
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-cli-doctor-'));
    await writeFile(join(workDir, 'sales.csv'), 'order_id,amount\n1,10\n2,20\n3,30\n');
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('lists orphans in a dry run and exits 1, removes exactly them with --fix and exits 0', async () => {
    const ingested = cli(['ingest', 'sales.csv', '--json']);
    expect(ingested.code, ingested.stderr).toBe(0);
    const journeyId = (JSON.parse(ingested.stdout) as Array<{ journeyId: string }>)[0]?.journeyId;
    // What an upload killed before its file record was written leaves in the CLI's store.
    const blobs = new LocalBlobStore({ directory: join(workDir, '.platform', 'blobs') });
    const orphan = `file_${randomUUID()}`;
    await blobs.put('local', `files/${orphan}`, new Uint8Array(1_500_000));
    await blobs.put('local', `parsed/${orphan}/x.jsonl`, new TextEncoder().encode('{"a":1}\n'));
    const count = async () => (await blobs.list('local', { limit: 1000 })).items.length;
    expect(await count()).toBe(7);

    // By default nothing written in the last 15 minutes is judged: a flow may be writing it.
    const recent = cli(['doctor']);
    expect(recent.code, recent.stderr).toBe(0);
    expect(recent.stdout).toContain("no problems in what was examined in tenant 'local'");
    expect(recent.stdout).toContain('left alone: 7 blobs younger than 15m (--min-age)');

    const dry = cli(['doctor', '--min-age', '0s']);
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stdout).toMatch(new RegExp(`orphan blob\\s+files/${orphan}\\s+1\\.5 MB\\s+found\\s+no record of file`));
    expect(dry.stdout).toMatch(new RegExp(`orphan blob\\s+parsed/${orphan}/x\\.jsonl\\s+8 B\\s+found`));
    expect(dry.stdout).toContain('2 orphan blobs (1.5 MB) — run with --fix to remove them');
    expect(await count()).toBe(7);
    const json = cli(['doctor', '--min-age', '0s', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      findings: [
        { kind: 'orphan_blob', fixed: false },
        { kind: 'orphan_blob', fixed: false },
      ],
      summary: { tenantId: 'local', fix: false, remaining: 2, healthy: false },
    });

    const fixed = cli(['doctor', '--min-age', '0s', '--fix']);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(new RegExp(`orphan blob\\s+files/${orphan}\\s+1\\.5 MB\\s+removed`));
    expect(fixed.stdout).toContain('removed 2 orphan blobs (1.5 MB)');
    expect(await count()).toBe(5);
    expect(await blobs.head('local', `files/${orphan}`)).toBeUndefined();

    const healthy = cli(['doctor', '--min-age', '0s']);
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).toContain("no problems in tenant 'local' (5 blobs, 1 file, 0 unfinished journeys checked)");
    // The ingested flow kept everything it wrote.
    const insights = cli(['insights', journeyId as string, '--json']);
    expect(JSON.parse(insights.stdout).tables[0].insights.rowCount).toBe(3);

    const bad = cli(['doctor', '--min-age', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--min-age expects a duration such as 15m, 1h or 0s, not 'soon'");
  }, 120_000);
});
