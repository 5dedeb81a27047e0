import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingestOnce } from './run-the-flow.js';

describe('README: running the flow', () => {
  it('is the code the README shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(readFileSync(new URL('./run-the-flow.ts', import.meta.url), 'utf8').trim());
  });

  it('runs the flow, returns the completed flow for the same bytes, and a typed failure for a bad file', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'data-mash-example-'));
    try {
      const data = new TextEncoder().encode('city,visitors\nAmsterdam,120\nUtrecht,80\nLeiden,40\n');
      const first = await ingestOnce(dataDir, { name: 'visitors.csv', data });
      expect(first).toMatchObject({
        run: 'new',
        summary: expect.arrayContaining(["'visitors' has 3 rows and 2 columns."]),
      });
      const again = await ingestOnce(dataDir, { name: 'visitors-copy.csv', data });
      expect(again).toMatchObject({ run: 'reused', journeyId: (first as { journeyId: string }).journeyId });
      const broken = await ingestOnce(dataDir, { name: 'broken.json', data: new TextEncoder().encode('{"a": [1, 2') });
      expect(broken).toMatchObject({ failedAt: 'file_parsed', code: 'MALFORMED_FILE' });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
