import type { SupabaseClient } from '@supabase/supabase-js';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { decodeCursor, encodeCursor } from '../metadata-input.js';
import { type Page, type PageOptions, pageLimit } from '../ports/tenancy.js';
import { keysetFilter, type RestResult, restError } from './supabase-requests.js';

export type Row = Record<string, unknown>;

/** Options of `SupabaseMetadataStore`. */
export interface SupabaseMetadataStoreOptions {
  /** A configured client (service role); otherwise one is made from `url` and `serviceRoleKey`. */
  client?: SupabaseClient;
  /** `https://<project>.supabase.co` (default `SUPABASE_URL`). */
  url?: string;
  /** The service role key (default `SUPABASE_SERVICE_ROLE_KEY`): the store scopes every request by tenant itself. */
  serviceRoleKey?: string;
}

/**
 * The metadata store's way to Supabase: a client made on first use (so `@supabase/supabase-js`,
 * an optional peer, loads only when the adapter is used) and requests whose PostgREST errors
 * become the port's errors.
 */
export class SupabaseConnection {
  readonly #options: SupabaseMetadataStoreOptions;
  #client: SupabaseClient | undefined;

  constructor(options: SupabaseMetadataStoreOptions) {
    this.#options = options;
  }

  async client(): Promise<SupabaseClient> {
    if (this.#client) return this.#client;
    if (this.#options.client) {
      this.#client = this.#options.client;
      return this.#client;
    }
    const url = this.#options.url ?? process.env.SUPABASE_URL;
    const key = this.#options.serviceRoleKey ?? process.env.SUPABASE_SERVICE_ROLE_KEY;
    if (!url || !key) {
      throw new PlatformError(
        ErrorCode.CONFIG_INVALID,
        'supabase: set SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (or pass url and serviceRoleKey)',
        { details: { adapter: 'supabase', missing: [...(url ? [] : ['url']), ...(key ? [] : ['serviceRoleKey'])] } },
      );
    }
    let createClient: typeof import('@supabase/supabase-js').createClient;
    try {
      ({ createClient } = await import('@supabase/supabase-js'));
    } catch (error) {
      throw new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, "supabase: install '@supabase/supabase-js' to use it", {
        details: { adapter: 'supabase' },
        cause: error,
      });
    }
    this.#client = createClient(url, key, { auth: { persistSession: false, autoRefreshToken: false } });
    return this.#client;
  }

  /** Runs a request and answers its rows; PostgREST errors become the port's errors. */
  async rows(what: string, request: (client: SupabaseClient) => PromiseLike<RestResult>): Promise<Row[]> {
    const client = await this.client();
    let result: RestResult;
    try {
      result = await request(client);
    } catch (error) {
      throw new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, `supabase: ${what}: ${(error as Error).message}`, {
        details: { adapter: 'supabase' },
        cause: error,
      });
    }
    if (result.error) throw restError(what, result.error, result.status);
    if (result.data === null || result.data === undefined) return [];
    return (Array.isArray(result.data) ? result.data : [result.data]) as Row[];
  }

  async page<T extends { createdAt: Date; id: string }>(
    table: string,
    filters: Record<string, string>,
    options: PageOptions | undefined,
    direction: 'asc' | 'desc',
    map: (row: Row) => T,
    contains?: { column: string; text: string },
  ): Promise<Page<T>> {
    const limit = pageLimit(options);
    const cursor = decodeCursor(options?.cursor);
    const rows = await this.rows(`list ${table}`, (client) => {
      let query = client.from(table).select('*').match(filters);
      // A case-insensitive regular expression of the text with every special character escaped:
      // PostgREST reads `*` in a LIKE pattern as `%`, with no way to mean a literal `*`.
      if (contains)
        query = query.filter(contains.column, 'imatch', contains.text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      if (cursor) query = query.or(keysetFilter(cursor, direction));
      return query
        .order('created_at', { ascending: direction === 'asc' })
        .order('id', { ascending: direction === 'asc' })
        .limit(limit + 1);
    });
    const records = rows.map(map);
    const items = records.slice(0, limit);
    const last = items.at(-1);
    return records.length > limit && last ? { items, nextCursor: encodeCursor(last.createdAt, last.id) } : { items };
  }
}
