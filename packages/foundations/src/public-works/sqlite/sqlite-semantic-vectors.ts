import type { SQLInputValue } from 'node:sqlite';
import type { SqliteDatabase } from './sqlite-database.js';
import { filterClauses, type Row, type SearchFilters } from './sqlite-semantic-sql.js';
import {
  allocateSlots,
  binaryCode,
  type CodeCache,
  indexedCount,
  rankByCodeDistance,
  writeCodes,
} from './sqlite-vector-index.js';

// Vector writes and search of SqliteSemanticStore. Search is exact, or through the binary-code
// index with exact rescoring (docs/adr/0021); both rank by the same SQL expression, so their
// scores are identical.

/** At or below this many rows (of the tenant and dimension, or passing a kind/model filter), search exactly: it costs a few ms. */
export const EXACT_SEARCH_MAX_ROWS = 2000;

const SCORE = '1 - coalesce(vec_distance_cosine(e.embedding, ?), 1)';
const RESULT_COLUMNS = 'e.content_id, e.id, e.kind, e.ref, e.text, e.model, e.metadata';

export interface VectorQuery {
  tenantId: string;
  /** The query as float32, and its blob for sqlite-vec. */
  floats: Float32Array;
  blob: Uint8Array;
  limit: number;
  filters: SearchFilters;
}

/** Every row of the tenant and dimension that passes the filters is compared. */
export function exactSearch(db: SqliteDatabase, query: VectorQuery): Row[] {
  const params: SQLInputValue[] = [query.blob, query.tenantId, query.floats.length];
  const filters = filterClauses(params, query.filters);
  params.push(query.limit);
  // With a content filter, `+` keeps the planner on the (tenant, content) index: a few rows, not the tenant's all.
  const dimensions = query.filters.contentId === undefined ? 'e.dimensions' : '+e.dimensions';
  return db.all<Row>(
    `select ${RESULT_COLUMNS}, ${SCORE} as score from platform_embeddings e
     where e.tenant_id = ? and ${dimensions} = ? ${filters}
     order by score desc, e.id, e.content_id limit ?`,
    ...params,
  );
}

/** Whether a filter alone leaves so few rows (found through an index) that an exact search is cheapest. */
function selectiveFilter(db: SqliteDatabase, query: VectorQuery): boolean {
  const { contentId, kind, model } = query.filters;
  if (contentId !== undefined) return true;
  if (kind === undefined && model === undefined) return false;
  const params: SQLInputValue[] = [query.tenantId, query.floats.length];
  const clauses = filterClauses(params, {
    ...(kind === undefined ? {} : { kind }),
    ...(model === undefined ? {} : { model }),
  });
  params.push(EXACT_SEARCH_MAX_ROWS + 1);
  const row = db.get<{ count: number }>(
    `select count(*) as count from (select 1 from platform_embeddings e where e.tenant_id = ? and e.dimensions = ? ${clauses} limit ?)`,
    ...params,
  );
  return Number(row?.count ?? 0) <= EXACT_SEARCH_MAX_ROWS;
}

interface Scored {
  row_id: number;
  id: string;
  content_id: string;
  score: number;
}

function rescore(db: SqliteDatabase, query: VectorQuery, rowIds: ArrayLike<number>): Scored[] {
  if (rowIds.length === 0) return [];
  const params: SQLInputValue[] = [query.blob, JSON.stringify(Array.from(rowIds)), query.tenantId, query.floats.length];
  const filters = filterClauses(params, query.filters);
  // The tenant and dimension are checked again on every row: a row id is only a hint. Their `+`
  // keeps the planner on the row ids: the (tenant, dimension) index would walk the tenant's rows.
  return db.all<Scored>(
    `select e.row_id, e.id, e.content_id, ${SCORE} as score from platform_embeddings e
     where e.row_id in (select value from json_each(?)) and +e.tenant_id = ? and +e.dimensions = ? ${filters}`,
    ...params,
  );
}

const byRank = (a: Scored, b: Scored) =>
  b.score - a.score ||
  (a.id < b.id ? -1 : a.id > b.id ? 1 : a.content_id < b.content_id ? -1 : a.content_id > b.content_id ? 1 : 0);

/**
 * Approximate search with exact scores: the `candidates` rows of nearest binary code (plus rows
 * not indexed yet) are rescored from their float32 vectors. With a filter, candidates are taken in
 * code order until `candidates` of them pass (as many as an unfiltered search rescores), so a
 * filter never shortens the list; when that would reach half the tenant's rows, the search is
 * exact instead. Each step after the first is sized by the pass rate seen so far.
 */
export function indexedSearch(db: SqliteDatabase, cache: CodeCache, query: VectorQuery, candidates: number): Row[] {
  const dimensions = query.floats.length;
  const wanted = Math.max(candidates, query.limit * 10);
  const total = indexedCount(db, query.tenantId, dimensions);
  if (total <= Math.max(EXACT_SEARCH_MAX_ROWS, wanted) || selectiveFilter(db, query)) return exactSearch(db, query);
  const ranking = rankByCodeDistance(
    cache.chunks(db, query.tenantId, dimensions),
    binaryCode(query.floats),
    cache.rankingBuffers,
  );
  const { kind, model, metadata } = query.filters;
  const filtered = kind !== undefined || model !== undefined || Object.keys(metadata ?? {}).length > 0;
  const need = filtered ? wanted : query.limit;
  const unindexed = db
    .all<{ row_id: number }>(
      'select row_id from platform_embeddings where tenant_id = ? and dimensions = ? and code_chunk is null',
      query.tenantId,
      dimensions,
    )
    .map((row) => row.row_id);
  const found = rescore(db, query, unindexed);
  let passing = 0;
  let checked = 0;
  let step = wanted;
  while (passing < need && checked < ranking.length) {
    if (checked + step > ranking.length / 2) return exactSearch(db, query);
    const batch = rescore(db, query, ranking.slice(checked, checked + step));
    for (const row of batch) found.push(row);
    passing += batch.length;
    checked += step;
    // The next step aims at the rows still needed, at the pass rate seen so far (plus a margin).
    step = Math.ceil(((need - passing) / Math.max(passing / checked, 1 / ranking.length)) * 1.25);
  }
  // A row id seen twice (a row moved between slots by another process meanwhile) counts once.
  const seen = new Set<number>();
  const top = found
    .sort(byRank)
    .filter((row) => !seen.has(row.row_id) && seen.add(row.row_id))
    .slice(0, query.limit);
  if (top.length === 0) return [];
  const rows = db.all<Row & { row_id: number }>(
    `select e.row_id, ${RESULT_COLUMNS}, ${SCORE} as score from platform_embeddings e
     where e.row_id in (select value from json_each(?)) and +e.tenant_id = ?`,
    query.blob,
    JSON.stringify(top.map((row) => row.row_id)),
    query.tenantId,
  );
  const byId = new Map(rows.map((row) => [row.row_id, row]));
  return top.flatMap((row) => byId.get(row.row_id) ?? []);
}

/**
 * Gives slots to up to `max` rows without one (written before the index existed, or by a store
 * with `vectorIndex: 'none'`), of one tenant and dimension or of all. Call inside a write
 * transaction. Returns how many were indexed.
 */
export function indexPendingRows(
  db: SqliteDatabase,
  max: number,
  only?: { tenantId: string; dimensions: number },
): number {
  const rows = only
    ? db.all<{ row_id: number; tenant_id: string; dimensions: number; embedding: Uint8Array }>(
        `select row_id, tenant_id, dimensions, embedding from platform_embeddings
         where tenant_id = ? and dimensions = ? and code_chunk is null limit ?`,
        only.tenantId,
        only.dimensions,
        max,
      )
    : db.all<{ row_id: number; tenant_id: string; dimensions: number; embedding: Uint8Array }>(
        'select row_id, tenant_id, dimensions, embedding from platform_embeddings where code_chunk is null limit ?',
        max,
      );
  const groups = new Map<string, typeof rows>();
  for (const row of rows) {
    const key = JSON.stringify([row.tenant_id, row.dimensions]);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  for (const group of groups.values()) {
    const { tenant_id: tenantId, dimensions } = group[0] as (typeof rows)[number];
    const slots = allocateSlots(db, tenantId, dimensions, group.length);
    const entries = group.map((row, index) => {
      const slot = slots[index] as { chunk: number; slot: number };
      db.run(
        'update platform_embeddings set code_chunk = ?, code_slot = ? where row_id = ?',
        slot.chunk,
        slot.slot,
        row.row_id,
      );
      const bytes = row.embedding.slice();
      return { rowId: row.row_id, slot, code: binaryCode(new Float32Array(bytes.buffer, 0, dimensions)) };
    });
    writeCodes(db, tenantId, dimensions, entries);
  }
  return rows.length;
}

/**
 * Upserts embedding rows (columns from `id` to `text`) of one content and dimension, giving each a
 * new slot with its code when `codes` are given (`undefined`: no index). Call inside the write
 * transaction, after checking that the content exists.
 */
export function writeEmbeddingRows(
  db: SqliteDatabase,
  target: { tenantId: string; contentId: string; dimensions: number },
  rows: readonly SQLInputValue[][],
  codes: readonly Uint32Array[] | undefined,
): void {
  const { tenantId, contentId, dimensions } = target;
  const slots = codes ? allocateSlots(db, tenantId, dimensions, rows.length) : [];
  // A row given a new slot leaves its old one (trigger platform_embeddings_code_move).
  const rowIds = rows.map((row, index) => {
    const slot = slots[index];
    return db.get<{ row_id: number }>(
      `insert into platform_embeddings
         (tenant_id, content_id, id, dimensions, embedding, kind, ref, model, metadata, text_words, text,
          code_chunk, code_slot)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (tenant_id, content_id, id) do update set dimensions = excluded.dimensions,
         embedding = excluded.embedding, kind = excluded.kind, ref = excluded.ref, model = excluded.model,
         metadata = excluded.metadata, text_words = excluded.text_words, text = excluded.text,
         code_chunk = excluded.code_chunk, code_slot = excluded.code_slot
       returning row_id`,
      tenantId,
      contentId,
      ...row,
      slot?.chunk ?? null,
      slot?.slot ?? null,
    )?.row_id as number;
  });
  if (!codes) return;
  writeCodes(
    db,
    tenantId,
    dimensions,
    rowIds.map((rowId, index) => ({
      rowId,
      slot: slots[index] as { chunk: number; slot: number },
      code: codes[index] as Uint32Array,
    })),
  );
  // Rows another store left without a code are indexed a few at a time along the way.
  indexPendingRows(db, 100, { tenantId, dimensions });
}
