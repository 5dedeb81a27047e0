import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { trustUserContext, type UserContext, type VerifiedUserContext } from '@platform/smart-city';

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

/**
 * What a user of the CLI's tests does: ingest files and run their flow (`files:write`), list and
 * read journeys (`journeys:read`), insights (`insights:read`), search (`content:read`) and read a
 * stored file back (`files:read`).
 */
export const FLOW_PERMISSIONS: readonly string[] = [
  'files:write',
  'files:read',
  'journeys:read',
  'insights:read',
  'content:read',
];

/**
 * A verified user context for tests (vouched for by `test`, as a host vouches for a user it
 * verified), in `tenantId`, with {@link FLOW_PERMISSIONS} unless `overrides` says otherwise.
 */
export function testUser(
  tenantId = 'acme',
  overrides: Partial<Omit<UserContext, 'tenantId'>> = {},
): VerifiedUserContext {
  return trustUserContext(
    { userId: 'ada', tenantId, roles: [], permissions: [...FLOW_PERMISSIONS], ...overrides },
    { verifiedBy: 'test' },
  );
}

/** Debian's Chromium, or `CHROMIUM_PATH`: the browser of the browser tests. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium as the browser tests run it (playwright-core, loaded when asked for). */
export async function launchChromium(): Promise<import('playwright-core').Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}
