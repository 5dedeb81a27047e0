import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { SqliteDatabase } from './sqlite-database.js';

// Loading sqlite-vec, the extension SqliteSemanticStore's vector search runs on.

/**
 * The path of sqlite-vec's loadable library for this platform, for the `extensions` of
 * `SqliteDatabase.open` when the semantic store shares a connection.
 * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the `sqlite-vec` package has no build for this platform.
 */
export async function sqliteVecPath(): Promise<string> {
  try {
    // Loaded on first use: a host whose semantic store is remote never resolves the native build.
    const sqliteVec = await import('sqlite-vec');
    return sqliteVec.getLoadablePath();
  } catch (error) {
    throw new PlatformError(
      ErrorCode.ADAPTER_UNAVAILABLE,
      `semantic store: the sqlite-vec extension is not available: ${(error as Error).message}`,
      { details: { adapter: 'sqlite', missingExtension: 'sqlite-vec' }, cause: error },
    );
  }
}

/** @throws {PlatformError} `ADAPTER_UNAVAILABLE` naming the cause when the file cannot be opened with the extension. */
export async function openWithSqliteVec(path: string, extension: string): Promise<SqliteDatabase> {
  try {
    return await SqliteDatabase.open({ path, extensions: [extension] });
  } catch (error) {
    throw new PlatformError(
      ErrorCode.ADAPTER_UNAVAILABLE,
      `semantic store: cannot open '${path}' with the sqlite-vec extension (${extension}): ${(error as Error).message}`,
      { details: { adapter: 'sqlite', path, extension }, cause: error },
    );
  }
}

/** @throws {PlatformError} `ADAPTER_UNAVAILABLE` when the connection has no sqlite-vec loaded. */
export function requireSqliteVec(db: SqliteDatabase): void {
  try {
    db.get('select vec_version()');
  } catch (error) {
    if (error instanceof PlatformError) throw error; // closed: not a missing extension
    throw new PlatformError(
      ErrorCode.ADAPTER_UNAVAILABLE,
      `semantic store: the SQLite connection to '${db.path}' has no sqlite-vec extension, which vector search ` +
        `needs; open it with extensions: [await sqliteVecPath()] (${(error as Error).message})`,
      { details: { adapter: 'sqlite', path: db.path, missingExtension: 'sqlite-vec' }, cause: error },
    );
  }
}
