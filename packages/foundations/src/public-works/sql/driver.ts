/** Rows and affected-row count of one statement. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** Runs statements: a connection, a pool, or a transaction. */
export interface SqlExecutor {
  /** Runs one statement with `$1, $2, ...` parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/**
 * The small surface the SQL adapters need from a Postgres-compatible database. Implemented for
 * PGlite (embedded) and for `pg` (any Postgres, Supabase's included); a third-party driver
 * passes the same conformance suites by implementing these three methods.
 */
export interface SqlDriver extends SqlExecutor {
  /** `pglite`, `postgres`, ... */
  readonly kind: string;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Releases connections (or the embedded database). */
  close(): Promise<void>;
}

/** The Postgres error code of a driver error (`23505` unique violation, ...), if it has one. */
export function sqlErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
