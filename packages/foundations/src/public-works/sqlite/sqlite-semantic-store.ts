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
import { openWithSqliteVec, requireSqliteVec, sqliteVecPath } from './sqlite-vec-extension.js';

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
}

/**
 * A {@link SemanticStore} in one SQLite file through `node:sqlite`, several processes sharing it
 * safely. Vectors are float32 blobs ranked by sqlite-vec's `vec_distance_cosine` over the tenant's
 * rows of the query's dimension: an exact search, so no tenant or metadata filter can cut a result
 * list short, and nothing of another tenant is ever read. Keyword search uses an FTS5 index;
 * its score depends only on the matching text (see {@link SqliteSemanticStore.searchText}), never
 * on other tenants' texts.
 */
export class SqliteSemanticStore implements SemanticStore, ServiceLifecycle {
  readonly kind = 'sqlite+sqlite-vec';
  readonly #options: SqliteSemanticStoreOptions;
  #database: SqliteDatabase | undefined;
  #ownsDatabase: boolean;

  constructor(options: SqliteSemanticStoreOptions = {}) {
    this.#options = options;
    this.#database = options.database;
    this.#ownsDatabase = options.ownsDatabase ?? options.database === undefined;
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
  }

  async shutdown(): Promise<void> {
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
    const rows = parsed.map((embedding) => [
      embedding.id,
      embedding.vector.length,
      vectorBlob(embedding.vector),
      embedding.kind,
      embedding.ref,
      embedding.model,
      JSON.stringify(embedding.metadata),
      embedding.text === undefined ? 0 : words(embedding.text).length,
      embedding.text ?? null,
    ]);
    await this.#db.write(() => {
      this.#requireContent(tenantId, contentId);
      for (const row of rows) {
        this.#db.run(
          `insert into platform_embeddings
             (tenant_id, content_id, id, dimensions, embedding, kind, ref, model, metadata, text_words, text)
           values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           on conflict (tenant_id, content_id, id) do update set dimensions = excluded.dimensions,
             embedding = excluded.embedding, kind = excluded.kind, ref = excluded.ref, model = excluded.model,
             metadata = excluded.metadata, text_words = excluded.text_words, text = excluded.text`,
          tenantId,
          contentId,
          ...row,
        );
      }
    });
    return parsed.length;
  }

  /**
   * The nearest embeddings of the tenant, exact: every vector of the query's dimension that
   * passes the filters is compared. A stored zero vector has no direction; it scores 0.
   */
  async search(tenantId: string, vector: readonly number[], options: Parameters<SemanticStore['search']>[2] = {}) {
    assertTenantId(tenantId);
    const query = prepareSearch(vector, options);
    const params: (string | number | Uint8Array)[] = [vectorBlob(query.vector), tenantId, query.vector.length];
    const filters = filterClauses(params, options);
    params.push(query.limit);
    const rows = this.#db.all<Row>(
      `select content_id, id, kind, ref, text, model, metadata,
         1 - coalesce(vec_distance_cosine(embedding, ?), 1) as score
       from platform_embeddings e
       where tenant_id = ? and dimensions = ? ${filters}
       order by score desc, id, content_id limit ?`,
      ...params,
    );
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
