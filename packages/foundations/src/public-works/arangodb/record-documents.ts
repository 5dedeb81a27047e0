import type { ContentRecord, EmbeddingRecord, GraphEdge, GraphNode } from '../ports/semantic-store.js';
import { words } from '../semantic-input.js';
import { documentKey } from './aql.js';

// The port's records as the documents ArangoSemanticStore writes: keys hashed from the tenant and
// the record's ids, and the fields its queries filter on.

export function contentDocument(record: ContentRecord) {
  return {
    _key: documentKey(record.tenantId, record.contentId),
    ...record,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

/** With their dimension and words stored, for the dimension and keyword indexes. */
export function embeddingDocuments(tenantId: string, contentId: string, embeddings: readonly EmbeddingRecord[]) {
  return embeddings.map((embedding) => ({
    _key: documentKey(tenantId, contentId, embedding.id),
    tenantId,
    contentId,
    ...embedding,
    dimensions: embedding.vector.length,
    words: embedding.text === undefined ? [] : words(embedding.text),
  }));
}

/**
 * Node and edge documents of a content's graph, edges pointing at the node documents in
 * `nodesCollection`. Given twice in one call, a node or edge keeps its last version.
 */
export function graphDocuments(
  nodesCollection: string,
  tenantId: string,
  contentId: string,
  graph: { nodes: readonly GraphNode[]; edges: readonly GraphEdge[] },
) {
  const nodeDocuments = graph.nodes.map((node) => ({
    _key: documentKey(tenantId, node.id),
    tenantId,
    contentId,
    ...node,
  }));
  const edgeDocuments = graph.edges.map((edge) => ({
    _key: documentKey(tenantId, edge.from, edge.relation, edge.to),
    _from: `${nodesCollection}/${documentKey(tenantId, edge.from)}`,
    _to: `${nodesCollection}/${documentKey(tenantId, edge.to)}`,
    tenantId,
    contentId,
    ...edge,
  }));
  const last = <T extends { _key: string }>(documents: T[]) => [
    ...new Map(documents.map((doc) => [doc._key, doc])).values(),
  ];
  return { nodes: last(nodeDocuments), edges: last(edgeDocuments) };
}
