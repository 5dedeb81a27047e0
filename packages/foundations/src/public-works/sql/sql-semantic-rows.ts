import type { ContentRecord, GraphEdge, GraphNode, SemanticSearchResult } from '../ports/semantic-store.js';

// Row mapping of SqlSemanticStore. JSON columns are read whether the driver parsed them or left
// them as text.

export type Row = Record<string, unknown>;

export const json = <T>(value: unknown): T => (typeof value === 'string' ? JSON.parse(value) : value) as T;

export function resultFromRow(row: Row): SemanticSearchResult {
  return {
    contentId: String(row.content_id),
    id: String(row.id),
    kind: String(row.kind),
    ref: String(row.ref),
    ...(row.text === null || row.text === undefined ? {} : { text: String(row.text) }),
    model: String(row.model),
    metadata: json(row.metadata),
    score: Number(row.score),
  };
}

export function contentFromRow(row: Row): ContentRecord {
  return {
    tenantId: String(row.tenant_id),
    contentId: String(row.content_id),
    ...(row.file_id === null || row.file_id === undefined ? {} : { fileId: String(row.file_id) }),
    kind: String(row.kind),
    ...(row.title === null || row.title === undefined ? {} : { title: String(row.title) }),
    metadata: json(row.metadata),
    createdAt: new Date(row.created_at as Date),
    updatedAt: new Date(row.updated_at as Date),
  };
}

export function edgeFromRow(row: Row): GraphEdge {
  return {
    from: String(row.from_id),
    to: String(row.to_id),
    relation: String(row.relation),
    properties: json<Record<string, unknown>>(row.properties),
  };
}

export function nodeFromRow(row: Row): GraphNode {
  return {
    id: String(row.id),
    kind: String(row.kind),
    label: String(row.label),
    properties: json<Record<string, unknown>>(row.properties),
  };
}
