import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { ada, createTestDatabase, salesCsv, testUser } from '../phases/flow.test-helpers.js';
import { DataMashDistributedRunnerRef, dataMashDistributedRunner } from './distributed-runner.js';

// Three "machines" in one process: a submitter and two workers, each its own platform with its
// own Postgres connections, sharing what machines would share: the queue and the metadata on the
// local Postgres, a blob directory, and one semantic store (this Postgres has no pgvector, and a
// PGlite database cannot be opened twice, so the workers share one in-process store object).
let database: { url: string; drop: () => Promise<void> };
let blobDir: string;
const semantic: SemanticStore = new MemorySemanticStore();
const platforms: Array<{ stop: () => Promise<unknown> }> = [];

/** An embedder that is down for its first `failures` calls, as a hosted model can be. */
function flakyEmbedder(failures: number): Embedder & { calls: number } {
  const inner = new HashingEmbedder();
  return {
    model: inner.model,
    dimensions: inner.dimensions,
    calls: 0,
    async embed(texts) {
      this.calls += 1;
      if (this.calls <= failures) throw new PlatformError('ADAPTER_UNAVAILABLE', 'the embedding service is down');
      return inner.embed(texts);
    },
  };
}

async function machine(options: { work: boolean; embedder?: Embedder; name: string }) {
  const processed: string[] = [];
  const platform = createPlatform({
    env: {},
    config: { stores: { metadata: database.url }, telemetry: { sink: 'silent' } },
    adapters: { blobStore: new LocalBlobStore({ directory: blobDir }), semanticStore: semantic },
    telemetrySink: (event) => {
      if (event.operation === 'journey.handoff' && event.details?.milestone === 'insights_generated')
        processed.push(String(event.details.journeyId));
    },
    modules: dataMashModules(options.embedder ? { embedder: options.embedder } : {}),
    services: [
      dataMashDistributedRunner({
        connectionString: database.url,
        concurrency: 1,
        pollingIntervalSeconds: 0.5,
        retryDelaySeconds: 1,
      }),
    ],
  });
  await platform.start();
  platforms.push(platform);
  const runner = platform.get(DataMashDistributedRunnerRef);
  if (options.work) await runner.work();
  return { runner, processed, metadata: platform.get(MetadataStoreRef) };
}

describe('the distributed runner on pg-boss (local Postgres)', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    blobDir = await mkdtemp(join(tmpdir(), 'data-mash-distributed-'));
  });
  afterAll(async () => {
    for (const platform of platforms.reverse()) await platform.stop();
    await database?.drop();
    await rm(blobDir, { recursive: true, force: true });
  });

  it('shares submitted flows between workers, retries transient failures and completes permanent ones', async () => {
    const submitter = await machine({ work: false, name: 'submitter' });
    const first = await machine({ work: true, name: 'worker-1' });
    // Down for three calls: the journey's own three attempts fail, then the queue retries the job.
    const second = await machine({ work: true, name: 'worker-2', embedder: flakyEmbedder(3) });

    const jobs = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        submitter.runner.submit({ file: { name: `sales-${index}.csv`, data: salesCsv(30 + index) }, userContext: ada }),
      ),
    );
    const broken = await submitter.runner.submit({
      file: { name: 'broken.json', data: new TextEncoder().encode('{"a": [1, 2') },
      userContext: ada,
    });

    const outcomes = await Promise.all(jobs.map((job) => submitter.runner.waitFor(job.jobId, { timeoutMs: 90_000 })));
    for (const [index, outcome] of outcomes.entries()) {
      expect(outcome, `job ${index}`).toMatchObject({ state: 'completed', output: { success: true } });
      // The worker continued the submitter's trace.
      expect(outcome.output?.traceId).toBe(jobs[index]?.traceId);
    }
    // Both workers took flows, and every flow ran once to its end.
    expect(first.processed.length).toBeGreaterThan(0);
    expect(second.processed.length).toBeGreaterThan(0);
    expect(first.processed.length + second.processed.length).toBe(8);
    // The flaky embedder's failures were retried: that job's journey resumed after the failed run.
    const retried = outcomes.filter((outcome) => outcome.retryCount > 0);
    expect(retried).toHaveLength(1);
    expect(retried[0]?.output).toMatchObject({ success: true, run: 'resumed' });

    // A file that cannot parse is a final outcome: completed once, with the failure, no retry.
    const failure = await submitter.runner.waitFor(broken.jobId, { timeoutMs: 60_000 });
    expect(failure).toMatchObject({
      state: 'completed',
      retryCount: 0,
      output: { success: false, failedPhase: 'file_parsed', error: { code: 'MALFORMED_FILE' } },
    });

    // Submitting a file again runs nothing new: its journey is reused.
    const again = await submitter.runner.submit({ fileId: jobs[0]?.fileId as string, userContext: ada });
    expect(await submitter.runner.waitFor(again.jobId, { timeoutMs: 30_000 })).toMatchObject({
      output: { success: true, run: 'reused', journeyId: outcomes[0]?.output?.journeyId },
    });
    const journeys = await submitter.metadata.listJourneys('acme', { limit: 100 });
    expect(journeys.items).toHaveLength(9);
    await expect(submitter.runner.status('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  }, 120_000);

  it('checks a job taken off the queue before acting on it: a malformed one fails for good', async () => {
    const submitter = await machine({ work: true, name: 'checking-worker' });
    const { PgBoss } = await import('pg-boss');
    const boss = new PgBoss({ connectionString: database.url });
    await boss.start();
    try {
      const jobId = await boss.send(submitter.runner.queue, {
        fileId: 'file-1',
        userContext: { userId: 'x', tenantId: 'acme', roles: [], permissions: ['*'] },
        traceId: 'not-a-trace-id',
      });
      expect(await submitter.runner.waitFor(jobId as string, { timeoutMs: 30_000 })).toMatchObject({
        state: 'completed',
        retryCount: 0,
        output: { success: false, error: { code: 'VALIDATION_FAILED' } },
      });
    } finally {
      await boss.stop({ graceful: false });
    }
  }, 60_000);

  it('refuses an unverified submitter and one without files:write, before storing or queueing anything', async () => {
    const submitter = await machine({ work: false, name: 'guarded-submitter' });
    const verified = testUser('intruders');
    for (const userContext of [
      { userId: 'x', tenantId: 'intruders', roles: [], permissions: ['*'] },
      { ...verified },
    ]) {
      await expect(
        submitter.runner.submit({ file: { name: 'a.csv', data: salesCsv(3) }, userContext }),
      ).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED', details: { reason: 'unverified_user_context' } });
    }
    const reader = testUser('intruders', { permissions: ['journeys:read'] });
    await expect(
      submitter.runner.submit({ file: { name: 'a.csv', data: salesCsv(3) }, userContext: reader }),
    ).rejects.toMatchObject({ code: 'PERMISSION_DENIED', details: { action: 'files:write' } });
    await expect(submitter.runner.submit({ fileId: 'any-file', userContext: reader })).rejects.toMatchObject({
      code: 'PERMISSION_DENIED',
    });
    expect((await submitter.metadata.listFiles('intruders')).items).toEqual([]);
    expect((await submitter.metadata.listJourneys('intruders')).items).toEqual([]);
  }, 60_000);
});
