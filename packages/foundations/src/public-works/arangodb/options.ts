import type { Database } from 'arangojs';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { ArangoVectorIndexOptions } from './vector-index.js';

/** Options of `ArangoSemanticStore`. */
export interface ArangoSemanticStoreOptions {
  /** A configured arangojs `Database`; otherwise one is made from `url`. */
  database?: Database;
  /** `http(s)://user:password@host:8529/database` (credentials and database from the URL). */
  url?: string;
  /** Prefix of the collection and graph names (letters, digits, underscores). Default `platform_`. */
  prefix?: string;
  /**
   * Search through ArangoDB's approximate vector index (3.12.6 or later, started with
   * `--vector-index`, or `--experimental-vector-index` before 3.12.9). Without it, or while the
   * index cannot be used, vector search is exact. See {@link ArangoVectorIndexOptions}.
   */
  vectorIndex?: ArangoVectorIndexOptions;
}

/**
 * `arangodb://user:pass@host:8529/db?prefix=&vectorDimension=&nLists=&nProbe=` → the server URL,
 * the database, the credentials and the store options, kept apart.
 */
export function parseArangoUrl(url: string): {
  url: string;
  databaseName: string;
  username?: string;
  password?: string;
  options: Pick<ArangoSemanticStoreOptions, 'prefix' | 'vectorIndex'>;
} {
  let parsed: URL;
  try {
    parsed = new URL(
      url.replace(/^arangodb(\+ssl)?:/, (_match, ssl: string | undefined) => (ssl ? 'https:' : 'http:')),
    );
  } catch {
    throw new PlatformError(ErrorCode.CONFIG_INVALID, 'arangodb: the URL cannot be parsed', {
      details: { adapter: 'arangodb' },
    });
  }
  const databaseName = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, '')) || '_system';
  const username = parsed.username ? decodeURIComponent(parsed.username) : undefined;
  const password = parsed.password ? decodeURIComponent(parsed.password) : undefined;
  return {
    url: `${parsed.protocol}//${parsed.host}`,
    databaseName,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    options: storeOptionsOf(parsed.searchParams),
  };
}

const URL_NUMBERS = { vectorDimension: 'dimension', nLists: 'nLists', nProbe: 'nProbe' } as const;

function storeOptionsOf(params: URLSearchParams): Pick<ArangoSemanticStoreOptions, 'prefix' | 'vectorIndex'> {
  const vector: Partial<ArangoVectorIndexOptions> = {};
  let prefix: string | undefined;
  for (const [name, value] of params) {
    if (name === 'prefix') prefix = value;
    else if (name in URL_NUMBERS) {
      const number = Number(value);
      if (value.trim() === '' || !Number.isInteger(number)) {
        throw new PlatformError(ErrorCode.CONFIG_INVALID, `arangodb: URL parameter ${name} must be an integer`, {
          details: { adapter: 'arangodb', field: name },
        });
      }
      vector[URL_NUMBERS[name as keyof typeof URL_NUMBERS]] = number;
    } else {
      throw new PlatformError(
        ErrorCode.CONFIG_INVALID,
        `arangodb: unknown URL parameter '${name}' (known: prefix, ${Object.keys(URL_NUMBERS).join(', ')})`,
        { details: { adapter: 'arangodb', field: name } },
      );
    }
  }
  if (Object.keys(vector).length > 0 && vector.dimension === undefined) {
    throw new PlatformError(ErrorCode.CONFIG_INVALID, 'arangodb: nLists and nProbe need vectorDimension', {
      details: { adapter: 'arangodb', field: 'vectorDimension' },
    });
  }
  return {
    ...(prefix !== undefined ? { prefix } : {}),
    ...(vector.dimension !== undefined ? { vectorIndex: vector as ArangoVectorIndexOptions } : {}),
  };
}
