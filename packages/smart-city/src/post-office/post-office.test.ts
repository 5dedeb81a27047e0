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
