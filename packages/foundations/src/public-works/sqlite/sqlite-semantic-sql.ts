import type { SQLInputValue } from 'node:sqlite';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';

// SQL fragments and row mapping of SqliteSemanticStore.

export type Row = Record<string, unknown>;

/**
 * A vector as sqlite-vec reads it: float32 in the machine's byte order, no text to parse.
 * @throws {PlatformError} `VALIDATION_FAILED` for a value beyond float32's range (it would become
 * infinite, and every similarity with it undefined), as pgvector refuses it.
 */
export function vectorBlob(vector: readonly number[]): Uint8Array {
  const floats = Float32Array.from(vector);
  if (!floats.every(Number.isFinite)) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'vector values must be within the float32 range (±3.4e38)', {
      details: { field: 'vector' },
    });
  }
  return new Uint8Array(floats.buffer);
}

/**
 * An FTS5 query in which every word must occur as a plain word. Each word is quoted, so `OR`,
 * `NEAR`, `NOT`, `*`, `-` or `:` in a user's query are never read as operators; the words come
 * from `words()` (letters and digits only), so none can contain a quote.
 */
export function ftsQuery(terms: readonly string[]): string {
  return terms.map((term) => `"${term}"`).join(' ');
}

/** The search filters of the port, as given by a caller (checked here: they reach SQL as values). */
export interface SearchFilters {
  contentId?: string;
  kind?: string;
  model?: string;
  metadata?: Record<string, string | number | boolean>;
}

function filterText(value: unknown, field: string): string {
  if (typeof value !== 'string') {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, `the ${field} filter must be a string`, {
      details: { field },
    });
  }
  return value;
}

/**
 * `and ...` clauses for the optional filters of a search over `platform_embeddings e`, their
 * values appended to `params` in order. Metadata entries match by key, value and JSON type, as
 * Postgres's `@>` does: `true` never matches `1`, nor `"1"` matches `1`.
 */
export function filterClauses(params: SQLInputValue[], filters: SearchFilters): string {
  const clauses: string[] = [];
  for (const field of ['contentId', 'kind', 'model'] as const) {
    if (filters[field] === undefined) continue;
    const column = field === 'contentId' ? 'content_id' : field;
    clauses.push(`and e.${column} = ?`);
    params.push(filterText(filters[field], field));
  }
  const metadata = filters.metadata;
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
    throw new PlatformError(ErrorCode.VALIDATION_FAILED, 'the metadata filter must be an object', {
      details: { field: 'metadata' },
    });
  }
  if (metadata && Object.keys(metadata).length > 0) {
    // No entry of the filter lacks an equal entry in the embedding's metadata.
    clauses.push(`and not exists (
      select 1 from json_each(?) f where not exists (
        select 1 from json_each(e.metadata) m
        where m.key = f.key and m.atom = f.atom
          and (m.type = f.type or (m.type in ('integer', 'real') and f.type in ('integer', 'real')))))`);
    params.push(JSON.stringify(metadata));
  }
  return clauses.join(' ');
}

// Rows of the semantic tables read the same in SQLite as in Postgres (JSON as text, dates as ISO
// text, both of which the Postgres mappers accept).
export { contentFromRow, edgeFromRow, nodeFromRow, resultFromRow } from '../sql/sql-semantic-rows.js';

/**
 * The edges of a tenant leaving (`out`), entering (`in`) or touching (`both`) any node of the
 * JSON array `?2`, optionally of the relations in the JSON array `?3`. Each side is its own
 * indexed query; an edge touching the set at both ends comes from the first side only. (A plain
 * `union` would dedupe by a merge that walks all the tenant's edges in key order.)
 */
export function edgesSql(direction: 'out' | 'in' | 'both', byRelation: boolean): string {
  const relation = byRelation ? ' and relation in (select value from json_each(?3))' : '';
  const side = (column: string) =>
    `select from_id, relation, to_id, properties from platform_graph_edges
     where tenant_id = ?1 and ${column} in (select value from json_each(?2))${relation}`;
  if (direction === 'out') return side('from_id');
  if (direction === 'in') return side('to_id');
  return `${side('from_id')} union all ${side('to_id')} and from_id not in (select value from json_each(?2))`;
}
