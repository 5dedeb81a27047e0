import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from './cli.test-helpers.js';

const EMAILS = ['jane.doe@clientmail.example', 'omar.haddad@clientmail.example', 'li.wei@clientmail.example'];
const CARD = '4111 1111 1111 1111';

describe('the CLI and personal data (DATA_MASH_PII)', () => {
  let workDir: string;
  const cli = (args: string[], env: Record<string, string> = {}) => runBin(workDir, args, env);

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-pii-'));
    const rows = EMAILS.map((email, index) => `${index + 1},${email},${CARD},${(index + 1) * 10}`);
    await writeFile(join(workDir, 'customers.csv'), `id,email,card,amount\n${rows.join('\n')}\n`);
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  const ingest = (tenant: string, env: Record<string, string> = {}) => {
    const run = cli(['--tenant', tenant, 'ingest', 'customers.csv', '--json'], env);
    expect(run.code, run.stderr + run.stdout).toBe(0);
    return (JSON.parse(run.stdout) as Array<{ journeyId: string }>)[0]?.journeyId as string;
  };

  it('masks by default: insights and the report hold tokens, not the values', async () => {
    const journey = ingest('masked');
    const insights = cli(['--tenant', 'masked', 'insights', journey, '--json']);
    expect(insights.code).toBe(0);
    expect(insights.stdout).toContain('[email]');
    for (const value of [...EMAILS, CARD]) expect(insights.stdout).not.toContain(value);
    const report = cli(['--tenant', 'masked', 'report', journey, '--out', 'masked.html']);
    expect(report.code, report.stderr).toBe(0);
    const html = await readFile(join(workDir, 'masked.html'), 'utf8');
    expect(html).toContain('personal data: email');
    for (const value of [...EMAILS, CARD]) expect(html).not.toContain(value);
  });

  it('hashes with DATA_MASH_PII=hash and a key, and keeps with keep', () => {
    const key = 'a CLI test secret that is long enough to be a key';
    const hashed = ingest('hashed', { DATA_MASH_PII: 'hash', DATA_MASH_PII_KEY: key });
    const insights = cli(['--tenant', 'hashed', 'insights', hashed, '--json']);
    expect(insights.stdout).toMatch(/\[email:[0-9a-f]{16}\]/);
    for (const value of EMAILS) expect(insights.stdout).not.toContain(value);
    const kept = ingest('kept', { DATA_MASH_PII: 'keep' });
    expect(cli(['--tenant', 'kept', 'insights', kept, '--json']).stdout).toContain(EMAILS[0]);
  });

  it('refuses a treatment that is not one, before anything runs', () => {
    for (const [env, code, message] of [
      [{ DATA_MASH_PII: 'scramble' }, 'CONFIG_INVALID', "DATA_MASH_PII is 'scramble'; expected mask, hash or keep"],
      [{ DATA_MASH_PII: 'hash' }, 'CONFIG_INVALID', 'DATA_MASH_PII=hash needs DATA_MASH_PII_KEY'],
      // Checked when the platform starts (the Content Pillar's initialize): the start fails, saying why.
      [
        { DATA_MASH_PII: 'hash', DATA_MASH_PII_KEY: 'short' },
        'STARTUP_FAILED',
        'the PII hash key has 5 bytes; it needs at least 32',
      ],
    ] as const) {
      const run = cli(['--tenant', 'refused', 'ingest', 'customers.csv'], env);
      expect(run.code, JSON.stringify(env)).toBe(3);
      expect(run.stderr).toContain(code);
      expect(run.stderr).toContain(message);
    }
    expect(JSON.parse(cli(['--tenant', 'refused', 'journeys', '--json']).stdout)).toEqual([]);
  });
});
