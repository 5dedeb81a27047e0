import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPlatform } from '@platform/foundations';
import { afterEach, describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import { isVerifiedUserContext } from '../user-context/verified.js';
import { developmentIdentity } from './development-identity.js';
import { SecurityGuardRef, securityGuard } from './security-guard.js';

const directories: string[] = [];
afterEach(async () => {
  await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
});

async function scratch(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'dev-identity-'));
  directories.push(directory);
  return directory;
}

describe('developmentIdentity', () => {
  it('keeps one key pair in the directory, private to its owner, and its tokens verify', async () => {
    const directory = await scratch();
    const first = await developmentIdentity(directory);
    const again = await developmentIdentity(directory);
    expect(again.guardOptions).toEqual(first.guardOptions);
    expect((await stat(first.path)).mode & 0o077).toBe(0);
    expect(JSON.stringify(first.guardOptions)).not.toContain('"d"');

    const platform = createPlatform({ modules: [smartCityModule({ roles: [securityGuard(first.guardOptions)] })] });
    await platform.start();
    try {
      const token = await again.issueToken({ userId: 'dev', tenantId: 'local', permissions: ['files:write'] });
      const user = await platform.get(SecurityGuardRef).authenticate(`Bearer ${token}`);
      expect(isVerifiedUserContext(user)).toBe(true);
      expect(user).toMatchObject({ userId: 'dev', tenantId: 'local', permissions: ['files:write'] });
    } finally {
      await platform.stop();
    }
  });

  it("refuses another directory's tokens", async () => {
    const mine = await developmentIdentity(await scratch());
    const theirs = await developmentIdentity(await scratch());
    const platform = createPlatform({ modules: [smartCityModule({ roles: [securityGuard(mine.guardOptions)] })] });
    await platform.start();
    try {
      const token = await theirs.issueToken({ userId: 'intruder', tenantId: 'local' });
      await expect(platform.get(SecurityGuardRef).authenticate(token)).rejects.toMatchObject({
        code: 'AUTHENTICATION_FAILED',
      });
    } finally {
      await platform.stop();
    }
  });

  it('refuses a file that is not an identity instead of overwriting it', async () => {
    const directory = await scratch();
    const { path } = await developmentIdentity(directory);
    const stored = JSON.parse(await readFile(path, 'utf8'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path, JSON.stringify({ ...stored, publicJwk: stored.privateJwk }));
    await expect(developmentIdentity(directory)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
