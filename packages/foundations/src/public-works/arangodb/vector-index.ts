import type { Database } from 'arangojs';
import { ErrorCode, PlatformError } from '../../errors/platform-error.js';
import type { SemanticSearchOptions } from '../ports/semantic-store.js';

/** Options of the approximate vector index of {@link ArangoSemanticStore}. */
export interface ArangoVectorIndexOptions {
  /**
   * The dimension of every vector the store keeps (the embedder's). An ArangoDB vector index has
   * one dimension, so embeddings of another dimension are refused with `VALIDATION_FAILED`.
   */
  dimension: number;
  /**
   * Voronoi cells (IVF lists) the vectors are partitioned into: more cells, faster queries and
   * lower recall at the same `nProbe`. Faiss's rule of thumb is 4·√n for n vectors. Default 100.
   * ArangoDB before 3.12.9 trains the index when it is created, so it is created only once the
   * collection holds at least this many embeddings; until then search is exact.
   */
  nLists?: number;
  /** Cells searched per query: more, better recall and slower. Default 10. */
  nProbe?: number;
  /** k-means iterations of the training (ArangoDB's default, 25, when omitted). */
  trainingIterations?: number;
  /** While the index cannot be used, how often (ms) to check again, on a write or a search. Default 60 000. */
  retryIntervalMs?: number;
}

/** Which vector search the store runs, and why it is not the approximate one. */
export interface VectorSearchStatus {
  /** `approximate`: through the vector index; `exact`: cosine similarity over every candidate. */
  mode: 'approximate' | 'exact';
  /** Why search is exact although an index is configured: the server's version, training, an error. */
  reason?: string;
}

/** Oldest server whose vector index applies `FILTER`s during the lookup (per-tenant pre-filtering). */
export const MIN_FILTERED_VECTOR_INDEX = [3, 12, 6] as const;
/** From 3.12.7 the index can keep attributes to filter on (`storedValues`). */
const STORED_VALUES_SINCE = [3, 12, 7] as const;
/** From 3.12.9 an index can be created before the data and trains itself once there is enough. */
const TRAINS_LATER_SINCE = [3, 12, 9] as const;

type Version = readonly [number, number, number];

/** The optional filters of a search, beyond the tenant. */
type SearchFilters = Pick<SemanticSearchOptions, 'contentId' | 'kind' | 'model' | 'metadata'>;

/** Which optional filters a search uses (`contentId,metadata:page`), the tenant's being implied. */
function filterShape(filters: SearchFilters): string {
  return [
    ...(['contentId', 'kind', 'model'] as const).filter((name) => filters[name] !== undefined),
    ...Object.keys(filters.metadata ?? {})
      .sort()
      .map((key) => `metadata:${key}`),
  ].join(',');
}

/** `3.12.6`, `3.12.6-1`, `3.13.0-devel` → [3, 12, 6]; undefined when there is no x.y.z. */
export function parseServerVersion(version: string): Version | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function atLeast(version: Version, minimum: Version): boolean {
  for (let index = 0; index < 3; index += 1) {
    if ((version[index] as number) !== (minimum[index] as number)) {
      return (version[index] as number) > (minimum[index] as number);
    }
  }
  return true;
}

/** Checks the options; `CONFIG_INVALID` naming the field. */
export function checkVectorIndexOptions(options: ArangoVectorIndexOptions): Required<ArangoVectorIndexOptions> {
  const resolved = {
    nLists: 100,
    nProbe: 10,
    trainingIterations: 0,
    retryIntervalMs: 60_000,
    ...options,
  };
  const limits: Array<[keyof ArangoVectorIndexOptions, number, number]> = [
    ['dimension', 1, 4096],
    ['nLists', 1, 1_000_000],
    ['nProbe', 1, 1_000_000],
    ['trainingIterations', 0, 10_000],
    ['retryIntervalMs', 0, 86_400_000],
  ];
  for (const [field, min, max] of limits) {
    const value = resolved[field];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new PlatformError(
        ErrorCode.CONFIG_INVALID,
        `arangodb: vectorIndex.${field} must be an integer from ${min} to ${max}, got ${String(value)}`,
        { details: { adapter: 'arangodb', field: `vectorIndex.${field}` } },
      );
    }
  }
  return resolved;
}

interface VectorIndexDescription {
  name?: string;
  type: string;
  fields?: string[];
  params?: { dimension?: number; metric?: string };
  trainingState?: string;
  errorMessage?: string;
}

/**
 * The vector index of the embeddings collection: whether the server can use it, creating it when
 * it can be trained, and the search mode that follows. Failures never fail a write or a search:
 * they make search exact and are looked at again after `retryIntervalMs`.
 */
export class ArangoVectorIndex {
  readonly options: Required<ArangoVectorIndexOptions>;
  readonly name: string;
  readonly #collection: string;
  #status: VectorSearchStatus = { mode: 'exact', reason: 'the vector index has not been checked yet' };
  /** When to check again (ms since the epoch); undefined: never (the server cannot have the index). */
  #checkAgainAt: number | undefined = 0;
  #checking: Promise<VectorSearchStatus> | undefined;
  /** Filter combinations whose approximate query failed, and when to try them again. */
  readonly #failedShapes = new Map<string, number>();

  constructor(collection: string, options: ArangoVectorIndexOptions) {
    this.options = checkVectorIndexOptions(options);
    this.#collection = collection;
    this.name = `${collection}_vector`;
  }

  get status(): VectorSearchStatus {
    return { ...this.#status };
  }

  /**
   * Whether a search with a vector of this dimension and these filters goes through the index:
   * not while a query with the same filters failed within `retryIntervalMs`.
   */
  usable(dimension: number, filters: SearchFilters = {}, now = Date.now()): boolean {
    const retryAt = this.#failedShapes.get(filterShape(filters));
    return (
      this.#status.mode === 'approximate' &&
      dimension === this.options.dimension &&
      (retryAt === undefined || now >= retryAt)
    );
  }

  /**
   * The approximate query failed. With the tenant filter only, search is exact until the next
   * check; with more filters, only searches with those filters are (a server may not apply
   * every filter during the index lookup), until `retryIntervalMs` has passed.
   */
  failed(reason: string, filters: SearchFilters = {}, now = Date.now()): void {
    const shape = filterShape(filters);
    if (shape !== '') {
      this.#failedShapes.set(shape, now + this.options.retryIntervalMs);
      return;
    }
    this.#status = { mode: 'exact', reason: `the approximate query failed: ${reason}` };
    this.#checkAgainAt = now + this.options.retryIntervalMs;
  }

  /** Checks again when the last check said "not yet" and the interval has passed. Never throws. */
  async refresh(db: Database, now = Date.now()): Promise<void> {
    if (this.#status.mode === 'approximate' || this.#checkAgainAt === undefined || now < this.#checkAgainAt) return;
    await this.ensure(db, now).catch(() => undefined);
  }

  /**
   * Finds or creates the index and sets the search mode. Throws only `CONFIG_INVALID`, for an
   * existing index of another dimension or metric (the store could write nothing into it).
   */
  ensure(db: Database, now = Date.now()): Promise<VectorSearchStatus> {
    this.#checking ??= this.#ensure(db, now).finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  async #ensure(db: Database, now: number): Promise<VectorSearchStatus> {
    const later = (reason: string): VectorSearchStatus => {
      this.#status = { mode: 'exact', reason };
      this.#checkAgainAt = now + this.options.retryIntervalMs;
      return this.status;
    };
    let version: Version | undefined;
    try {
      version = parseServerVersion((await db.version()).version);
    } catch (error) {
      return later(`the server version could not be read: ${firstLine(error)}`);
    }
    if (!version || !atLeast(version, MIN_FILTERED_VECTOR_INDEX)) {
      this.#status = {
        mode: 'exact',
        reason: `the server (${version?.join('.') ?? 'unknown version'}) has no vector index with filters; it needs ArangoDB ${MIN_FILTERED_VECTOR_INDEX.join('.')} or later`,
      };
      this.#checkAgainAt = undefined;
      return this.status;
    }
    const collection = db.collection(this.#collection);
    try {
      let index = ((await collection.indexes()) as VectorIndexDescription[]).find((entry) => entry.name === this.name);
      if (!index) {
        if (!atLeast(version, TRAINS_LATER_SINCE)) {
          const count = (await collection.count()).count;
          if (count < this.options.nLists) {
            return later(
              `the index is created once ${this.options.nLists} embeddings are stored (nLists; ${count} so far): ArangoDB before ${TRAINS_LATER_SINCE.join('.')} trains it at creation`,
            );
          }
        }
        index = (await collection.ensureIndex(this.definition(version))) as VectorIndexDescription;
      }
      this.#checkExisting(index);
      if (index.trainingState !== undefined && index.trainingState !== 'ready') {
        return later(
          `the index is ${index.trainingState}${index.errorMessage ? ` (${index.errorMessage})` : ''}: search is exact until it is ready`,
        );
      }
    } catch (error) {
      if (error instanceof PlatformError) throw error;
      return later(`the index could not be created: ${firstLine(error)}`);
    }
    this.#status = { mode: 'approximate' };
    this.#checkAgainAt = 0;
    return this.status;
  }

  #checkExisting(index: VectorIndexDescription): void {
    const { dimension, metric } = index.params ?? {};
    if (index.type !== 'vector' || dimension !== this.options.dimension || metric !== 'cosine') {
      throw new PlatformError(
        ErrorCode.CONFIG_INVALID,
        `arangodb: index '${this.name}' exists as ${index.type} ${metric ?? ''} of dimension ${String(dimension)}; the store is configured for a cosine vector index of dimension ${this.options.dimension}: drop the index or change vectorIndex.dimension`,
        { details: { adapter: 'arangodb', field: 'vectorIndex.dimension', index: this.name } },
      );
    }
  }

  /** The `ensureIndex` options for a server of this version. */
  definition(version: Version) {
    const { dimension, nLists, nProbe, trainingIterations } = this.options;
    return {
      type: 'vector' as const,
      name: this.name,
      fields: ['vector'] as [string],
      inBackground: true,
      params: {
        metric: 'cosine' as const,
        dimension,
        nLists,
        defaultNProbe: nProbe,
        ...(trainingIterations > 0 ? { trainingIterations } : {}),
      },
      // The tenant is filtered on in every search: kept in the index, it is checked without reading documents.
      ...(atLeast(version, STORED_VALUES_SINCE) ? { storedValues: ['tenantId'] } : {}),
    };
  }
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0] as string;
}
