import { Readable } from 'node:stream';
import { MemoryBlobStore, PlatformError } from '@platform/foundations';
import { PostgresDriver } from '@platform/foundations/postgres';
import { createMemorySink } from '@platform/observability/testing';
import { ContentStewardRef } from '@platform/smart-city';
import { afterEach, describe, expect, it } from 'vitest';
import { ada, createTestDatabase, salesCsv, startFlowPlatform } from './flow.test-helpers.js';

/** A blob store whose first write reads part of the body, then fails as if the network dropped. */
class DroppingBlobStore extends MemoryBlobStore {
  failures = 0;
  override async put(...args: Parameters<MemoryBlobStore['put']>) {
    const [, , body] = args;
    if (this.failures === 0) {
      this.failures += 1;
      if (!(body instanceof Uint8Array)) {
        for await (const _chunk of body as AsyncIterable<Uint8Array>) break;
      }
      throw new PlatformError('ADAPTER_UNAVAILABLE', 'the connection to the blob store was reset');
    }
    return super.put(...args);
  }
}

describe('an upload that fails for a transient reason', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(() => stop?.());

  it.each([
    ['a stream', (bytes: Uint8Array) => ({ data: Readable.from(chunks(bytes, 64)) })],
    ['bytes', (bytes: Uint8Array) => ({ data: bytes })],
  ])(
    'is retried with the whole file when the file is given as %s',
    async (_kind, body) => {
      const blobs = new DroppingBlobStore();
      const harness = await startFlowPlatform({
        adapters: { blobStore: blobs },
        modules: { retry: { initialDelayMs: 1, maxDelayMs: 1 } },
      });
      stop = () => harness.stop();
      const bytes = salesCsv(200);

      const outcome = await harness.flow.executeDataMashFlow({
        file: { name: 'sales.csv', ...body(bytes) },
        userContext: ada,
      });

      expect(blobs.failures).toBe(1);
      expect(outcome).toMatchObject({ success: true, run: 'new' });
      if (!outcome.success) return;
      const stored = await harness.platform
        .get(ContentStewardRef)
        .readFile(ada, outcome.phases.file_uploaded.fileId)
        .then((file) => collect(file.stream));
      expect(Buffer.from(stored).equals(Buffer.from(bytes))).toBe(true);
      expect(outcome.phases.file_uploaded.sizeBytes).toBe(bytes.length);
    },
    60_000,
  );
});

describe('a metadata database that drops the connection during a step', () => {
  it('is retried by the journey, and the flow completes with nothing written twice', async () => {
    const database = await createTestDatabase();
    const events = createMemorySink();
    const harness = await startFlowPlatform({
      stores: { metadata: database.url },
      telemetrySink: events.sink,
      modules: { retry: { initialDelayMs: 1, maxDelayMs: 1 } },
    });
    const admin = await PostgresDriver.connect({ connectionString: database.url });
    try {
      // The first write of a parsed file kills its own server process, as a failover would; a
      // sequence counts the writes because it survives the rollback.
      await admin.exec(`
        create sequence parsed_file_writes;
        create function drop_connection_once() returns trigger language plpgsql as $$
        begin
          if nextval('parsed_file_writes') = 1 then perform pg_terminate_backend(pg_backend_pid()); end if;
          return new;
        end $$;
        create trigger drop_connection_once before insert on platform_parsed_files
          for each row execute function drop_connection_once();`);

      const outcome = await harness.flow.executeDataMashFlow({
        file: { name: 'sales.csv', data: salesCsv(30) },
        userContext: ada,
      });

      expect(outcome).toMatchObject({ success: true, run: 'new' });
      expect(events.forOperation('journey.retry')).toEqual([
        expect.objectContaining({
          details: expect.objectContaining({ milestone: 'file_parsed', attempt: 2 }),
          error: expect.objectContaining({ code: 'ADAPTER_UNAVAILABLE' }),
        }),
      ]);
      const counts = await admin.query<{ writes: string; parsed: number; files: number }>(
        `select (select last_value from parsed_file_writes)::text as writes,
                (select count(*)::int from platform_parsed_files) as parsed,
                (select count(*)::int from platform_files) as files`,
      );
      expect(counts.rows).toEqual([{ writes: '2', parsed: 1, files: 1 }]);
    } finally {
      await admin.close();
      await harness.stop();
      await database.drop();
    }
  }, 60_000);
});

describe('a metadata database that goes away while an upload commits', () => {
  it('is retried by the journey and leaves one stored copy, not one per attempt', async () => {
    const database = await createTestDatabase();
    const harness = await startFlowPlatform({
      stores: { metadata: database.url },
      modules: { retry: { initialDelayMs: 1, maxDelayMs: 1 } },
    });
    const admin = await PostgresDriver.connect({ connectionString: database.url });
    try {
      // The first two commits of a file record kill their own server process, after the bytes were stored.
      await admin.exec(`
        create sequence file_writes;
        create function drop_file_writes() returns trigger language plpgsql as $$
        begin
          if nextval('file_writes') <= 2 then perform pg_terminate_backend(pg_backend_pid()); end if;
          return new;
        end $$;
        create trigger drop_file_writes before insert on platform_files
          for each row execute function drop_file_writes();`);

      const outcome = await harness.flow.executeDataMashFlow({
        file: { name: 'sales.csv', data: salesCsv(30) },
        userContext: ada,
      });

      expect(outcome).toMatchObject({ success: true });
      const files = await admin.query<{ files: number }>('select count(*)::int as files from platform_files');
      expect(files.rows).toEqual([{ files: 1 }]);
      expect((await harness.blobs.list('acme', { prefix: 'files/', limit: 100 })).items).toHaveLength(1);
    } finally {
      await admin.close();
      await harness.stop();
      await database.drop();
    }
  }, 60_000);
});

function* chunks(bytes: Uint8Array, size: number): Generator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size);
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return Buffer.concat(parts);
}
