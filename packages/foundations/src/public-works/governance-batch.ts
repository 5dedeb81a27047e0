import { prepareGovernanceRecord } from './metadata-input.js';
import type { GovernanceRecord, NewGovernanceRecord } from './ports/metadata-records.js';
import type { MetadataStore } from './ports/metadata-store.js';

/**
 * Appends governance records in the order given: through the store's `appendGovernanceRecords`
 * (one transaction, one commit, in every built-in store but Supabase) when it has one, else one
 * `appendGovernanceRecord` after another, every record checked first so that an invalid one
 * appends nothing.
 * @throws {PlatformError} `VALIDATION_FAILED` for an invalid record (nothing appended).
 */
export async function appendGovernanceBatch(
  store: MetadataStore,
  inputs: readonly NewGovernanceRecord[],
): Promise<GovernanceRecord[]> {
  if (store.appendGovernanceRecords) return store.appendGovernanceRecords(inputs);
  for (const input of inputs) prepareGovernanceRecord(input, new Date());
  const appended: GovernanceRecord[] = [];
  for (const input of inputs) appended.push(await store.appendGovernanceRecord(input));
  return appended;
}
