import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileDelimitedFile } from './profile-file.js';
import { startWorker, workerExecArgv } from './worker-flags.js';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'worker-flags-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

// Flags V8 or the process take, which a Worker's execArgv refuses (ERR_WORKER_INVALID_EXEC_ARGV).
const processWide = ['--no-maglev', '--max-semi-space-size=16', '--max-old-space-size=4096', '--stack-size=900'];

function firstMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.once('message', (message) => {
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('workerExecArgv', () => {
  it('keeps the flags of the process but --input-type', () => {
    expect(
      workerExecArgv(['--input-type=module', '--conditions=development', '--input-type', 'commonjs', '-r', 'x.cjs']),
    ).toEqual(['--conditions=development', '-r', 'x.cjs']);
  });
});

describe('startWorker', () => {
  it('leaves out the V8 and process-wide flags a worker refuses, and keeps the others', async () => {
    const file = join(directory, 'echo.mjs');
    await writeFile(
      file,
      "import { parentPort } from 'node:worker_threads';\n" +
        'parentPort.postMessage({ execArgv: process.execArgv, imported: globalThis.imported });\n',
    );
    const imported = '--import=data:text/javascript,globalThis.imported = 1';
    const worker = startWorker(file, {}, [
      ...processWide,
      '--input-type=module',
      '--conditions=development',
      imported,
      '--enable-source-maps',
    ]);
    expect(await firstMessage(worker)).toEqual({
      execArgv: ['--conditions=development', imported, '--enable-source-maps'],
      imported: 1,
    });
  });

  it('reports other errors as they are', () => {
    expect(() => startWorker(join(directory, 'echo.mjs'), {}, ['--conditions'])).toThrow();
  });
});

describe('profileDelimitedFile', () => {
  it('profiles on worker threads when the process runs with V8 flags (--no-maglev, --max-semi-space-size)', async () => {
    const path = join(directory, 'flags.csv');
    const lines = ['a,b'];
    for (let index = 0; index < 20_000; index += 1) lines.push(`${index},${(index * 7) % 101}`);
    await writeFile(path, `${lines.join('\n')}\n`);
    const saved = [...process.execArgv];
    process.execArgv.push(...processWide);
    try {
      const two = await profileDelimitedFile(path, { workers: 2, minBytesPerWorker: 1 });
      expect(two.workers).toBe(2);
      expect(two.insights.rowCount).toBe(20_000);
      expect(two.insights.columns[1]?.numeric).toMatchObject({ min: 0, max: 100 });
    } finally {
      process.execArgv.splice(0, process.execArgv.length, ...saved);
    }
  });
});
