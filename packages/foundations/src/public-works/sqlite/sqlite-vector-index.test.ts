import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTenant } from '../../testing/assertions.js';
import { loadMigrations } from '../sql/migrations.js';
import { SqliteDatabase } from './sqlite-database.js';
import { SqliteSemanticStore, sqliteVecPath } from './sqlite-semantic-store.js';
import { EXACT_SEARCH_MAX_ROWS } from './sqlite-semantic-vectors.js';
import { binaryCode, type CachedChunk, codeBytes, RankingBuffers, rankByCodeDistance } from './sqlite-vector-index.js';

// The binary-code index (migration sqlite-semantic/0003): kept exact with the rows by every write,
// delete and cascade, tenant-scoped, and never shortening a filtered list.

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sqlite-vector-index-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function openShared(path = ':memory:', vectorIndex: 'binary' | 'none' = 'binary') {
  const database = await SqliteDatabase.open({ path, extensions: [await sqliteVecPath()] });
  const store = new SqliteSemanticStore({ database, vectorIndex, ownsDatabase: true });
  await store.initialize();
  return { database, store };
}

/**
 * Seeded vectors: clustered with a shared offset and variance decaying over dimensions
 * (sentence-embedding-like), or uniform when `clusters` is 0. Queries must come from the same call
 * (the same clusters): split them off the end.
 */
function vectors(seed: number, count: number, dimensions: number, clusters: number, offset: number): number[][] {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
  const scale = Array.from({ length: dimensions }, (_, index) => 1 / Math.sqrt(1 + (index * 24) / dimensions));
  const shift = scale.map(() => gauss() * offset);
  const centers = Array.from({ length: clusters }, () => scale.map((value) => gauss() * value));
  return Array.from({ length: count }, () => {
    if (clusters === 0) return Array.from({ length: dimensions }, () => random() * 2 - 1);
    const center = centers[Math.floor(random() * clusters)] as number[];
    return center.map((value, index) => value + (shift[index] as number) + gauss() * (scale[index] as number));
  });
}

function cosine(a: readonly number[], b: readonly number[]): number {
  const [fa, fb] = [Float32Array.from(a), Float32Array.from(b)];
  let [dot, na, nb] = [0, 0, 0];
  for (let index = 0; index < fa.length; index += 1) {
    dot += (fa[index] as number) * (fb[index] as number);
    na += (fa[index] as number) ** 2;
    nb += (fb[index] as number) ** 2;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The true top-k ids, in JS: the reference the index is held to. */
function bruteForce(
  all: readonly number[][],
  query: readonly number[],
  k: number,
  passes = (_: number) => true,
): string[] {
  return all
    .map((vector, index) => ({ index, score: passes(index) ? cosine(vector, query) : -Infinity }))
    .filter((entry) => entry.score > -Infinity)
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((entry) => `e${entry.index}`);
}

async function fill(store: SqliteSemanticStore, tenant: string, all: readonly number[][], batch = 500) {
  for (let start = 0; start < all.length; start += batch) {
    const contentId = `c${start}`;
    await store.upsertContent({ tenantId: tenant, contentId, kind: 'structured' });
    await store.upsertEmbeddings(
      tenant,
      contentId,
      all.slice(start, start + batch).map((vector, offset) => ({
        id: `e${start + offset}`,
        kind: (start + offset) % 100 === 0 ? 'rare' : 'row',
        ref: '',
        vector,
        model: 'm',
        metadata: { group: (start + offset) % 10, one: (start + offset) % 100 === 1 },
      })),
    );
  }
}

/** Every row has exactly one slot holding its id and code; every used slot holds an existing row; free slots are zeros. */
function expectConsistentIndex(database: SqliteDatabase): void {
  const rows = database.all<{
    row_id: number;
    tenant_id: string;
    dimensions: number;
    embedding: Uint8Array;
    code_chunk: number | null;
    code_slot: number | null;
  }>('select row_id, tenant_id, dimensions, embedding, code_chunk, code_slot from platform_embeddings');
  const chunks = database.all<{
    tenant_id: string;
    dimensions: number;
    chunk: number;
    live: number;
    row_ids: Uint8Array;
    codes: Uint8Array;
  }>('select tenant_id, dimensions, chunk, live, row_ids, codes from platform_embedding_codes');
  const slots = new Map<string, { rowId: number; code: Uint8Array }>();
  for (const chunk of chunks) {
    const ids = new DataView(chunk.row_ids.buffer, chunk.row_ids.byteOffset, chunk.row_ids.byteLength);
    const size = codeBytes(chunk.dimensions);
    expect(chunk.codes.byteLength).toBe((chunk.row_ids.byteLength / 8) * size);
    let live = 0;
    for (let slot = 0; slot < chunk.row_ids.byteLength / 8; slot += 1) {
      const rowId = ids.getUint32(slot * 8, true) + ids.getUint32(slot * 8 + 4, true) * 2 ** 32;
      const code = chunk.codes.subarray(slot * size, (slot + 1) * size);
      if (rowId === 0) expect(code.every((byte) => byte === 0)).toBe(true);
      else {
        live += 1;
        slots.set(JSON.stringify([chunk.tenant_id, chunk.dimensions, chunk.chunk, slot]), { rowId, code });
      }
    }
    expect(chunk.live).toBe(live);
    expect(live).toBeGreaterThan(0);
  }
  for (const row of rows) {
    const slot = slots.get(JSON.stringify([row.tenant_id, row.dimensions, row.code_chunk, row.code_slot]));
    expect(slot?.rowId).toBe(row.row_id);
    const floats = new Float32Array(row.embedding.slice().buffer);
    expect(Buffer.from(slot?.code ?? [])).toEqual(Buffer.from(binaryCode(floats).buffer));
  }
  expect(slots.size).toBe(rows.length);
}

describe('rankByCodeDistance', () => {
  /** Hamming distance counted bit by bit: the reference the scan's byte-summing popcount must equal. */
  const hamming = (a: Uint32Array, offset: number, b: Uint32Array) => {
    let distance = 0;
    for (let word = 0; word < b.length; word += 1) {
      const bits = ((a[offset + word] as number) ^ (b[word] as number)) >>> 0;
      for (let bit = 0; bit < 32; bit += 1) distance += (bits >>> bit) & 1;
    }
    return distance;
  };

  it('orders every used slot by its exact Hamming distance, for codes shorter and longer than a 31-word block, however it is read', () => {
    const word = fc.integer({ min: 0, max: 0xffffffff });
    const scenario = fc.integer({ min: 1, max: 70 }).chain((words) =>
      fc.record({
        query: fc.array(word, { minLength: words, maxLength: words }),
        steps: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }),
        chunks: fc.array(
          fc.array(fc.record({ used: fc.boolean(), code: fc.array(word, { minLength: words, maxLength: words }) }), {
            maxLength: 12,
          }),
          { minLength: 1, maxLength: 3 },
        ),
      }),
    );
    const shared = new RankingBuffers();
    fc.assert(
      fc.property(scenario, ({ query, steps, chunks }) => {
        const queryCode = Uint32Array.from(query);
        let nextRowId = 1;
        const cached: CachedChunk[] = chunks.map((slots) => ({
          created: 1,
          version: 0,
          rowIds: Float64Array.from(slots, (slot) => (slot.used ? nextRowId++ : 0)),
          codes: Uint32Array.from(slots.flatMap((slot) => slot.code)),
        }));
        const expected = new Map<number, number>();
        for (const chunk of cached) {
          chunk.rowIds.forEach((rowId, slot) => {
            if (rowId !== 0) expected.set(rowId, hamming(chunk.codes, slot * queryCode.length, queryCode));
          });
        }
        const ranking = rankByCodeDistance(cached, queryCode);
        const ordered = Array.from(ranking.slice(0, ranking.length));
        expect(ranking.length).toBe(expected.size);
        expect(new Set(ordered)).toEqual(new Set(expected.keys()));
        expect(ordered).toHaveLength(expected.size);
        const distances = ordered.map((rowId) => expected.get(rowId) as number);
        expect(distances).toEqual([...distances].sort((a, b) => a - b));
        // A search reads the ranking a slice at a time, each placing only the rows it needs, in
        // arrays its store reuses from search to search (grown, never cleared).
        const stepwise = rankByCodeDistance(cached, queryCode, shared);
        const pieces: number[] = [];
        for (let start = 0, step = 0; start < stepwise.length; step += 1) {
          const end = start + (steps[step % steps.length] as number);
          pieces.push(...stepwise.slice(start, end));
          start = end;
        }
        expect(pieces).toEqual(ordered);
        expect(Array.from(stepwise.slice(stepwise.length, stepwise.length + 5))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('SqliteSemanticStore binary-code index', () => {
  it('finds the true top-10 of clustered vectors of any dimension (recall property), with exact scores', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(8, 33, 96, 384),
        fc.integer({ min: 20, max: 300 }),
        // A shared offset up to about 1 (random pairs at cosine up to ~0.7): past it the vectors
        // sit in a narrow cone where sign codes tell less apart (0.895 seen at offset 1.36; ADR 0021).
        fc.double({ min: 0, max: 1, noNaN: true }),
        async (seed, dimensions, clusters, offset) => {
          const { database, store } = await openShared();
          try {
            const all = vectors(seed, EXACT_SEARCH_MAX_ROWS + 1520, dimensions, clusters, offset);
            const queries = all.splice(-20);
            await fill(store, 't', all);
            let hits = 0;
            for (const query of queries) {
              const found = await store.search('t', query, { limit: 10 });
              expect(found).toHaveLength(10);
              for (const result of found) {
                expect(result.score).toBeCloseTo(cosine(all[Number(result.id.slice(1))] as number[], query), 5);
              }
              const truth = new Set(bruteForce(all, query, 10));
              hits += found.filter((result) => truth.has(result.id)).length;
            }
            expect(hits / (queries.length * 10)).toBeGreaterThanOrEqual(0.9);
            expectConsistentIndex(database);
          } finally {
            await store.shutdown();
          }
        },
      ),
      // The seed is fixed so that the suite explores the same shapes every run.
      { numRuns: 6, seed: 20261129 },
    );
  }, 120_000);

  it('never reads or returns another tenant, even one holding copies of the query', async () => {
    const { database, store } = await openShared();
    try {
      const [mine, theirs] = [uniqueTenant('mine'), uniqueTenant('theirs')];
      const all = vectors(7, EXACT_SEARCH_MAX_ROWS + 1010, 64, 50, 0.5);
      const queries = all.splice(-10);
      await fill(store, mine, all);
      // The other tenant holds the queries themselves (score 1) and the same vectors.
      await fill(store, theirs, [...queries, ...all]);
      let hits = 0;
      for (const query of queries) {
        const found = await store.search(mine, query, { limit: 10 });
        expect(found).toHaveLength(10);
        // Ids repeat across the tenants; a score tells whose vector it was.
        for (const result of found) {
          expect(result.score).toBeCloseTo(cosine(all[Number(result.id.slice(1))] as number[], query), 5);
        }
        const truth = new Set(bruteForce(all, query, 10));
        hits += found.filter((result) => truth.has(result.id)).length;
      }
      expect(hits).toBeGreaterThanOrEqual(90);
      const tenants = database.all<{ tenant_id: string; rows: number }>(
        `select c.tenant_id, count(*) as rows from platform_embedding_codes c
         join platform_embeddings e on e.code_chunk = c.chunk and e.tenant_id = c.tenant_id and e.dimensions = c.dimensions
         group by c.tenant_id order by c.tenant_id`,
      );
      expect(tenants.map((row) => row.rows).sort()).toEqual([all.length, all.length + queries.length].sort());
      expectConsistentIndex(database);
    } finally {
      await store.shutdown();
    }
  }, 60_000);

  it('returns the exact top-k under selective filters and a full page under broad ones', async () => {
    const { store } = await openShared();
    try {
      const all = vectors(11, 6010, 48, 80, 0.6);
      const queries = all.splice(-10);
      await fill(store, 't', all);
      for (const query of queries) {
        // 1% of rows: through the kind index, exactly.
        const rare = await store.search('t', query, { kind: 'rare', limit: 10 });
        expect(rare.map((result) => result.id)).toEqual(bruteForce(all, query, 10, (index) => index % 100 === 0));
        // 1% by metadata: too few pass among the candidates, so the search falls back to exact.
        const one = await store.search('t', query, { metadata: { one: true }, limit: 10 });
        expect(one.map((result) => result.id)).toEqual(bruteForce(all, query, 10, (index) => index % 100 === 1));
        // One content (500 rows): exact.
        const content = await store.search('t', query, { contentId: 'c500', limit: 10 });
        expect(content.map((result) => result.id)).toEqual(
          bruteForce(all, query, 10, (index) => index >= 500 && index < 1000),
        );
        // 10%: approximate, never short, every result passing.
        const group = await store.search('t', query, { metadata: { group: 3 }, limit: 25 });
        expect(group).toHaveLength(25);
        expect(group.every((result) => result.metadata.group === 3)).toBe(true);
        const truth = new Set(bruteForce(all, query, 25, (index) => index % 10 === 3));
        expect(group.filter((result) => truth.has(result.id)).length).toBeGreaterThanOrEqual(22);
      }
      // A filter nothing passes gives an empty list, not an error.
      expect(await store.search('t', queries[0] as number[], { model: 'other' })).toEqual([]);
    } finally {
      await store.shutdown();
    }
  }, 60_000);

  it('forgets deleted and replaced vectors at once: results, slots and codes', async () => {
    const { database, store } = await openShared();
    try {
      const all = vectors(21, EXACT_SEARCH_MAX_ROWS + 1000, 32, 40, 0.4);
      await fill(store, 't', all);
      const query = all[700] as number[];
      expect((await store.search('t', query, { limit: 1 }))[0]?.id).toBe('e700');
      // Cascade from the content (rows 500-999).
      expect(await store.deleteContent('t', 'c500')).toBe(true);
      const after = await store.search('t', query, { limit: 100 });
      expect(after).toHaveLength(100);
      expect(after.some((result) => Number(result.id.slice(1)) >= 500 && Number(result.id.slice(1)) < 1000)).toBe(
        false,
      );
      const truth = new Set(bruteForce(all, query, 100, (index) => index < 500 || index >= 1000));
      expect(after.filter((result) => truth.has(result.id)).length).toBeGreaterThanOrEqual(90);
      // Replacing a vector moves it to a new slot; the old one is cleared.
      await store.upsertEmbeddings('t', 'c0', [{ id: 'e3', kind: 'row', ref: '', vector: query, model: 'm' }]);
      expect((await store.search('t', query, { limit: 1 }))[0]).toMatchObject({
        id: 'e3',
        score: expect.closeTo(1, 5),
      });
      // Moving to another dimension leaves the chunks of the first.
      await store.upsertEmbeddings('t', 'c0', [{ id: 'e3', kind: 'row', ref: '', vector: [1, 2, 3], model: 'm' }]);
      expect((await store.search('t', query, { limit: 1 }))[0]?.id).not.toBe('e3');
      expectConsistentIndex(database);
      // A direct delete (as an erasure of the tenant would run) goes through the same trigger.
      database.run("delete from platform_embeddings where tenant_id = 't' and content_id = 'c1000'");
      expectConsistentIndex(database);
      expect(database.get<{ n: number }>('select count(*) as n from platform_embedding_codes')?.n).toBeGreaterThan(0);
      database.run('delete from platform_semantic_contents');
      expect(database.get<{ n: number }>('select count(*) as n from platform_embedding_codes')?.n).toBe(0);
    } finally {
      await store.shutdown();
    }
  }, 60_000);

  it('stays exact with the rows when two connections write one file at once', async () => {
    const path = join(directory, 'two-writers.db');
    const first = await openShared(path);
    const second = await openShared(path);
    try {
      const all = vectors(31, 3000, 24, 60, 0.3);
      await first.store.upsertContent({ tenantId: 't', contentId: 'c', kind: 'k' });
      // Batches of both connections interleave, and rewrite the same chunks, in separate transactions.
      await Promise.all(
        [first.store, second.store].map(async (store, writer) => {
          for (let start = writer * 15; start < all.length; start += 30) {
            await store.upsertEmbeddings(
              't',
              'c',
              all
                .slice(start, start + 15)
                .map((vector, offset) => ({ id: `e${start + offset}`, kind: 'k', ref: '', vector, model: 'm' })),
            );
          }
        }),
      );
      expectConsistentIndex(first.database);
      expect(await second.store.countEmbeddings('t', 'c')).toBe(all.length);
      for (const index of [0, 15, 1234, 2999]) {
        const found = await second.store.search('t', all[index] as number[], { limit: 10 });
        expect(found[0]?.id).toBe(`e${index}`);
        const truth = new Set(bruteForce(all, all[index] as number[], 10));
        expect(found.filter((result) => truth.has(result.id)).length).toBeGreaterThanOrEqual(8);
      }
    } finally {
      await first.store.shutdown();
      await second.store.shutdown();
    }
  }, 60_000);
});

describe('SqliteSemanticStore binary-code index kept in memory', () => {
  it('sees every change another connection makes to the chunks it keeps, even chunks deleted and created again', async () => {
    const path = join(directory, 'cache.db');
    const reader = await openShared(path);
    const writer = await openShared(path);
    try {
      const all = vectors(61, EXACT_SEARCH_MAX_ROWS + 1010, 32, 40, 0.3);
      const fresh = all.splice(-10);
      await fill(writer.store, 't', all);
      const query = fresh[0] as number[];
      expect((await reader.store.search('t', query, { limit: 1 }))[0]?.score).toBeLessThan(0.9999);
      // A new row in a chunk the reader keeps, and one replaced in place.
      await writer.store.upsertEmbeddings('t', 'c0', [
        { id: 'new', kind: 'k', ref: '', vector: query, model: 'm' },
        { id: 'e1', kind: 'k', ref: '', vector: fresh[1] as number[], model: 'm' },
      ]);
      expect((await reader.store.search('t', query, { limit: 1 }))[0]).toMatchObject({
        id: 'new',
        score: expect.closeTo(1, 5),
      });
      expect((await reader.store.search('t', fresh[1] as number[], { limit: 1 }))[0]?.id).toBe('e1');
      // Everything deleted (chunks removed at 0 rows), then other vectors written into chunks of the same numbers.
      await writer.database.write(() =>
        writer.database.run("delete from platform_semantic_contents where tenant_id = 't'"),
      );
      expect(await reader.store.search('t', query)).toEqual([]);
      const next = vectors(62, EXACT_SEARCH_MAX_ROWS + 500, 32, 40, 0.3);
      await fill(writer.store, 't', next);
      for (const index of [0, 777, 2499]) {
        expect((await reader.store.search('t', next[index] as number[], { limit: 1 }))[0]?.id).toBe(`e${index}`);
      }
      expectConsistentIndex(reader.database);
    } finally {
      await reader.store.shutdown();
      await writer.store.shutdown();
    }
  }, 60_000);
});

describe('SqliteSemanticStore binary-code index migration', () => {
  it('indexes a database written before the index, keeping every row, and rows written without it', async () => {
    const path = join(directory, 'before-index.db');
    const old = await SqliteDatabase.open({ path, extensions: [await sqliteVecPath()] });
    // The schema as it was before migration 0003, filled as the previous version wrote it.
    await old.applyMigrations(
      loadMigrations('sqlite-semantic').filter((migration) => migration.id < 'sqlite-semantic/0003'),
    );
    const all = vectors(41, EXACT_SEARCH_MAX_ROWS + 1205, 40, 50, 0.5);
    const extra = all.splice(-5);
    await old.write(() => {
      old.run(
        "insert into platform_semantic_contents (tenant_id, content_id, kind, created_at, updated_at) values ('t', 'c', 'k', 'x', 'x')",
      );
      for (const [index, vector] of all.entries()) {
        old.run(
          `insert into platform_embeddings (tenant_id, content_id, id, dimensions, embedding, kind, ref, model, text)
           values ('t', 'c', ?, ?, ?, 'k', '', 'm', ?)`,
          `e${index}`,
          vector.length,
          new Uint8Array(Float32Array.from(vector).buffer),
          `text ${index}`,
        );
      }
    });
    old.close();

    // A store without the index writes rows without codes: the indexed store still finds them.
    const plain = await openShared(path, 'none');
    await plain.store.upsertEmbeddings(
      't',
      'c',
      extra.map((vector, index) => ({ id: `x${index}`, kind: 'k', ref: '', vector, model: 'm' })),
    );
    const unindexed = plain.database.get<{ n: number }>(
      'select count(*) as n from platform_embeddings where code_chunk is null',
    );
    expect(unindexed?.n).toBe(all.length + extra.length);
    await plain.store.shutdown();

    const { database, store } = await openShared(path);
    try {
      expectConsistentIndex(database);
      expect(await store.countEmbeddings('t', 'c')).toBe(all.length + extra.length);
      for (const index of [0, 1, 2500]) {
        const found = await store.search('t', all[index] as number[], { limit: 5 });
        expect(found[0]).toMatchObject({ id: `e${index}`, text: `text ${index}` });
      }
      expect((await store.search('t', extra[2] as number[], { limit: 1 }))[0]?.id).toBe('x2');
    } finally {
      await store.shutdown();
    }
  }, 60_000);

  it('rescores rows another store left without a code until they are indexed', async () => {
    const path = join(directory, 'mixed.db');
    const indexed = await openShared(path);
    const plain = await openShared(path, 'none');
    try {
      const all = vectors(51, EXACT_SEARCH_MAX_ROWS + 603, 16, 30, 0.2);
      const late = all.splice(-3);
      await fill(indexed.store, 't', all);
      await plain.store.upsertEmbeddings(
        't',
        'c0',
        late.map((vector, index) => ({ id: `late${index}`, kind: 'k', ref: '', vector, model: 'm' })),
      );
      for (const [index, vector] of late.entries()) {
        expect((await indexed.store.search('t', vector, { limit: 1 }))[0]?.id).toBe(`late${index}`);
      }
      // The next write of the indexed store gives them slots.
      await indexed.store.upsertEmbeddings('t', 'c0', [
        { id: 'e0', kind: 'row', ref: '', vector: all[0] as number[], model: 'm' },
      ]);
      expectConsistentIndex(indexed.database);
    } finally {
      await indexed.store.shutdown();
      await plain.store.shutdown();
    }
  }, 60_000);
});
