import { decodeCursor, encodeCursor } from '../metadata-input.js';
import { type Page, type PageOptions, pageLimit } from '../ports/tenancy.js';
import type { SqlExecutor } from './driver.js';

type Row = Record<string, unknown>;

/**
 * One page of `base` (a `select ... where ...` whose values are `params`), keyset-paged over
 * (created_at, id) in `direction` after the cursor of `options`.
 */
export async function selectPage<T extends { createdAt: Date; id: string }>(
  db: SqlExecutor,
  base: string,
  params: unknown[],
  options: PageOptions | undefined,
  direction: 'asc' | 'desc',
  map: (row: Row) => T,
): Promise<Page<T>> {
  const limit = pageLimit(options);
  const cursor = decodeCursor(options?.cursor);
  const values = [...params];
  let sql = base;
  if (cursor) {
    values.push(cursor.at.toISOString(), cursor.id);
    sql += ` and (created_at, id) ${direction === 'asc' ? '>' : '<'} ($${values.length - 1}::timestamptz, $${values.length})`;
  }
  values.push(limit + 1);
  sql += ` order by created_at ${direction}, id ${direction} limit $${values.length}`;
  const rows = (await db.query<Row>(sql, values)).rows.map(map);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return rows.length > limit && last ? { items, nextCursor: encodeCursor(last.createdAt, last.id) } : { items };
}
