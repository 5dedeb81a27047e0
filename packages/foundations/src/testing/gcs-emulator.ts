import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The Cloud Storage emulator of firebase-tools: plain Node serving the GCS JSON API. Its CLI wants
// Java for the security-rules runtime, which GCS API calls never use, so the runtime's start and
// stop are no-ops here. This reaches into firebase-tools' internals (lib/emulator/...), checked
// with firebase-tools 15.34: keep it to this file and re-check it when bumping the version.
const require = createRequire(import.meta.url);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a Cloud Storage emulator (a GCS JSON API server) on 127.0.0.1 and a free port, for
 * tests of code that uses `GcsBlobStore` or `@google-cloud/storage`: pass `apiEndpoint` to the
 * client. Needs `firebase-tools` (15.x) installed as a dev dependency; buckets need no creation.
 *
 * @example
 * ```ts
 * const emulator = await startGcsEmulator();
 * const blobs = new GcsBlobStore({ bucket: 'test', apiEndpoint: emulator.apiEndpoint, projectId: 'demo' });
 * // ...
 * await emulator.stop();
 * ```
 */
export async function startGcsEmulator(): Promise<{ apiEndpoint: string; stop: () => Promise<void> }> {
  const { StorageEmulator } = require('firebase-tools/lib/emulator/storage/index.js');
  const { EmulatorRegistry } = require('firebase-tools/lib/emulator/registry.js');
  const port = await freePort();
  const emulator = new StorageEmulator({
    projectId: 'demo-platform',
    host: '127.0.0.1',
    port,
    rules: [],
    auto_download: false,
  });
  emulator._rulesRuntime.start = async () => {};
  emulator._rulesRuntime.stop = async () => {};
  // Its object bytes go to <tmpdir>/firebase/storage/blobs, one directory for every emulator on
  // the machine, which stop() deletes: a test file stopping its emulator took the objects of
  // another file's (in another worker, or another checkout's tests) from under it. Each gets its own.
  const blobs = await mkdtemp(join(tmpdir(), 'gcs-emulator-'));
  emulator.getPersistenceTmpDir = () => blobs;
  emulator._persistence.reset(blobs);
  // The registry is how the emulator finds its own address when it writes object metadata.
  await EmulatorRegistry.start(emulator);
  return {
    apiEndpoint: `http://127.0.0.1:${port}`,
    stop: () => EmulatorRegistry.stop('storage'),
  };
}
