import { computeInsights, HashingEmbedder, parseContent, processSemantics } from '@platform/data-mash';
import { MemoryBlobStore } from '@platform/foundations';

/** Parses a CSV, infers what its columns mean, embeds them, and profiles it: the three pillar steps. */
export async function understandFile(csv: string) {
  const blobStore = new MemoryBlobStore(); // in a platform: the BlobStore port (local files, GCS, ...)
  const file = { tenantId: 'acme', fileId: 'orders-2026-11', fileName: 'orders.csv' };

  const parse = await parseContent({ ...file, body: new TextEncoder().encode(csv), blobStore });
  const semantics = await processSemantics(parse, { ...file, embedder: new HashingEmbedder() });
  const insights = await computeInsights({ tenantId: file.tenantId, blobStore, parse });

  return {
    columns: semantics.columns.map((column) => `${column.column}: ${column.semantic.type}`),
    summary: insights.summary.map((statement) => statement.text),
  };
}
