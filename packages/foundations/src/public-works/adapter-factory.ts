import { PUBLIC_WORKS_PORTS, type PublicWorksPort } from '../config/ports.js';
import { ErrorCode, PlatformError } from '../errors/platform-error.js';
import type { PublicWorksPortTypes } from './refs.js';

/** What an adapter factory is given besides its URL. */
export interface AdapterContext {
  /** The platform's data directory, absolute: where embedded adapters keep their files. */
  readonly dataDir: string;
  /**
   * A resource shared by every adapter asking for it under one key (one SQLite connection per
   * file, one Postgres pool per URL): opened by the first, closed by `close` after the last adapter
   * using it has shut down.
   */
  shared<T>(key: string, open: () => Promise<T>, close: (resource: T) => Promise<void> | void): Promise<T>;
}

/**
 * Makes the adapter of one Public Works port from a store URL whose scheme it declares, e.g.
 * `redis://` for the key-value store. Foundations' own adapters are factories too; a host or a
 * package adds its own with `createPlatform({ adapterFactories: [...] })`, and the platform picks
 * it when `config.stores` (or `PLATFORM_*`) names one of its schemes.
 */
export interface AdapterFactory<P extends PublicWorksPort = PublicWorksPort> {
  /** The port the adapter implements. */
  readonly port: P;
  /** URL schemes it serves, lower case, without `://` (`redis`, `rediss`). */
  readonly schemes: readonly string[];
  /** One line for error messages and docs: what it stores where. */
  readonly description?: string;
  /**
   * Creates the adapter (connecting if it must). The kernel calls its `initialize`, `health`
   * and `shutdown` when it has them, like any service's.
   */
  create(url: string, context: AdapterContext): PublicWorksPortTypes[P] | Promise<PublicWorksPortTypes[P]>;
}

/** Any port's factory, as a list holds them. */
export type AnyAdapterFactory = { [P in PublicWorksPort]: AdapterFactory<P> }[PublicWorksPort];

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/**
 * Checks and freezes an adapter factory.
 * @throws {PlatformError} `CONFIG_INVALID` for a scheme that is not one (upper case, `://` included).
 *
 * @example
 * ```ts
 * export const redisKeyValue = defineAdapterFactory({
 *   port: 'keyValueStore',
 *   schemes: ['redis', 'rediss'],
 *   create: (url) => RedisKeyValueStore.connect({ url }),
 * });
 * ```
 */
export function defineAdapterFactory<P extends PublicWorksPort>(factory: AdapterFactory<P>): AdapterFactory<P> {
  if (!(PUBLIC_WORKS_PORTS as readonly string[]).includes(factory.port) || typeof factory.create !== 'function') {
    throw new PlatformError(
      ErrorCode.CONFIG_INVALID,
      `adapter factory: port must be one of ${PUBLIC_WORKS_PORTS.join(', ')} and create a function (got port '${String(factory.port)}')`,
      { details: { port: String(factory.port) } },
    );
  }
  const bad = (factory.schemes ?? []).filter((scheme) => !SCHEME.test(scheme));
  if (!Array.isArray(factory.schemes) || factory.schemes.length === 0 || bad.length > 0) {
    throw new PlatformError(
      ErrorCode.CONFIG_INVALID,
      `adapter factory for ${factory.port}: schemes must be lower-case URL schemes without '://' (${bad.map((scheme) => `'${scheme}'`).join(', ') || 'none given'})`,
      { details: { port: factory.port, schemes: [...factory.schemes] } },
    );
  }
  return Object.freeze({ ...factory, schemes: Object.freeze([...factory.schemes]) });
}

/**
 * True for an adapter factory: a known port, a list of schemes and a `create` function (checked
 * by shape, so that a factory built against another copy of this package is one too).
 */
export function isAdapterFactory(value: unknown): value is AnyAdapterFactory {
  if (typeof value !== 'object' || value === null) return false;
  const { port, schemes, create } = value as Partial<AnyAdapterFactory>;
  return (
    (PUBLIC_WORKS_PORTS as readonly unknown[]).includes(port) &&
    Array.isArray(schemes) &&
    schemes.every((scheme) => typeof scheme === 'string' && SCHEME.test(scheme)) &&
    typeof create === 'function'
  );
}

/** The scheme of a store URL (`redis` of `redis://127.0.0.1:6379`). */
export function schemeOf(url: string): string {
  return url.slice(0, Math.max(0, url.indexOf('://'))).toLowerCase();
}

/**
 * The factory serving `url` for `port`: the host's first (a host may replace a built-in scheme),
 * then the built-in ones.
 * @throws {PlatformError} `CONFIG_INVALID` naming the port, its variable and the schemes known.
 */
export function findAdapterFactory<P extends PublicWorksPort>(
  factories: readonly AnyAdapterFactory[],
  port: P,
  url: string,
  env: string,
): AdapterFactory<P> {
  const scheme = schemeOf(url);
  const found = factories.find((factory) => factory.port === port && factory.schemes.includes(scheme));
  if (found) return found as AdapterFactory<P>;
  const known = [...new Set(factories.filter((factory) => factory.port === port).flatMap((f) => f.schemes))];
  throw new PlatformError(
    ErrorCode.CONFIG_INVALID,
    `no adapter serves '${scheme}://' for the ${port} (${env}); known schemes: ${known.map((s) => `${s}://`).join(', ')}. An adapter from another package is added with createPlatform({ adapterFactories: [...] })`,
    { details: { port, scheme, known } },
  );
}
