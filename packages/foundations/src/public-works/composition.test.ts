import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineService } from '../kernel/service-definition.js';
import { defineServiceRef } from '../kernel/service-ref.js';
import { createPlatform } from '../platform/create-platform.js';
import { expectPlatformError } from '../testing/assertions.js';
import { createPostgresTestDatabase } from '../testing/postgres-test-database.js';
import { defineAdapterFactory } from './adapter-factory.js';
import { MemoryBlobStore } from './memory/memory-blob-store.js';
import { MemorySemanticStore } from './memory/memory-semantic-store.js';
import { BlobStoreRef, KeyValueStoreRef, MetadataStoreRef, SemanticStoreRef } from './refs.js';
import { untracedAdapter } from './traced-adapters.js';

const quiet = { telemetrySink: () => {}, env: {} };
const sha = (char: string) => char.repeat(64);

describe('Public Works composition', () => {
  it('starts no store when nothing needs one', async () => {
    const platform = createPlatform(quiet);
    const report = await platform.start();
    expect(report.services).toEqual([]);
    await expectPlatformError(() => platform.get(MetadataStoreRef), 'SERVICE_UNAVAILABLE');
    await platform.stop();
  });

  it('starts the stores a service depends on, from store URLs', async () => {
    const ReportsRef = defineServiceRef<{ count(): Promise<number> }>({ id: 'realm.reports', tier: 'realm' });
    const platform = createPlatform({
      ...quiet,
      config: { stores: { metadata: 'memory://' } },
      services: [
        defineService({
          ref: ReportsRef,
          deps: { metadata: MetadataStoreRef },
          factory: ({ metadata }) => ({ count: async () => (await metadata.listFiles('t1')).items.length }),
        }),
      ],
    });
    const report = await platform.start();
    expect(report.services.map((service) => service.id)).toEqual(['public-works.metadata-store', 'realm.reports']);
    expect(platform.get(MetadataStoreRef).kind).toBe('memory');
    expect(await platform.get(ReportsRef).count()).toBe(0);
    await platform.stop();
  });

  it('with no configuration at all, keeps data in local files and one SQLite database under dataDir, across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'platform-default-'));
    try {
      const options = {
        ...quiet,
        config: { dataDir },
        include: [BlobStoreRef, MetadataStoreRef, SemanticStoreRef, KeyValueStoreRef],
      };
      const first = createPlatform(options);
      const report = await first.start();
      expect(report.services.map((service) => service.id).sort()).toEqual([
        'public-works.blob-store',
        'public-works.key-value-store',
        'public-works.metadata-store',
        'public-works.semantic-store',
      ]);
      expect(first.get(BlobStoreRef).kind).toBe('local');
      expect(first.get(MetadataStoreRef).kind).toBe('sqlite');
      expect(first.get(SemanticStoreRef).kind).toBe('sqlite+sqlite-vec');
      // Sessions and rate limits in the same file: shared by every process on the data directory.
      expect(first.get(KeyValueStoreRef).kind).toBe('sqlite');
      await first.get(KeyValueStoreRef).set('t1', 'session', { user: 'ada' });
      await first.get(BlobStoreRef).put('t1', 'a.txt', new TextEncoder().encode('hello'));
      const file = await first
        .get(MetadataStoreRef)
        .createFile({ tenantId: 't1', name: 'a.txt', sizeBytes: 5, sha256: sha('a') });
      await first.get(SemanticStoreRef).upsertContent({ tenantId: 't1', contentId: 'c1', kind: 'unstructured' });
      expect((await first.stop()).ok).toBe(true);
      // The WAL files are folded back into the database when the last connection closes.
      expect((await readdir(dataDir)).sort()).toEqual(['blobs', 'platform.db']);

      const second = createPlatform(options);
      await second.start();
      expect(Buffer.from(await second.get(BlobStoreRef).get('t1', 'a.txt')).toString()).toBe('hello');
      expect(await second.get(MetadataStoreRef).getFile('t1', file.id)).toEqual(file);
      expect((await second.get(SemanticStoreRef).getContent('t1', 'c1')).kind).toBe('unstructured');
      expect(await second.get(KeyValueStoreRef).get('t1', 'session')).toEqual({ user: 'ada' });
      await second.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('runs the metadata store on a real Postgres given by PLATFORM_METADATA_STORE', async () => {
    const database = await createPostgresTestDatabase();
    try {
      const platform = createPlatform({
        telemetrySink: () => {},
        env: { PLATFORM_METADATA_STORE: database.url },
        include: [MetadataStoreRef],
      });
      await platform.start();
      const store = platform.get(MetadataStoreRef);
      expect(store.kind).toBe('postgres');
      const file = await store.createFile({ tenantId: 't1', name: 'p.csv', sizeBytes: 1, sha256: sha('b') });
      expect((await store.getFile('t1', file.id)).name).toBe('p.csv');
      await platform.stop();
    } finally {
      await database.drop();
    }
  });

  it('refuses to start a semantic store on a Postgres without pgvector, naming the extension', async () => {
    const database = await createPostgresTestDatabase();
    try {
      const platform = createPlatform({
        telemetrySink: () => {},
        env: { PLATFORM_SEMANTIC_STORE: database.url },
        include: [SemanticStoreRef],
      });
      const outcome = await platform.start().then(
        () => 'started',
        (error: unknown) => error,
      );
      if (outcome === 'started') {
        // A server with pgvector installed: the store must then work.
        expect(platform.get(SemanticStoreRef).kind).toBe('postgres+pgvector');
        await platform.stop();
      } else {
        expect(outcome).toMatchObject({ code: 'STARTUP_FAILED' });
        expect((outcome as Error).message).toContain("pgvector extension ('vector')");
        expect((outcome as Error).message).not.toContain(database.url);
      }
    } finally {
      await database.drop();
    }
  });

  it('picks adapters by URL scheme, the host factories first, and names the known schemes for an unknown one', async () => {
    expect(() =>
      createPlatform({ ...quiet, config: { stores: { semantic: 'mongodb://admin:s3cret@host/db' } } }),
    ).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(
          /^no adapter serves 'mongodb:\/\/' for the semanticStore \(PLATFORM_SEMANTIC_STORE\); known schemes: memory:\/\/, sqlite:\/\/, .*arangodb:\/\//,
        ),
      }),
    );
    try {
      createPlatform({ ...quiet, config: { stores: { semantic: 'mongodb://admin:s3cret@host/db' } } });
    } catch (error) {
      expect(
        JSON.stringify({ message: (error as Error).message, details: (error as { details?: unknown }).details }),
      ).not.toContain('s3cret');
    }
    // A host's factory for a built-in scheme replaces it.
    const own = new MemoryBlobStore();
    const platform = createPlatform({
      ...quiet,
      config: { stores: { blob: 'memory://' } },
      adapterFactories: [defineAdapterFactory({ port: 'blobStore', schemes: ['memory'], create: () => own })],
      include: [BlobStoreRef],
    });
    await platform.start();
    expect(untracedAdapter(platform.get(BlobStoreRef))).toBe(own);
    await platform.stop();
    expect(() => defineAdapterFactory({ port: 'blobStore', schemes: ['S3://'], create: () => own })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('refuses a store URL that does not parse at once, and says why a start failed in its cause', async () => {
    expect(() =>
      createPlatform({ ...quiet, config: { stores: { keyValue: 'redis://user:s3cret@127.0.0.1:6379x' } } }),
    ).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(/^the keyValueStore location \(PLATFORM_KEY_VALUE_STORE\) is not a valid URL/),
      }),
    );
    expect(() =>
      defineAdapterFactory({
        port: 'keyValueStoree' as 'keyValueStore',
        schemes: ['map'],
        create: () => ({}) as never,
      }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => createPlatform({ ...quiet, adapterFactories: [undefined] as never })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    // A Redis nobody listens on (port 1 of this machine): the cause is the adapter's own error.
    const platform = createPlatform({
      ...quiet,
      config: { stores: { keyValue: 'REDIS://127.0.0.1:1?prefix=composition-test' } },
      include: [KeyValueStoreRef],
    });
    const failure = await platform.start().then(
      () => undefined,
      (error: unknown) => error as { code?: string; cause?: { code?: string; message?: string } },
    );
    expect(failure?.code).toBe('STARTUP_FAILED');
    expect(failure?.cause).toMatchObject({
      code: 'ADAPTER_UNAVAILABLE',
      message: expect.stringContaining('127.0.0.1:1'),
    });
  });

  it('uses adapters passed in code, and runs their lifecycle hooks', async () => {
    const calls: string[] = [];
    const blobStore = Object.assign(new MemoryBlobStore(), {
      initialize: () => void calls.push('initialize'),
      shutdown: () => void calls.push('shutdown'),
    });
    const platform = createPlatform({
      ...quiet,
      config: { stores: { keyValue: 'memory://' } },
      adapters: { blobStore },
      include: [BlobStoreRef, KeyValueStoreRef],
    });
    await platform.start();
    // Handed to services traced (a proxy), still the host's object underneath.
    expect(untracedAdapter(platform.get(BlobStoreRef))).toBe(blobStore);
    expect(platform.get(KeyValueStoreRef).kind).toBe('memory');
    await platform.stop();
    expect(calls).toEqual(['initialize', 'shutdown']);
  });

  it('refuses the cloud profile without explicit stores, naming each one and how to give it', () => {
    let error: unknown;
    try {
      createPlatform({
        ...quiet,
        env: { CLOUD_READY_MODE: 'true' },
        adapters: { blobStore: new MemoryBlobStore() },
        include: [BlobStoreRef, MetadataStoreRef, SemanticStoreRef],
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', details: { missing: ['metadataStore', 'semanticStore'] } });
    expect((error as Error).message).toContain(
      'metadataStore: set PLATFORM_METADATA_STORE or pass adapters.metadataStore',
    );
    expect(() =>
      createPlatform({
        ...quiet,
        env: { CLOUD_READY_MODE: 'true', PLATFORM_METADATA_STORE: 'memory://' },
        adapters: { blobStore: new MemoryBlobStore(), semanticStore: new MemorySemanticStore() },
        include: [BlobStoreRef, MetadataStoreRef, SemanticStoreRef],
      }),
    ).not.toThrow();
    expect(() => createPlatform({ ...quiet, env: { CLOUD_READY_MODE: 'true' } })).not.toThrow();
    expect(() => createPlatform({ ...quiet, include: [defineServiceRef({ id: 'nope.ref', tier: 'realm' })] })).toThrow(
      /include: no module/,
    );
  });
});
