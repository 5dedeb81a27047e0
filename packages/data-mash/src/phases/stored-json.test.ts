import { createHash } from 'node:crypto';
import { MemoryBlobStore } from '@platform/foundations';
import { describe, expect, it } from 'vitest';
import { putJsonForHandoff, takeJson } from './stored-json.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('JSON handed to the next phase', () => {
  it('is taken from hand once, with the stored bytes’ digest, then read from the blob store', async () => {
    const blobs = new MemoryBlobStore();
    const value = { a: [1, 2, 3], b: 'é' };
    await putJsonForHandoff(blobs, 'acme', 'parsed/f/semantic.json', value);
    const stored = Buffer.from(await blobs.get('acme', 'parsed/f/semantic.json')).toString('utf8');
    const first = await takeJson(blobs, 'acme', 'parsed/f/semantic.json');
    expect(first).toEqual({ value, sha256: sha256(stored), bytes: Buffer.byteLength(stored), fromHand: true });
    const second = await takeJson(blobs, 'acme', 'parsed/f/semantic.json');
    expect(second).toEqual({ value, sha256: sha256(stored), bytes: Buffer.byteLength(stored), fromHand: false });
  });

  it('is held per tenant and per blob store, and only the last few are held', async () => {
    const blobs = new MemoryBlobStore();
    const other = new MemoryBlobStore();
    await putJsonForHandoff(blobs, 'acme', 'k', { tenant: 'acme' });
    await expect(takeJson(blobs, 'globex', 'k')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(takeJson(other, 'acme', 'k')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (let index = 0; index < 5; index++) await putJsonForHandoff(blobs, 'acme', `k${index}`, { index });
    expect((await takeJson(blobs, 'acme', 'k0')).fromHand).toBe(false);
    expect((await takeJson(blobs, 'acme', 'k4')).fromHand).toBe(true);
    expect((await takeJson(blobs, 'acme', 'k')).fromHand).toBe(false);
  });

  it('refuses a blob that is not JSON (CONTRACT_VIOLATION)', async () => {
    const blobs = new MemoryBlobStore();
    await blobs.put('acme', 'bad.json', Buffer.from('{"a":'));
    await expect(takeJson(blobs, 'acme', 'bad.json')).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION' });
  });
});
