/**
 * Public Works on the embedded default, from the built @platform/foundations:
 *   1. metadata store writes and reads per second on file-backed PGlite, against the in-memory
 *      adapter measured in the same run;
 *   2. semantic search latency (p50/p95) on N vectors of 384 dimensions in PGlite + pgvector (HNSW),
 *      against exact search in the in-memory adapter over the same vectors.
 *
 *   node public-works.bench.ts [--quick] [--vectors 10000,100000]   (default: 10000; 100k takes about 15 minutes)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { vector } from '@electric-sql/pglite-pgvector';
import {
  MemoryMetadataStore,
  MemorySemanticStore,
  type MetadataStore,
  type SemanticStore,
  SqlMetadataStore,
  SqlSemanticStore,
} from '@platform/foundations';
import { PGliteDriver } from '@platform/foundations/pglite';
import { printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const vectorsArg = process.argv[process.argv.indexOf('--vectors') + 1];
const vectorCounts =
  process.argv.includes('--vectors') && vectorsArg ? vectorsArg.split(',').map(Number) : quick ? [2000] : [10_000];
const operations = quick ? 300 : 2000;
const DIMENSIONS = 384;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

let seed = 42;
function random(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}
const randomVector = () => Array.from({ length: DIMENSIONS }, () => random() * 2 - 1);
const hex = (index: number) => index.toString(16).padStart(64, '0');

async function metadataRates(store: MetadataStore): Promise<{ writes: number; reads: number; pages: number }> {
  const ids: string[] = [];
  let started = performance.now();
  for (let index = 0; index < operations; index += 1) {
    ids.push(
      (await store.createFile({ tenantId: 'bench', name: `f${index}.csv`, sizeBytes: index, sha256: hex(index) })).id,
    );
  }
  const writes = operations / ((performance.now() - started) / 1000);
  started = performance.now();
  for (let index = 0; index < operations; index += 1)
    await store.getFile('bench', ids[Math.floor(random() * ids.length)] as string);
  const reads = operations / ((performance.now() - started) / 1000);
  started = performance.now();
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await store.listFiles('bench', { limit: 100, ...(cursor ? { cursor } : {}) });
    count += 1;
    cursor = page.nextCursor;
  } while (cursor);
  const pages = count / ((performance.now() - started) / 1000);
  return { writes, reads, pages };
}

async function searchLatency(
  store: SemanticStore,
  queries: number[][],
): Promise<{ p50: number; p95: number; results: string[][] }> {
  const times: number[] = [];
  const results: string[][] = [];
  for (const query of queries) {
    const started = performance.now();
    const found = await store.search('bench', query, { limit: 10 });
    times.push(performance.now() - started);
    results.push(found.map((result) => result.id));
  }
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), results };
}

const directory = await mkdtemp(join(tmpdir(), 'platform-bench-'));
try {
  console.log(`@platform/foundations Public Works on the embedded default (node ${process.version})\n`);

  const pglite = new SqlMetadataStore({ driver: await PGliteDriver.open({ dataDir: join(directory, 'metadata') }) });
  await pglite.initialize();
  const memoryRates = await metadataRates(new MemoryMetadataStore());
  const pgliteRates = await metadataRates(pglite);
  await pglite.shutdown();
  printTable([
    ['metadata store', 'file writes/s', 'file reads/s', 'pages of 100/s'],
    ['memory (baseline)', memoryRates.writes.toFixed(0), memoryRates.reads.toFixed(0), memoryRates.pages.toFixed(0)],
    ['pglite, file-backed', pgliteRates.writes.toFixed(0), pgliteRates.reads.toFixed(0), pgliteRates.pages.toFixed(0)],
    [
      'pglite / memory',
      `${(pgliteRates.writes / memoryRates.writes).toFixed(3)}x`,
      `${(pgliteRates.reads / memoryRates.reads).toFixed(3)}x`,
      `${(pgliteRates.pages / memoryRates.pages).toFixed(3)}x`,
    ],
  ]);
  console.log(`(${operations} sequential operations each)\n`);

  const widths = [20, 10, 17, 10, 18, 10, 14];
  const printRow = (cells: string[]) =>
    console.log(cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join(''));
  printRow(['vectors (384 dims)', 'load', 'pglite p50', 'p95', 'memory exact p50', 'p95', 'recall@10']);
  for (const count of vectorCounts) {
    const semantic = new SqlSemanticStore({
      driver: await PGliteDriver.open({ dataDir: join(directory, `semantic-${count}`), extensions: { vector } }),
    });
    await semantic.initialize();
    const memory = new MemorySemanticStore();
    for (const store of [semantic, memory])
      await store.upsertContent({ tenantId: 'bench', contentId: 'corpus', kind: 'unstructured' });
    seed = 7;
    const loadStarted = performance.now();
    for (let start = 0; start < count; start += 1000) {
      const batch = Array.from({ length: Math.min(1000, count - start) }, (_, offset) => ({
        id: `v${start + offset}`,
        kind: 'chunk',
        ref: String(start + offset),
        vector: randomVector(),
        model: 'bench',
      }));
      await semantic.upsertEmbeddings('bench', 'corpus', batch);
      await memory.upsertEmbeddings('bench', 'corpus', batch);
    }
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    const queries = Array.from({ length: quick ? 30 : 100 }, randomVector);
    const hnsw = await searchLatency(semantic, queries);
    const exact = await searchLatency(memory, queries);
    // recall@10: the share of the exact top 10 (memory store) that the PGlite search returned.
    const hits = hnsw.results.reduce(
      (sum, found, index) => sum + found.filter((id) => exact.results[index]?.includes(id)).length,
      0,
    );
    const recall = hits / (10 * queries.length);
    printRow([
      String(count),
      `${loadSeconds.toFixed(1)} s`,
      `${hnsw.p50.toFixed(1)} ms`,
      `${hnsw.p95.toFixed(1)} ms`,
      `${exact.p50.toFixed(1)} ms`,
      `${exact.p95.toFixed(1)} ms`,
      recall.toFixed(2),
    ]);
    await semantic.shutdown();
  }
  console.log(
    '\n(load: pglite with its HNSW index kept up to date, plus the memory copy. pglite: the planner picks HNSW or an exact scan;\n' +
      ' recall@10: share of the exact top 10 it returned, over all queries, on uniformly random vectors: a worst case for HNSW)',
  );
} finally {
  await rm(directory, { recursive: true, force: true });
}
