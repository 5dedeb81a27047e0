import { ErrorCode, type FileRecord, type MetadataStore, type PlatformError } from '@platform/foundations';

/**
 * The file record `fileId` after a commit whose answer was lost (the connection dropped as the
 * server committed): the record, `null` when it is certainly absent, `'unknown'` when the store
 * did not answer within a few tries (about 7 s).
 */
export async function committedFile(
  metadata: MetadataStore,
  tenantId: string,
  fileId: string,
): Promise<FileRecord | null | 'unknown'> {
  for (const waitMs of [0, 500, 1_000, 2_000, 4_000]) {
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    try {
      return await metadata.getFile(tenantId, fileId);
    } catch (error) {
      if ((error as PlatformError).code === ErrorCode.NOT_FOUND) return null;
    }
  }
  return 'unknown';
}
