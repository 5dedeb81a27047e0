import { describe, expect, it } from 'vitest';
import { expectPlatformError } from '../testing/assertions.js';
import { verifyAudit } from './audit-chain.js';
import { appendGovernanceBatch } from './governance-batch.js';
import { MemoryMetadataStore } from './memory/memory-metadata-store.js';
import type { MetadataStore } from './ports/metadata-store.js';

// A store written before appendGovernanceRecords existed: the batch falls back to one append
// after another, with the same order, chain and all-or-nothing validation.
function storeWithoutBatch(): { store: MetadataStore; appends: () => number } {
  const real = new MemoryMetadataStore();
  let appends = 0;
  const store = new Proxy(real, {
    get(target, property) {
      if (property === 'appendGovernanceRecords') return undefined;
      if (property === 'appendGovernanceRecord') {
        return (input: Parameters<MetadataStore['appendGovernanceRecord']>[0]) => {
          appends += 1;
          return target.appendGovernanceRecord(input);
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as MetadataStore;
  return { store, appends: () => appends };
}

const record = (n: number) => ({ tenantId: 't1', kind: 'audit', subject: { kind: 'file', id: `f${n}` }, data: { n } });

describe('appendGovernanceBatch', () => {
  it('falls back to one append after another, in order and chained, for a store without the batch method', async () => {
    const { store, appends } = storeWithoutBatch();
    const appended = await appendGovernanceBatch(store, [record(1), record(2), record(3)]);
    expect(appends()).toBe(3);
    expect(appended.map((each) => each.seq)).toEqual([1, 2, 3]);
    expect(appended.map((each) => each.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await verifyAudit(store, 't1')).toMatchObject({ ok: true });
  });

  it('appends nothing when one record of the batch is invalid, with or without the batch method', async () => {
    const without = storeWithoutBatch();
    const batch = [record(1), { ...record(2), kind: 'Not A Kind!' }];
    await expectPlatformError(appendGovernanceBatch(without.store, batch), 'VALIDATION_FAILED');
    expect(without.appends()).toBe(0);
    const withBatch = new MemoryMetadataStore();
    await expectPlatformError(appendGovernanceBatch(withBatch, batch), 'VALIDATION_FAILED');
    expect((await withBatch.listGovernanceRecords('t1')).items).toEqual([]);
  });
});
