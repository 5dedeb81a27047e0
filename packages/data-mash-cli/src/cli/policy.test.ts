import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from './cli.test-helpers.js';

// A platform policy from DATA_MASH_POLICY: files with e-mail addresses are not indexed for search.
const POLICY = {
  id: 'acme.data_mash',
  version: 3,
  rules: [
    { id: 'no-email-index', effect: 'deny', actions: ['index'], when: { pii: ['email'] } },
    { id: 'rest', effect: 'allow', actions: ['*'] },
  ],
};

describe('the CLI and a governance policy (DATA_MASH_POLICY)', () => {
  let workDir: string;
  const cli = (args: string[], env: Record<string, string> = {}) => runBin(workDir, args, env);

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-policy-'));
    await writeFile(join(workDir, 'contacts.csv'), 'id,email\n1,jane@clientmail.example\n2,omar@clientmail.example\n');
    await writeFile(join(workDir, 'stock.csv'), 'sku,units\nA-1,3\nB-2,5\n');
    await writeFile(join(workDir, 'policy.json'), JSON.stringify(POLICY));
    await writeFile(join(workDir, 'broken.json'), '{ "id": "x", ');
    await writeFile(
      join(workDir, 'misspelt.json'),
      JSON.stringify({ ...POLICY, rules: [{ ...POLICY.rules[0], actions: ['indx'] }] }),
    );
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('asks the policy in the flow: a denied file fails with POLICY_DENIED, the decision recorded; others go through', () => {
    const env = { DATA_MASH_POLICY: join(workDir, 'policy.json') };
    const denied = cli(['ingest', 'contacts.csv'], env);
    expect(denied.code, denied.stderr + denied.stdout).toBe(1);
    expect(denied.stdout + denied.stderr).toContain('POLICY_DENIED');
    const allowed = cli(['ingest', 'stock.csv'], env);
    expect(allowed.code, allowed.stderr + allowed.stdout).toBe(0);
    const journeys = JSON.parse(cli(['journeys', '--json']).stdout) as Array<{
      label: string;
      status: string;
      error?: { code: string; message: string };
    }>;
    expect(journeys.map(({ label, status, error }) => ({ label, status, code: error?.code }))).toEqual([
      { label: 'stock.csv', status: 'completed', code: undefined },
      { label: 'contacts.csv', status: 'failed', code: 'POLICY_DENIED' },
    ]);
    // The error names the policy, its version and the rule that decided.
    expect(journeys[1]?.error?.message).toMatch(/acme\.data_mash.*3.*no-email-index|no-email-index.*acme\.data_mash/);
    // The decisions are governance records in the audit chain, which verifies.
    const audit = JSON.parse(cli(['audit', '--json']).stdout) as { ok: boolean; records: number };
    expect(audit).toMatchObject({ ok: true });
    expect(audit.records).toBeGreaterThan(0);
  });

  it('refuses a policy file it cannot use, naming the variable and what is wrong, before anything runs', () => {
    for (const [file, message] of [
      ['missing.json', "DATA_MASH_POLICY '"],
      ['broken.json', 'is not JSON'],
      ['misspelt.json', "names actions the data mash never asks: 'indx'"],
    ] as const) {
      const run = cli(['--tenant', 'refused', 'ingest', 'stock.csv'], { DATA_MASH_POLICY: join(workDir, file) });
      expect(run.code, `${file}: ${run.stderr}`).toBe(3);
      expect(run.stderr).toContain(message);
    }
    expect(JSON.parse(cli(['--tenant', 'refused', 'journeys', '--json']).stdout)).toEqual([]);
  });
});
