/**
 * Whole flows on worker threads, each thread with a platform of its own on the same embedded
 * data directory, against the same flows one after another and 4 at once in one thread (issue
 * 19's "4 flows at once ≥ 1.5x"): does moving whole flows off the main thread help?
 *
 *   node data-mash-flow-threads.bench.ts [--files 200] [--threads 2] [--per-thread 1]
 *
 * Every flow must succeed (the bench throws otherwise); each file is distinct, so each runs all
 * four phases.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DataMashSolutionOrchestratorRef, dataMashModules, HashingEmbedder } from '@platform/data-mash';
import { createPlatform, type Platform } from '@platform/foundations';
import { serviceIdentity } from '@platform/smart-city';
import { smallCsv } from './data-mash/generate.ts';
import { numericArgument, printTable } from './harness.ts';

const user = serviceIdentity({ service: 'bench', tenantId: 'bench', permissions: ['files:write'] });

async function startPlatform(dataDir: string): Promise<Platform> {
  const platform = createPlatform({
    env: {},
    config: { dataDir, telemetry: { sink: 'silent' } },
    modules: dataMashModules({ embedder: new HashingEmbedder() }),
  });
  await platform.start();
  return platform;
}

async function flowOf(platform: Platform, seed: number): Promise<void> {
  const result = await platform
    .get(DataMashSolutionOrchestratorRef)
    .executeDataMashFlow({ file: { name: `f${seed}.csv`, data: smallCsv(seed) }, userContext: user });
  if (!result.success || result.run !== 'new') throw new Error(`flow ${seed}: ${JSON.stringify(result)}`);
}

if (!isMainThread) {
  // A thread: its own platform, a flow per message.
  const port = parentPort as NonNullable<typeof parentPort>;
  const platform = await startPlatform((workerData as { dataDir: string }).dataDir);
  port.on('message', async (message: { id: number; seed: number } | 'stop') => {
    if (message === 'stop') {
      await platform.stop();
      port.close();
      return;
    }
    try {
      await flowOf(platform, message.seed);
      port.postMessage({ id: message.id });
    } catch (error) {
      port.postMessage({ id: message.id, error: (error as Error).message });
    }
  });
  port.postMessage('ready');
} else {
  const files = numericArgument('--files', 200);
  const threads = numericArgument('--threads', 2);
  const perThread = numericArgument('--per-thread', 1);
  const dataDir = await mkdtemp(join(tmpdir(), 'platform-bench-flow-threads-'));
  const platform = await startPlatform(dataDir);
  let seed = 0;
  const rate = async (run: () => Promise<void>) => {
    const started = performance.now();
    await run();
    return files / ((performance.now() - started) / 1000);
  };
  const spread = async (lanes: number, step: () => Promise<void>) => {
    let started = 0;
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        while (started < files) {
          started += 1;
          await step();
        }
      }),
    );
  };
  const workers: Worker[] = [];
  try {
    for (let warm = 0; warm < 10; warm += 1) await flowOf(platform, seed++);
    const sequential = await rate(() => spread(1, () => flowOf(platform, seed++)));
    const fourAtOnce = await rate(() => spread(4, () => flowOf(platform, seed++)));
    for (let index = 0; index < threads; index += 1) {
      const worker = new Worker(new URL(import.meta.url), { workerData: { dataDir } });
      await new Promise((resolve) => worker.once('message', resolve));
      workers.push(worker);
    }
    let id = 0;
    const calls = new Map<number, (reply: { error?: string }) => void>();
    for (const worker of workers) {
      worker.on('message', (reply: { id: number; error?: string }) => calls.get(reply.id)?.(reply));
    }
    const onThread = (worker: Worker) =>
      new Promise<void>((resolve, reject) => {
        const call = id++;
        calls.set(call, (reply) => (reply.error ? reject(new Error(reply.error)) : resolve()));
        worker.postMessage({ id: call, seed: seed++ });
      });
    await Promise.all(workers.map(onThread));
    let turn = 0;
    const onThreads = await rate(() =>
      spread(threads * perThread, () => onThread(workers[turn++ % threads] as Worker)),
    );
    console.log(`${files} distinct 1 KB CSVs through the flow, embedded default, one data directory`);
    printTable([
      ['case', 'flows/s', 'ratio to one after another'],
      ['one after another (baseline)', sequential.toFixed(1), '1.00x'],
      ['4 at once, this thread', fourAtOnce.toFixed(1), `${(fourAtOnce / sequential).toFixed(2)}x`],
      [
        `${threads} threads, ${perThread} at once each, a platform each`,
        onThreads.toFixed(1),
        `${(onThreads / sequential).toFixed(2)}x`,
      ],
    ]);
  } finally {
    for (const worker of workers) worker.postMessage('stop');
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
