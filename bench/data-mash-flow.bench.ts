/**
 * The data mash flow of the built @platform/data-mash on the embedded default (local files and the
 * SQLite database), against, in the same run, on the same platform and stores, the four pillar
 * steps called directly (Content Steward upload, parseContent + processSemantics, the semantic
 * store upserts, computeInsights) with nothing of the flow around them: no sha256 pre-pass, no
 * journey, no contracts, no stored results, no lineage.
 *
 *   1. small files: sequential flows per second over distinct 1 KB CSVs (target: at least 100/s,
 *      goal 250), and 4 flows at once in this one process (target: at least 1.5x sequential);
 *   2. where each millisecond of a small-file flow goes: the flow run again with spans recorded,
 *      each span's own time (its duration less its children's) per flow, largest first;
 *   3. a 10 MB CSV: the flow's time over the direct steps' time (target: under 1.2), cases
 *      interleaved over rounds, median reported.
 *
 *   node data-mash-flow.bench.ts [--quick] [--files 300] [--concurrency 4] [--mb 10] [--rounds 3]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  computeInsights,
  DataMashSolutionOrchestratorRef,
  dataMashModules,
  HashingEmbedder,
  parseContent,
  processSemantics,
} from '@platform/data-mash';
import { BlobStoreRef, createPlatform, SemanticStoreRef } from '@platform/foundations';
import { ContentStewardRef, serviceIdentity } from '@platform/smart-city';
import { generateCsv, smallCsv } from './data-mash/generate.ts';
import { printSpanBreakdown } from './data-mash/span-breakdown.ts';
import { numericArgument, printTable } from './harness.ts';

const quick = process.argv.includes('--quick');
const smallFiles = numericArgument('--files', quick ? 40 : 300);
const concurrency = numericArgument('--concurrency', 4);
const megabytes = numericArgument('--mb', quick ? 2 : 10);
const rounds = numericArgument('--rounds', quick ? 1 : 3);

// The benchmark's own process: it ingests files (the flow and the Content Steward check files:write).
const user = serviceIdentity({ service: 'bench', tenantId: 'bench', permissions: ['files:write'] });
const embedder = new HashingEmbedder();

const dataDir = await mkdtemp(join(tmpdir(), 'platform-bench-flow-'));
const platform = createPlatform({
  env: {},
  config: { dataDir, telemetry: { sink: 'silent' } },
  modules: dataMashModules({ embedder }),
});
await platform.start();
const flow = platform.get(DataMashSolutionOrchestratorRef);
const steward = platform.get(ContentStewardRef);
const blobStore = platform.get(BlobStoreRef);
const semantic = platform.get(SemanticStoreRef);

async function runFlow(name: string, data: Uint8Array): Promise<void> {
  const result = await flow.executeDataMashFlow({ file: { name, data }, userContext: user });
  if (!result.success || result.run !== 'new') throw new Error(`flow of ${name}: ${JSON.stringify(result)}`);
}

async function runDirect(name: string, data: Uint8Array): Promise<void> {
  const uploaded = await steward.processClientFile(user, { name, data });
  if (uploaded.validationStatus !== 'valid') throw new Error(`upload of ${name}: ${uploaded.validationStatus}`);
  const body = await blobStore.getStream(user.tenantId, uploaded.storageLocation);
  const parse = await parseContent({
    tenantId: user.tenantId,
    fileId: uploaded.fileId,
    fileName: name,
    body,
    blobStore,
  });
  const result = await processSemantics(parse, { fileId: uploaded.fileId, fileName: name, embedder });
  await semantic.upsertContent({ tenantId: user.tenantId, ...result.content });
  await semantic.upsertEmbeddings(user.tenantId, result.content.contentId, result.embeddings);
  await semantic.upsertGraph(user.tenantId, result.content.contentId, result.graph);
  await computeInsights({ tenantId: user.tenantId, blobStore, parse });
}

try {
  // 1. Small files, sequentially: every file distinct, so every flow runs all four phases.
  let seed = 0;
  for (let warm = 0; warm < 10; warm += 1) {
    await runFlow(`warm-${warm}.csv`, smallCsv(seed++));
    await runDirect(`warm-direct-${warm}.csv`, smallCsv(seed++));
  }
  // Flows per second over fresh files, `parallel` at a time (1: one after another).
  const timeFlows = async (step: (name: string, data: Uint8Array) => Promise<void>, label: string, parallel = 1) => {
    const files = Array.from({ length: smallFiles }, () => smallCsv(seed++));
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        for (let index = next++; index < files.length; index = next++) {
          await step(`${label}-${index}.csv`, files[index] as Uint8Array);
        }
      }),
    );
    return smallFiles / ((performance.now() - started) / 1000);
  };
  const directPerSecond = await timeFlows(runDirect, 'direct');
  const flowPerSecond = await timeFlows(runFlow, 'flow');
  const concurrentPerSecond = await timeFlows(runFlow, 'concurrent', concurrency);
  console.log(
    `\nsmall files: ${smallFiles} distinct CSVs of about 1 KB (targets: flow >= 100/s, goal 250; ${concurrency} at once >= 1.5x one after another)`,
  );
  printTable([
    ['case', 'files/s', 'ms/file', 'ratio'],
    [
      'pillar steps called directly, one after another (baseline)',
      directPerSecond.toFixed(1),
      (1000 / directPerSecond).toFixed(2),
      '1.00x',
    ],
    [
      'executeDataMashFlow, one after another',
      flowPerSecond.toFixed(1),
      (1000 / flowPerSecond).toFixed(2),
      `${(directPerSecond / flowPerSecond).toFixed(2)}x the direct steps' time`,
    ],
    [
      `executeDataMashFlow, ${concurrency} at once`,
      concurrentPerSecond.toFixed(1),
      (1000 / concurrentPerSecond).toFixed(2),
      `${(concurrentPerSecond / flowPerSecond).toFixed(2)}x the rate one after another`,
    ],
  ]);

  // 2. Where the milliseconds go: the same flows with every span recorded (recording costs time of
  // its own, so these runs are not the ones timed above).
  await printSpanBreakdown(Math.min(smallFiles, 100), (index) => runFlow(`traced-${index}.csv`, smallCsv(seed++)));

  // 3. One large CSV: the same bytes plus a distinct last row per run (a new sha256, a new flow).
  const path = join(tmpdir(), `platform-bench-flow-${megabytes}mb.csv`);
  await generateCsv(path, megabytes);
  const base = await readFile(path);
  let variant = 0;
  const distinct = () =>
    Buffer.concat([
      base,
      Buffer.from(`${9_000_000 + variant++},2024-01-01T00:00:00,2024-01-01,other,1.00,1,x@example.com,variant,true,\n`),
    ]);
  const timed = async (step: (name: string, data: Uint8Array) => Promise<void>, name: string) => {
    const data = distinct();
    const started = performance.now();
    await step(name, data);
    return performance.now() - started;
  };
  await timed(runDirect, 'large-warm-direct.csv');
  await timed(runFlow, 'large-warm-flow.csv');
  const samples = { direct: [] as number[], flow: [] as number[] };
  for (let round = 0; round < rounds; round += 1) {
    samples.direct.push(await timed(runDirect, `large-direct-${round}.csv`));
    samples.flow.push(await timed(runFlow, `large-flow-${round}.csv`));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const direct = median(samples.direct);
  const full = median(samples.flow);
  console.log(
    `\none ${(base.length / 1e6).toFixed(1)} MB CSV, ${rounds} interleaved rounds, median (target: overhead ratio < 1.2)`,
  );
  printTable([
    ['case', 'ms', 'MB/s', 'ratio to direct'],
    [
      'pillar steps called directly (baseline)',
      direct.toFixed(0),
      (base.length / 1e6 / (direct / 1000)).toFixed(1),
      '1.00x',
    ],
    [
      'executeDataMashFlow',
      full.toFixed(0),
      (base.length / 1e6 / (full / 1000)).toFixed(1),
      `${(full / direct).toFixed(2)}x`,
    ],
  ]);
} finally {
  await platform.stop();
  await rm(dataDir, { recursive: true, force: true });
}
