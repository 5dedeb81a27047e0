import { createPlatform, InProcessEventBus } from '@platform/foundations';
import { currentTraceId, runWithTraceId } from '@platform/observability';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { smartCityModule } from '../city-manager/city-manager.js';
import { defineEventType, PostOfficeRef, postOffice } from './post-office.js';

const FileStored = defineEventType(
  'content.file.stored',
  z.object({ fileId: z.string(), sizeBytes: z.number().int() }),
);
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('Post Office', () => {
  it('publishes typed events with the trace id and delivers them inside that trace, per tenant', async () => {
    const handlerErrors: unknown[] = [];
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      adapters: { eventBus: new InProcessEventBus({ onHandlerError: (error) => handlerErrors.push(error) }) },
      modules: [smartCityModule({ roles: [postOffice()] })],
    });
    await platform.start();
    const office = platform.get(PostOfficeRef);
    const received: Array<{ fileId: string; traceId: string | undefined; seenTrace: string | undefined }> = [];
    const off = office.subscribe(FileStored, 'acme', (event) => {
      received.push({ fileId: event.payload.fileId, traceId: event.traceId, seenTrace: currentTraceId() });
    });
    const published = await runWithTraceId(TRACE_ID, () =>
      office.publish(FileStored, 'acme', { fileId: 'f1', sizeBytes: 10 }),
    );
    await office.publish(FileStored, 'globex', { fileId: 'other', sizeBytes: 1 });
    expect(published).toMatchObject({ type: 'content.file.stored', tenantId: 'acme', traceId: TRACE_ID });
    expect(received).toEqual([{ fileId: 'f1', traceId: TRACE_ID, seenTrace: TRACE_ID }]);
    await expect(office.publish(FileStored, 'acme', { fileId: 'f2', sizeBytes: 'big' as never })).rejects.toMatchObject(
      {
        code: 'VALIDATION_FAILED',
      },
    );
    off();
    await office.publish(FileStored, 'acme', { fileId: 'f3', sizeBytes: 3 });
    expect(received).toHaveLength(1);
    expect(handlerErrors).toEqual([]);
    await platform.stop();
  });
});

describe('Post Office delivery', () => {
  const start = async () => {
    const platform = createPlatform({
      env: {},
      telemetrySink: () => {},
      adapters: {
        eventBus: new InProcessEventBus({ onHandlerError: () => {}, retry: { initialDelayMs: 5, maxDelayMs: 20 } }),
      },
      modules: [smartCityModule({ roles: [postOffice()] })],
    });
    await platform.start();
    return { platform, office: platform.get(PostOfficeRef) };
  };
  const waitFor = async (condition: () => boolean | Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('retries a failing subscriber, then dead-letters the event; replay delivers it again', async () => {
    const { platform, office } = await start();
    const attempts: number[] = [];
    let broken = true;
    const off = office.subscribe(
      FileStored,
      'acme',
      (_event, delivery) => {
        attempts.push(delivery.attempt);
        if (broken) throw new Error('disk full');
      },
      { group: 'indexer', retry: { maxAttempts: 3 } },
    );
    await office.publish(FileStored, 'acme', { fileId: 'f1', sizeBytes: 1 });
    await waitFor(async () => (await office.deadLetters('acme')).length === 1);
    expect(attempts).toEqual([1, 2, 3]);
    const [letter] = await office.deadLetters('acme');
    expect(letter).toMatchObject({ attempts: 3, error: 'disk full', event: { payload: { fileId: 'f1' } } });
    expect(await office.deadLetters('globex')).toEqual([]);
    broken = false;
    await office.replayDeadLetter(letter as NonNullable<typeof letter>);
    expect(attempts).toEqual([1, 2, 3, 1]);
    expect(await office.deadLetters('acme')).toEqual([]);
    await off();
    await platform.stop();
  });

  it('shares a group between subscribers and broadcasts to the others', async () => {
    const { platform, office } = await start();
    const members: string[][] = [[], []];
    const feed: string[] = [];
    const offs = [
      office.subscribe(FileStored, 'acme', (event) => void members[0]?.push(event.payload.fileId), { group: 'w' }),
      office.subscribe(FileStored, 'acme', (event) => void members[1]?.push(event.payload.fileId), { group: 'w' }),
      office.subscribe(FileStored, 'acme', (event) => void feed.push(event.payload.fileId)),
    ];
    await Promise.all(offs.map((off) => off.ready));
    for (let index = 0; index < 6; index += 1)
      await office.publish(FileStored, 'acme', { fileId: `f${index}`, sizeBytes: 1 });
    expect([...(members[0] ?? []), ...(members[1] ?? [])].sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
    expect(members[0]?.length).toBeGreaterThan(0);
    expect(members[1]?.length).toBeGreaterThan(0);
    expect(feed).toHaveLength(6);
    await Promise.all(offs.map((off) => off()));
    await platform.stop();
  });
});
