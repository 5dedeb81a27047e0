import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  createPlatform,
  LocalBlobStore,
  MemorySemanticStore,
  MetadataStoreRef,
  PlatformError,
  type SemanticStore,
} from '@platform/foundations';
import type { Embedder } from '@platform/smart-city';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../embedding/hashing-embedder.js';
import { dataMashModules } from '../host/modules.js';
import { ada, createTestDatabase, salesCsv } from '../phases/flow.test-helpers.js';
import {
  DataMashDistributedRunnerRef,
  type DistributedRunnerOptions,
  dataMashDistributedRunner,
} from './distributed-runner.js';
import { RUNNER_METRICS } from './runner-metrics.js';

// A submitter and workers in one process, each its own platform, on a database of its own on
// the local Postgres (see distributed-runner.test.ts for what they share).
let database: { url: string; drop: () => Promise<void> };
let blobDir: string;
const semantic: SemanticStore = new MemorySemanticStore();
const platforms: Array<{ stop: () => Promise<unknown> }> = [];
const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
const provider = new MeterProvider({ readers: [reader] });

/** An embedder that is down while `down` is set, as a hosted model can be. */
function switchableEmbedder(): Embedder & { down: boolean } {
  const inner = new HashingEmbedder();
  return {
    model: inner.model,
    dimensions: inner.dimensions,
    down: true,
    async embed(texts) {
      if (this.down) throw new PlatformError('ADAPTER_UNAVAILABLE', 'the embedding service is down');
      return inner.embed(texts);
    },
  };
}

async function machine(options: { work: boolean; embedder?: Embedder; runner?: Partial<DistributedRunnerOptions> }) {
  const platform = createPlatform({
    env: {},
    config: { stores: { metadata: database.url }, telemetry: { sink: 'silent' } },
    adapters: { blobStore: new LocalBlobStore({ directory: blobDir }), semanticStore: semantic },
    modules: dataMashModules(options.embedder ? { embedder: options.embedder } : {}),
    services: [
      dataMashDistributedRunner({
        connectionString: database.url,
        concurrency: 1,
        pollingIntervalSeconds: 0.5,
        retryDelaySeconds: 1,
        ...options.runner,
      }),
    ],
  });
  await platform.start();
  platforms.push(platform);
  const runner = platform.get(DataMashDistributedRunnerRef);
  if (options.work) await runner.work();
  return { platform, runner, metadata: platform.get(MetadataStoreRef) };
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function collected() {
  await reader.forceFlush();
  const points = new Map<string, Array<{ attributes: Record<string, unknown>; value: unknown }>>();
  const last = exporter.getMetrics().at(-1);
  for (const scope of last?.scopeMetrics ?? []) {
    for (const metric of scope.metrics) {
      points.set(
        metric.descriptor.name,
        metric.dataPoints.map((point) => ({ attributes: point.attributes, value: point.value })),
      );
    }
  }
  return points;
}

const sum = (points: Array<{ attributes: Record<string, unknown>; value: unknown }> | undefined, match = {}) =>
  (points ?? [])
    .filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value))
    .reduce(
      (total, point) =>
        total + (typeof point.value === 'number' ? point.value : (point.value as { count: number }).count),
      0,
    );

describe('operating the distributed runner (local Postgres)', () => {
  beforeAll(async () => {
    metrics.setGlobalMeterProvider(provider);
    database = await createTestDatabase();
    blobDir = await mkdtemp(join(tmpdir(), 'data-mash-operations-'));
  });
  afterAll(async () => {
    for (const platform of platforms.reverse()) await platform.stop();
    await provider.shutdown();
    metrics.disable();
    await database?.drop();
    await rm(blobDir, { recursive: true, force: true });
  });

  it('dead-letters a flow whose retries ran out, with its reason, and retries it once fixed; a bad file is not dead-lettered', async () => {
    const embedder = switchableEmbedder();
    const submitter = await machine({ work: false, runner: { queue: 'ops-flow', retryLimit: 1 } });
    await machine({ work: true, embedder, runner: { queue: 'ops-flow', retryLimit: 1 } });
    expect(submitter.runner.deadLetterQueue).toBe('ops-flow.dead-letters');

    const doomed = await submitter.runner.submit({ file: { name: 'sales.csv', data: salesCsv(20) }, userContext: ada });
    const broken = await submitter.runner.submit({
      file: { name: 'broken.json', data: new TextEncoder().encode('{"a": [1, 2') },
      userContext: ada,
    });
    expect(await submitter.runner.waitFor(broken.jobId, { timeoutMs: 60_000 })).toMatchObject({
      state: 'completed',
      output: { success: false, error: { code: 'MALFORMED_FILE' } },
    });
    expect(await submitter.runner.waitFor(doomed.jobId, { timeoutMs: 90_000 })).toMatchObject({
      state: 'failed',
      retryCount: 1,
      reason: { code: 'ADAPTER_UNAVAILABLE', message: expect.stringContaining('embedding service is down') },
    });
    await expect(submitter.runner.status('not-a-job')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const stats = await until(
      () => submitter.runner.stats(),
      (value) => value.deadLettered === 1,
    );
    expect(stats).toMatchObject({ queued: 0, active: 0, completed: 1, failed: 1, deadLettered: 1 });
    const [letter, ...others] = await submitter.runner.deadLetters();
    expect(others).toEqual([]);
    expect(letter).toMatchObject({
      sourceJobId: doomed.jobId,
      fileId: doomed.fileId,
      tenantId: 'acme',
      traceId: doomed.traceId,
      retryCount: 1,
      reason: { code: 'ADAPTER_UNAVAILABLE', message: expect.stringContaining('embedding service is down') },
    });

    // The embedding service is back: the dead letter goes back to the queue and its journey resumes.
    embedder.down = false;
    await expect(submitter.runner.retryDeadLetters(['not-an-id'])).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await submitter.runner.retryDeadLetters([letter?.jobId as string])).toEqual({ moved: 1 });
    expect(await submitter.runner.retryDeadLetters('all')).toEqual({ moved: 0 });
    const after = await until(
      () => submitter.runner.stats(),
      (value) => value.completed === 2,
    );
    expect(after).toMatchObject({ queued: 0, active: 0, completed: 2, deadLettered: 0 });
    const journeys = await submitter.metadata.listJourneys('acme', { limit: 10 });
    // The dead-lettered flow's journey resumed and completed; the broken file's stays failed.
    expect(journeys.items.map((item) => item.status).sort()).toEqual(['completed', 'failed']);

    const points = await collected();
    expect(sum(points.get(RUNNER_METRICS.deadLettered))).toBe(1);
    expect(sum(points.get(RUNNER_METRICS.retries))).toBe(1);
    expect(sum(points.get(RUNNER_METRICS.failures), { 'error.code': 'ADAPTER_UNAVAILABLE', kind: 'transient' })).toBe(
      2,
    );
    expect(sum(points.get(RUNNER_METRICS.failures), { 'error.code': 'MALFORMED_FILE', kind: 'permanent' })).toBe(1);
    expect(sum(points.get(RUNNER_METRICS.latency))).toBe(2); // two jobs completed (the broken one with its failure)
    expect(sum(points.get(RUNNER_METRICS.duration))).toBe(4); // four attempts
    const depth = points.get(RUNNER_METRICS.depth) ?? [];
    expect(depth.map((point) => point.attributes.state).sort()).toEqual([
      'active',
      'dead_lettered',
      'deferred',
      'queued',
      'retrying',
    ]);
    expect(depth.every((point) => point.attributes.queue === 'ops-flow')).toBe(true);
  }, 180_000);

  it('adds a dead-letter queue to a queue created without one', async () => {
    const { PgBoss } = await import('pg-boss');
    const boss = new PgBoss({ connectionString: database.url });
    await boss.start();
    try {
      await boss.createQueue('legacy-flow', { retryLimit: 2 });
      const { runner } = await machine({ work: false, runner: { queue: 'legacy-flow' } });
      expect(runner.deadLetterQueue).toBe('legacy-flow.dead-letters');
      expect(await boss.getQueue('legacy-flow')).toMatchObject({
        deadLetter: 'legacy-flow.dead-letters',
        retryLimit: 2,
        heartbeatSeconds: 30,
      });
      // A setting the host gives replaces the queue's (defaults never do); a wrong one is refused.
      await machine({ work: false, runner: { queue: 'legacy-flow', retryLimit: 7, expireInSeconds: 600 } });
      expect(await boss.getQueue('legacy-flow')).toMatchObject({ retryLimit: 7, expireInSeconds: 600 });
      await expect(
        machine({ work: false, runner: { queue: 'legacy-flow', heartbeatSeconds: 5 } }),
      ).rejects.toMatchObject({
        cause: {
          code: 'CONFIG_INVALID',
          message: expect.stringContaining('heartbeatSeconds must be a whole number from 10'),
        },
      });
      // A queue with its own dead-letter queue keeps it.
      await boss.createQueue('own-letters');
      await boss.createQueue('custom-flow', { deadLetter: 'own-letters' });
      const custom = await machine({ work: false, runner: { queue: 'custom-flow' } });
      expect(custom.runner.deadLetterQueue).toBe('own-letters');
      expect(await custom.runner.stats()).toMatchObject({
        queue: 'custom-flow',
        deadLetterQueue: 'own-letters',
        queued: 0,
      });
    } finally {
      await boss.stop({ graceful: false });
    }
  }, 60_000);

  it('holds a submitter faster than the workers at maxQueued, in bounded memory', async () => {
    const { runner } = await machine({ work: false, runner: { queue: 'pressure-flow' } });
    const { PgBoss } = await import('pg-boss');
    const consumer = new PgBoss({ connectionString: database.url });
    await consumer.start();
    let submitting = true;
    let maxQueued = 0;
    let peak = 0;
    // A collection before each reading, so that the reading is what the submitter holds, not garbage.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const held = () => {
      gc();
      const memory = process.memoryUsage();
      return memory.heapUsed + memory.arrayBuffers;
    };
    const baseline = held();
    // A slow consumer (a job every 100 ms, without running the flows) and a sampler.
    const consuming = (async () => {
      while (submitting) {
        const [job] = await consumer.fetch('pressure-flow');
        if (job) await consumer.complete('pressure-flow', job.id);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const sampling = (async () => {
      while (submitting) {
        maxQueued = Math.max(maxQueued, (await runner.stats()).queued);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const files = 120;
    const size = 512 * 1024;
    try {
      for (let index = 0; index < files; index += 1) {
        const data = new Uint8Array(size).fill(97 + (index % 26));
        data.set(new TextEncoder().encode(`n\n${index}\n`));
        await runner.submit({ file: { name: `big-${index}.csv`, data }, userContext: ada, maxQueued: 5 });
        if (index % 10 === 9) peak = Math.max(peak, held() - baseline);
      }
    } finally {
      submitting = false;
      await Promise.all([consuming, sampling]);
      await consumer.stop({ graceful: false });
    }
    // One submitter: the queue never held more than maxQueued waiting jobs.
    expect(maxQueued).toBeLessThanOrEqual(5);
    // 60 MiB went through; the submitter held a few files at a time (a generous bound).
    expect(peak).toBeLessThan(24 * 1024 * 1024);
    console.info(
      `back-pressure: ${files} x ${size / 1024} KiB, queued <= ${maxQueued}, peak heap+buffers +${(peak / 2 ** 20).toFixed(1)} MiB`,
    );
  }, 240_000);
});
