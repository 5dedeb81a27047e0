import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./host-exit.fixture.mjs', import.meta.url));

describe('a host process', () => {
  it('exits on its own after platform.stop(): no timer, handle or connection is left running', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'data-mash-exit-'));
    try {
      const child = spawn(process.execPath, [FIXTURE, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      // A generous bound: a process kept alive by a forgotten timer never exits at all.
      const exited = await new Promise<number | null | 'still running'>((resolve) => {
        const guard = setTimeout(() => {
          child.kill('SIGKILL');
          resolve('still running');
        }, 90_000);
        child.on('exit', (code) => {
          clearTimeout(guard);
          resolve(code);
        });
      });
      expect(exited, stderr).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ success: true, rows: 60_000 });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
