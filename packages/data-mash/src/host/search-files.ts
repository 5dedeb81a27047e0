import { type MetadataStore, PlatformError } from '@platform/foundations';
import { DATA_MASH_FLOW_TEMPLATE } from '../phases/solution-orchestrator.js';

const LOOKUPS_AT_ONCE = 8;

/** The file a search hit's content comes from, named, with the flow that made it. */
export interface SearchHitFile {
  id: string;
  name: string;
  journeyId?: string;
}

/**
 * The files of the contents that search hits name (a flow's content id is its file's id), so that
 * results can say "orders.csv, column region" instead of ids. A content whose file is gone (erased)
 * or is not a file has none.
 */
export async function filesOfContents(
  metadata: MetadataStore,
  tenantId: string,
  contentIds: Iterable<string>,
): Promise<Map<string, SearchHitFile>> {
  const files = new Map<string, SearchHitFile>();
  const ids = [...new Set(contentIds)];
  // A few reads at a time: a page of hits from many files must not take a store's whole pool.
  for (let at = 0; at < ids.length; at += LOOKUPS_AT_ONCE) {
    await Promise.all(
      ids.slice(at, at + LOOKUPS_AT_ONCE).map(async (contentId) => {
        try {
          const file = await metadata.getFile(tenantId, contentId);
          const journey = await metadata.findJourneyByIdempotencyKey(tenantId, DATA_MASH_FLOW_TEMPLATE, file.sha256);
          files.set(contentId, { id: file.id, name: file.name, ...(journey ? { journeyId: journey.id } : {}) });
        } catch (error) {
          if (!(error instanceof PlatformError && (error.code === 'NOT_FOUND' || error.code === 'VALIDATION_FAILED')))
            throw error;
        }
      }),
    );
  }
  return files;
}
