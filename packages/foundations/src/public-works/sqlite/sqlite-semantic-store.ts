import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { ServiceLifecycle } from '../../kernel/service-definition.js';
import { graphNeighbors, prepareGraphTraversal, traverseBreadthFirst } from '../graph-traversal.js';
import { probeHealth } from '../health-probe.js';
import type { GraphEdge, GraphNode, GraphTraversalOptions, SemanticStore } from '../ports/semantic-store.js';
import { assertTenantId, notFound } from '../ports/tenancy.js';
import {
  checkContentId,
  prepareContent,
  prepareEmbeddings,
  prepareGraph,
  prepareSearch,
  prepareTextSearch,
  words,
} from '../semantic-input.js';
import { loadMigrations } from '../sql/migrations.js';
import type { SqliteDatabase } from './sqlite-database.js';
import {
  contentFromRow,
  edgeFromRow,
  edgesSql,
  filterClauses,
  ftsQuery,
  nodeFromRow,
  type Row,
  resultFromRow,
  vectorBlob,
} from './sqlite-semantic-sql.js';
import {
  exactSearch,
  indexedSearch,
  indexPendingRows,
  type VectorQuery,
  writeEmbeddingRows,
} from './sqlite-semantic-vectors.js';
import { openWithSqliteVec, requireSqliteVec, sqliteVecPath } from './sqlite-vec-extension.js';
import { binaryCode, CodeCache } from './sqlite-vector-index.js';

export { sqliteVecPath } from './sqlite-vec-extension.js';

/** Options of {@link SqliteSemanticStore}. */
export interface SqliteSemanticStoreOptions {
  /**
   * The database file to open in `initialize()` (created with its directory when missing);
   * `:memory:` (the default) for a private in-memory database. Ignored when `database` is given.
   */
  path?: string;
  /**
   * An open connection to use instead, e.g. the one the metadata store uses, so both live in one
   * file. It must have sqlite-vec loaded: open it with `extensions: [sqliteVecPath()]`.
   */
  database?: SqliteDatabase;
  /** Apply the package's `sqlite-semantic` migrations in `initialize()`. Default `true`. */
  migrate?: boolean;
  /** Close the connection in `shutdown()`. Default: only a connection the store opened itself. */
  ownsDatabase?: boolean;
  /** sqlite-vec's loadable library; default the build the `sqlite-vec` package installed for this platform. */
  extensionPath?: string;
  /**
   * `binary` (default): vector search ranks the tenant's binary codes (the signs of a fixed random
   * rotation of each vector, 512 bits at 384 dimensions, kept in the same file and transactions
   * as the rows) by Hamming distance, then rescores the `searchCandidates` nearest exactly from
   * their float32 vectors: recall@10 about 0.99 on sentence-embedding-shaped data at 100k
   * vectors, in a few ms (see docs/adr/0021). Tenants of up to 2000 vectors, and filters that leave few rows, are
   * searched exactly. `none`: every search is exact, and writes maintain no codes.
   */
  vectorIndex?: 'binary' | 'none';
  /**
   * Candidates rescored exactly per search with the binary index (at least 10 per requested
   * result). More finds more of the true nearest neighbours and costs time. Default 1000.
   */
  searchCandidates?: number;
}

const DEFAULT_SEARCH_CANDIDATES = 1000;
// Rows indexed per write transaction when an existing database is indexed on start.
const INDEX_BATCH_ROWS = 2000;
// Codes kept in memory for searches: 64 MB holds the codes and row ids of about 900,000 vectors
// of up to 512 dimensions (72 bytes each).
const CODE_CACHE_BYTES = 64 * 1024 * 1024;

/**
 * A {@link SemanticStore} in one SQLite file through `node:sqlite`, several processes sharing it
 * safely. Vectors are float32 blobs scored by sqlite-vec's `vec_distance_cosine`; a binary-code
 * index in the same file and transactions picks which of the tenant's rows to score (see
 * {@link SqliteSemanticStoreOptions.vectorIndex}, docs/adr/0021). No filter cuts a result list
 * short, and nothing of another tenant is returned: codes are kept per tenant, and every row is
 * checked again for its tenant. Keyword search uses an FTS5 index;
 * its score depends only on the matching text (see {@link SqliteSemanticStore.searchText}), never
 * on other tenants' texts.
 */
export class SqliteSemanticStore implements SemanticStore, ServiceLifecycle {
  readonly kind = 'sqlite+sqlite-vec';
  readonly #options: SqliteSemanticStoreOptions;
  readonly #indexed: boolean;
  readonly #candidates: number;
  readonly #codes = new CodeCache(CODE_CACHE_BYTES);
  #database: SqliteDatabase | undefined;
  #ownsDatabase: boolean;

  /** @throws {PlatformError} `VALIDATION_FAILED` for an unknown `vectorIndex` or a `searchCandidates` outside 10-100000. */
  constructor(options: SqliteSemanticStoreOptions = {}) {
    this.#options = options;
    this.#database = options.database;
    this.#ownsDatabase = options.ownsDatabase ?? options.database === undefined;
    const vectorIndex = options.vectorIndex ?? 'binary';
    const candidates = options.searchCandidates ?? DEFAULT_SEARCH_CANDIDATES;
    if (
      (vectorIndex !== 'binary' && vectorIndex !== 'none') ||
      !Number.isInteger(candidates) ||
      candidates < 10 ||
      candidates > 100_000
    ) {
      throw new PlatformError(
        ErrorCode.VALIDATION_FAILED,
        `semantic store: vectorIndex must be 'binary' or 'none' and searchCandidates a whole number from 10 to 100000`,
        { details: { field: 'vectorIndex' } },
      );
    }
    this.#indexed = vectorIndex === 'binary';
    this.#candidates = candidates;
  }

  /**
   * Opens the database (unless one was given), checks that sqlite-vec is loaded, then applies the
   * semantic migrations.
   * @throws {PlatformError} `ADAPTER_UNAVAILABLE` naming the cause when sqlite-vec cannot be loaded
   * or the file cannot be opened.
   */
  async initialize(): Promise<void> {
    if (!this.#database || (this.#ownsDatabase && this.#database.closed)) {
      const extension = this.#options.extensionPath ?? (await sqliteVecPath());
      this.#database = await openWithSqliteVec(this.#options.path ?? ':memory:', extension);
    }
    const db = this.#database;
    requireSqliteVec(db);
    if (this.#options.migrate ?? true) await db.applyMigrations(loadMigrations('sqlite-semantic'));
    // Rows without a code (a database from before the index, or written with vectorIndex 'none')
    // are indexed now, in short transactions; a search meanwhile rescores them exactly anyway.
    if (this.#indexed && db.get('select 1 from platform_embeddings where code_chunk is null limit 1')) {
      while ((await db.write(() => indexPendingRows(db, INDEX_BATCH_ROWS))) > 0);
    }
  }

  async shutdown(): Promise<void> {
    this.#codes.clear();
    if (this.#ownsDatabase) this.#database?.close();
  }

  /** Unhealthy, with the reason, when the database does not answer (closed, or never opened). */
  health() {
    return probeHealth(async () => this.#db.get('select 1'));
  }

  get #db(): SqliteDatabase {
    if (!this.#database) {
      throw new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, 'semantic store: call initialize() before use', {
        details: { adapter: 'sqlite' },
      });
    }
    return this.#database;
  }

  /** Throws `NOT_FOUND` unless the content exists; called inside a write, so it cannot vanish meanwhile. */
  #requireContent(tenantId: string, contentId: string): void {
    const found = this.#db.get(
      'select 1 from platform_semantic_contents where tenant_id = ? and content_id = ?',
      tenantId,
      contentId,
    );
    if (!found) throw notFound('content', tenantId, contentId);
  }

  async upsertContent(input: Parameters<SemanticStore['upsertContent']>[0]) {
    const record = prepareContent(input, new Date());
    const now = record.createdAt.toISOString();
    const row = await this.#db.write(() =>
      this.#db.get<Row>(
        `insert into platform_semantic_contents (tenant_id, content_id, file_id, kind, title, metadata, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?)
         on conflict (tenant_id, content_id) do update set file_id = excluded.file_id, kind = excluded.kind,
           title = excluded.title, metadata = excluded.metadata, updated_at = excluded.updated_at
         returning *`,
        record.tenantId,
        record.contentId,
        record.fileId ?? null,
        record.kind,
        record.title ?? null,
        JSON.stringify(record.metadata),
        now,
        now,
      ),
    );
    return contentFromRow(row as Row);
  }

  async getContent(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    const row = this.#db.get<Row>(
      'select * from platform_semantic_contents where tenant_id = ? and content_id = ?',
      tenantId,
      contentId,
    );
    if (!row) throw notFound('content', tenantId, contentId);
    return contentFromRow(row);
  }

  async listContent(tenantId: string, filter: { fileId?: string } = {}) {
    assertTenantId(tenantId);
    const rows =
      filter.fileId === undefined
        ? this.#db.all<Row>(
            'select * from platform_semantic_contents where tenant_id = ? order by created_at, content_id',
            tenantId,
          )
        : this.#db.all<Row>(
            'select * from platform_semantic_contents where tenant_id = ? and file_id = ? order by created_at, content_id',
            tenantId,
            String(filter.fileId),
          );
    return rows.map(contentFromRow);
  }

  async deleteContent(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    // One statement: foreign keys cascade to the embeddings (their triggers to the keyword index),
    // nodes and edges within it.
    const deleted = await this.#db.write(() =>
      this.#db.run(
        'delete from platform_semantic_contents where tenant_id = ? and content_id = ?',
        tenantId,
        contentId,
      ),
    );
    return deleted > 0;
  }

  async upsertEmbeddings(
    tenantId: string,
    contentId: string,
    embeddings: Parameters<SemanticStore['upsertEmbeddings']>[2],
  ) {
    checkContentId(tenantId, contentId);
    const parsed = prepareEmbeddings(embeddings);
    if (parsed.length === 0) return 0;
    // Everything that can be computed is, before the write lock is taken.
    const dimensions = (parsed[0] as (typeof parsed)[number]).vector.length;
    const blobs = parsed.map((embedding) => vectorBlob(embedding.vector));
    const codes = this.#indexed ? blobs.map((blob) => binaryCode(new Float32Array(blob.buffer, 0, dimensions))) : [];
    const rows = parsed.map((embedding, index) => [
      embedding.id,
      dimensions,
      blobs[index] as Uint8Array,
      embedding.kind,
      embedding.ref,
      embedding.model,
      JSON.stringify(embedding.metadata),
      embedding.text === undefined ? 0 : words(embedding.text).length,
      embedding.text ?? null,
    ]);
    const db = this.#db;
    await db.write(() => {
      this.#requireContent(tenantId, contentId);
      writeEmbeddingRows(db, { tenantId, contentId, dimensions }, rows, this.#indexed ? codes : undefined);
    });
    return parsed.length;
  }

  /**
   * The nearest embeddings of the tenant, by cosine similarity; a stored zero vector has no
   * direction and scores 0. With the binary index (default), an oversampled candidate list is
   * rescored exactly, so scores are exact and the ranking approximate only in which neighbours are
   * found; filters never shorten the list, and only the tenant's own codes and rows are read. With
   * `vectorIndex: 'none'`, every vector of the query's dimension that passes the filters is compared.
   */
  async search(tenantId: string, vector: readonly number[], options: Parameters<SemanticStore['search']>[2] = {}) {
    assertTenantId(tenantId);
    const prepared = prepareSearch(vector, options);
    filterClauses([], options); // checks the filters before any path is chosen
    const blob = vectorBlob(prepared.vector);
    const query: VectorQuery = {
      tenantId,
      floats: new Float32Array(blob.buffer, 0, prepared.vector.length),
      blob,
      limit: prepared.limit,
      filters: options,
    };
    const rows = this.#indexed
      ? indexedSearch(this.#db, this.#codes, query, this.#candidates)
      : exactSearch(this.#db, query);
    return rows.map(resultFromRow);
  }

  /**
   * Keyword search. Every word must occur; the score is the number of occurrences of the words
   * divided by the square root of the text's word count (as the in-memory store scores), so more
   * occurrences in a shorter text rank first. FTS5's bm25 is not used: its weights come from
   * statistics over every tenant's texts, which one tenant's scores would then reveal.
   */
  async searchText(tenantId: string, query: string, options: Parameters<SemanticStore['searchText']>[2] = {}) {
    assertTenantId(tenantId);
    const { terms, limit } = prepareTextSearch(query, options);
    const params: (string | number)[] = [ftsQuery(terms), tenantId];
    const filters = filterClauses(params, options);
    params.push(limit);
    // highlight() wraps each occurrence it matched in two one-byte markers: the bytes it adds count
    // the occurrences, in C, for the tenant's matching rows only.
    const rows = this.#db.all<Row>(
      `select e.content_id, e.id, e.kind, e.ref, e.text, e.model, e.metadata,
         (octet_length(highlight(platform_embeddings_fts, 0, char(1), char(2))) - octet_length(e.text)) / 2.0
           / sqrt(max(e.text_words, 1)) as score
       from platform_embeddings_fts join platform_embeddings e on e.row_id = platform_embeddings_fts.rowid
       where platform_embeddings_fts match ? and e.tenant_id = ? ${filters}
       order by score desc, e.id, e.content_id limit ?`,
      ...params,
    );
    return rows.map(resultFromRow);
  }

  async countEmbeddings(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    const row = this.#db.get<{ count: number }>(
      'select count(*) as count from platform_embeddings where tenant_id = ? and content_id = ?',
      tenantId,
      contentId,
    );
    return Number(row?.count ?? 0);
  }

  async upsertGraph(tenantId: string, contentId: string, graph: Parameters<SemanticStore['upsertGraph']>[2]) {
    checkContentId(tenantId, contentId);
    const { nodes, edges } = prepareGraph(graph);
    // Upserted one by one in order: a node or edge given twice keeps its last version.
    await this.#db.write(() => {
      this.#requireContent(tenantId, contentId);
      for (const node of nodes) {
        this.#db.run(
          `insert into platform_graph_nodes (tenant_id, id, content_id, kind, label, properties) values (?, ?, ?, ?, ?, ?)
           on conflict (tenant_id, id) do update set content_id = excluded.content_id, kind = excluded.kind,
             label = excluded.label, properties = excluded.properties`,
          tenantId,
          node.id,
          contentId,
          node.kind,
          node.label,
          JSON.stringify(node.properties),
        );
      }
      for (const edge of edges) {
        this.#db.run(
          `insert into platform_graph_edges (tenant_id, content_id, from_id, relation, to_id, properties)
           values (?, ?, ?, ?, ?, ?)
           on conflict (tenant_id, from_id, relation, to_id) do update set content_id = excluded.content_id,
             properties = excluded.properties`,
          tenantId,
          contentId,
          edge.from,
          edge.relation,
          edge.to,
          JSON.stringify(edge.properties),
        );
      }
    });
  }

  #edgesAt(
    tenantId: string,
    ids: readonly string[],
    direction: 'out' | 'in' | 'both',
    relations?: readonly string[],
  ): GraphEdge[] {
    const sql = edgesSql(direction, relations !== undefined);
    const params = [tenantId, JSON.stringify(ids), ...(relations === undefined ? [] : [JSON.stringify(relations)])];
    return this.#db.all<Row>(sql, ...params).map(edgeFromRow);
  }

  #nodes(tenantId: string, ids: readonly string[]): GraphNode[] {
    if (ids.length === 0) return [];
    return this.#db
      .all<Row>(
        `select id, kind, label, properties from platform_graph_nodes
         where tenant_id = ? and id in (select value from json_each(?)) order by id`,
        tenantId,
        JSON.stringify(ids),
      )
      .map(nodeFromRow);
  }

  async neighbors(tenantId: string, nodeId: string, options: Parameters<SemanticStore['neighbors']>[2] = {}) {
    checkContentId(tenantId, nodeId);
    return graphNeighbors(
      nodeId,
      options,
      async (ids, direction, relations) => this.#edgesAt(tenantId, ids, direction, relations),
      async (ids) => this.#nodes(tenantId, ids),
    );
  }

  async traverse(tenantId: string, startId: string, options?: GraphTraversalOptions) {
    const traversal = prepareGraphTraversal(tenantId, startId, options);
    return traverseBreadthFirst(
      startId,
      traversal,
      async (ids) => this.#edgesAt(tenantId, ids, traversal.direction, traversal.relations),
      async (ids) => this.#nodes(tenantId, ids),
    );
  }

  async putCorrelationMap(tenantId: string, contentId: string, map: Record<string, unknown>) {
    checkContentId(tenantId, contentId);
    const changed = await this.#db.write(() =>
      this.#db.run(
        'update platform_semantic_contents set correlation_map = ? where tenant_id = ? and content_id = ?',
        JSON.stringify(map),
        tenantId,
        contentId,
      ),
    );
    if (changed === 0) throw notFound('content', tenantId, contentId);
  }

  async getCorrelationMap(tenantId: string, contentId: string) {
    checkContentId(tenantId, contentId);
    const row = this.#db.get<{ correlation_map: string | null }>(
      'select correlation_map from platform_semantic_contents where tenant_id = ? and content_id = ?',
      tenantId,
      contentId,
    );
    return row?.correlation_map == null ? undefined : (JSON.parse(row.correlation_map) as Record<string, unknown>);
  }
}
