import type { MetadataStore } from '@platform/foundations';

/** The governance record kind a legal hold is kept as (append-only: the newest record of a file wins). */
export const LEGAL_HOLD_RECORD = 'legal_hold';

/** A file's legal hold as its newest `legal_hold` governance record says. */
export interface LegalHold {
  fileId: string;
  held: boolean;
  /** Who set or released it, and when; absent when the file never had a hold. */
  by?: string;
  at?: string;
  reason?: string;
}

/**
 * Sets (or with `held: false` releases) a legal hold on a file: appends a `legal_hold` governance
 * record `{ held, by, reason }` about `{ kind: 'file', id }`. Records are never changed or deleted,
 * so the hold's whole history stays; the newest record decides. A held file is refused by
 * `eraseFile` and skipped by `runRetention`.
 */
export async function setLegalHold(
  metadata: MetadataStore,
  input: { tenantId: string; fileId: string; held: boolean; by?: string; reason?: string },
): Promise<LegalHold> {
  // The file must exist (NOT_FOUND otherwise): a hold on nothing would hide a typo.
  await metadata.getFile(input.tenantId, input.fileId);
  const record = await metadata.appendGovernanceRecord({
    tenantId: input.tenantId,
    kind: LEGAL_HOLD_RECORD,
    subject: { kind: 'file', id: input.fileId },
    data: {
      held: input.held,
      ...(input.by ? { by: input.by } : {}),
      ...(input.reason ? { reason: input.reason } : {}),
    },
  });
  return toHold(input.fileId, record.data, record.createdAt);
}

/** The file's hold: the newest `legal_hold` record about it, or not held when there is none. */
export async function getLegalHold(metadata: MetadataStore, tenantId: string, fileId: string): Promise<LegalHold> {
  let newest: { data: Record<string, unknown>; createdAt: Date } | undefined;
  let cursor: string | undefined;
  do {
    const page = await metadata.listGovernanceRecords(tenantId, {
      subject: { kind: 'file', id: fileId },
      kind: LEGAL_HOLD_RECORD,
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    // Oldest first: the last one seen is the newest.
    for (const record of page.items) newest = record;
    cursor = page.nextCursor;
  } while (cursor);
  return newest ? toHold(fileId, newest.data, newest.createdAt) : { fileId, held: false };
}

function toHold(fileId: string, data: Record<string, unknown>, at: Date): LegalHold {
  return {
    fileId,
    held: data.held === true,
    ...(typeof data.by === 'string' ? { by: data.by } : {}),
    ...(typeof data.reason === 'string' ? { reason: data.reason } : {}),
    at: at.toISOString(),
  };
}
