/**
 * The embedded semantic store (SqliteSemanticStore: one SQLite file, sqlite-vec), from the built
 * @platform/foundations:
 *   1. vector upserts per second through `upsertEmbeddings`, in batches of 15 (one file of the data
 *      mash flow) and of 500, 384 dimensions, with the exact search's store (`vectorIndex: 'none'`)
 *      as the baseline in the same run;
 *   2. top-10 search latency (p50/p95) at each size, binary-code index against exact search on the
 *      SAME file, and recall@10 against a brute force computed here in JS (the trusted reference),
 *      for three shapes of vectors: uniformly random; "gmm" (a Gaussian mixture with a shared mean
 *      offset and anisotropic variance, as sentence embeddings have); "text" (the SDK's
 *      HashingEmbedder over real text: distinct lines of the .md and .d.ts files in node_modules);
 *   3. filtered searches (a kind held by 1% of rows, a metadata value held by 10%) and a small
 *      tenant in the same file: recall against the filtered brute force;
 *   4. Postgres + pgvector, when the extension is available on 127.0.0.1:5432 (skipped otherwise).
 *
 * Searches: after each fill, a full garbage collection (the bench's own generated vectors are
 * not the store's to collect), then 10 warm-up queries per variant timed apart (the first search
 * decodes the codes and reads pages for the first time); then the variants take turns in blocks
 * of 10 queries, and p50/p95 are over those.
 *
 * Wall times on a shared machine include waiting for a core: the CPU time of the searching process
 * per query (process.cpuUsage) is printed too, as the figure load distorts least.
 *
 *   node semantic-store.bench.ts [--quick] [--vectors 10000,100000] [--queries 100] [--shapes random,gmm,text]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HashingEmbedder } from '@platform/data-mash';
import { type SemanticStore, SqliteSemanticStore } from '@platform/foundations';
import { collectGarbage, printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const argument = (name: string) =>
  process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
const sizes = (argument('--vectors') ?? (quick ? '2000,10000' : '10000,100000')).split(',').map(Number);
const queryCount = Number(argument('--queries') ?? (quick ? 30 : 100));
/** Searches after each fill timed apart from the measured ones (see searchShape). */
const WARM_UP_QUERIES = 10;
/** Queries each variant runs in its turn. */
const QUERY_BLOCK = 10;
const shapes = (argument('--shapes') ?? 'random,gmm,text').split(',');
const upsertVectors = quick ? 3000 : 30_000;
const DIMENSIONS = 384;
const TENANT = 'bench';

// mulberry32: deterministic, and exact in doubles (an LCG multiplied in doubles loses bits).
let state = 20_261_129;
function random(): number {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const gauss = () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());

function normalised(values: Float64Array | number[]): Float32Array {
  let norm = 0;
  for (const value of values) norm += value * value;
  norm = Math.sqrt(norm) || 1;
  return Float32Array.from(values, (value) => value / norm);
}

/**
 * Sentence-embedding-like: 1000 topics, a mean offset shared by all, variance decaying over
 * dimensions. `offsetScale` 0.36 ("gmm"): random pairs have cosine ~0.3, as small sentence models
 * give; 1.0 ("gmm-offset"): ~0.7, as some large embedding models give (a narrow cone).
 */
function gmmGenerator(offsetScale: number): () => Float32Array {
  const scale = Float64Array.from({ length: DIMENSIONS }, (_, index) => 1 / Math.sqrt(1 + index / 16));
  const offset = Float64Array.from({ length: DIMENSIONS }, () => gauss() * offsetScale);
  const topics = Array.from({ length: 1000 }, () => Float64Array.from(scale, (s) => gauss() * s));
  return () => {
    const topic = topics[Math.floor(random() * topics.length)] as Float64Array;
    return normalised(
      Float64Array.from(scale, (s, index) => (offset[index] as number) + (topic[index] as number) + gauss() * s),
    );
  };
}

let textLines: string[] | undefined;
/** Distinct lines of documentation and type declarations installed in node_modules, in a stable order. */
function realText(): string[] {
  if (textLines) return textLines;
  const files: string[] = [];
  const walk = (directory: string, depth: number) => {
    let entries: string[];
    try {
      entries = readdirSync(directory).sort();
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(directory, entry);
      if (entry.endsWith('.md') || entry.endsWith('.d.ts')) {
        if (statSync(path).size < 2_000_000) files.push(path);
      } else if (depth < 6 && !entry.includes('.')) walk(path, depth + 1);
    }
  };
  walk(join(import.meta.dirname, '..', 'node_modules', '.pnpm'), 0);
  const seen = new Set<string>();
  // A line needs a word: one of only punctuation would embed to a zero vector, which cannot be searched by.
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim().length >= 30 && /[\p{L}\p{N}]/u.test(line)) seen.add(line.trim());
    }
  }
  // A fixed shuffle: neighbouring lines of one file would otherwise be inserted (and queried) together.
  textLines = [...seen]
    .map((line) => [random(), line] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, line]) => line);
  return textLines;
}

function generator(shape: string): (index: number) => Float32Array {
  if (shape === 'random') return () => normalised(Array.from({ length: DIMENSIONS }, () => random() * 2 - 1));
  if (shape === 'gmm') return gmmGenerator(0.36);
  if (shape === 'gmm-offset') return gmmGenerator(1);
  const embedder = new HashingEmbedder({ dimensions: DIMENSIONS });
  const lines = realText();
  return (index) => Float32Array.from(embedder.embedOne(lines[index % lines.length] as string));
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
const ms = (value: number) => `${value.toFixed(2)} ms`;

async function openStore(path: string, vectorIndex: 'binary' | 'none'): Promise<SqliteSemanticStore> {
  // `vectorIndex` is ignored by a build without the option: that build's search is the exact one.
  const store = new SqliteSemanticStore({ path, vectorIndex } as ConstructorParameters<typeof SqliteSemanticStore>[0]);
  await store.initialize();
  return store;
}

// --- 1. upserts -------------------------------------------------------------------------------

async function upsertRate(
  store: SemanticStore,
  batch: number,
  vectors: Float32Array[],
  prefix: string,
): Promise<number> {
  let elapsed = 0;
  for (let start = 0; start < vectors.length; start += batch) {
    const contentId = `${prefix}-${start}`;
    await store.upsertContent({ tenantId: TENANT, contentId, kind: 'structured' });
    const embeddings = vectors.slice(start, start + batch).map((vector, offset) => ({
      id: `e${start + offset}`,
      vector: Array.from(vector),
      kind: 'row',
      ref: `row:${start + offset}`,
      model: 'bench-384',
      text: `column value ${start + offset} of the file ${contentId}, a typical row as the flow embeds it`,
      metadata: { row: start + offset, group: (start + offset) % 10 },
    }));
    const started = performance.now();
    await store.upsertEmbeddings(TENANT, contentId, embeddings);
    elapsed += performance.now() - started;
  }
  return vectors.length / (elapsed / 1000);
}

async function upserts(directory: string): Promise<void> {
  const next = gmmGenerator(0.36);
  const vectors = Array.from({ length: upsertVectors }, () => next());
  const rows: string[][] = [['upserts (384 dims, file)', 'exact only (before)', 'binary index (default)', 'ratio']];
  for (const batch of [15, 500]) {
    const exact = await openStore(join(directory, `upsert-${batch}-exact.db`), 'none');
    const indexed = await openStore(join(directory, `upsert-${batch}-binary.db`), 'binary');
    // Interleaved in slices, so that load on this shared machine hits both alike.
    const slice = Math.max(batch, 1500);
    const rates: [number[], number[]] = [[], []];
    for (let start = 0; start < vectors.length; start += slice) {
      const part = vectors.slice(start, start + slice);
      rates[0].push(await upsertRate(exact, batch, part, `s${start}`));
      rates[1].push(await upsertRate(indexed, batch, part, `s${start}`));
    }
    const harmonic = (values: number[]) => values.length / values.reduce((sum, rate) => sum + 1 / rate, 0);
    const [before, after] = [harmonic(rates[0]), harmonic(rates[1])];
    rows.push([`batch ${batch}`, `${before.toFixed(0)}/s`, `${after.toFixed(0)}/s`, `${(after / before).toFixed(2)}x`]);
    await exact.shutdown();
    await indexed.shutdown();
  }
  printTable(rows);
}

// --- 2-3. search ------------------------------------------------------------------------------

interface Filter {
  name: string;
  options: { kind?: string; metadata?: Record<string, number> };
  passes: (index: number) => boolean;
}
const kindOf = (index: number) => (index % 100 === 7 ? 'rare' : 'row');
const FILTERS: Filter[] = [
  { name: 'no filter', options: {}, passes: () => true },
  { name: 'kind (1%)', options: { kind: 'rare' }, passes: (index) => kindOf(index) === 'rare' },
  { name: 'metadata (10%)', options: { metadata: { group: 3 } }, passes: (index) => index % 10 === 3 },
];

/** The ids of the true top-10 by cosine, in float64 over the float32 values the store keeps. */
function bruteForce(
  vectors: Float32Array[],
  count: number,
  query: Float32Array,
  passes: (index: number) => boolean,
): string[] {
  const best: [number, number][] = [];
  let queryNorm = 0;
  for (const value of query) queryNorm += value * value;
  for (let index = 0; index < count; index += 1) {
    if (!passes(index)) continue;
    const vector = vectors[index] as Float32Array;
    let dot = 0;
    let norm = 0;
    for (let d = 0; d < DIMENSIONS; d += 1) {
      dot += (vector[d] as number) * (query[d] as number);
      norm += (vector[d] as number) * (vector[d] as number);
    }
    const score = norm === 0 || queryNorm === 0 ? 0 : dot / Math.sqrt(norm * queryNorm);
    if (best.length < 10 || score > (best[9] as [number, number])[0]) {
      best.push([score, index]);
      best.sort((a, b) => b[0] - a[0]);
      if (best.length > 10) best.pop();
    }
  }
  return best.map(([, index]) => `e${index}`);
}

async function fill(store: SemanticStore, vectors: Float32Array[], from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += 500) {
    const contentId = `c${start}`;
    await store.upsertContent({ tenantId: TENANT, contentId, kind: 'structured' });
    await store.upsertEmbeddings(
      TENANT,
      contentId,
      vectors.slice(start, Math.min(to, start + 500)).map((vector, offset) => ({
        id: `e${start + offset}`,
        vector: Array.from(vector),
        kind: kindOf(start + offset),
        ref: `r${start + offset}`,
        model: 'bench-384',
        metadata: { group: (start + offset) % 10 },
      })),
    );
  }
}

async function searchShape(directory: string, shape: string): Promise<string[][]> {
  const next = generator(shape);
  const largest = Math.max(...sizes);
  const vectors = Array.from({ length: largest }, (_, index) => next(index));
  const queries = Array.from({ length: queryCount }, (_, index) => next(largest + index));
  const warmUps = Array.from({ length: WARM_UP_QUERIES }, (_, index) => next(largest + queryCount + index));
  const path = join(directory, `search-${shape}.db`);
  const indexed = await openStore(path, 'binary');
  const exact = await openStore(path, 'none');
  // Another tenant in the same file: 200 vectors, searched alone, never seen by the big tenant.
  await indexed.upsertContent({ tenantId: 'small', contentId: 'c', kind: 'structured' });
  await indexed.upsertEmbeddings(
    'small',
    'c',
    vectors
      .slice(0, 200)
      .map((vector, index) => ({ id: `s${index}`, vector: Array.from(vector), kind: 'row', ref: 'r', model: 'm' })),
  );
  const rows: string[][] = [];
  let filled = 0;
  for (const size of sizes) {
    await fill(indexed, vectors, filled, size);
    filled = size;
    for (const filter of FILTERS) {
      const times: [number[], number[]] = [[], []];
      const cpu: [number[], number[]] = [[], []];
      const hits = [0, 0];
      const stores = [exact, indexed] as const;
      const search = async (variant: number, query: Float32Array) => {
        const started = performance.now();
        const cpuStarted = process.cpuUsage();
        const found = await (stores[variant] as SqliteSemanticStore).search(TENANT, Array.from(query), {
          limit: 10,
          ...filter.options,
        });
        const cpuUsed = process.cpuUsage(cpuStarted);
        if (found.some((result) => result.id.startsWith('s'))) throw new Error('a result of another tenant');
        return { found, wall: performance.now() - started, cpu: (cpuUsed.user + cpuUsed.system) / 1000 };
      };
      // The first searches after the fill (codes decoded, pages first read, code compiled) are
      // timed apart, on queries of their own: they are a start-up cost, not the steady latency.
      const firsts: number[] = [];
      await collectGarbage();
      for (const query of warmUps) {
        await search(0, query);
        firsts.push((await search(1, query)).wall);
      }
      // Then the variants take turns, a block of queries each: both meet the machine's moods
      // alike, and neither runs in the CPU caches the other has just swept (an exact search
      // reads the whole tenant, 150 MB at 100k vectors).
      for (let start = 0; start < queries.length; start += QUERY_BLOCK) {
        const block = queries.slice(start, start + QUERY_BLOCK);
        const truths = block.map((query) => new Set(bruteForce(vectors, size, query, filter.passes)));
        for (const variant of [0, 1]) {
          for (const [index, query] of block.entries()) {
            const { found, wall, cpu: used } = await search(variant, query);
            times[variant]?.push(wall);
            cpu[variant]?.push(used);
            const truth = truths[index] as Set<string>;
            hits[variant] = (hits[variant] as number) + found.filter((result) => truth.has(result.id)).length;
          }
        }
      }
      const [before, after] = times.map((list) => list.sort((a, b) => a - b)) as [number[], number[]];
      const [cpuBefore, cpuAfter] = cpu.map((list) => list.sort((a, b) => a - b)) as [number[], number[]];
      rows.push([
        `${shape} ${size}`,
        filter.name,
        `${ms(quantile(before, 0.5))} / ${ms(quantile(before, 0.95))}`,
        `${ms(quantile(after, 0.5))} / ${ms(quantile(after, 0.95))}`,
        `${(quantile(before, 0.95) / quantile(after, 0.95)).toFixed(1)}x`,
        `${ms(quantile(cpuBefore, 0.5))} / ${ms(quantile(cpuAfter, 0.5))} / ${ms(quantile(cpuAfter, 0.95))}`,
        `${ms(firsts[0] as number)} / ${ms(Math.max(...firsts.slice(1)))}`,
        ((hits[0] as number) / queryCount / 10).toFixed(3),
        ((hits[1] as number) / queryCount / 10).toFixed(3),
      ]);
    }
  }
  let smallHits = 0;
  for (const query of queries) {
    const truth = new Set(bruteForce(vectors, 200, query, () => true).map((id) => `s${id.slice(1)}`));
    smallHits += (await indexed.search('small', Array.from(query), { limit: 10 })).filter((result) =>
      truth.has(result.id),
    ).length;
  }
  rows.push([`${shape} small tenant`, '200 vectors', '', '', '', '', '', '', (smallHits / queryCount / 10).toFixed(3)]);
  await indexed.shutdown();
  await exact.shutdown();
  return rows;
}

// --- 4. Postgres + pgvector ---------------------------------------------------------------------

async function postgresCase(): Promise<void> {
  const url = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  try {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    await client.connect();
    const { rows } = await client.query("select default_version from pg_available_extensions where name = 'vector'");
    await client.end();
    if (rows.length === 0) {
      console.log(
        `postgres + pgvector: skipped: the server at ${new URL(url).host} has no 'vector' extension available (pgvector is not installed)`,
      );
      return;
    }
    console.log(
      `postgres + pgvector ${rows[0].default_version} is available: compare with public-works.bench.ts (HNSW), not measured here`,
    );
  } catch (error) {
    console.log(`postgres + pgvector: skipped: cannot reach ${new URL(url).host}: ${(error as Error).message}`);
  }
}

const directory = await mkdtemp(join(tmpdir(), 'semantic-store-bench-'));
try {
  console.log(
    `semantic store bench: ${quick ? 'quick' : 'full'}, sizes ${sizes.join(', ')}, ${queryCount} queries, shapes ${shapes.join(', ')}\n`,
  );
  await upserts(directory);
  console.log('');
  const rows = [
    [
      'search top-10',
      'filter',
      'exact p50 / p95',
      'binary index p50 / p95',
      'p95 ratio',
      'cpu: exact p50 / index p50 / p95',
      'index first / next 9 max',
      'recall exact',
      'recall index',
    ],
  ];
  // Printed shape by shape: a full run takes a while.
  for (const shape of shapes) {
    printTable([...rows, ...(await searchShape(directory, shape))]);
    console.log('');
  }
  console.log('');
  await postgresCase();
} finally {
  await rm(directory, { recursive: true, force: true });
}
