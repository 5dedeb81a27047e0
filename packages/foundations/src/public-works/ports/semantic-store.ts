import { z } from 'zod';
import { TenantIdSchema } from './tenancy.js';

const NameSchema = z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case name');
const IdSchema = z.string().min(1).max(200);
const JsonObjectSchema = z.record(z.string(), z.unknown());
/** Values metadata filters can match exactly. */
const ScalarSchema = z.union([z.string(), z.number(), z.boolean()]);

/** What the semantic layer knows about one piece of content (a parsed file, a document). */
export const ContentRecordSchema = z
  .object({
    tenantId: TenantIdSchema,
    contentId: IdSchema,
    fileId: IdSchema.optional(),
    /** `structured` (tables), `unstructured` (text), or another snake_case kind. */
    kind: NameSchema,
    title: z.string().max(1000).optional(),
    metadata: JsonObjectSchema,
    createdAt: z.date(),
    updatedAt: z.date(),
  })
  .strict();
export type ContentRecord = z.output<typeof ContentRecordSchema>;
export const NewContentRecordSchema = ContentRecordSchema.omit({ createdAt: true, updatedAt: true }).extend({
  metadata: JsonObjectSchema.default({}),
});
export type NewContentRecord = z.input<typeof NewContentRecordSchema>;

/** One vector and what it stands for: a column's name, its meaning, its samples, a text chunk. */
export const EmbeddingRecordSchema = z
  .object({
    id: IdSchema,
    /** `column_name`, `column_meaning`, `column_samples`, `chunk`, ... */
    kind: NameSchema,
    /** What in the content it belongs to: a column name, a chunk index. */
    ref: z.string().max(500),
    /** The text embedded (kept short: a label or a chunk), for display in search results. */
    text: z.string().max(10_000).optional(),
    vector: z.array(z.number().finite()).min(1).max(4096),
    model: z.string().min(1).max(200),
    /** Exact-match filterable properties. */
    metadata: z.record(z.string(), ScalarSchema),
  })
  .strict();
export type EmbeddingRecord = z.output<typeof EmbeddingRecordSchema>;
export const NewEmbeddingRecordSchema = EmbeddingRecordSchema.extend({
  metadata: z.record(z.string(), ScalarSchema).default({}),
});
export type NewEmbeddingRecord = z.input<typeof NewEmbeddingRecordSchema>;

/** A node of the content graph: a file, a column, a semantic type, a chunk, an entity. */
export const GraphNodeSchema = z
  .object({ id: IdSchema, kind: NameSchema, label: z.string().max(1000), properties: JsonObjectSchema.default({}) })
  .strict();
export type GraphNode = z.output<typeof GraphNodeSchema>;

/** A directed, named edge between two nodes of the same tenant. */
export const GraphEdgeSchema = z
  .object({ from: IdSchema, to: IdSchema, relation: NameSchema, properties: JsonObjectSchema.default({}) })
  .strict();
export type GraphEdge = z.output<typeof GraphEdgeSchema>;

/** Options of {@link SemanticStore.traverse}. */
export interface GraphTraversalOptions {
  /** How many edges away from the start, at most (1-5, default 2). */
  maxDepth?: number;
  /** Follow edges from→to (`out`), to→from (`in`), or either way (`both`, the default). */
  direction?: 'out' | 'in' | 'both';
  /** Only along edges of these relations (1-20 names); all when omitted. */
  relations?: readonly string[];
  /** At most this many nodes (1-1000, default 100), nearest first. */
  limit?: number;
}

/** A node reached by {@link SemanticStore.traverse}: how far from the start, and by which edges. */
export interface GraphTraversalStep {
  node: GraphNode;
  /** Edges between the start and the node on a shortest path (1 for a neighbor). */
  depth: number;
  /** The edges of that path, from the start, as stored (an edge walked backwards keeps its from and to). */
  path: GraphEdge[];
}

/** Options of {@link SemanticStore.search}. */
export interface SemanticSearchOptions {
  /** At most this many results (1-100, default 10). */
  limit?: number;
  contentId?: string;
  kind?: string;
  model?: string;
  /** Every entry must match the embedding's metadata exactly. */
  metadata?: Record<string, string | number | boolean>;
}

/** One search result: the embedding (without its vector) and its cosine similarity (-1 to 1). */
export interface SemanticSearchResult {
  contentId: string;
  id: string;
  kind: string;
  ref: string;
  text?: string;
  model: string;
  metadata: Record<string, string | number | boolean>;
  score: number;
}

/**
 * Stored semantics per tenant: content metadata, embeddings with vector search (cosine), a
 * graph of nodes and edges, and correlation maps. Writes are idempotent upserts keyed by ids the
 * caller chooses, so a flow that resumes writes the same rows again instead of duplicates.
 *
 * Content owns its embeddings, graph nodes and correlation map: `deleteContent` removes them all.
 */
export interface SemanticStore {
  readonly kind: string;
  upsertContent(input: NewContentRecord): Promise<ContentRecord>;
  /** @throws `NOT_FOUND` */
  getContent(tenantId: string, contentId: string): Promise<ContentRecord>;
  listContent(tenantId: string, filter?: { fileId?: string }): Promise<ContentRecord[]>;
  /** Removes the content and everything it owns; `false` when there was none. */
  deleteContent(tenantId: string, contentId: string): Promise<boolean>;

  /** Inserts or replaces embeddings (by id) of existing content. All vectors must have one dimension. */
  upsertEmbeddings(tenantId: string, contentId: string, embeddings: readonly NewEmbeddingRecord[]): Promise<number>;
  /** The nearest embeddings to `vector` of the same dimension, best first. */
  search(tenantId: string, vector: readonly number[], options?: SemanticSearchOptions): Promise<SemanticSearchResult[]>;
  countEmbeddings(tenantId: string, contentId: string): Promise<number>;
  /**
   * Keyword search over the embeddings' texts: every word of `query` must occur (lower-cased,
   * no stemming); best matches first, `score` relative within one result list.
   */
  searchText(
    tenantId: string,
    query: string,
    options?: Omit<SemanticSearchOptions, 'model'>,
  ): Promise<SemanticSearchResult[]>;

  /** Inserts or replaces nodes (by id) and edges (by from, relation, to) owned by the content. */
  upsertGraph(
    tenantId: string,
    contentId: string,
    graph: { nodes?: readonly z.input<typeof GraphNodeSchema>[]; edges?: readonly z.input<typeof GraphEdgeSchema>[] },
  ): Promise<void>;
  /** A node's edges in one or both directions, with the nodes at their other ends. */
  neighbors(
    tenantId: string,
    nodeId: string,
    options?: { relation?: string; direction?: 'out' | 'in' | 'both' },
  ): Promise<{ edges: GraphEdge[]; nodes: GraphNode[] }>;

  /**
   * The nodes within `maxDepth` edges of a node (breadth first: each node once, at its shortest
   * distance, with the path that reached it; among paths of one length the first in the edges'
   * (from, relation, to) order), nearest first, then by id. Nodes of the content graph, across the
   * tenant's contents, so what a column, an entity or a semantic type is connected to. A node
   * without a stored record is walked through, not returned; an unknown start gives `[]`.
   */
  traverse(tenantId: string, startId: string, options?: GraphTraversalOptions): Promise<GraphTraversalStep[]>;

  /** Stores the correlation map of the content (replacing any previous one). */
  putCorrelationMap(tenantId: string, contentId: string, map: Record<string, unknown>): Promise<void>;
  getCorrelationMap(tenantId: string, contentId: string): Promise<Record<string, unknown> | undefined>;
}
