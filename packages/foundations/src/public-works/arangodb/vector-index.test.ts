import type { Database } from 'arangojs';
import { describe, expect, it } from 'vitest';
import { approximateSearchQuery, collectionsOf } from './aql.js';
import { translate } from './documents.js';
import { ArangoSemanticStore, parseArangoUrl } from './index.js';
import { checkVectorIndexOptions, parseServerVersion } from './vector-index.js';

// Logic tests over a scripted server: which search runs, when the index is created and with what,
// and what happens when it cannot answer. The same store against a real server is the
// conformance suite in arangodb.test.ts (ARANGO_URL).

interface Hit {
  contentId: string;
  id: string;
  kind: string;
  ref: string;
  text: string | null;
  model: string;
  metadata: Record<string, string>;
  score: number;
}

const hit = (id: string, score: number): Hit => ({
  contentId: 'c1',
  id,
  kind: 'chunk',
  ref: id,
  text: null,
  model: 'm',
  metadata: {},
  score,
});

interface Script {
  version: string;
  /** Embeddings in the collection, for servers that train at creation. */
  count?: number;
  /** Indexes the collection has, besides the persistent ones. */
  indexes?: object[];
  /** What ensureIndex of the vector index answers (the description) or throws. */
  created?: (definition: Record<string, unknown>) => object;
  approximate?: (bindVars: Record<string, unknown>) => Hit[];
  exact?: Hit[];
}

function scriptedServer(script: Script) {
  const calls = { queries: [] as string[], vectorIndexes: [] as Record<string, unknown>[] };
  const collection = {
    exists: async () => true,
    count: async () => ({ count: script.count ?? 0 }),
    indexes: async () => script.indexes ?? [],
    ensureIndex: async (definition: Record<string, unknown>) => {
      if (definition.type !== 'vector') return { ...definition, isNewlyCreated: false };
      calls.vectorIndexes.push(definition);
      const created = script.created?.(definition) ?? definition;
      script.indexes = [...(script.indexes ?? []), created];
      return created;
    },
  };
  const db = {
    version: async () => ({ server: 'arango', version: script.version, license: 'community' }),
    collection: () => collection,
    graph: () => ({ exists: async () => true }),
    close: () => {},
    query: async (query: string, bindVars: Record<string, unknown>) => {
      calls.queries.push(query);
      let rows: unknown[] = [];
      if (query.includes('APPROX_NEAR_COSINE')) rows = script.approximate?.(bindVars) ?? [];
      else if (query.includes('COSINE_SIMILARITY')) rows = script.exact ?? [];
      else if (query.includes('UPSERT')) rows = bindVars.documents as unknown[];
      else if (query.includes('doc._key == @key RETURN doc')) {
        rows = [{ tenantId: 'acme', contentId: 'c1', kind: 'structured', metadata: {}, createdAt: '', updatedAt: '' }];
      }
      return { all: async () => rows };
    },
  };
  return { db: db as unknown as Database, calls, script };
}

async function storeOn(server: ReturnType<typeof scriptedServer>, nLists = 4, retryIntervalMs = 0) {
  const store = new ArangoSemanticStore({
    database: server.db,
    vectorIndex: { dimension: 3, nLists, nProbe: 2, retryIntervalMs },
  });
  await store.initialize();
  return store;
}

const embeddings = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: `e${index}`,
    kind: 'chunk',
    ref: String(index),
    vector: [1, index, 0],
    model: 'm',
  }));

const searches = (server: ReturnType<typeof scriptedServer>) =>
  server.calls.queries
    .filter((query) => query.includes('COSINE'))
    .map((query) => (query.includes('APPROX_NEAR_COSINE') ? 'approximate' : 'exact'));

describe('ArangoSemanticStore with a vector index', () => {
  it('searches exactly on a server older than 3.12.6, says why, and never tries to create the index', async () => {
    const server = scriptedServer({ version: '3.12.5', exact: [hit('e1', 0.9)] });
    const store = await storeOn(server);
    expect(store.vectorSearchStatus()).toEqual({ mode: 'exact', reason: expect.stringContaining('3.12.6') });
    expect(await store.health()).toEqual({ status: 'degraded', message: expect.stringContaining('3.12.5') });
    expect(await store.search('acme', [1, 0, 0])).toEqual([expect.objectContaining({ id: 'e1', score: 0.9 })]);
    expect(searches(server)).toEqual(['exact']);
    expect(server.calls.vectorIndexes).toEqual([]);
  });

  it('creates the index once enough embeddings are stored to train it (before 3.12.9), then searches through it, tenant first', async () => {
    const server = scriptedServer({
      version: '3.12.7',
      count: 0,
      approximate: () => [hit('e3', 0.99), hit('e2', 0.95)],
    });
    const store = await storeOn(server);
    expect(store.vectorSearchStatus()).toEqual({ mode: 'exact', reason: expect.stringContaining('4 embeddings') });
    expect(server.calls.vectorIndexes).toEqual([]);

    server.script.count = 4;
    await store.upsertEmbeddings('acme', 'c1', embeddings(4));
    expect(server.calls.vectorIndexes).toEqual([
      {
        type: 'vector',
        name: 'platform_embeddings_vector',
        fields: ['vector'],
        inBackground: true,
        params: { metric: 'cosine', dimension: 3, nLists: 4, defaultNProbe: 2 },
        storedValues: ['tenantId'],
      },
    ]);
    expect(store.vectorSearchStatus()).toEqual({ mode: 'approximate' });
    expect(await store.health()).toEqual({ status: 'healthy' });

    const results = await store.search('acme', [1, 1, 0], { limit: 2 });
    expect(results.map((result) => result.id)).toEqual(['e3', 'e2']);
    expect(searches(server)).toEqual(['approximate']);
    const approximate = server.calls.queries.find((query) => query.includes('APPROX_NEAR_COSINE')) as string;
    expect(approximate).toMatch(/FILTER doc\.tenantId == @tenantId\n.*APPROX_NEAR_COSINE/s);
  });

  it('answers exactly when the probed cells hold fewer matches than asked for', async () => {
    const server = scriptedServer({
      version: '3.12.6',
      count: 10,
      approximate: () => [hit('e1', 0.9)],
      exact: [hit('e1', 0.9), hit('e7', 0.4)],
    });
    const store = await storeOn(server);
    expect(server.calls.vectorIndexes[0]).not.toHaveProperty('storedValues');
    expect((await store.search('acme', [1, 0, 0], { limit: 2 })).map((result) => result.id)).toEqual(['e1', 'e7']);
    expect(searches(server)).toEqual(['approximate', 'exact']);
  });

  it('falls back to exact search when the approximate query fails, and says so', async () => {
    const server = scriptedServer({
      version: '3.12.6',
      count: 10,
      approximate: () => {
        throw Object.assign(new Error('AQL: vector index not usable\nmore'), { errorNum: 1594 });
      },
      exact: [hit('e1', 0.9)],
    });
    const store = new ArangoSemanticStore({
      database: server.db,
      vectorIndex: { dimension: 3, nLists: 4, retryIntervalMs: 3_600_000 },
    });
    await store.initialize();
    expect(await store.search('acme', [1, 0, 0], { limit: 1 })).toEqual([expect.objectContaining({ id: 'e1' })]);
    expect(store.vectorSearchStatus()).toEqual({
      mode: 'exact',
      reason: expect.stringContaining('vector index not usable'),
    });
    // Exact until the next check (an hour here): the failing query is not sent again.
    await store.search('acme', [1, 0, 0], { limit: 1 });
    expect(searches(server)).toEqual(['approximate', 'exact', 'exact']);
  });

  it('searches exactly with filters the server cannot apply in the index, and through it without them', async () => {
    const server = scriptedServer({
      version: '3.12.7',
      count: 10,
      approximate: (bindVars) => {
        if ('metaKey0' in bindVars) throw Object.assign(new Error('AQL: filter not supported'), { errorNum: 1594 });
        return [hit('e1', 0.9)];
      },
      exact: [hit('e2', 0.8)],
    });
    const store = await storeOn(server, 4, 3_600_000);
    const filtered = { limit: 1, metadata: { page: 2 } };
    expect((await store.search('acme', [1, 0, 0], filtered))[0]?.id).toBe('e2');
    expect((await store.search('acme', [1, 0, 0], filtered))[0]?.id).toBe('e2');
    expect((await store.search('acme', [1, 0, 0], { limit: 1 }))[0]?.id).toBe('e1');
    // The failing filter was tried once; the index stays in use for the rest.
    expect(searches(server)).toEqual(['approximate', 'exact', 'exact', 'approximate']);
    expect(store.vectorSearchStatus()).toEqual({ mode: 'approximate' });
  });

  it('creates the index before the data on 3.12.9+, and searches exactly until it is trained', async () => {
    const server = scriptedServer({
      version: '3.12.9',
      count: 0,
      created: (definition) => ({ ...definition, trainingState: 'unusable', errorMessage: 'not enough data' }),
      approximate: () => [hit('e1', 0.9)],
    });
    const store = await storeOn(server);
    expect(server.calls.vectorIndexes).toHaveLength(1);
    expect(store.vectorSearchStatus()).toEqual({
      mode: 'exact',
      reason: expect.stringContaining('unusable (not enough data)'),
    });
    server.script.indexes = [{ ...server.calls.vectorIndexes[0], trainingState: 'ready' }];
    expect(await store.search('acme', [1, 0, 0], { limit: 1 })).toEqual([expect.objectContaining({ id: 'e1' })]);
    expect(store.vectorSearchStatus()).toEqual({ mode: 'approximate' });
    expect(server.calls.vectorIndexes).toHaveLength(1);
  });

  it('refuses to start over an index of another dimension, and refuses vectors the index cannot hold', async () => {
    const other = scriptedServer({
      version: '3.12.7',
      indexes: [{ type: 'vector', name: 'platform_embeddings_vector', params: { metric: 'cosine', dimension: 768 } }],
    });
    await expect(storeOn(other)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('dimension 768'),
    });

    const server = scriptedServer({ version: '3.12.7', count: 0 });
    const store = await storeOn(server);
    const before = server.calls.queries.length;
    await expect(
      store.upsertEmbeddings('acme', 'c1', [{ id: 'wide', kind: 'chunk', ref: 'x', vector: [1, 2], model: 'm' }]),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: { expected: 3, actual: 2 } });
    // The content was read; nothing was written.
    expect(server.calls.queries.slice(before).some((query) => query.includes('UPSERT'))).toBe(false);
  });

  it('is unhealthy when the server stops answering, naming the adapter', async () => {
    const server = scriptedServer({ version: '3.12.7', count: 0 });
    const store = new ArangoSemanticStore({ database: server.db });
    await store.initialize();
    expect(await store.health()).toEqual({ status: 'healthy' });
    (server.db as unknown as { version: () => Promise<never> }).version = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8529'), { code: 'ECONNREFUSED' });
    };
    expect(await store.health()).toEqual({
      status: 'unhealthy',
      message: 'arangodb: health check: connect ECONNREFUSED 127.0.0.1:8529',
    });
  });

  it('is off unless configured: exact search, healthy', async () => {
    const server = scriptedServer({ version: '3.12.9', exact: [hit('e1', 0.5)] });
    const store = new ArangoSemanticStore({ database: server.db });
    await store.initialize();
    expect(store.vectorSearchStatus()).toEqual({ mode: 'exact', reason: 'no vector index is configured' });
    expect(await store.health()).toEqual({ status: 'healthy' });
    await store.search('acme', [1, 0, 0]);
    expect(searches(server)).toEqual(['exact']);
    expect(server.calls.vectorIndexes).toEqual([]);
  });
});

describe('vector index configuration', () => {
  it('reads the index options from the store URL', () => {
    expect(
      parseArangoUrl('arangodb://root:pw@127.0.0.1:8529/platform?vectorDimension=384&nLists=50&nProbe=5&prefix=p_'),
    ).toEqual({
      url: 'http://127.0.0.1:8529',
      databaseName: 'platform',
      username: 'root',
      password: 'pw',
      options: { prefix: 'p_', vectorIndex: { dimension: 384, nLists: 50, nProbe: 5 } },
    });
    expect(parseArangoUrl('arangodb://127.0.0.1:8529/platform').options).toEqual({});
  });

  it.each([
    ['arangodb://h/db?vectorDimension=abc', 'vectorDimension'],
    ['arangodb://h/db?vectorDimension=', 'vectorDimension'],
    ['arangodb://h/db?nLists=10', 'vectorDimension'],
    ['arangodb://h/db?vectorDimensions=384', 'vectorDimensions'],
  ])('refuses %s naming %s', (url, field) => {
    expect(() => parseArangoUrl(url)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', details: expect.objectContaining({ field }) }),
    );
  });

  it('checks the numbers, and the store checks them at construction', () => {
    expect(checkVectorIndexOptions({ dimension: 384 })).toEqual({
      dimension: 384,
      nLists: 100,
      nProbe: 10,
      trainingIterations: 0,
      retryIntervalMs: 60_000,
    });
    for (const bad of [
      { dimension: 0 },
      { dimension: 5000 },
      { dimension: 3, nLists: 1.5 },
      { dimension: 3, nProbe: 0 },
    ]) {
      expect(() => checkVectorIndexOptions(bad)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
    expect(() => new ArangoSemanticStore({ url: 'arangodb://h/db?vectorDimension=0' })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        details: expect.objectContaining({ field: 'vectorIndex.dimension' }),
      }),
    );
  });

  it('reads server versions', () => {
    expect(parseServerVersion('3.12.6')).toEqual([3, 12, 6]);
    expect(parseServerVersion('3.13.0-devel')).toEqual([3, 13, 0]);
    expect(parseServerVersion('devel')).toBeUndefined();
  });

  it('binds every value of the approximate query', () => {
    const query = approximateSearchQuery(collectionsOf('platform_'), 'acme', [1, 0], 5, 3, { kind: 'chunk' });
    const used = new Set([...query.query.matchAll(/@(@?\w+)/g)].map((match) => match[1]));
    expect(new Set(Object.keys(query.bindVars))).toEqual(used);
    expect(query.query).toContain('APPROX_NEAR_COSINE(doc.vector, @vector, { nProbe: @nProbe })');
    expect(query.query).toMatch(/SORT score DESC\s+LIMIT @limit/);
  });
});

describe('ArangoDB errors', () => {
  const arangoError = (errorNum: number, code: number, message = 'failed') =>
    Object.assign(new Error(message), { errorNum, code });
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8529'), { code: 'ECONNREFUSED' }), 'ADAPTER_UNAVAILABLE'],
    [arangoError(11, 401, 'not authorized'), 'ADAPTER_UNAVAILABLE'],
    [arangoError(1203, 404, 'collection or view not found: platform_contents'), 'ADAPTER_UNAVAILABLE'],
    [arangoError(503, 503, 'service unavailable'), 'ADAPTER_UNAVAILABLE'],
    [arangoError(1200, 409, 'write-write conflict'), 'CONFLICT'],
    [arangoError(1210, 409, 'unique constraint violated'), 'CONFLICT'],
    [arangoError(1501, 400, 'AQL: syntax error'), 'INTERNAL'],
    [arangoError(1562, 400, 'AQL: division by zero'), 'INTERNAL'],
    [Object.assign(new Error('too many requests'), { errorNum: 0, code: 429 }), 'RATE_LIMITED'],
  ])('answers %s with %s', (error, code) => {
    const translated = translate(error, 'vector search');
    expect(translated).toMatchObject({ code, details: { adapter: 'arangodb' } });
    expect(translated.message).toMatch(/^arangodb: vector search: /);
  });
});
