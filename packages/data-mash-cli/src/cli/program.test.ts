import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runBin } from './cli.test-helpers.js';

// Preloaded into the bin: at exit, writes to stderr every module it loaded from a platform
// package (workspace path or installed package), one a line, after a marker.
const REPORT_PLATFORM_MODULES = `data:text/javascript,${encodeURIComponent(`
import { registerHooks } from 'node:module';
const loaded = [];
registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });
process.on('exit', () => {
  const platform = loaded.filter((url) => /(@platform|packages)\\/(foundations|data-mash|smart-city|observability)\\//.test(url));
  process.stderr.write('platform modules:\\n' + platform.join('\\n'));
});
`)}`;

let workDir: string;

/** Runs the bin with {@link REPORT_PLATFORM_MODULES}: its result and the platform modules it loaded. */
function traced(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', REPORT_PLATFORM_MODULES, BIN, ...args], {
    cwd: workDir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: workDir },
  });
  const [stderr = '', modules = ''] = result.stderr.split('platform modules:\n');
  return { code: result.status, stdout: result.stdout, stderr, modules: modules.split('\n').filter(Boolean) };
}

describe('the data-mash command line (the built bin)', () => {
  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`the CLI is not built (${BIN}): run pnpm build first`);
    workDir = await mkdtemp(join(tmpdir(), 'data-mash-program-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('answers --help and --version without loading a platform package', () => {
    const help = traced(['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('journeys');
    expect(help.modules).toEqual([]);
    const version = traced(['--version']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+/);
    expect(version.modules).toEqual([]);
  });

  it('loads the platform for a command that needs it (the probe above does see platform modules)', () => {
    const journeys = traced(['--data-dir', join(workDir, 'none'), 'journeys']);
    expect(journeys.code).toBe(2);
    expect(journeys.stderr).toContain('no data directory at');
    expect(journeys.modules.length).toBeGreaterThan(0);
  });

  it('reports a usage error with what the user typed made printable, and exits 2', () => {
    const unknown = runBin(workDir, ['frobnicate\u001b[2J']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate\\x1b[2J'");
    expect(unknown.stderr).not.toContain('\u001b');
    // The error first, its help after it, as before: `2>&1 | head -1` shows the error.
    expect(unknown.stderr.split('\n')[0]).toContain("error: unknown command 'frobnicate");
    expect(unknown.stderr.indexOf('Usage: data-mash')).toBeGreaterThan(unknown.stderr.indexOf('unknown command'));
    const option = runBin(workDir, ['journeys', '--colour\u202e']);
    expect(option.code).toBe(2);
    expect(option.stderr.split('\n')[0]).toContain("unknown option '--colour\\u202e'");
    expect(option.stderr.indexOf('Usage: data-mash journeys')).toBeGreaterThan(0);
  });
});
