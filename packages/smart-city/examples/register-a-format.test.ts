import { readFileSync } from 'node:fs';
import { createPlatform, MemoryBlobStore, MemoryMetadataStore } from '@platform/foundations';
import { ContentStewardRef } from '@platform/smart-city';
import { describe, expect, it } from 'vitest';
import { formats, roles } from './register-a-format.js';

describe('README: a file format of the host’s own', () => {
  it('is the code the README shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(readFileSync(new URL('./register-a-format.ts', import.meta.url), 'utf8').trim());
  });

  it('makes the Content Steward accept .psv and .parquet files, told by name and by magic bytes', async () => {
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      adapters: { blobStore: new MemoryBlobStore(), metadataStore: new MemoryMetadataStore() },
      modules: [roles],
    });
    await platform.start();
    const steward = platform.get(ContentStewardRef);
    const prices = await steward.processInternalFile('acme', { name: 'prices.psv', data: Buffer.from('sku|price\n') });
    expect(prices).toMatchObject({ validationStatus: 'valid', detectedType: 'text' });
    const table = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(16), Buffer.from('PAR1')]);
    const stored = await steward.processInternalFile('acme', { name: 'orders.parquet', data: table });
    expect(stored).toMatchObject({ validationStatus: 'valid', detectedType: 'parquet' });
    expect(formats.forName('orders.parquet')?.parser).toBeUndefined();
    await platform.stop();
  });
});
