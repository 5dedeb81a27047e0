import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectPlatformError, uniqueTenant } from '../../testing/assertions.js';
import { describeSemanticStoreConformance } from '../../testing/index.js';
import { SqliteDatabase } from './sqlite-database.js';
import { SqliteSemanticStore, sqliteVecPath } from './sqlite-semantic-store.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sqlite-semantic-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function openStore(path?: string) {
  const store = new SqliteSemanticStore(path === undefined ? {} : { path });
  await store.initialize();
  return store;
}

/** A store on a connection the test keeps, to look at the tables and the keyword index directly. */
async function openShared() {
  const database = await SqliteDatabase.open({ extensions: [await sqliteVecPath()] });
  const store = new SqliteSemanticStore({ database });
  await store.initialize();
  const checkKeywordIndex = () =>
    database.run("insert into platform_embeddings_fts (platform_embeddings_fts, rank) values ('integrity-check', 1)");
  return { database, store, checkKeywordIndex };
}

/** A deterministic pseudo-random vector per `seed` (no two alike): plain JS, also run in child processes. */
function vectorOf(seed: number, dimensions: number): number[] {
  let state = seed * 2654435761 + 1;
  return Array.from({ length: dimensions }, () => {
    state = (Math.imul(state ^ (state >>> 15), 2246822507) + 0x6d2b79f5) >>> 0;
    return state / 4294967296 - 0.5;
  });
}

describeSemanticStoreConformance('sqlite + sqlite-vec (in memory)', async () => {
  const store = await openStore();
  return { store, cleanup: () => store.shutdown() };
});

describeSemanticStoreConformance('sqlite + sqlite-vec (file)', async () => {
  const store = await openStore(join(directory, 'conformance', 'semantic.db'));
  return { store, cleanup: () => store.shutdown() };
});

describe('SqliteSemanticStore on a file', () => {
  it('keeps contents, embeddings, the keyword index, the graph and correlation maps across a reopen', async () => {
    const path = join(directory, 'reopen.db');
    const tenant = uniqueTenant();
    const first = await openStore(path);
    const content = await first.upsertContent({ tenantId: tenant, contentId: 'doc', kind: 'unstructured', title: 'T' });
    await first.upsertEmbeddings(tenant, 'doc', [
      { id: 'a', kind: 'chunk', ref: '0', text: 'northern revenue', vector: vectorOf(1, 16), model: 'm' },
      { id: 'b', kind: 'chunk', ref: '1', text: 'southern costs', vector: vectorOf(2, 16), model: 'm' },
    ]);
    await first.upsertGraph(tenant, 'doc', {
      nodes: [{ id: 'n1', kind: 'file', label: 'f' }],
      edges: [{ from: 'n1', to: 'n2', relation: 'has_column' }],
    });
    await first.putCorrelationMap(tenant, 'doc', { pearson: { a: { b: 0.5 } } });
    await first.shutdown();
    await expectPlatformError(first.getContent(tenant, 'doc'), 'ADAPTER_UNAVAILABLE');

    const second = await openStore(path);
    try {
      expect(await second.getContent(tenant, 'doc')).toEqual(content);
      expect(await second.countEmbeddings(tenant, 'doc')).toBe(2);
      const [best] = await second.search(tenant, vectorOf(2, 16), { limit: 1 });
      expect(best).toMatchObject({ id: 'b', text: 'southern costs' });
      expect(best?.score).toBeGreaterThan(0.9999);
      expect((await second.searchText(tenant, 'revenue')).map((result) => result.id)).toEqual(['a']);
      expect((await second.neighbors(tenant, 'n1')).edges).toEqual([
        { from: 'n1', to: 'n2', relation: 'has_column', properties: {} },
      ]);
      expect(await second.getCorrelationMap(tenant, 'doc')).toEqual({ pearson: { a: { b: 0.5 } } });
    } finally {
      await second.shutdown();
    }
  });

  it('takes writes of two processes at once: every embedding is stored and found exactly once', async () => {
    const path = join(directory, 'two-writers', 'semantic.db');
    const tenant = uniqueTenant();
    const perProcess = 200;
    const dimensions = 32;
    // Both processes open the fresh file and migrate it at once. Then this process holds the write
    // lock until both have started writing, so that both wait for it and then write in turns.
    const writers = [0, 1].map((writer) => startWriter(path, tenant, writer, perProcess, dimensions));
    await Promise.all(writers.map((writer) => writer.reached('ready')));
    const lock = await SqliteDatabase.open({ path });
    lock.exec('begin immediate');
    for (const writer of writers) writer.go();
    await Promise.all(writers.map((writer) => writer.reached('writing')));
    lock.exec('commit');
    lock.close();
    const exits = await Promise.all(writers.map((writer) => writer.exited));
    expect(exits).toEqual([
      { code: 0, stdout: 'ready\nwriting\ndone\n', stderr: '' },
      { code: 0, stdout: 'ready\nwriting\ndone\n', stderr: '' },
    ]);

    const store = await openStore(path);
    try {
      expect((await store.listContent(tenant)).map((content) => content.contentId).sort()).toEqual([
        'content-0',
        'content-1',
      ]);
      for (const writer of [0, 1]) {
        expect(await store.countEmbeddings(tenant, `content-${writer}`)).toBe(perProcess);
        for (let index = 0; index < perProcess; index += 1) {
          const seed = writer * perProcess + index;
          const found = await store.search(tenant, vectorOf(seed, dimensions), { limit: 2 });
          expect(found[0]).toMatchObject({ contentId: `content-${writer}`, id: `e${index}` });
          expect(found[0]?.score).toBeGreaterThan(0.9999);
          expect(found[1]?.score).toBeLessThan(0.99);
          const byWord = await store.searchText(tenant, `w${writer}x${index}`);
          expect(byWord.map((result) => `${result.contentId}/${result.id}`)).toEqual([`content-${writer}/e${index}`]);
        }
      }
    } finally {
      await store.shutdown();
    }
  }, 120_000);
});

const STORE_URL = new URL('./sqlite-semantic-store.ts', import.meta.url).href;

// The child runs the TypeScript sources as they are: Node strips the types, and this hook
// resolves the sources' `.js` specifiers to the `.ts` files beside them.
const WRITER = `
import { registerHooks } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier.startsWith('.') && specifier.endsWith('.js') && context.parentURL?.startsWith('file:')) {
      const source = new URL(specifier.slice(0, -3) + '.ts', context.parentURL);
      if (existsSync(fileURLToPath(source))) return nextResolve(source.href, context);
    }
    return nextResolve(specifier, context);
  },
});
const vectorOf = ${vectorOf.toString()};
const [storeUrl, path, tenant, writerText, countText, dimensionsText] = process.argv.slice(1);
const [writer, count, dimensions] = [writerText, countText, dimensionsText].map(Number);
const { SqliteSemanticStore } = await import(storeUrl);
const store = new SqliteSemanticStore({ path });
await store.initialize();
const contentId = 'content-' + writer;
await store.upsertContent({ tenantId: tenant, contentId, kind: 'unstructured' });
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
await new Promise((resolve) => process.stdout.write('writing\\n', resolve));
for (let start = 0; start < count; start += 10) {
  const batch = [];
  for (let index = start; index < Math.min(count, start + 10); index += 1) {
    const word = 'w' + writer + 'x' + index;
    batch.push({ id: 'e' + index, kind: 'chunk', ref: String(index), text: 'shared words and ' + word,
      vector: vectorOf(writer * count + index, dimensions), model: 'm' });
  }
  await store.upsertEmbeddings(tenant, contentId, batch);
}
await store.shutdown();
process.stdout.write('done\\n');
process.stdin.destroy();
`;

function startWriter(path: string, tenant: string, writer: number, count: number, dimensions: number) {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', WRITER, STORE_URL, path, tenant, String(writer), String(count), String(dimensions)],
    { cwd: fileURLToPath(new URL('.', import.meta.url)), stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let seen: () => void = () => {};
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    seen();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let closed = false;
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      closed = true;
      seen();
      resolve({ code, stdout, stderr });
    }),
  );
  /** Resolves once the child printed `line` (or exited: its exit is then checked). */
  const reached = (line: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (closed || stdout.split('\n').includes(line)) resolve();
        else seen = check;
      };
      check();
    });
  return { reached, exited, go: () => child.stdin.write('go\n') };
}

describe('SqliteSemanticStore keyword search', () => {
  let shared: Awaited<ReturnType<typeof openShared>>;
  beforeAll(async () => {
    shared = await openShared();
  });
  afterAll(async () => {
    await shared.store.shutdown();
    shared.database.close();
  });

  async function withTexts(texts: readonly string[]) {
    const tenant = uniqueTenant();
    await shared.store.upsertContent({ tenantId: tenant, contentId: 'doc', kind: 'unstructured' });
    await shared.store.upsertEmbeddings(
      tenant,
      'doc',
      texts.map((text, index) => ({
        id: `t${index}`,
        kind: 'chunk',
        ref: String(index),
        text,
        vector: [1, index],
        model: 'm',
      })),
    );
    return tenant;
  }

  it('reads FTS5 syntax in a query as plain words, never as operators', async () => {
    const tenant = await withTexts([
      'alpha beta',
      'alpha or gamma',
      'near the alpha NEAR beta',
      'not alpha',
      'quoted "alpha" text',
      'beta-carotene* and column:alpha',
    ]);
    const ids = async (query: string) =>
      (await shared.store.searchText(tenant, query)).map((result) => result.id).sort();
    // `OR` is the word "or": only the text holding it matches, not any text with alpha or gamma.
    expect(await ids('alpha OR gamma')).toEqual(['t1']);
    expect(await ids('NEAR(alpha beta)')).toEqual(['t2']);
    expect(await ids('NOT alpha')).toEqual(['t3']);
    expect(await ids('"alpha')).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
    expect(await ids('alpha -beta')).toEqual(['t0', 't2', 't5']);
    expect(await ids('beta*')).toEqual(['t0', 't2', 't5']);
    expect(await ids('carotene')).toEqual(['t5']);
    expect(await ids('column:alpha')).toEqual(['t5']);
    expect(await ids('text:alpha')).toEqual(['t4']);
    expect(await ids('^alpha + {beta} AND ( )')).toEqual(['t5']);
    expect(await ids("alpha'; drop table platform_embeddings; --")).toEqual([]);
    expect(await shared.store.countEmbeddings(tenant, 'doc')).toBe(6);
  });

  it('scores by occurrences over the square root of the word count, tenant-independent', async () => {
    const tenant = await withTexts(['revenue', 'revenue revenue costs costs', 'Revenue, REVENUE; revenue!', 'costs']);
    const results = await shared.store.searchText(tenant, 'revenue');
    expect(results.map((result) => [result.id, result.score])).toEqual([
      ['t2', 3 / Math.sqrt(3)],
      ['t0', 1],
      ['t1', 2 / Math.sqrt(4)],
    ]);
    // Another tenant holding many texts with the word changes nothing in this tenant's scores.
    await withTexts(Array.from({ length: 50 }, () => 'revenue everywhere'));
    expect(await shared.store.searchText(tenant, 'revenue')).toEqual(results);
    expect(await shared.store.searchText(tenant, 'revenue', { limit: 1 })).toEqual(results.slice(0, 1));
  });

  it('follows text changes and deletions, keeping the index consistent', async () => {
    const tenant = await withTexts(['old words here', 'stays put']);
    await shared.store.upsertEmbeddings(tenant, 'doc', [
      { id: 't0', kind: 'chunk', ref: '0', text: 'new words', vector: [1, 0], model: 'm' },
      { id: 't2', kind: 'chunk', ref: '2', vector: [1, 2], model: 'm' },
    ]);
    expect(await shared.store.searchText(tenant, 'old')).toEqual([]);
    expect((await shared.store.searchText(tenant, 'new words')).map((result) => result.id)).toEqual(['t0']);
    await shared.store.upsertEmbeddings(tenant, 'doc', [
      { id: 't0', kind: 'chunk', ref: '0', vector: [1, 0], model: 'm' },
    ]);
    expect(await shared.store.searchText(tenant, 'words')).toEqual([]);
    shared.checkKeywordIndex();
    expect(await shared.store.deleteContent(tenant, 'doc')).toBe(true);
    expect(await shared.store.searchText(tenant, 'stays')).toEqual([]);
    expect(shared.database.get('select count(*) as n from platform_embeddings where tenant_id = ?', tenant)).toEqual({
      n: 0,
    });
    shared.checkKeywordIndex();
  });
});

describe('SqliteSemanticStore vector search', () => {
  let store: SqliteSemanticStore;
  beforeAll(async () => {
    store = await openStore();
  });
  afterAll(() => store.shutdown());

  it('matches metadata by value and JSON type, as Postgres does', async () => {
    const tenant = uniqueTenant();
    await store.upsertContent({ tenantId: tenant, contentId: 'c', kind: 'structured' });
    const metadatas = [{ flag: true }, { flag: 1 }, { flag: '1' }, { flag: 1.5, other: 'x' }, {}];
    await store.upsertEmbeddings(
      tenant,
      'c',
      metadatas.map((metadata, index) => ({
        id: `m${index}`,
        kind: 'k',
        ref: '',
        vector: [1, index],
        model: 'm',
        metadata,
      })),
    );
    const ids = async (metadata: Record<string, string | number | boolean>) =>
      (await store.search(tenant, [1, 0], { metadata, limit: 100 })).map((result) => result.id).sort();
    expect(await ids({ flag: true })).toEqual(['m0']);
    expect(await ids({ flag: 1 })).toEqual(['m1']);
    expect(await ids({ flag: '1' })).toEqual(['m2']);
    expect(await ids({ flag: 1.5 })).toEqual(['m3']);
    expect(await ids({ flag: 1.5, other: 'x' })).toEqual(['m3']);
    expect(await ids({ flag: 1.5, other: 'y' })).toEqual([]);
    expect(await ids({ missing: false })).toEqual([]);
    expect(await ids({})).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    await expectPlatformError(store.search(tenant, [1, 0], { kind: 3 as unknown as string }), 'VALIDATION_FAILED');
  });

  it('ranks a stored zero vector last with score 0, and moves an embedding to a new dimension', async () => {
    const tenant = uniqueTenant();
    await store.upsertContent({ tenantId: tenant, contentId: 'c', kind: 'structured' });
    await store.upsertEmbeddings(tenant, 'c', [
      { id: 'zero', kind: 'k', ref: '', vector: [0, 0], model: 'm' },
      { id: 'away', kind: 'k', ref: '', vector: [-1, -0.1], model: 'm' },
      { id: 'near', kind: 'k', ref: '', vector: [1, 0.1], model: 'm' },
    ]);
    const results = await store.search(tenant, [1, 0]);
    expect(results.map((result) => result.id)).toEqual(['near', 'zero', 'away']);
    expect(results[1]?.score).toBe(0);
    await store.upsertEmbeddings(tenant, 'c', [{ id: 'near', kind: 'k', ref: '', vector: [1, 0, 0], model: 'm' }]);
    expect((await store.search(tenant, [1, 0])).map((result) => result.id)).toEqual(['zero', 'away']);
    expect((await store.search(tenant, [1, 0, 0])).map((result) => result.id)).toEqual(['near']);
    expect(await store.countEmbeddings(tenant, 'c')).toBe(3);
    await expectPlatformError(
      store.upsertEmbeddings(tenant, 'c', [{ id: 'huge', kind: 'k', ref: '', vector: [1e39, 0], model: 'm' }]),
      'VALIDATION_FAILED',
    );
    await expectPlatformError(store.search(tenant, [-1e39, 1]), 'VALIDATION_FAILED');
  });

  it('returns a full page to a small tenant whatever a large one holds nearer the query', async () => {
    const [big, small] = [uniqueTenant('big'), uniqueTenant('small')];
    for (const tenant of [big, small]) await store.upsertContent({ tenantId: tenant, contentId: 'c', kind: 'k' });
    await store.upsertEmbeddings(
      big,
      'c',
      Array.from({ length: 2000 }, (_, index) => ({
        id: `b${index}`,
        kind: 'k',
        ref: '',
        vector: [1, index / 1e6],
        model: 'm',
      })),
    );
    await store.upsertEmbeddings(
      small,
      'c',
      Array.from({ length: 30 }, (_, index) => ({
        id: `s${index}`,
        kind: 'k',
        ref: '',
        vector: [-1, index],
        model: 'm',
      })),
    );
    const results = await store.search(small, [1, 0], { limit: 25 });
    expect(results).toHaveLength(25);
    expect(results.every((result) => result.id.startsWith('s'))).toBe(true);
  });
});

describe('SqliteSemanticStore lifecycle', () => {
  it('is healthy while open, and unhealthy with the reason once shut down or before it is initialized', async () => {
    const store = await openStore();
    expect(await store.health()).toEqual({ status: 'healthy' });
    await store.shutdown();
    expect(await store.health()).toEqual({ status: 'unhealthy', message: expect.stringContaining('closed') });
    expect(await new SqliteSemanticStore().health()).toEqual({
      status: 'unhealthy',
      message: expect.stringContaining('initialize'),
    });
  });

  it('refuses to start without sqlite-vec, naming the cause', async () => {
    const missing = join(directory, 'no-such-extension.so');
    const error = await expectPlatformError(
      new SqliteSemanticStore({ extensionPath: missing }).initialize(),
      'ADAPTER_UNAVAILABLE',
    );
    expect(error.message).toContain('sqlite-vec');
    expect(error.message).toContain(missing);

    const plain = await SqliteDatabase.open();
    try {
      const refused = await expectPlatformError(
        new SqliteSemanticStore({ database: plain }).initialize(),
        'ADAPTER_UNAVAILABLE',
      );
      expect(refused.message).toContain('no sqlite-vec extension');
    } finally {
      plain.close();
    }
  });

  it('shares a connection it was given without closing it', async () => {
    const { database, store } = await openShared();
    try {
      const tenant = uniqueTenant();
      await store.upsertContent({ tenantId: tenant, contentId: 'c', kind: 'k' });
      await store.shutdown();
      expect(database.closed).toBe(false);
      // Migrations are applied once: a second store on the connection finds them done.
      const again = new SqliteSemanticStore({ database });
      await again.initialize();
      expect((await again.getContent(tenant, 'c')).contentId).toBe('c');
    } finally {
      database.close();
    }
  });
});

describe('SqliteSemanticStore: deleted texts leave nothing on disk', () => {
  it('removes the words of deleted content from the keyword index and the file (secure delete), after a checkpoint', async () => {
    const { readFile } = await import('node:fs/promises');
    const { DatabaseSync } = await import('node:sqlite');
    const path = join(directory, 'erase.db');
    const store = await openStore(path);
    const tenant = uniqueTenant();
    const marker = 'zqx7marker';
    await store.upsertContent({ tenantId: tenant, contentId: 'doc', kind: 'unstructured' });
    await store.upsertEmbeddings(tenant, 'doc', [
      { id: 'a', kind: 'chunk', ref: '0', text: `write to ${marker}@example.com today`, vector: [1, 0], model: 'm' },
      {
        id: 'b',
        kind: 'column_samples',
        ref: 't.card',
        text: `${marker} 5500005555555559`,
        vector: [0, 1],
        model: 'm',
      },
    ]);
    // Another content keeps its words: secure delete removes only what was deleted.
    await store.upsertContent({ tenantId: tenant, contentId: 'kept', kind: 'unstructured' });
    await store.upsertEmbeddings(tenant, 'kept', [
      { id: 'k', kind: 'chunk', ref: '0', text: 'keepsake words', vector: [1, 1], model: 'm' },
    ]);
    expect(await store.deleteContent(tenant, 'doc')).toBe(true);
    await store.shutdown?.();
    // What a host's maintenance (or the next automatic checkpoint) does with the write-ahead log.
    const raw = new DatabaseSync(path);
    raw.exec('pragma wal_checkpoint(TRUNCATE)');
    raw.close();
    const bytes = await readFile(path);
    expect(bytes.includes(Buffer.from(marker))).toBe(false);
    expect(bytes.includes(Buffer.from('5500005555555559'))).toBe(false);
    expect(bytes.includes(Buffer.from('keepsake'))).toBe(true);
  });
});
