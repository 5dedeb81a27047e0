import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { digestFile } from './file-digest.js';

const bytes = new TextEncoder().encode('id,name\n1,Ada\n2,Grace\n');
const sha256 = createHash('sha256').update(bytes).digest('hex');

async function read(body: unknown): Promise<Buffer> {
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function spooledDirectories(): Promise<string[]> {
  return (await readdir(tmpdir())).filter((name) => name.startsWith('data-mash-spool-'));
}

describe('digestFile', () => {
  it('hashes bytes in place and a path by reading it, and opens them again for the upload', async () => {
    const fromBytes = await digestFile({ name: 'a.csv', data: bytes });
    expect(fromBytes.sha256).toBe(sha256);
    expect((await read(fromBytes.open())).equals(Buffer.from(bytes))).toBe(true);

    const directory = await mkdtemp(join(tmpdir(), 'digest-'));
    try {
      await writeFile(join(directory, 'a.csv'), bytes);
      const fromPath = await digestFile({ name: 'a.csv', path: join(directory, 'a.csv') });
      expect(fromPath.sha256).toBe(sha256);
      expect((await read(fromPath.open())).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    await expect(digestFile({ name: 'x.csv', path: join(tmpdir(), 'no-such-dir', 'x.csv') })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('spools a stream to a temporary file while hashing it, and removes it on release', async () => {
    const before = await spooledDirectories();
    const digested = await digestFile({
      name: 'a.csv',
      data: Readable.from([bytes.subarray(0, 5), bytes.subarray(5)]),
    });
    expect(digested.sha256).toBe(sha256);
    const spooled = (await spooledDirectories()).filter((name) => !before.includes(name));
    expect(spooled).toHaveLength(1);
    expect((await read(digested.open())).equals(Buffer.from(bytes))).toBe(true);
    await digested.release();
    expect(existsSync(join(tmpdir(), spooled[0] as string))).toBe(false);
  });

  it('leaves nothing behind when the stream fails midway, and refuses what is not bytes', async () => {
    const before = await spooledDirectories();
    async function* failing() {
      yield bytes;
      throw new Error('the client went away');
    }
    await expect(digestFile({ name: 'a.csv', data: failing() })).rejects.toThrow('the client went away');
    expect((await spooledDirectories()).filter((name) => !before.includes(name))).toEqual([]);
    await expect(digestFile({ name: 'a.csv', data: 42 as never })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('refuses a file over maxBytes before reading it (a path, bytes), or as the stream passes it, keeping no spool', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'digest-'));
    try {
      await writeFile(join(directory, 'a.csv'), bytes);
      const limit = { maxBytes: bytes.length - 1 };
      await expect(digestFile({ name: 'a.csv', path: join(directory, 'a.csv') }, limit)).rejects.toMatchObject({
        code: 'FILE_TOO_LARGE',
        details: { limitBytes: bytes.length - 1 },
      });
      await expect(digestFile({ name: 'a.csv', data: bytes }, limit)).rejects.toMatchObject({ code: 'FILE_TOO_LARGE' });
      const before = await spooledDirectories();
      let pulled = 0;
      async function* endless() {
        for (;;) {
          pulled += 1;
          yield bytes;
        }
      }
      await expect(
        digestFile({ name: 'a.csv', data: endless() }, { maxBytes: 10 * bytes.length }),
      ).rejects.toMatchObject({
        code: 'FILE_TOO_LARGE',
      });
      expect(pulled).toBe(11);
      expect(await spooledDirectories()).toEqual(before);
      expect((await digestFile({ name: 'a.csv', data: bytes }, { maxBytes: bytes.length })).sha256).toBe(sha256);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('digestFile, an upload that fails part-way', () => {
  it('answers the failure and leaves no stream error behind, however the spool writes interleave', async () => {
    const uncaught: unknown[] = [];
    const listener = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', listener);
    try {
      for (let run = 0; run < 20; run += 1) {
        async function* failing() {
          for (let index = 0; index < 50; index += 1) yield new Uint8Array(1024).fill(65);
          await new Promise((resolve) => setTimeout(resolve, 0));
          throw new Error('client went away');
        }
        await expect(digestFile({ name: 'a.csv', data: failing() })).rejects.toThrow('client went away');
        await expect(digestFile({ name: 'a.csv', data: failing() }, { maxBytes: 20_000 })).rejects.toMatchObject({
          code: 'FILE_TOO_LARGE',
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', listener);
    }
  });
});
