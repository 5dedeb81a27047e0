import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { storeAFile } from './stores-quickstart.js';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('README quick start: stores on the embedded default', () => {
  it('is the code the README shows', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const source = await readFile(new URL('./stores-quickstart.ts', import.meta.url), 'utf8');
    expect(readme).toContain(source.trim());
  });

  it('stores the bytes in local files and the record in SQLite, with no configuration but a data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'platform-readme-'));
    vi.stubEnv('PLATFORM_DATA_DIR', dataDir);
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const file = await storeAFile(new TextEncoder().encode('id,amount\n1,9.5\n'));
      expect(file).toMatchObject({ tenantId: 'acme', name: 'sales.csv', sizeBytes: 16, status: 'received' });
      expect((await readdir(dataDir)).sort()).toEqual(['blobs', 'platform.db']);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
