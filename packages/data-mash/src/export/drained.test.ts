import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { drained } from './drained.js';

describe('drained', () => {
  it('leaves no listener behind however many times it waits on one stream', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    stream.resume();
    const before = { close: stream.listenerCount('close'), error: stream.listenerCount('error') };
    for (let round = 0; round < 50; round += 1) {
      stream.write('0123456789');
      await drained(stream);
    }
    expect({ close: stream.listenerCount('close'), error: stream.listenerCount('error') }).toEqual(before);
  });

  it('rejects with the stream’s error when it fails instead of draining', async () => {
    const stream = new Writable({
      highWaterMark: 4,
      write: (_chunk, _encoding, callback) => setTimeout(callback, 10_000),
    });
    stream.on('error', () => undefined);
    stream.write('0123456789');
    const waiting = drained(stream);
    stream.destroy(new Error('disk full'));
    await expect(waiting).rejects.toThrow('disk full');
    expect(stream.listenerCount('drain')).toBe(0);
  });
});
