import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built bin, run as a subprocess the way users run it (`pnpm build` first, as CI does). */
export const BIN = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/**
 * Runs `data-mash <args>` in `cwd` with a clean environment (nothing from the developer's
 * `PLATFORM_*` leaks into a test) plus `env`.
 */
export function runBin(cwd: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
