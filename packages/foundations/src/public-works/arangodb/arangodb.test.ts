import { describe, expect, it } from 'vitest';
import { createPlatform } from '../../platform/create-platform.js';
import { describeSemanticStoreConformance } from '../../testing/index.js';
import { SemanticStoreRef } from '../refs.js';
import {
  collectionsOf,
  documentKey,
  edgesAtQuery,
  removeContentQueries,
  textSearchQuery,
  upsertQuery,
  vectorSearchQuery,
} from './aql.js';
import { ArangoSemanticStore, parseArangoUrl } from './index.js';

const collections = collectionsOf('platform_');
const HOSTILE = `x" || true) RETURN 1 // '; REMOVE doc IN platform_contents`;

describe('ArangoDB AQL builders', () => {
  it('binds every value, tenant included, and writes none into the query text', () => {
    const queries = [
      vectorSearchQuery(collections, HOSTILE, [0.1, 0.2], 5, {
        contentId: HOSTILE,
        kind: HOSTILE,
        model: HOSTILE,
        metadata: { [HOSTILE]: HOSTILE },
      }),
      textSearchQuery(collections, HOSTILE, [HOSTILE], 5, { contentId: HOSTILE, metadata: { section: HOSTILE } }),
      edgesAtQuery(collections, HOSTILE, [HOSTILE], 'both', [HOSTILE]),
      upsertQuery(collections.contents, [{ _key: 'k', title: HOSTILE }], ['createdAt']),
      ...removeContentQueries(collections, HOSTILE, HOSTILE),
    ];
    for (const query of queries) {
      expect(query.query).not.toContain(HOSTILE);
      expect(query.query).not.toContain('platform_');
      expect(JSON.stringify(query.bindVars)).toContain('platform_');
      // Every @name in the text has a bind parameter, and every parameter is used.
      const used = new Set([...query.query.matchAll(/@(@?\w+)/g)].map((match) => match[1]));
      expect(new Set(Object.keys(query.bindVars))).toEqual(used);
    }
  });

  it('filters vector search by tenant and dimension first, then by the options, and sorts by score', () => {
    const query = vectorSearchQuery(collections, 'acme', [1, 0, 0], 3, { kind: 'chunk', metadata: { page: 2 } });
    expect(query.query).toContain('FILTER doc.tenantId == @tenantId AND doc.dimensions == @dimensions');
    expect(query.query).toContain('doc.metadata[@metaKey0] == @metaValue0');
    expect(query.query).toContain('COSINE_SIMILARITY(doc.vector, @vector)');
    expect(query.query).toMatch(/SORT score DESC, doc\.id ASC\s+LIMIT @limit/);
    expect(query.bindVars).toMatchObject({
      '@embeddings': 'platform_embeddings',
      tenantId: 'acme',
      dimensions: 3,
      kind: 'chunk',
      metaKey0: 'page',
      metaValue0: 2,
      limit: 3,
    });
  });

  it('keeps createdAt of a replaced document, and names edges by direction', () => {
    expect(upsertQuery('c', [], ['createdAt']).query).toContain('REPLACE MERGE(doc, { [@keep0]: OLD[@keep0] })');
    expect(upsertQuery('c', []).query).toContain('REPLACE doc IN @@collection');
    expect(edgesAtQuery(collections, 't', ['a'], 'out').query).toContain('(doc.from IN @ids)');
    expect(edgesAtQuery(collections, 't', ['a'], 'in').query).toContain('(doc.to IN @ids)');
    expect(edgesAtQuery(collections, 't', ['a'], 'both', ['has_column']).query).toMatch(
      /\(doc\.from IN @ids OR doc\.to IN @ids\)\s+FILTER doc\.relation IN @relations/,
    );
  });

  it('derives fixed-length document keys that differ by tenant', () => {
    expect(documentKey('acme', 'c1')).toMatch(/^[0-9a-f]{64}$/);
    expect(documentKey('acme', 'c1')).not.toBe(documentKey('globex', 'c1'));
    expect(documentKey('a', 'b\u0000c')).not.toBe(documentKey('a\u0000b', 'c'));
  });

  it('reads server, database and credentials from a URL, and refuses bad configuration', () => {
    expect(parseArangoUrl('arangodb://root:s%40cret@127.0.0.1:8529/platform')).toEqual({
      url: 'http://127.0.0.1:8529',
      databaseName: 'platform',
      username: 'root',
      password: 's@cret',
      options: {},
    });
    expect(parseArangoUrl('arangodb+ssl://db.example.com')).toEqual({
      url: 'https://db.example.com',
      databaseName: '_system',
      options: {},
    });
    expect(() => new ArangoSemanticStore({})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => new ArangoSemanticStore({ url: 'http://x', prefix: 'bad-prefix' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('fails start-up with ADAPTER_UNAVAILABLE when the server is unreachable, without its password', async () => {
    const store = new ArangoSemanticStore({ url: 'arangodb://root:s3cret@127.0.0.1:1/platform' });
    const failure = await store.initialize().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ADAPTER_UNAVAILABLE', details: { adapter: 'arangodb' } });
    expect(
      JSON.stringify({ message: (failure as Error).message, details: (failure as { details: unknown }).details }),
    ).not.toContain('s3cret');
    await store.shutdown();
  }, 30_000);
});

describe('PLATFORM_SEMANTIC_STORE=arangodb://', () => {
  it('configures the ArangoDB store, and an unreachable server fails start-up naming the adapter, not the password', async () => {
    const platform = createPlatform({
      env: { PLATFORM_SEMANTIC_STORE: 'arangodb://root:s3cret@127.0.0.1:1/platform' },
      telemetrySink: () => {},
      include: [SemanticStoreRef],
    });
    const failure = await platform.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    const text = JSON.stringify({
      message: (failure as Error).message,
      details: (failure as { details?: unknown }).details,
    });
    expect(text).toContain('ADAPTER_UNAVAILABLE');
    expect(text).toContain('arangodb');
    expect(text).not.toContain('s3cret');
    await platform.stop();
  }, 30_000);

  it('refuses a store URL with a malformed vector index parameter before connecting', async () => {
    const platform = createPlatform({
      env: { PLATFORM_SEMANTIC_STORE: 'arangodb://root:s3cret@127.0.0.1:1/platform?vectorDimension=many' },
      telemetrySink: () => {},
      include: [SemanticStoreRef],
    });
    const failure = await platform.start().catch((error: unknown) => error);
    const text = JSON.stringify({
      message: (failure as Error).message,
      details: (failure as { details?: unknown }).details,
    });
    expect(text).toContain('CONFIG_INVALID');
    expect(text).toContain('vectorDimension');
    expect(text).not.toContain('s3cret');
    await platform.stop();
  });
});

// The integration suite: the shared conformance suite against a real server, when there is one.
const ARANGO_URL = process.env.ARANGO_URL;
// A server started with --vector-index (--experimental-vector-index before 3.12.9), 3.12.6 or later.
const VECTOR_INDEX = Boolean(ARANGO_URL && process.env.ARANGO_VECTOR_INDEX);
if (ARANGO_URL) {
  describeSemanticStoreConformance(`arangodb (${new URL(ARANGO_URL.replace(/^arangodb/, 'http')).host})`, async () => {
    const prefix = `test_${Date.now().toString(36)}_`;
    const store = new ArangoSemanticStore({ url: ARANGO_URL, prefix });
    await store.initialize();
    return { store, cleanup: () => store.shutdown() };
  });
} else {
  describe.skip('SemanticStore conformance: arangodb (set ARANGO_URL to run it against a server)', () => {
    it('needs ARANGO_URL', () => {});
  });
}

describe.skipIf(!VECTOR_INDEX)('ArangoDB vector index (ARANGO_URL and ARANGO_VECTOR_INDEX=1 run it)', () => {
  it('searches through the index per tenant, giving what exact search gives when every cell is probed', async () => {
    const prefix = `test_${Date.now().toString(36)}_vi_`;
    const url = ARANGO_URL as string;
    const indexed = new ArangoSemanticStore({
      url,
      prefix,
      vectorIndex: { dimension: 8, nLists: 4, nProbe: 4, retryIntervalMs: 0 },
    });
    const exact = new ArangoSemanticStore({ url, prefix });
    await indexed.initialize();
    await exact.initialize();
    try {
      let seed = 7;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
        return seed / 2 ** 31 - 0.5;
      };
      const vectors = new Map<string, number[]>();
      for (const [tenantId, count] of [
        ['acme', 64],
        ['globex', 16],
      ] as const) {
        await indexed.upsertContent({ tenantId, contentId: 'c1', kind: 'structured' });
        const embeddings = Array.from({ length: count }, (_, index) => {
          const vector = Array.from({ length: 8 }, random);
          vectors.set(`${tenantId}:${index}`, vector);
          return { id: `e${index}`, kind: 'chunk', ref: String(index), vector, model: 'm' };
        });
        await indexed.upsertEmbeddings(tenantId, 'c1', embeddings);
      }
      expect(await indexed.ensureVectorIndex()).toEqual({ mode: 'approximate' });

      for (const [key, vector] of [...vectors].filter(([name]) => name.startsWith('acme:')).slice(0, 5)) {
        const approximate = await indexed.search('acme', vector, { limit: 5 });
        const reference = await exact.search('acme', vector, { limit: 5 });
        expect(approximate.map((result) => result.id)).toEqual(reference.map((result) => result.id));
        expect(approximate[0]).toMatchObject({ id: `e${key.split(':')[1]}`, score: expect.closeTo(1, 4) });
      }
      // Pre-filtered by tenant: an acme vector finds globex's nearest, as exact search over globex does.
      const probe = vectors.get('acme:0') as number[];
      const globex = await indexed.search('globex', probe, { limit: 10 });
      expect(globex.map((result) => result.score)).toEqual(
        (await exact.search('globex', probe, { limit: 10 })).map((result) => expect.closeTo(result.score, 4)),
      );
      expect(indexed.vectorSearchStatus()).toEqual({ mode: 'approximate' });
    } finally {
      const { Database } = await import('arangojs');
      const { url: server, databaseName, username, password } = parseArangoUrl(url);
      const db = new Database({
        url: server,
        databaseName,
        ...(username ? { auth: { username, password: password ?? '' } } : {}),
      });
      await db
        .graph(`${prefix}content_graph`)
        .drop(true)
        .catch(() => undefined);
      for (const collection of await db.collections()) {
        if (collection.name.startsWith(prefix)) await collection.drop();
      }
      db.close();
      await indexed.shutdown();
      await exact.shutdown();
    }
  }, 120_000);
});
