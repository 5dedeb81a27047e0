import { edgeKey, graphNeighbors, prepareGraphTraversal, traverseBreadthFirst } from '../graph-traversal.js';
import type {
  ContentRecord,
  EmbeddingRecord,
  GraphEdge,
  GraphNode,
  GraphTraversalOptions,
  SemanticStore,
} from '../ports/semantic-store.js';
import { assertTenantId, notFound } from '../ports/tenancy.js';
import {
  checkContentId,
  cosine,
  prepareContent,
  prepareEmbeddings,
  prepareGraph,
  prepareSearch,
  prepareTextSearch,
  words,
} from '../semantic-input.js';

interface ContentState {
  record: ContentRecord;
  embeddings: Map<string, EmbeddingRecord>;
  nodes: Map<string, GraphNode>;
  edges: Map<string, GraphEdge>;
  correlationMap?: Record<string, unknown>;
}

/** A {@link SemanticStore} in process memory, with exact cosine search. */
export class MemorySemanticStore implements SemanticStore {
  readonly kind = 'memory';
  readonly #contents = new Map<string, ContentState>();

  #state(tenantId: string, contentId: string): ContentState {
    checkContentId(tenantId, contentId);
    const state = this.#contents.get(`${tenantId}\u0000${contentId}`);
    if (!state) throw notFound('content', tenantId, contentId);
    return state;
  }

  #tenantStates(tenantId: string): ContentState[] {
    assertTenantId(tenantId);
    return [...this.#contents.values()].filter((state) => state.record.tenantId === tenantId);
  }

  async upsertContent(input: Parameters<SemanticStore['upsertContent']>[0]) {
    const record = prepareContent(input, new Date());
    const address = `${record.tenantId}\u0000${record.contentId}`;
    const existing = this.#contents.get(address);
    if (existing) {
      existing.record = { ...record, createdAt: existing.record.createdAt };
      return structuredClone(existing.record);
    }
    this.#contents.set(address, { record, embeddings: new Map(), nodes: new Map(), edges: new Map() });
    return structuredClone(record);
  }

  async getContent(tenantId: string, contentId: string) {
    return structuredClone(this.#state(tenantId, contentId).record);
  }

  async listContent(tenantId: string, filter: { fileId?: string } = {}) {
    return this.#tenantStates(tenantId)
      .map((state) => state.record)
      .filter((record) => filter.fileId === undefined || record.fileId === filter.fileId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.contentId.localeCompare(b.contentId))
      .map((record) => structuredClone(record));
  }

  async deleteContent(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    return this.#contents.delete(`${tenantId}\u0000${contentId}`);
  }

  async upsertEmbeddings(
    tenantId: string,
    contentId: string,
    embeddings: Parameters<SemanticStore['upsertEmbeddings']>[2],
  ) {
    const state = this.#state(tenantId, contentId);
    const parsed = prepareEmbeddings(embeddings);
    for (const embedding of parsed) state.embeddings.set(embedding.id, embedding);
    return parsed.length;
  }

  async search(tenantId: string, vector: readonly number[], options: Parameters<SemanticStore['search']>[2] = {}) {
    const query = prepareSearch(vector, options);
    const results = [];
    for (const state of this.#tenantStates(tenantId)) {
      if (options.contentId !== undefined && state.record.contentId !== options.contentId) continue;
      for (const embedding of state.embeddings.values()) {
        if (embedding.vector.length !== query.vector.length) continue;
        if (options.kind !== undefined && embedding.kind !== options.kind) continue;
        if (options.model !== undefined && embedding.model !== options.model) continue;
        if (
          options.metadata &&
          !Object.entries(options.metadata).every(([key, value]) => embedding.metadata[key] === value)
        )
          continue;
        results.push({
          contentId: state.record.contentId,
          id: embedding.id,
          kind: embedding.kind,
          ref: embedding.ref,
          ...(embedding.text === undefined ? {} : { text: embedding.text }),
          model: embedding.model,
          metadata: { ...embedding.metadata },
          score: cosine(query.vector, embedding.vector),
        });
      }
    }
    return results.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, query.limit);
  }

  async searchText(tenantId: string, query: string, options: Parameters<SemanticStore['searchText']>[2] = {}) {
    const { terms, limit } = prepareTextSearch(query, options);
    const results = [];
    for (const state of this.#tenantStates(tenantId)) {
      if (options.contentId !== undefined && state.record.contentId !== options.contentId) continue;
      for (const embedding of state.embeddings.values()) {
        if (embedding.text === undefined) continue;
        if (options.kind !== undefined && embedding.kind !== options.kind) continue;
        if (
          options.metadata &&
          !Object.entries(options.metadata).every(([key, value]) => embedding.metadata[key] === value)
        )
          continue;
        const tokens = words(embedding.text);
        const counts = terms.map((term) => tokens.filter((token) => token === term).length);
        if (counts.some((count) => count === 0)) continue;
        results.push({
          contentId: state.record.contentId,
          id: embedding.id,
          kind: embedding.kind,
          ref: embedding.ref,
          text: embedding.text,
          model: embedding.model,
          metadata: { ...embedding.metadata },
          score: counts.reduce((sum, count) => sum + count, 0) / Math.sqrt(tokens.length),
        });
      }
    }
    return results.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).slice(0, limit);
  }

  async countEmbeddings(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    return this.#contents.get(`${tenantId}\u0000${contentId}`)?.embeddings.size ?? 0;
  }

  async upsertGraph(tenantId: string, contentId: string, graph: Parameters<SemanticStore['upsertGraph']>[2]) {
    const state = this.#state(tenantId, contentId);
    const { nodes, edges } = prepareGraph(graph);
    for (const node of nodes) {
      // A node id is unique per tenant: another content's node with this id moves here.
      for (const other of this.#tenantStates(tenantId)) if (other !== state) other.nodes.delete(node.id);
      state.nodes.set(node.id, node);
    }
    for (const edge of edges) state.edges.set(edgeKey(edge), edge);
  }

  async neighbors(tenantId: string, nodeId: string, options: Parameters<SemanticStore['neighbors']>[2] = {}) {
    checkContentId(tenantId, nodeId);
    const { edgesAt, nodesOf } = this.#graphReader(tenantId);
    return structuredClone(await graphNeighbors(nodeId, options, edgesAt, nodesOf));
  }

  async traverse(tenantId: string, startId: string, options?: GraphTraversalOptions) {
    const traversal = prepareGraphTraversal(tenantId, startId, options);
    const { edgesAt, nodesOf } = this.#graphReader(tenantId);
    return structuredClone(
      await traverseBreadthFirst(
        startId,
        traversal,
        (ids) => edgesAt(ids, traversal.direction, traversal.relations),
        nodesOf,
      ),
    );
  }

  /** The two reads graph walks are made of, over the tenant's contents. */
  #graphReader(tenantId: string) {
    const states = this.#tenantStates(tenantId);
    return {
      edgesAt: async (ids: string[], direction: 'out' | 'in' | 'both', relations?: readonly string[]) => {
        const level = new Set(ids);
        const wanted = relations ? new Set(relations) : undefined;
        return states
          .flatMap((state) => [...state.edges.values()])
          .filter(
            (edge) =>
              (wanted === undefined || wanted.has(edge.relation)) &&
              ((direction !== 'in' && level.has(edge.from)) || (direction !== 'out' && level.has(edge.to))),
          );
      },
      nodesOf: async (ids: string[]) => {
        const wanted = new Set(ids);
        return states
          .flatMap((state) => [...state.nodes.values()])
          .filter((node) => wanted.has(node.id))
          .sort((a, b) => a.id.localeCompare(b.id));
      },
    };
  }

  async putCorrelationMap(tenantId: string, contentId: string, map: Record<string, unknown>) {
    this.#state(tenantId, contentId).correlationMap = JSON.parse(JSON.stringify(map)) as Record<string, unknown>;
  }

  async getCorrelationMap(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    const map = this.#contents.get(`${tenantId}\u0000${contentId}`)?.correlationMap;
    return map ? structuredClone(map) : undefined;
  }
}
