import { generateKeyPairSync } from 'node:crypto';
import { Readable } from 'node:stream';
import { GoogleAuth } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform } from '../../platform/create-platform.js';
import { describeBlobStoreConformance, startGcsEmulator } from '../../testing/index.js';
import { BlobStoreRef } from '../refs.js';
import { translate } from './gcs-blob-store.js';
import { GcsBlobStore } from './index.js';

let emulator: Awaited<ReturnType<typeof startGcsEmulator>>;
beforeAll(async () => {
  emulator = await startGcsEmulator();
}, 60_000);
afterAll(() => emulator?.stop());

// A service account made up for the test: signing a URL is local, it needs only a key.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const authClient = new GoogleAuth({
  credentials: {
    client_email: 'platform-test@demo-platform.iam.gserviceaccount.com',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  },
  scopes: ['https://www.googleapis.com/auth/devstorage.read_write'],
});

function store(options: Partial<ConstructorParameters<typeof GcsBlobStore>[0]> = {}) {
  return new GcsBlobStore({
    bucket: 'platform-test',
    prefix: 'conformance',
    apiEndpoint: emulator.apiEndpoint,
    projectId: 'demo-platform',
    authClient,
    ...options,
  });
}

describeBlobStoreConformance('gcs (Cloud Storage emulator)', async () => {
  const gcs = store();
  await gcs.initialize();
  // The emulator lists in JavaScript's string order; Cloud Storage itself by the names' bytes.
  return { store: gcs, listsByUtf8Bytes: false };
});

describe('GcsBlobStore', () => {
  it('uses a resumable upload above the threshold, keeps the sha256, and reads back what it wrote', async () => {
    const gcs = store({ resumableThresholdBytes: 256 * 1024, prefix: 'large' });
    const bytes = Buffer.alloc(3 * 1024 * 1024);
    for (let index = 0; index < bytes.length; index += 1) bytes[index] = (index * 7919) % 251;
    const fromBuffer = await gcs.put('acme', 'big/one.bin', bytes);
    const fromStream = await gcs.put(
      'acme',
      'big/two.bin',
      Readable.from([bytes.subarray(0, 1_000_000), bytes.subarray(1_000_000)]),
    );
    expect(fromStream.sha256).toBe(fromBuffer.sha256);
    expect(Buffer.from(await gcs.get('acme', 'big/two.bin')).equals(bytes)).toBe(true);
    const chunks: Buffer[] = [];
    for await (const chunk of await gcs.getStream('acme', 'big/one.bin')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    // Stream uploads leave nothing else behind in the bucket.
    expect((await gcs.list('acme')).items.map((item) => item.key)).toEqual(['big/one.bin', 'big/two.bin']);
  }, 60_000);

  it('names objects <prefix>/<tenant>/<key> and signs read URLs for stored objects only', async () => {
    const gcs = store({ prefix: '/signed/' });
    await gcs.put('acme', 'reports/q3.pdf', Buffer.from('%PDF-1.7'));
    const url = new URL(await gcs.signedReadUrl('acme', 'reports/q3.pdf', { expiresInSeconds: 60 }));
    expect(url.pathname).toMatch(/\/platform-test\/signed\/acme\/reports\/q3\.pdf$/);
    expect(url.searchParams.get('X-Goog-Algorithm')).toBe('GOOG4-RSA-SHA256');
    expect(url.searchParams.get('X-Goog-Expires')).toBe('60');
    await expect(gcs.signedReadUrl('acme', 'reports/none.pdf')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(gcs.signedReadUrl('acme', 'reports/q3.pdf', { expiresInSeconds: 0 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('refuses reserved metadata keys and bad bucket names', async () => {
    await expect(
      store().put('acme', 'a.txt', Buffer.from('x'), { metadata: { 'platform-sha256': 'forged' } }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(() => new GcsBlobStore({ bucket: 'Not A Bucket' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('fails start-up with ADAPTER_UNAVAILABLE when the endpoint is unreachable, printing no credentials', async () => {
    const unreachable = store({ apiEndpoint: 'http://127.0.0.1:1', maxRetries: 0 });
    const failure = await unreachable.initialize().catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ADAPTER_UNAVAILABLE', details: { adapter: 'gcs' } });
    expect(String((failure as Error).message)).not.toContain('PRIVATE KEY');
    const health = await unreachable.health();
    expect(health).toEqual({ status: 'unhealthy', message: expect.stringContaining("gcs: bucket 'platform-test'") });
    expect(health.message).not.toContain('PRIVATE KEY');
    expect(await store().health()).toEqual({ status: 'healthy' });
  }, 30_000);

  it('is what PLATFORM_BLOB_STORE=gcs://bucket/prefix configures, checked at start', async () => {
    const env = {
      PLATFORM_BLOB_STORE: `gcs://platform-test/from-url?apiEndpoint=${encodeURIComponent(emulator.apiEndpoint)}&projectId=demo-platform`,
    };
    const platform = createPlatform({ env, telemetrySink: () => {}, include: [BlobStoreRef] });
    await platform.start();
    try {
      const blobs = platform.get(BlobStoreRef);
      expect(blobs.kind).toBe('gcs');
      await blobs.put('acme', 'hello.txt', Buffer.from('hi'));
      expect((await store({ prefix: 'from-url' }).head('acme', 'hello.txt'))?.size).toBe(2);
    } finally {
      await platform.stop();
    }
  });
});

describe('GCS errors', () => {
  it.each([
    [
      Object.assign(new Error('getaddrinfo ENOTFOUND storage.googleapis.com'), { code: 'ENOTFOUND' }),
      'ADAPTER_UNAVAILABLE',
    ],
    [Object.assign(new Error('Service Unavailable'), { code: 503 }), 'ADAPTER_UNAVAILABLE'],
    [Object.assign(new Error('Forbidden'), { code: 403 }), 'ADAPTER_UNAVAILABLE'],
    [Object.assign(new Error('No such object'), { code: 404 }), 'NOT_FOUND'],
    [Object.assign(new Error('Precondition Failed'), { code: 412 }), 'CONFLICT'],
    [Object.assign(new Error('Too Many Requests'), { code: 429 }), 'RATE_LIMITED'],
    [Object.assign(new Error('Request Timeout'), { code: 408 }), 'ADAPTER_UNAVAILABLE'],
    [Object.assign(new Error('Invalid argument'), { code: 400 }), 'INTERNAL'],
  ])('answers %s with %s', (error, code) => {
    expect(translate(error, 'write')).toMatchObject({ code });
  });
});
