import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SemanticStore } from '../public-works/ports/semantic-store.js';
import { expectPlatformError, uniqueTenant } from './assertions.js';

/** What a semantic store conformance run needs. */
export interface SemanticStoreFixture {
  store: SemanticStore;
  cleanup?: () => Promise<void>;
}

/** A deterministic unit-ish vector of `dimensions`, pointing mostly along `axis`. */
function direction(axis: number, dimensions: number, wobble = 0): number[] {
  return Array.from(
    { length: dimensions },
    (_, index) => (index === axis % dimensions ? 1 : 0) + ((index * 7 + axis * 13 + wobble) % 11) / 200,
  );
}

/** The shared behaviour every {@link SemanticStore} adapter must have. */
export function describeSemanticStoreConformance(name: string, setup: () => Promise<SemanticStoreFixture>): void {
  describe(`SemanticStore conformance: ${name}`, () => {
    let fixture: SemanticStoreFixture;
    let store: SemanticStore;
    beforeAll(async () => {
      fixture = await setup();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.cleanup?.();
    });

    it('upserts content, keeping its creation time, and lists it by file', async () => {
      const tenant = uniqueTenant();
      const first = await store.upsertContent({
        tenantId: tenant,
        contentId: 'c1',
        fileId: 'f1',
        kind: 'structured',
        metadata: { rows: 3 },
      });
      const second = await store.upsertContent({
        tenantId: tenant,
        contentId: 'c1',
        fileId: 'f1',
        kind: 'structured',
        title: 'Sales',
      });
      expect(second).toMatchObject({ title: 'Sales', metadata: {}, createdAt: first.createdAt });
      await store.upsertContent({ tenantId: tenant, contentId: 'c2', fileId: 'f2', kind: 'unstructured' });
      expect((await store.listContent(tenant, { fileId: 'f1' })).map((item) => item.contentId)).toEqual(['c1']);
      expect(await store.getContent(tenant, 'c1')).toEqual(second);
      await expectPlatformError(store.getContent(uniqueTenant(), 'c1'), 'NOT_FOUND');
      await expectPlatformError(
        store.upsertContent({ tenantId: tenant, contentId: '', kind: 'x' }),
        'VALIDATION_FAILED',
      );
    });

    it('finds the nearest embeddings by cosine similarity, best first, with filters', async () => {
      const tenant = uniqueTenant();
      await store.upsertContent({ tenantId: tenant, contentId: 'doc', kind: 'unstructured' });
      await store.upsertEmbeddings(
        tenant,
        'doc',
        Array.from({ length: 12 }, (_, index) => ({
          id: `e${index}`,
          kind: index % 2 === 0 ? 'chunk' : 'column_name',
          ref: String(index),
          text: `text ${index}`,
          vector: direction(index, 384),
          model: 'test-model',
          metadata: { parity: index % 2 === 0 ? 'even' : 'odd', index },
        })),
      );
      const best = await store.search(tenant, direction(4, 384), { limit: 3 });
      expect(best[0]).toMatchObject({
        id: 'e4',
        contentId: 'doc',
        kind: 'chunk',
        ref: '4',
        text: 'text 4',
        model: 'test-model',
      });
      expect(best[0]?.score).toBeGreaterThan(0.99);
      expect(best.map((result) => result.score)).toEqual([...best.map((result) => result.score)].sort((a, b) => b - a));
      expect(
        (await store.search(tenant, direction(4, 384), { kind: 'column_name', limit: 2 })).every(
          (result) => result.kind === 'column_name',
        ),
      ).toBe(true);
      const odd = await store.search(tenant, direction(4, 384), { metadata: { parity: 'odd' }, limit: 20 });
      expect(odd.map((result) => result.id).sort()).toEqual(['e1', 'e11', 'e3', 'e5', 'e7', 'e9']);
      expect(await store.search(tenant, direction(4, 384), { contentId: 'other' })).toEqual([]);
      expect(await store.search(tenant, direction(1, 16))).toEqual([]);
    });

    it('never lets one tenant see another, even when the other holds most of the vectors', async () => {
      const big = uniqueTenant('big');
      const small = uniqueTenant('small');
      await store.upsertContent({ tenantId: big, contentId: 'bulk', kind: 'unstructured' });
      await store.upsertEmbeddings(
        big,
        'bulk',
        Array.from({ length: 300 }, (_, index) => ({
          id: `b${index}`,
          kind: 'chunk',
          ref: String(index),
          vector: direction(3, 384, index),
          model: 'm',
        })),
      );
      await store.upsertContent({ tenantId: small, contentId: 'few', kind: 'unstructured' });
      await store.upsertEmbeddings(
        small,
        'few',
        Array.from({ length: 5 }, (_, index) => ({
          id: `s${index}`,
          kind: 'chunk',
          ref: String(index),
          vector: direction(index + 40, 384),
          model: 'm',
        })),
      );
      const results = await store.search(small, direction(3, 384), { limit: 5 });
      expect(results.map((result) => result.id).sort()).toEqual(['s0', 's1', 's2', 's3', 's4']);
      expect(
        (await store.search(big, direction(3, 384), { limit: 100 })).every((result) => result.contentId === 'bulk'),
      ).toBe(true);
    });

    it('upserts embeddings by id (no duplicates on a second write) and supports other dimensions', async () => {
      const tenant = uniqueTenant();
      await store.upsertContent({ tenantId: tenant, contentId: 'small-dims', kind: 'structured' });
      const embeddings = Array.from({ length: 4 }, (_, index) => ({
        id: `x${index}`,
        kind: 'column_name',
        ref: `col${index}`,
        vector: direction(index, 8),
        model: 'm8',
      }));
      expect(await store.upsertEmbeddings(tenant, 'small-dims', embeddings)).toBe(4);
      await store.upsertEmbeddings(tenant, 'small-dims', embeddings);
      expect(await store.countEmbeddings(tenant, 'small-dims')).toBe(4);
      expect((await store.search(tenant, direction(2, 8), { limit: 1 }))[0]?.id).toBe('x2');
    });

    it('refuses bad vectors, mixed dimensions and unknown content', async () => {
      const tenant = uniqueTenant();
      await store.upsertContent({ tenantId: tenant, contentId: 'c', kind: 'structured' });
      await expectPlatformError(
        store.upsertEmbeddings(tenant, 'c', [
          { id: 'a', kind: 'chunk', ref: '0', vector: [1, 0, 0], model: 'm' },
          { id: 'b', kind: 'chunk', ref: '1', vector: [1, 0], model: 'm' },
        ]),
        'VALIDATION_FAILED',
      );
      await expectPlatformError(
        store.upsertEmbeddings(tenant, 'c', [{ id: 'a', kind: 'chunk', ref: '0', vector: [Number.NaN], model: 'm' }]),
        'VALIDATION_FAILED',
      );
      await expectPlatformError(
        store.upsertEmbeddings(tenant, 'missing', [{ id: 'a', kind: 'chunk', ref: '0', vector: [1], model: 'm' }]),
        'NOT_FOUND',
      );
      await expectPlatformError(store.search(tenant, [0, 0, 0]), 'VALIDATION_FAILED');
      await expectPlatformError(store.search(tenant, [1, 2], { limit: 0 }), 'VALIDATION_FAILED');
      expect(await store.countEmbeddings(tenant, 'c')).toBe(0);
    });

    it('finds embedded texts by keywords: every word must occur, tenant-filtered, best first', async () => {
      const tenant = uniqueTenant();
      await store.upsertContent({ tenantId: tenant, contentId: 'doc', kind: 'unstructured' });
      const texts = [
        'Quarterly revenue grew in the northern region',
        'Revenue and revenue targets: revenue per region',
        'Customer churn fell sharply',
        'The northern warehouse closed',
      ];
      await store.upsertEmbeddings(
        tenant,
        'doc',
        texts.map((text, index) => ({
          id: `t${index}`,
          kind: index === 3 ? 'title' : 'chunk',
          ref: String(index),
          text,
          vector: direction(index, 384),
          model: 'm',
        })),
      );
      const revenue = await store.searchText(tenant, 'REVENUE');
      expect(revenue.map((result) => result.id)).toEqual(['t1', 't0']);
      expect((await store.searchText(tenant, 'northern revenue')).map((result) => result.id)).toEqual(['t0']);
      expect((await store.searchText(tenant, 'northern', { kind: 'title' })).map((result) => result.id)).toEqual([
        't3',
      ]);
      expect(await store.searchText(tenant, 'revenue & | !churn')).toEqual([]);
      expect(await store.searchText(uniqueTenant(), 'revenue')).toEqual([]);
      await expectPlatformError(store.searchText(tenant, '  ,;  '), 'VALIDATION_FAILED');
      await expectPlatformError(store.searchText(tenant, 'x'.repeat(1001)), 'VALIDATION_FAILED');
    });

    it('stores a graph and walks it in both directions', async () => {
      const tenant = uniqueTenant();
      await store.upsertContent({ tenantId: tenant, contentId: 'g', kind: 'structured' });
      const graph = {
        nodes: [
          { id: 'file:1', kind: 'file', label: 'sales.csv' },
          { id: 'col:1:email', kind: 'column', label: 'email', properties: { type: 'string' } },
          { id: 'type:email', kind: 'semantic_type', label: 'email' },
        ],
        edges: [
          { from: 'file:1', to: 'col:1:email', relation: 'has_column' },
          { from: 'col:1:email', to: 'type:email', relation: 'has_semantic_type', properties: { confidence: 0.97 } },
        ],
      };
      await store.upsertGraph(tenant, 'g', graph);
      await store.upsertGraph(tenant, 'g', graph);
      const around = await store.neighbors(tenant, 'col:1:email');
      expect(around.edges).toHaveLength(2);
      expect(around.nodes.map((node) => node.id)).toEqual(['file:1', 'type:email']);
      const out = await store.neighbors(tenant, 'col:1:email', { direction: 'out' });
      expect(out).toEqual({
        edges: [
          { from: 'col:1:email', to: 'type:email', relation: 'has_semantic_type', properties: { confidence: 0.97 } },
        ],
        nodes: [{ id: 'type:email', kind: 'semantic_type', label: 'email', properties: {} }],
      });
      expect((await store.neighbors(tenant, 'file:1', { relation: 'nope' })).edges).toEqual([]);
      // A node or edge given twice in one call keeps its last version, as one-by-one upserts would.
      await store.upsertGraph(tenant, 'g', {
        nodes: [
          { id: 'type:email', kind: 'semantic_type', label: 'first' },
          { id: 'type:email', kind: 'semantic_type', label: 'e-mail' },
        ],
        edges: [
          { from: 'file:1', to: 'col:1:email', relation: 'has_column', properties: { n: 1 } },
          { from: 'file:1', to: 'col:1:email', relation: 'has_column', properties: { n: 2 } },
        ],
      });
      const fromFile = await store.neighbors(tenant, 'file:1', { direction: 'out' });
      expect(fromFile.edges).toEqual([
        { from: 'file:1', to: 'col:1:email', relation: 'has_column', properties: { n: 2 } },
      ]);
      expect((await store.neighbors(tenant, 'col:1:email', { direction: 'out' })).nodes[0]?.label).toBe('e-mail');
      expect((await store.neighbors(uniqueTenant(), 'file:1')).edges).toEqual([]);
      await expectPlatformError(
        store.upsertGraph(tenant, 'g', { edges: [{ from: 'a', to: 'b', relation: 'Bad Relation' }] }),
        'VALIDATION_FAILED',
      );
    });

    it('traverses the graph breadth first: depth, shortest paths, direction, relations, limit', async () => {
      const tenant = uniqueTenant();
      await store.upsertContent({ tenantId: tenant, contentId: 'g', kind: 'structured' });
      await store.upsertGraph(tenant, 'g', {
        nodes: [
          { id: 'file:1', kind: 'file', label: 'sales.csv' },
          { id: 'table:1', kind: 'table', label: 'sales' },
          { id: 'col:a', kind: 'column', label: 'email' },
          { id: 'col:b', kind: 'column', label: 'contact' },
          { id: 'type:email', kind: 'semantic_type', label: 'email' },
          { id: 'chunk:0', kind: 'chunk', label: 'chunk 1' },
          { id: 'entity:x', kind: 'entity', label: 'Ada' },
        ],
        edges: [
          { from: 'file:1', to: 'table:1', relation: 'has_table' },
          { from: 'table:1', to: 'col:b', relation: 'has_column' },
          { from: 'table:1', to: 'col:a', relation: 'has_column' },
          { from: 'col:b', to: 'type:email', relation: 'has_semantic_type' },
          { from: 'col:a', to: 'type:email', relation: 'has_semantic_type', properties: { confidence: 0.9 } },
          { from: 'file:1', to: 'chunk:0', relation: 'has_chunk' },
          // 'ghost' has no node record: walked through, never returned.
          { from: 'chunk:0', to: 'ghost', relation: 'mentions' },
          { from: 'ghost', to: 'entity:x', relation: 'mentions' },
        ],
      });
      const edge = (from: string, relation: string, to: string, properties = {}) => ({
        from,
        to,
        relation,
        properties,
      });
      const summary = (steps: Awaited<ReturnType<SemanticStore['traverse']>>) =>
        steps.map((step) => `${step.depth} ${step.node.id}`);

      const twoAway = await store.traverse(tenant, 'file:1');
      expect(summary(twoAway)).toEqual(['1 chunk:0', '1 table:1', '2 col:a', '2 col:b']);
      expect(twoAway[2]).toEqual({
        node: { id: 'col:a', kind: 'column', label: 'email', properties: {} },
        depth: 2,
        path: [edge('file:1', 'has_table', 'table:1'), edge('table:1', 'has_column', 'col:a')],
      });

      const threeAway = await store.traverse(tenant, 'file:1', { maxDepth: 3 });
      expect(summary(threeAway).slice(4)).toEqual(['3 entity:x', '3 type:email']);
      // Two shortest paths reach the type: the one first in (from, relation, to) order, through col:a.
      expect(threeAway[5]?.path).toEqual([
        edge('file:1', 'has_table', 'table:1'),
        edge('table:1', 'has_column', 'col:a'),
        edge('col:a', 'has_semantic_type', 'type:email', { confidence: 0.9 }),
      ]);

      // Backwards along the edges: the path keeps each edge as stored.
      const towards = await store.traverse(tenant, 'type:email', { direction: 'in' });
      expect(summary(towards)).toEqual(['1 col:a', '1 col:b', '2 table:1']);
      expect(towards[2]?.path).toEqual([
        edge('col:a', 'has_semantic_type', 'type:email', { confidence: 0.9 }),
        edge('table:1', 'has_column', 'col:a'),
      ]);
      expect(summary(await store.traverse(tenant, 'col:a', { direction: 'out', maxDepth: 5 }))).toEqual([
        '1 type:email',
      ]);
      // Both ways, a column's siblings are two edges away through the table or the type.
      expect(summary(await store.traverse(tenant, 'col:a'))).toEqual([
        '1 table:1',
        '1 type:email',
        '2 col:b',
        '2 file:1',
      ]);

      expect(
        summary(await store.traverse(tenant, 'file:1', { relations: ['has_table', 'has_column'], maxDepth: 5 })),
      ).toEqual(['1 table:1', '2 col:a', '2 col:b']);
      expect(summary(await store.traverse(tenant, 'file:1', { maxDepth: 5, limit: 3 }))).toEqual([
        '1 chunk:0',
        '1 table:1',
        '2 col:a',
      ]);

      // Nodes of the tenant's other contents are reached too; other tenants' are not.
      await store.upsertContent({ tenantId: tenant, contentId: 'g2', kind: 'structured' });
      await store.upsertGraph(tenant, 'g2', {
        nodes: [{ id: 'col:z', kind: 'column', label: 'mail' }],
        edges: [{ from: 'col:z', to: 'type:email', relation: 'has_semantic_type' }],
      });
      expect(summary(await store.traverse(tenant, 'type:email', { direction: 'in', maxDepth: 1 }))).toEqual([
        '1 col:a',
        '1 col:b',
        '1 col:z',
      ]);
      await store.deleteContent(tenant, 'g2');
      expect(summary(await store.traverse(tenant, 'type:email', { direction: 'in', maxDepth: 1 }))).toEqual([
        '1 col:a',
        '1 col:b',
      ]);
      expect(await store.traverse(uniqueTenant(), 'file:1')).toEqual([]);
      expect(await store.traverse(tenant, 'no-such-node')).toEqual([]);

      for (const options of [
        { maxDepth: 0 },
        { maxDepth: 6 },
        { maxDepth: 1.5 },
        { limit: 0 },
        { limit: 1001 },
        { relations: [] },
        { relations: ['Not A Relation'] },
        { direction: 'sideways' as 'out' },
      ]) {
        await expectPlatformError(store.traverse(tenant, 'file:1', options), 'VALIDATION_FAILED');
      }
    });

    it('keeps a correlation map per content, and deleting content removes all it owns', async () => {
      const tenant = uniqueTenant();
      await store.upsertContent({ tenantId: tenant, contentId: 'owned', kind: 'structured' });
      await store.putCorrelationMap(tenant, 'owned', { pearson: { a: { b: 0.9 } } });
      await store.putCorrelationMap(tenant, 'owned', { pearson: { a: { b: 0.8 } } });
      expect(await store.getCorrelationMap(tenant, 'owned')).toEqual({ pearson: { a: { b: 0.8 } } });
      await store.upsertEmbeddings(tenant, 'owned', [
        { id: 'v', kind: 'chunk', ref: '0', vector: direction(1, 384), model: 'm' },
      ]);
      await store.upsertGraph(tenant, 'owned', {
        nodes: [
          { id: 'n1', kind: 'file', label: 'f' },
          { id: 'n2', kind: 'column', label: 'c' },
        ],
        edges: [{ from: 'n1', to: 'n2', relation: 'has_column' }],
      });
      expect(await store.deleteContent(tenant, 'owned')).toBe(true);
      expect(await store.deleteContent(tenant, 'owned')).toBe(false);
      expect(await store.countEmbeddings(tenant, 'owned')).toBe(0);
      expect(await store.search(tenant, direction(1, 384))).toEqual([]);
      expect((await store.neighbors(tenant, 'n1')).edges).toEqual([]);
      expect(await store.getCorrelationMap(tenant, 'owned')).toBeUndefined();
      await expectPlatformError(store.putCorrelationMap(tenant, 'owned', {}), 'NOT_FOUND');
    });
  });
}
