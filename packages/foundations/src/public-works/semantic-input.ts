import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import {
  type ContentRecord,
  type EmbeddingRecord,
  type GraphEdge,
  GraphEdgeSchema,
  type GraphNode,
  GraphNodeSchema,
  NewContentRecordSchema,
  type NewEmbeddingRecord,
  NewEmbeddingRecordSchema,
  type SemanticSearchOptions,
} from './ports/semantic-store.js';
import { assertTenantId, parseRecord } from './ports/tenancy.js';

// Validation shared by every SemanticStore adapter.

export function prepareContent(input: unknown, now: Date): ContentRecord {
  return { ...parseRecord(NewContentRecordSchema, input, 'content record'), createdAt: now, updatedAt: now };
}

export function checkContentId(tenantId: string, contentId: string): void {
  assertTenantId(tenantId);
  if (typeof contentId !== 'string' || contentId.length === 0 || contentId.length > 200) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'invalid content id: expected 1-200 characters', {
      details: { field: 'contentId' },
    });
  }
}

export function prepareEmbeddings(embeddings: readonly NewEmbeddingRecord[]): EmbeddingRecord[] {
  if (!Array.isArray(embeddings)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'embeddings must be an array', {
      details: { field: 'embeddings' },
    });
  }
  const parsed = embeddings.map((embedding, index) =>
    parseRecord(NewEmbeddingRecordSchema, embedding, `embedding ${index}`),
  );
  const dimensions = new Set(parsed.map((embedding) => embedding.vector.length));
  if (dimensions.size > 1) {
    throw new PlatformError(
      ErrorCode.VALIDATION_FAILED,
      `embeddings of one call must share one dimension, got ${[...dimensions].join(', ')}`,
      {
        details: { field: 'vector' },
      },
    );
  }
  const ids = new Set(parsed.map((embedding) => embedding.id));
  if (ids.size !== parsed.length) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'embedding ids must be unique within one call', {
      details: { field: 'id' },
    });
  }
  return parsed;
}

export function prepareSearch(
  vector: readonly number[],
  options: SemanticSearchOptions = {},
): { vector: number[]; limit: number } {
  if (!Array.isArray(vector) || vector.length === 0 || vector.length > 4096 || !vector.every(Number.isFinite)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'a search vector is 1-4096 finite numbers', {
      details: { field: 'vector' },
    });
  }
  if (vector.every((value) => value === 0)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'a zero vector has no direction to search by', {
      details: { field: 'vector' },
    });
  }
  return { vector: [...vector], limit: searchLimit(options.limit) };
}

export function prepareGraph(graph: { nodes?: readonly unknown[]; edges?: readonly unknown[] }): {
  nodes: GraphNode[];
  edges: GraphEdge[];
} {
  return {
    nodes: (graph.nodes ?? []).map((node, index) => parseRecord(GraphNodeSchema, node, `graph node ${index}`)),
    edges: (graph.edges ?? []).map((edge, index) => parseRecord(GraphEdgeSchema, edge, `graph edge ${index}`)),
  };
}

/** Cosine similarity; 0 when either vector has no length. */
export function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    const x = a[index] as number;
    const y = b[index] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** Lower-cased words (letters and digits) of a text, as keyword search sees them. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Checks a keyword query and its options; returns the query's distinct words and the limit. */
export function prepareTextSearch(
  query: unknown,
  options: { limit?: number } = {},
): { terms: string[]; limit: number } {
  if (typeof query !== 'string' || query.length > 1000) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'a text query is a string of at most 1000 characters', {
      details: { field: 'query' },
    });
  }
  const terms = [...new Set(words(query))];
  if (terms.length === 0) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'a text query needs at least one word', {
      details: { field: 'query' },
    });
  }
  return { terms, limit: searchLimit(options.limit) };
}

/** A search's result limit: 1-100, default 10. */
function searchLimit(requested: number | undefined): number {
  const limit = requested ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `limit must be a whole number from 1 to 100, got ${limit}`, {
      details: { field: 'limit' },
    });
  }
  return limit;
}
