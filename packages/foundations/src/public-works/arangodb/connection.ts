import type { Database } from 'arangojs';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import { parseArangoUrl } from './options.js';

/**
 * A database handle for `arangodb://user:pass@host:8529/db?...`. `arangojs`, an optional peer,
 * is loaded here on first use, so hosts without the adapter never need it.
 * @throws {PlatformError} `ADAPTER_UNAVAILABLE` when `arangojs` is not installed.
 */
export async function connectArango(url: string): Promise<Database> {
  let DatabaseClass: typeof Database;
  try {
    ({ Database: DatabaseClass } = await import('arangojs'));
  } catch (error) {
    throw new PlatformError(ErrorCode.ADAPTER_UNAVAILABLE, "arangodb: install 'arangojs' to use it", {
      details: { adapter: 'arangodb' },
      cause: error,
    });
  }
  const { url: serverUrl, databaseName, username, password } = parseArangoUrl(url);
  return new DatabaseClass({
    url: serverUrl,
    databaseName,
    ...(username ? { auth: { username, password: password ?? '' } } : {}),
  });
}
