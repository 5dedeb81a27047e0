import type { Database } from 'arangojs';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { graphNeighbors, prepareGraphTraversal, traverseBreadthFirst } from '../graph-traversal.js';
import type {
  GraphEdge,
  GraphNode,
  GraphTraversalOptions,
  SemanticSearchResult,
  SemanticStore,
} from '../ports/semantic-store.js';
import { assertTenantId, notFound } from '../ports/tenancy.js';
import {
  checkContentId,
  prepareContent,
  prepareEmbeddings,
  prepareGraph,
  prepareSearch,
  prepareTextSearch,
} from '../semantic-input.js';
import {
  type AqlQuery,
  approximateSearchQuery,
  type Collections,
  collectionsOf,
  documentKey,
  edgesAtQuery,
  removeContentQueries,
  textSearchQuery,
  upsertQuery,
  vectorSearchQuery,
} from './aql.js';
import { connectArango } from './connection.js';
import { type ContentDocument, fromContentDocument, stripUndefined, translate, withoutNullText } from './documents.js';
import { type ArangoSemanticStoreOptions, parseArangoUrl } from './options.js';
import { contentDocument, embeddingDocuments, graphDocuments } from './record-documents.js';
import { ensureSchema } from './schema.js';
import { ArangoVectorIndex, type VectorSearchStatus } from './vector-index.js';

/**
 * A {@link SemanticStore} on ArangoDB (`arangojs`, an optional peer dependency). Collections for
 * contents, embeddings, graph nodes, graph edges and correlation maps, a named graph over the
 * nodes and edges, and persistent indexes on tenant and content ids, all created idempotently at
 * `initialize()`. Document keys are hashes of the tenant and the record's ids. Every AQL query
 * binds its values (see `aql.ts`). Vector search is exact cosine similarity in AQL, filtered by
 * tenant first, or, with `vectorIndex`, approximate through ArangoDB's vector index where the
 * server has one (falling back to exact when it cannot answer in full); keyword search matches
 * the words stored with each embedding.
 *
 * Not run against a server on this project's machines (none can be installed there): its
 * integration suite (the shared conformance suite) runs when `ARANGO_URL` is set.
 */
export class ArangoSemanticStore implements SemanticStore {
  readonly kind = 'arangodb';
  readonly #options: ArangoSemanticStoreOptions;
  readonly #collections: Collections;
  readonly #graph: string;
  readonly #vectorIndex: ArangoVectorIndex | undefined;
  #db: Database | undefined;

  constructor(given: ArangoSemanticStoreOptions) {
    // Options in the URL's query count, and options given as fields override them.
    const options = given.url ? { ...parseArangoUrl(given.url).options, ...stripUndefined(given) } : given;
    const prefix = options.prefix ?? 'platform_';
    if (!/^[a-zA-Z][a-zA-Z0-9_]{0,40}$/.test(prefix)) {
      throw new PlatformError(ErrorCode.CONFIG_INVALID, `arangodb: prefix '${prefix}' must be letters, digits and _`, {
        details: { adapter: 'arangodb', field: 'prefix' },
      });
    }
    if (!options.database && !options.url) {
      throw new PlatformError(ErrorCode.CONFIG_INVALID, 'arangodb: give a database or a url', {
        details: { adapter: 'arangodb' },
      });
    }
    this.#options = options;
    this.#collections = collectionsOf(prefix);
    this.#graph = `${prefix}content_graph`;
    this.#vectorIndex = options.vectorIndex
      ? new ArangoVectorIndex(this.#collections.embeddings, options.vectorIndex)
      : undefined;
  }

  /** Which vector search runs now: `approximate` through the vector index, or `exact`, and why. */
  vectorSearchStatus(): VectorSearchStatus {
    return this.#vectorIndex?.status ?? { mode: 'exact', reason: 'no vector index is configured' };
  }

  /**
   * Creates the vector index now if it is configured and can be (after a bulk load, say, on a
   * server that trains it at creation) instead of waiting for the next check. @throws `CONFIG_INVALID`
   */
  async ensureVectorIndex(): Promise<VectorSearchStatus> {
    if (!this.#vectorIndex) return this.vectorSearchStatus();
    return this.#vectorIndex.ensure(await this.#open());
  }

  /**
   * Unhealthy when the server does not answer; degraded while a configured vector index cannot be
   * used (search is exact meanwhile); else healthy.
   */
  async health() {
    try {
      await (await this.#open()).version();
    } catch (error) {
      return { status: 'unhealthy' as const, message: translate(error, 'health check').message };
    }
    const status = this.vectorSearchStatus();
    return this.#vectorIndex && status.mode === 'exact'
      ? { status: 'degraded' as const, message: `vector search is exact: ${status.reason}` }
      : { status: 'healthy' as const };
  }

  /** Connects and creates the collections, indexes and graph that are missing. @throws `ADAPTER_UNAVAILABLE` */
  async initialize(): Promise<void> {
    const db = await this.#open();
    try {
      await db.version();
      await ensureSchema(db, this.#collections, this.#graph);
      await this.#vectorIndex?.ensure(db);
    } catch (error) {
      throw translate(error, 'start-up');
    }
  }

  async shutdown(): Promise<void> {
    this.#db?.close();
  }

  async #open(): Promise<Database> {
    if (this.#db) return this.#db;
    if (this.#options.database) {
      this.#db = this.#options.database;
      return this.#db;
    }
    this.#db = await connectArango(this.#options.url as string);
    return this.#db;
  }

  async #all<T>(query: AqlQuery, what: string): Promise<T[]> {
    const db = await this.#open();
    try {
      const cursor = await db.query<T>(query.query, query.bindVars);
      return await cursor.all();
    } catch (error) {
      throw translate(error, what);
    }
  }

  async #contentDocument(tenantId: string, contentId: string): Promise<ContentDocument> {
    checkContentId(tenantId, contentId);
    const [document] = await this.#all<ContentDocument>(
      {
        query: 'FOR doc IN @@contents FILTER doc._key == @key RETURN doc',
        bindVars: { '@contents': this.#collections.contents, key: documentKey(tenantId, contentId) },
      },
      'read content',
    );
    if (!document) throw notFound('content', tenantId, contentId);
    return document;
  }

  async upsertContent(input: Parameters<SemanticStore['upsertContent']>[0]) {
    const record = prepareContent(input, new Date());
    const [stored] = await this.#all<ContentDocument>(
      upsertQuery(this.#collections.contents, [contentDocument(record)], ['createdAt']),
      'upsert content',
    );
    return fromContentDocument(stored as ContentDocument);
  }

  async getContent(tenantId: string, contentId: string) {
    return fromContentDocument(await this.#contentDocument(tenantId, contentId));
  }

  async listContent(tenantId: string, filter: { fileId?: string } = {}) {
    assertTenantId(tenantId);
    const bindVars: Record<string, unknown> = { '@contents': this.#collections.contents, tenantId };
    if (filter.fileId !== undefined) bindVars.fileId = filter.fileId;
    const documents = await this.#all<ContentDocument>(
      {
        query: `FOR doc IN @@contents
  FILTER doc.tenantId == @tenantId${filter.fileId !== undefined ? ' AND doc.fileId == @fileId' : ''}
  SORT doc.createdAt, doc.contentId
  RETURN doc`,
        bindVars,
      },
      'list content',
    );
    return documents.map(fromContentDocument);
  }

  async deleteContent(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    const db = await this.#open();
    const { contents, embeddings, nodes, edges, correlations } = this.#collections;
    try {
      const transaction = await db.beginTransaction({ write: [contents, embeddings, nodes, edges, correlations] });
      try {
        for (const query of removeContentQueries(this.#collections, tenantId, contentId)) {
          await transaction.step(() => db.query(query.query, query.bindVars));
        }
        const removed = await transaction.step(() =>
          db.query('FOR doc IN @@contents FILTER doc._key == @key REMOVE doc IN @@contents RETURN 1', {
            '@contents': contents,
            key: documentKey(tenantId, contentId),
          }),
        );
        const count = (await removed.all()).length;
        await transaction.commit();
        return count > 0;
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      throw translate(error, 'delete content');
    }
  }

  async upsertEmbeddings(
    tenantId: string,
    contentId: string,
    embeddings: Parameters<SemanticStore['upsertEmbeddings']>[2],
  ) {
    await this.#contentDocument(tenantId, contentId);
    const parsed = prepareEmbeddings(embeddings);
    const dimension = this.#vectorIndex?.options.dimension;
    const other = dimension === undefined ? undefined : parsed.find((entry) => entry.vector.length !== dimension);
    if (other) {
      throw new PlatformError(
        ErrorCode.VALIDATION_FAILED,
        `arangodb: the vector index holds ${dimension}-dimension vectors; embedding '${other.id}' has ${other.vector.length}`,
        { details: { adapter: 'arangodb', field: 'vector', expected: dimension, actual: other.vector.length } },
      );
    }
    const documents = embeddingDocuments(tenantId, contentId, parsed);
    for (let start = 0; start < documents.length; start += 500) {
      await this.#all(
        upsertQuery(this.#collections.embeddings, documents.slice(start, start + 500)),
        'upsert embeddings',
      );
    }
    if (this.#vectorIndex) await this.#vectorIndex.refresh(await this.#open());
    return parsed.length;
  }

  async search(tenantId: string, vector: readonly number[], options: Parameters<SemanticStore['search']>[2] = {}) {
    assertTenantId(tenantId);
    const query = prepareSearch(vector, options);
    const index = this.#vectorIndex;
    if (index) {
      await index.refresh(await this.#open());
      if (index.usable(query.vector.length, options)) {
        try {
          const approximate = await this.#all<SemanticSearchResult & { text: string | null }>(
            approximateSearchQuery(
              this.#collections,
              tenantId,
              query.vector,
              query.limit,
              index.options.nProbe,
              options,
            ),
            'approximate vector search',
          );
          // The probed cells may hold fewer matches than asked for while more exist: exact answers in full.
          if (approximate.length === query.limit) return approximate.map(withoutNullText);
        } catch (error) {
          index.failed((error as Error).message.split('\n')[0] as string, options);
        }
      }
    }
    const hits = await this.#all<SemanticSearchResult & { text: string | null }>(
      vectorSearchQuery(this.#collections, tenantId, query.vector, query.limit, options),
      'vector search',
    );
    return hits.map(withoutNullText);
  }

  async countEmbeddings(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    const [count] = await this.#all<number>(
      {
        query:
          'RETURN LENGTH(FOR doc IN @@embeddings FILTER doc.tenantId == @tenantId AND doc.contentId == @contentId RETURN 1)',
        bindVars: { '@embeddings': this.#collections.embeddings, tenantId, contentId },
      },
      'count embeddings',
    );
    return count ?? 0;
  }

  async searchText(tenantId: string, query: string, options: Parameters<SemanticStore['searchText']>[2] = {}) {
    assertTenantId(tenantId);
    const { terms, limit } = prepareTextSearch(query, options);
    const hits = await this.#all<SemanticSearchResult & { text: string | null }>(
      textSearchQuery(this.#collections, tenantId, terms, limit, options),
      'text search',
    );
    return hits.map(withoutNullText);
  }

  async upsertGraph(tenantId: string, contentId: string, graph: Parameters<SemanticStore['upsertGraph']>[2]) {
    await this.#contentDocument(tenantId, contentId);
    const { nodes, edges } = graphDocuments(this.#collections.nodes, tenantId, contentId, prepareGraph(graph));
    await this.#all(upsertQuery(this.#collections.nodes, nodes), 'upsert graph nodes');
    await this.#all(upsertQuery(this.#collections.edges, edges), 'upsert graph edges');
  }

  async #nodes(tenantId: string, ids: readonly string[]): Promise<GraphNode[]> {
    if (ids.length === 0) return [];
    return this.#all<GraphNode>(
      {
        query: `FOR doc IN @@nodes
  FILTER doc.tenantId == @tenantId AND doc.id IN @ids
  SORT doc.id
  RETURN { id: doc.id, kind: doc.kind, label: doc.label, properties: doc.properties }`,
        bindVars: { '@nodes': this.#collections.nodes, tenantId, ids },
      },
      'read graph nodes',
    );
  }

  async #edgesAt(tenantId: string, ids: string[], direction: 'out' | 'in' | 'both', relations?: readonly string[]) {
    return this.#all<GraphEdge>(
      edgesAtQuery(this.#collections, tenantId, ids, direction, relations),
      'read graph edges',
    );
  }

  async neighbors(tenantId: string, nodeId: string, options: Parameters<SemanticStore['neighbors']>[2] = {}) {
    checkContentId(tenantId, nodeId);
    return graphNeighbors(
      nodeId,
      options,
      (ids, direction, relations) => this.#edgesAt(tenantId, ids, direction, relations),
      (ids) => this.#nodes(tenantId, ids),
    );
  }

  /**
   * Breadth first, one indexed query per level (edges by `[tenantId, from]` or `[tenantId, to]`),
   * rather than an AQL graph traversal: with global vertex uniqueness a traversal marks a node
   * visited through an edge the relation filter then drops, which could hide its allowed path.
   */
  async traverse(tenantId: string, startId: string, options?: GraphTraversalOptions) {
    const traversal = prepareGraphTraversal(tenantId, startId, options);
    return traverseBreadthFirst(
      startId,
      traversal,
      (ids) => this.#edgesAt(tenantId, ids, traversal.direction, traversal.relations),
      (ids) => this.#nodes(tenantId, ids),
    );
  }

  async putCorrelationMap(tenantId: string, contentId: string, map: Record<string, unknown>) {
    await this.#contentDocument(tenantId, contentId);
    await this.#all(
      upsertQuery(this.#collections.correlations, [
        { _key: documentKey(tenantId, contentId), tenantId, contentId, map },
      ]),
      'store correlation map',
    );
  }

  async getCorrelationMap(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    const [map] = await this.#all<Record<string, unknown>>(
      {
        query: 'FOR doc IN @@correlations FILTER doc._key == @key RETURN doc.map',
        bindVars: { '@correlations': this.#collections.correlations, key: documentKey(tenantId, contentId) },
      },
      'read correlation map',
    );
    return map ?? undefined;
  }
}
