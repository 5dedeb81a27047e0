import { vector } from '@electric-sql/pglite-pgvector';
import { MemoryBlobStore, SqlSemanticStore } from '@platform/foundations';
import { PGliteDriver } from '@platform/foundations/pglite';
import { describe, expect, it } from 'vitest';
import { parseContent } from '../content/parse-content.js';
import { HashingEmbedder } from '../embedding/hashing-embedder.js';
import { findEntities } from './entities.js';
import { processSemantics } from './semantic-result.js';

const encode = (text: string) => new TextEncoder().encode(text);

const CSV = [
  'customer_id,email,country,amount,signup_date,comment',
  ...Array.from(
    { length: 60 },
    (_, index) =>
      `C${1000 + index},user${index}@example.com,${['NL', 'DE', 'FR'][index % 3]},${(index * 3.25).toFixed(2)},2026-01-${String((index % 28) + 1).padStart(2, '0')},${index % 2 ? 'the parcel arrived late and damaged' : 'quick delivery and friendly support staff'}`,
  ),
].join('\n');

describe('processSemantics', () => {
  it('infers column types, embeds three views of each column, and links file -> table -> columns -> types', async () => {
    const blobStore = new MemoryBlobStore();
    const parse = await parseContent({
      tenantId: 't',
      fileId: 'orders',
      fileName: 'orders.csv',
      body: encode(CSV),
      blobStore,
    });
    const embedder = new HashingEmbedder();
    const result = await processSemantics(parse, { fileId: 'orders', fileName: 'orders.csv', embedder });
    expect(result.columns.map((column) => [column.column, column.physical.type, column.semantic.type])).toEqual([
      ['customer_id', 'string', 'identifier'],
      ['email', 'string', 'email'],
      ['country', 'string', 'country'],
      ['amount', 'decimal', 'measure'],
      ['signup_date', 'date', 'timestamp'],
      ['comment', 'string', 'free_text'],
    ]);
    expect(result.columns[1]?.meaning).toBe('email: e-mail addresses, stored as text');
    expect(result.embeddings.filter((entry) => entry.ref === 'orders.email').map((entry) => entry.kind)).toEqual([
      'column_name',
      'column_meaning',
      'column_samples',
    ]);
    for (const embedding of result.embeddings) expect(embedding.vector).toHaveLength(embedder.dimensions);
    const edge = (relation: string) => result.graph.edges.filter((entry) => entry.relation === relation);
    expect(edge('has_table')).toHaveLength(1);
    expect(edge('has_column')).toHaveLength(6);
    expect(edge('has_semantic_type').find((entry) => entry.from.endsWith(':column:2'))?.to).toBe(
      'orders:semantic_type:email',
    );
    expect(result.content).toMatchObject({ contentId: 'orders', kind: 'structured' });
  });

  it('embeds text chunks, finds entities in them, and stores it all in a real PGlite semantic store', async () => {
    const blobStore = new MemoryBlobStore();
    const text = `# Q3 results\n\nRevenue reached $1,200,000 on 2026-09-30, up 12.5% on last year. Questions: ir@example.com or https://example.com/ir.\n\n## Outlook\n\nWe expect growth to continue into 2027.`;
    const parse = await parseContent({ tenantId: 't', fileId: 'q3', fileName: 'q3.md', body: encode(text), blobStore });
    const embedder = new HashingEmbedder();
    const result = await processSemantics(parse, { fileId: 'q3', fileName: 'q3.md', embedder });
    expect(result.content.kind).toBe('unstructured');
    expect(result.entities.map((entity) => [entity.type, entity.text])).toEqual([
      ['money', '$1,200,000'],
      ['date', '2026-09-30'],
      ['percentage', '12.5%'],
      ['email', 'ir@example.com'],
      ['url', 'https://example.com/ir'],
    ]);
    const store = new SqlSemanticStore({ driver: await PGliteDriver.open({ extensions: { vector } }) });
    await store.initialize();
    try {
      await store.upsertContent({ tenantId: 't', ...result.content });
      expect(await store.upsertEmbeddings('t', 'q3', result.embeddings)).toBe(result.embeddings.length);
      await store.upsertGraph('t', 'q3', result.graph);
      const [query] = await embedder.embed(['growth outlook 2027']);
      const [best] = await store.search('t', query as number[], { limit: 1 });
      expect(best?.metadata.section).toBe('Q3 results > Outlook');
      const mentioned = await store.neighbors('t', 'q3:chunk:0', { relation: 'mentions', direction: 'out' });
      expect(mentioned.nodes.map((node) => node.label).sort()).toEqual([
        '$1,200,000',
        '12.5%',
        '2026-09-30',
        'https://example.com/ir',
        'ir@example.com',
      ]);
    } finally {
      await store.shutdown();
    }
  });

  it('refuses an embedder that breaks its contract', async () => {
    const parse = await parseContent({
      tenantId: 't',
      fileId: 'x',
      fileName: 'x.txt',
      body: encode('some text'),
      blobStore: new MemoryBlobStore(),
    });
    const broken = {
      model: 'broken',
      dimensions: 3,
      embed: async (texts: readonly string[]) => texts.map(() => [1, 2]),
    };
    await expect(processSemantics(parse, { fileId: 'x', embedder: broken })).rejects.toMatchObject({
      code: 'CONTRACT_VIOLATION',
    });
  });

  it('does not read an e-mail as a URL or a date inside a longer number', () => {
    expect(findEntities('mail a@b.io, not 12026-01-011').map((entity) => entity.type)).toEqual(['email']);
  });
});
