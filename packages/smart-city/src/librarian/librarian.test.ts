import { createHash } from 'node:crypto';
import { createPlatform, MemorySemanticStore, SemanticStoreRef } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { smartCityModule } from '../city-manager/city-manager.js';
import type { UserContext } from '../user-context/user-context.js';
import { testUser } from '../user-context/user-context.test-helpers.js';
import { type Embedder, LibrarianRef, librarian } from './librarian.js';

/** A test embedder: hashed bag of lower-cased words, so texts sharing words point alike. */
const bagOfWords: Embedder = {
  model: 'test-bag-of-words',
  dimensions: 64,
  async embed(texts) {
    return texts.map((text) => {
      const vector = new Array<number>(64).fill(0);
      for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
        const slot = (createHash('sha256').update(word).digest()[0] as number) % 64;
        vector[slot] = (vector[slot] ?? 0) + 1;
      }
      return vector;
    });
  },
};

const ada = testUser('ada', 'acme', { permissions: ['content:read'] });
const eve = testUser('eve', 'globex', { permissions: ['content:read'] });

async function start() {
  const platform = createPlatform({
    env: {},
    telemetrySink: () => {},
    adapters: { semanticStore: new MemorySemanticStore() },
    modules: [smartCityModule({ roles: [librarian({ embedder: bagOfWords })] })],
  });
  await platform.start();
  const library = platform.get(LibrarianRef);
  const semantic = platform.get(SemanticStoreRef);
  await library.indexContent({
    tenantId: 'acme',
    contentId: 'report',
    chunks: [
      { ref: '0', text: 'Revenue grew in the northern region' },
      { ref: '1', text: 'Churn fell after the loyalty programme' },
      { ref: '2', text: 'Northern warehouse costs rose' },
    ],
  });
  await library.indexContent({
    tenantId: 'globex',
    contentId: 'secret',
    chunks: [{ ref: '0', text: 'Revenue secrets of globex' }],
  });
  return { library, semantic, stop: () => platform.stop() };
}

describe('Librarian', () => {
  it('searches text chunks by default, another kind when named, and every kind with *', async () => {
    const { library, semantic, stop } = await start();
    const [vector] = await bagOfWords.embed(['northern region sales']);
    await semantic.upsertEmbeddings('acme', 'report', [
      {
        id: 'column:region',
        kind: 'column_meaning',
        ref: 'region',
        text: 'northern region sales',
        vector: vector as number[],
        model: bagOfWords.model,
      },
    ]);
    const kinds = async (kind?: string) =>
      (await library.search(ada, 'northern', { mode: 'text', ...(kind ? { kind } : {}) }))
        .map((hit) => hit.kind)
        .sort();
    expect(await kinds()).toEqual(['chunk', 'chunk']);
    expect(await kinds('column_meaning')).toEqual(['column_meaning']);
    expect(await kinds('*')).toEqual(['chunk', 'chunk', 'column_meaning']);
    const byMeaning = await library.search(ada, 'region sales', { mode: 'vector', kind: '*', limit: 1 });
    expect(byMeaning[0]).toMatchObject({ kind: 'column_meaning', ref: 'region' });
    await stop();
  });

  it('finds chunks by keywords, by meaning, and by both fused', async () => {
    const { library, stop } = await start();
    expect((await library.search(ada, 'northern', { mode: 'text' })).map((hit) => hit.ref).sort()).toEqual(['0', '2']);
    const vector = await library.search(ada, 'loyalty churn', { mode: 'vector', limit: 1 });
    expect(vector[0]).toMatchObject({ ref: '1', foundBy: ['vector'] });
    const hybrid = await library.search(ada, 'northern revenue');
    expect(hybrid[0]).toMatchObject({ ref: '0', foundBy: ['text', 'vector'] });
    expect(hybrid[0]?.score).toBeCloseTo(2 / 61, 6);
    await stop();
  });

  it('never returns another tenant content, and indexing the same chunks again adds no duplicates', async () => {
    const { library, stop } = await start();
    for (const mode of ['text', 'vector', 'hybrid'] as const) {
      const hits = await library.search(ada, 'revenue secrets globex', { mode });
      expect(hits.every((hit) => hit.contentId === 'report')).toBe(true);
    }
    expect((await library.search(eve, 'revenue', { mode: 'text' })).map((hit) => hit.contentId)).toEqual(['secret']);
    await library.indexContent({
      tenantId: 'acme',
      contentId: 'report',
      chunks: [{ ref: '0', text: 'Revenue grew in the northern region' }],
    });
    expect(await library.search(ada, 'revenue', { mode: 'text' })).toHaveLength(1);
    await expect(library.search({ userId: 'x' }, 'revenue')).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    await stop();
  });

  it('refuses an unverified caller and a caller without content:read', async () => {
    const { library, stop } = await start();
    const plain: UserContext = { userId: 'ada', tenantId: 'acme', roles: [], permissions: ['*'] };
    for (const forged of [plain, { ...ada }, structuredClone(ada)]) {
      await expect(library.search(forged, 'revenue', { mode: 'text' })).rejects.toMatchObject({
        code: 'AUTHENTICATION_FAILED',
        details: { reason: 'unverified_user_context' },
      });
    }
    const uploader = testUser('uma', 'acme', { permissions: ['files:write'] });
    await expect(library.search(uploader, 'revenue', { mode: 'text' })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { action: 'content:read' },
    });
    // A wildcard over the resource covers it.
    const contentAdmin = testUser('cora', 'acme', { permissions: ['content:*'] });
    expect((await library.search(contentAdmin, 'revenue', { mode: 'text' })).length).toBeGreaterThan(0);
    await stop();
  });
});
