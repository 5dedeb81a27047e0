import type { FileRecord, MetadataStore } from '@platform/foundations';

/** Visits every item of a paged listing, page after page, in order. */
export async function eachPage<T>(
  list: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string }>,
  visit: (item: T) => unknown,
): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    for (const item of page.items) await visit(item);
    cursor = page.nextCursor;
  } while (cursor);
}

/** The tenant's file record, or `undefined` when there is none (any other failure is thrown). */
export async function findFile(
  metadata: MetadataStore,
  tenantId: string,
  fileId: string,
): Promise<FileRecord | undefined> {
  try {
    return await metadata.getFile(tenantId, fileId);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'NOT_FOUND') return undefined;
    throw error;
  }
}
