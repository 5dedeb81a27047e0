import type { Database } from 'arangojs';
import type { Collections } from './aql.js';
import { ignoreDuplicate } from './documents.js';

/**
 * Creates the collections, persistent indexes and named graph of a store that are missing. Safe
 * to run from several starters at once: whatever another one created first is left as it is.
 */
export async function ensureSchema(db: Database, collections: Collections, graphName: string): Promise<void> {
  const { contents, embeddings, nodes, edges, correlations } = collections;
  for (const name of [contents, embeddings, nodes, correlations]) {
    if (!(await db.collection(name).exists())) await db.createCollection(name).catch(ignoreDuplicate);
  }
  if (!(await db.collection(edges).exists())) await db.createEdgeCollection(edges).catch(ignoreDuplicate);
  const indexes: Array<[string, string[]]> = [
    [contents, ['tenantId', 'fileId']],
    [embeddings, ['tenantId', 'contentId', 'kind']],
    [embeddings, ['tenantId', 'dimensions']],
    [embeddings, ['tenantId', 'words[*]']],
    [nodes, ['tenantId', 'id']],
    [nodes, ['tenantId', 'contentId']],
    [edges, ['tenantId', 'from']],
    [edges, ['tenantId', 'to']],
    [edges, ['tenantId', 'contentId']],
    [correlations, ['tenantId', 'contentId']],
  ];
  for (const [collection, fields] of indexes) {
    await db.collection(collection).ensureIndex({ type: 'persistent', fields });
  }
  const graph = db.graph(graphName);
  if (!(await graph.exists())) {
    await graph.create([{ collection: edges, from: [nodes], to: [nodes] }]).catch(ignoreDuplicate);
  }
}
