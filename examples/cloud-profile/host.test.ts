import { fileURLToPath } from 'node:url';
import { Storage } from '@google-cloud/storage';
import { createPostgresTestDatabase, startGcsEmulator } from '@platform/foundations/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFiles, startCloudHost } from './host.js';

const SAMPLE = fileURLToPath(new URL('../data/seattle-weather.csv', import.meta.url));

let emulator: Awaited<ReturnType<typeof startGcsEmulator>>;
let database: { url: string; drop: () => Promise<void> };

beforeAll(async () => {
  emulator = await startGcsEmulator();
  database = await createPostgresTestDatabase();
}, 60_000);
afterAll(async () => {
  await emulator?.stop();
  await database?.drop();
});

describe('a host on the cloud profile', () => {
  it('runs the data mash flow with its files in GCS and its journeys in Postgres', async () => {
    const platform = await startCloudHost({
      PLATFORM_BLOB_STORE: `gcs://cloud-profile/host?apiEndpoint=${encodeURIComponent(emulator.apiEndpoint)}&projectId=demo-platform`,
      PLATFORM_METADATA_STORE: database.url,
      // This machine's Postgres has no pgvector and no ArangoDB runs here: the semantic layer stays in memory.
      PLATFORM_SEMANTIC_STORE: 'memory://',
    });
    try {
      const [result] = await ingestFiles(platform, [SAMPLE]);
      expect(result).toMatchObject({ success: true, run: 'new' });
      const storage = new Storage({ apiEndpoint: emulator.apiEndpoint, projectId: 'demo-platform' });
      const [objects] = await storage.bucket('cloud-profile').getFiles({ prefix: 'host/cloud-demo/' });
      const names = objects.map((object) => object.name.slice('host/cloud-demo/'.length));
      expect(names.some((name) => name.startsWith('files/'))).toBe(true);
      expect(
        names
          .filter((name) => name.startsWith('parsed/'))
          .map((name) => name.split('/').at(-1))
          .sort(),
      ).toEqual(['insights.json', 'parse.json', 'semantic.json', 'table-1.jsonl']);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const { rows } = await client.query("select status from platform_journeys where tenant_id = 'cloud-demo'");
      await client.end();
      expect(rows).toEqual([{ status: 'completed' }]);
      // A readiness probe sees each backend answer.
      const health = await platform.health();
      expect(health.services['public-works.blob-store']).toMatchObject({ status: 'healthy' });
      expect(health.services['public-works.metadata-store']).toMatchObject({ status: 'healthy' });
      expect(health.services['public-works.semantic-store']).toMatchObject({ status: 'healthy' });
    } finally {
      await platform.stop();
    }
  }, 90_000);

  it('refuses to start without every store named, saying which variable to set', async () => {
    const failure = await startCloudHost({
      PLATFORM_BLOB_STORE: 'memory://',
      PLATFORM_METADATA_STORE: 'memory://',
    }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((failure as Error).message).toContain('PLATFORM_SEMANTIC_STORE');
  });

  it('fails start-up with ADAPTER_UNAVAILABLE naming an unreachable store, not its password', async () => {
    const failure = await startCloudHost({
      PLATFORM_BLOB_STORE: 'memory://',
      PLATFORM_METADATA_STORE: 'memory://',
      PLATFORM_SEMANTIC_STORE: 'arangodb://root:s3cret@127.0.0.1:1/platform',
    }).catch((error: unknown) => error);
    const text = JSON.stringify({
      message: (failure as Error).message,
      details: (failure as { details?: unknown }).details,
    });
    expect(text).toContain('ADAPTER_UNAVAILABLE');
    expect(text).toContain('arangodb');
    expect(text).not.toContain('s3cret');
  }, 30_000);
});
